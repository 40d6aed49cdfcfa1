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


def logits_as_inputs(z):
    """Images [N, 785] and weights [785, K] whose logits X @ w are exactly z [N, K]."""
    X = np.zeros((len(z), 785))
    X[:, :z.shape[1]] = z
    w = np.zeros((785, z.shape[1]))
    w[:z.shape[1]] = np.eye(z.shape[1])
    return X, w


@pytest.fixture(scope="session")
def mnist_arrays():
    """The real MNIST (X_train, Y_train, X_test, Y_test)."""
    import mnist
    return mnist.load()
