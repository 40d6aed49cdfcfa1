"""The two models and their losses: exact values, gradients against finite differences,
numerical stability, and the appendix gradient test itself."""
import numpy as np
import pytest

import task2a
import task3a
from conftest import logits_as_inputs


def numerical_gradient(cost, w, epsilon=1e-6):
    """Central differences of cost() for every entry of w (w is changed in place and
    restored); independent of the project's own check."""
    grad = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        original = w[index]
        w[index] = original + epsilon
        plus = cost()
        w[index] = original - epsilon
        minus = cost()
        w[index] = original
        grad[index] = (plus - minus) / (2 * epsilon)
    return grad


def relative_error(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


# --- preprocessing -------------------------------------------------------------------

def test_pre_process_images_maps_0_255_to_minus1_1_and_appends_ones():
    X = np.array([[0] * 784, [255] * 784, [51] * 784], dtype=np.uint8)
    out = task2a.pre_process_images(X)
    assert out.shape == (3, 785) and out.dtype == np.float64
    np.testing.assert_array_equal(out[0, :784], -1.0)
    np.testing.assert_array_equal(out[1, :784], 1.0)
    np.testing.assert_allclose(out[2, :784], 51 / 127.5 - 1)
    np.testing.assert_array_equal(out[:, 784], 1.0)


# --- binary model --------------------------------------------------------------------

def test_binary_forward_with_zero_weights_is_one_half(small_images):
    model = task2a.BinaryModel()
    assert model.I == 785 and model.w.shape == (785, 1) and not model.w.any()
    np.testing.assert_array_equal(model.forward(small_images), np.full((6, 1), 0.5))


def test_binary_cross_entropy_exact_value():
    targets = np.array([[1], [0]])
    outputs = np.array([[0.8], [0.4]])
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    assert task2a.cross_entropy_loss(targets, outputs) == pytest.approx(expected, rel=1e-12)


def test_binary_gradient_matches_finite_differences(small_images, rng):
    model = task2a.BinaryModel()
    model.w = rng.normal(0, 0.05, size=(785, 1))
    Y = np.array([[1], [0], [1], [1], [0], [0]])
    model.backward(small_images, model.forward(small_images), Y)
    numerical = numerical_gradient(
        lambda: task2a.cross_entropy_loss(Y, model.forward(small_images)), model.w)
    assert model.grad.shape == model.w.shape
    assert relative_error(model.grad, numerical) < 1e-7


def test_binary_backward_is_the_batch_mean_of_equation_6():
    X = np.zeros((2, 785))
    X[0, 0], X[1, 0] = 1.0, -2.0
    model = task2a.BinaryModel()
    model.backward(X, np.array([[0.25], [0.5]]), np.array([[1], [0]]))
    # mean of -(y - y_hat) x_0: (-(0.75) * 1 + -(-0.5) * -2) / 2
    assert model.grad[0, 0] == pytest.approx((-0.75 - 1.0) / 2)
    assert not model.grad[1:].any()


def test_sigmoid_is_finite_and_exact_at_extreme_logits():
    model = task2a.BinaryModel()
    X, model.w = logits_as_inputs(np.array([[-1000.0], [-40.0], [0.0], [40.0], [1000.0]]))
    out = model.forward(X)
    assert np.all(np.isfinite(out))
    assert out[0, 0] == 0.0 and out[4, 0] == 1.0 and out[2, 0] == 0.5
    assert out[1, 0] == pytest.approx(np.exp(-40.0), rel=1e-12)


def test_binary_loss_is_finite_for_outputs_of_exactly_0_and_1():
    targets = np.array([[1], [0], [1], [0]])
    outputs = np.array([[0.0], [1.0], [1.0], [0.0]])
    loss = task2a.cross_entropy_loss(targets, outputs)
    assert np.isfinite(loss) and loss > 300  # two certain mistakes, two certain hits


# --- softmax model -------------------------------------------------------------------

def softmax_of(z):
    """The softmax model's output for logits z [N, 10]."""
    model = task3a.SoftmaxModel(0.0)
    X, model.w = logits_as_inputs(z)
    return model.forward(X)


def test_softmax_rows_sum_to_one_and_match_the_definition(rng):
    z = rng.normal(0, 3, size=(5, 10))
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax_of(z), expected, rtol=1e-12)
    np.testing.assert_allclose(softmax_of(z).sum(axis=1), 1.0, rtol=1e-12)


