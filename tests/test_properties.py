"""Property-based tests (hypothesis) over random shapes and values."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import task2a
import task3a
from conftest import logits_as_inputs

# Any logit a model could meet: |z| up to 1e300 (w up to about 1e297 for pixels in [-1, 1])
finite = st.floats(-1e300, 1e300)
moderate = st.floats(-100, 100, allow_nan=False)


def logits(elements, num_classes=10):
    shapes = st.tuples(st.integers(1, 6), st.just(num_classes))
    return shapes.flatmap(lambda shape: arrays(np.float64, shape, elements=elements))


def softmax(z):
    model = task3a.SoftmaxModel(0.0)
    X, model.w = logits_as_inputs(z)
    return model.forward(X)


def sigmoid(z):
    model = task2a.BinaryModel()
    X, model.w = logits_as_inputs(z)
    return model.forward(X)


@given(logits(finite))
def test_softmax_rows_are_probabilities_summing_to_one(z):
    p = softmax(z)
    assert np.all(np.isfinite(p)) and np.all(p >= 0) and np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)


@given(logits(moderate), arrays(np.float64, 6, elements=st.floats(-1000, 1000)))
def test_softmax_ignores_a_constant_added_to_a_row(z, shift):
    shifted = z + shift[:len(z), None]
    np.testing.assert_allclose(softmax(shifted), softmax(z), atol=1e-9)


@given(logits(finite, num_classes=1))
def test_sigmoid_and_binary_loss_stay_finite(z):
    p = sigmoid(z)
    assert np.all((p >= 0) & (p <= 1))
    for target in (0, 1):
        assert np.isfinite(task2a.cross_entropy_loss(np.full(z.shape, target), p))


@given(logits(finite), st.integers(0, 9))
def test_softmax_loss_stays_finite(z, label):
    targets = np.zeros_like(z)
    targets[:, label] = 1
    assert np.isfinite(task3a.cross_entropy_loss(targets, softmax(z)))


def directional_check(model, cost, X, Y, rng, epsilon=1e-5):
    """The analytic gradient against a central difference of cost along a random direction."""
    model.backward(X, model.forward(X), Y)
    direction = rng.normal(size=model.w.shape)
    start = model.w.copy()
    model.w = start + epsilon * direction
    plus = cost()
    model.w = start - epsilon * direction
    minus = cost()
    model.w = start
    numerical = (plus - minus) / (2 * epsilon)
    analytic = float(np.sum(model.grad * direction))
    assert abs(numerical - analytic) <= 1e-6 * max(1.0, abs(analytic))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(0, 2**32 - 1), st.floats(0.001, 2.0))
def test_binary_gradient_matches_finite_differences(n, seed, scale):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 785))
    Y = rng.integers(0, 2, size=(n, 1))
    model = task2a.BinaryModel()
    model.w = rng.normal(0, scale / 28, size=model.w.shape)
    directional_check(model, lambda: task2a.cross_entropy_loss(Y, model.forward(X)), X, Y, rng)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(0, 2**32 - 1), st.floats(0.001, 2.0),
       st.sampled_from([0.0, 0.001, 0.1, 1.0, 3.5]))
def test_softmax_gradient_with_l2_matches_finite_differences(n, seed, scale, l2_lambda):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 785))
    Y = task3a.one_hot_encode(rng.integers(0, 10, size=(n, 1)), 10)
    model = task3a.SoftmaxModel(l2_lambda)
    model.w = rng.normal(0, scale / 28, size=model.w.shape)

    def cost():
        return task3a.cross_entropy_loss(Y, model.forward(X)) + l2_lambda * np.sum(model.w**2)
    directional_check(model, cost, X, Y, rng)
