"""Shared fixtures: the project root on sys.path, small made-up data, the real MNIST."""
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def small_images(rng):
    """Six preprocessed images [6, 785] with the bias column, values in [-1, 1]."""
    X = rng.uniform(-1, 1, size=(6, 785))
    X[:, -1] = 1
    return X


@pytest.fixture(scope="session")
def mnist_arrays():
    """The real MNIST (X_train, Y_train, X_test, Y_test)."""
    import mnist
    return mnist.load()