def test_softmax_is_finite_at_extreme_logits():
    z = np.zeros((2, 10))
    z[0, :3] = [1000.0, -1000.0, 0.0]
    z[0, 3:] = -1000.0
    z[1] = -1000.0
    out = softmax_of(z)
    np.testing.assert_array_equal(out[0], [1.0] + [0.0] * 9)
    np.testing.assert_allclose(out[1], 1 / 10)


def test_softmax_forward_with_zero_weights_is_one_tenth(small_images):
    model = task3a.SoftmaxModel(0.0)
    assert (model.I, model.num_outputs, model.w.shape) == (785, 10, (785, 10))
    np.testing.assert_allclose(model.forward(small_images), 0.1)


def test_softmax_cross_entropy_exact_value():
    targets = np.array([[0, 1, 0], [1, 0, 0]])
    outputs = np.array([[0.2, 0.5, 0.3], [0.9, 0.05, 0.05]])
    expected = -(np.log(0.5) + np.log(0.9)) / 2
    assert task3a.cross_entropy_loss(targets, outputs) == pytest.approx(expected, rel=1e-12)


def test_softmax_loss_is_finite_where_a_probability_is_0():
    loss = task3a.cross_entropy_loss(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    assert np.isfinite(loss) and loss > 700


@pytest.mark.parametrize("l2_lambda", [0.0, 0.5])
def test_softmax_gradient_matches_finite_differences_of_J(small_images, rng, l2_lambda):
    model = task3a.SoftmaxModel(l2_lambda)
    model.w = rng.normal(0, 0.1, size=(785, 10))
    Y = task3a.one_hot_encode(np.array([[0], [3], [9], [3], [5], [1]]), 10)

    def cost():  # J = C + lambda * R(w), written out here independently
        return (task3a.cross_entropy_loss(Y, model.forward(small_images))
                + l2_lambda * np.sum(model.w**2))
    model.backward(small_images, model.forward(small_images), Y)
    numerical = numerical_gradient(cost, model.w)
    assert relative_error(model.grad, numerical) < 1e-7


def test_l2_term_of_the_gradient_is_two_lambda_w():
    X = np.zeros((1, 785))
    model = task3a.SoftmaxModel(0.25)
    model.w = np.full((785, 10), 2.0)
    Y = task3a.one_hot_encode(np.array([[0]]), 10)
    model.backward(X, model.forward(X), Y)
    np.testing.assert_allclose(model.grad, 2 * 0.25 * 2.0)  # X = 0: only the L2 term


# --- one-hot -------------------------------------------------------------------------

def test_one_hot_encode():
    encoded = task3a.one_hot_encode(np.array([[3], [0], [9]]), 10)
    assert encoded.shape == (3, 10)
    assert encoded[0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert encoded[1, 0] == 1 and encoded[2, 9] == 1 and encoded.sum() == 3


# --- the appendix gradient test ------------------------------------------------------

def test_gradient_approximation_tests_pass_on_correct_models(small_images):
    np.random.seed(0)
    Y_binary = np.array([[1], [0], [1], [1], [0], [0]])
    assert task2a.gradient_approximation_test(task2a.BinaryModel(), small_images,
                                              Y_binary) is None
    Y = task3a.one_hot_encode(np.arange(6).reshape(-1, 1), 10)
    for l2_lambda in (0.0, 1.0):
        task3a.gradient_approximation_test(task3a.SoftmaxModel(l2_lambda), small_images, Y)


def test_gradient_approximation_test_catches_a_wrong_gradient(small_images):
    class ForgetsTheBatchMean(task2a.BinaryModel):
        def backward(self, X, outputs, targets):
            self.grad = -X.T @ (targets - outputs)
    Y = np.array([[1], [0], [1], [1], [0], [0]])
    with pytest.raises(AssertionError, match="Calculated gradient is incorrect"):
        task2a.gradient_approximation_test(ForgetsTheBatchMean(), small_images, Y)


def test_softmax_gradient_test_includes_the_l2_cost(small_images):
    class ForgetsL2(task3a.SoftmaxModel):
        def backward(self, X, outputs, targets):
            self.grad = -X.T @ (targets - outputs) / X.shape[0]
    Y = task3a.one_hot_encode(np.arange(6).reshape(-1, 1), 10)
    np.random.seed(0)
    task3a.gradient_approximation_test(ForgetsL2(0.0), small_images, Y)  # right for 0
    with pytest.raises(AssertionError, match="Calculated gradient is incorrect"):
        task3a.gradient_approximation_test(ForgetsL2(1.0), small_images, Y)
