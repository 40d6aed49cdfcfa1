"""The models, losses and gradient tests of task2a.py and task3a.py against the equations:
exact values on made-up numbers, gradients against central differences."""
import math
import re

import numpy as np
import pytest

import task2a
import task3a
from conftest import images


def central_differences(cost, w, epsilon=1e-5):
    """The gradient of cost at w, weight by weight."""
    grad = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[index] += epsilon
        down[index] -= epsilon
        grad[index] = (cost(up) - cost(down)) / (2 * epsilon)
    return grad


def test_pre_process_images_maps_0_255_to_minus1_1_and_appends_ones():
    X = np.array([[0] * 784, [255] * 784, [51] * 784], dtype=np.uint8)
    out = task2a.pre_process_images(X)
    assert out.shape == (3, 785) and out.dtype == np.float64
    assert np.array_equal(out[:, :784], np.repeat([[-1.0], [1.0], [51 / 127.5 - 1]], 784, 1))
    assert np.array_equal(out[:, 784], np.ones(3))


@pytest.mark.parametrize("X, message", [
    (np.zeros((2, 783)), "X.shape[1]: 783, should be 784"),
    (np.full((2, 784), 256.0), "pixel values should lie in 0..255"),
    (np.full((2, 784), np.nan), "pixel values should lie in 0..255 (no NaN)"),
])
def test_pre_process_images_refuses_what_is_not_raw_images(X, message):
    with pytest.raises(AssertionError, match=re.escape(message)):
        task2a.pre_process_images(X)


def test_binary_cross_entropy_is_equation_3_by_hand():
    targets = np.array([[1], [0], [1], [0]])
    outputs = np.array([[0.9], [0.2], [0.5], [0.6]])
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.5) + math.log(0.4)) / 4
    assert task2a.cross_entropy_loss(targets, outputs) == pytest.approx(expected, rel=1e-15)
    assert type(task2a.cross_entropy_loss(targets, outputs)) is float


def test_softmax_cross_entropy_is_equation_5_by_hand():
    targets = np.array([[0, 1, 0], [1, 0, 0]])
    outputs = np.array([[0.2, 0.7, 0.1], [0.25, 0.25, 0.5]])
    expected = -(math.log(0.7) + math.log(0.25)) / 2
    assert task3a.cross_entropy_loss(targets, outputs) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("loss", [task2a.cross_entropy_loss, task3a.cross_entropy_loss])
def test_losses_refuse_mismatched_shapes(loss):
    with pytest.raises(AssertionError, match=r"Targets shape: \(3, 1\), outputs: \(3, 2\)"):
        loss(np.zeros((3, 1)), np.full((3, 2), 0.5))


def test_binary_forward_is_the_sigmoid_of_equation_1(rng):
    X = images(rng, 5)
    model = task2a.BinaryModel()
    assert model.I == 785 and model.w.shape == (785, 1) and not model.w.any()
    assert np.array_equal(model.forward(X), np.full((5, 1), 0.5))
    model.w = rng.normal(0, 0.1, size=(785, 1))
    z = X @ model.w
    assert np.allclose(model.forward(X), np.exp(z) / (1 + np.exp(z)), rtol=1e-14)


def test_binary_backward_matches_central_differences_of_the_loss(rng):
    X, Y = images(rng, 7), rng.integers(0, 2, size=(7, 1))
    model = task2a.BinaryModel()
    w = rng.normal(0, 0.1, size=(785, 1))

    def cost(weights):
        model.w = weights
        return task2a.cross_entropy_loss(Y, model.forward(X))
    numerical = central_differences(cost, w)
    model.w = w
    model.backward(X, model.forward(X), Y)
    assert model.grad.shape == (785, 1)
    assert np.allclose(model.grad, numerical, rtol=1e-6, atol=1e-9)


def test_softmax_forward_is_equation_4_with_rows_summing_to_one(rng):
    X = images(rng, 4)
    model = task3a.SoftmaxModel(0.0)
    assert (model.I, model.num_outputs, model.w.shape) == (785, 10, (785, 10))
    assert np.allclose(model.forward(X), 0.1, rtol=1e-15)
    model.w = rng.normal(0, 0.1, size=(785, 10))
    e = np.exp(X @ model.w)
    out = model.forward(X)
    assert np.allclose(out, e / e.sum(axis=1, keepdims=True), rtol=1e-13)
    assert np.allclose(out.sum(axis=1), 1, rtol=1e-15)


def test_softmax_forward_stays_finite_for_large_logits():
    X = np.zeros((1, 785))
    X[0, :3] = [1000.0, 999.0, -1000.0]
    model = task3a.SoftmaxModel(0.0)
    model.w[:3, :3] = np.eye(3)
    out = model.forward(X)
    e = np.exp([0.0, -1.0, -2000.0])
    assert np.allclose(out[0, :3], e / (e.sum() + 7 * np.exp(-1000.0)), rtol=1e-15)


@pytest.mark.parametrize("l2_reg_lambda", [0.0, 0.3])
def test_softmax_backward_matches_central_differences_of_J(rng, l2_reg_lambda):
    X, Y = images(rng, 6), np.eye(10)[rng.integers(0, 10, size=6)]
    model = task3a.SoftmaxModel(l2_reg_lambda)
    w = rng.normal(0, 0.1, size=(785, 10))
    rows = slice(0, 40)  # 400 weights are enough; the formula is the same for all

    def cost(block):
        model.w = w.copy()
        model.w[rows] = block
        return (task3a.cross_entropy_loss(Y, model.forward(X))
                + l2_reg_lambda * np.sum(model.w ** 2))
    numerical = central_differences(cost, w[rows])
    model.w = w
    model.backward(X, model.forward(X), Y)
    assert np.allclose(model.grad[rows], numerical, rtol=1e-6, atol=1e-8)


def test_the_l2_term_of_the_gradient_is_two_lambda_w(rng):
    X, Y = images(rng, 3), np.eye(10)[[1, 2, 3]]
    w = rng.normal(size=(785, 10))
    grads = []
    for l2_reg_lambda in (0.0, 0.25):
        model = task3a.SoftmaxModel(l2_reg_lambda)
        model.w = w
        model.backward(X, model.forward(X), Y)
        grads.append(model.grad)
    assert np.allclose(grads[1] - grads[0], 0.5 * w, rtol=1e-12, atol=1e-15)


def test_softmax_model_refuses_a_negative_lambda():
    with pytest.raises(AssertionError, match="l2_reg_lambda should be >= 0, got -0.1"):
        task3a.SoftmaxModel(-0.1)


@pytest.mark.parametrize("model", [task2a.BinaryModel(), task3a.SoftmaxModel(0.0)])
def test_models_refuse_images_without_the_bias_column(model):
    message = r"X.shape: \(2, 784\), should be \[batch size, 785\]"
    with pytest.raises(AssertionError, match=message):
        model.forward(np.zeros((2, 784)))


def test_backward_refuses_outputs_and_targets_of_different_shapes(rng):
    with pytest.raises(AssertionError, match=r"Output shape: \(2, 10\), targets: \(2, 1\)"):
        task3a.SoftmaxModel(0.0).backward(images(rng, 2), np.full((2, 10), 0.1),
                                          np.zeros((2, 1)))


def test_one_hot_encode():
    encoded = task3a.one_hot_encode(np.array([[3], [0], [9], [3]], dtype=np.uint8), 10)
    assert np.array_equal(encoded, np.eye(10)[[3, 0, 9, 3]])
    with pytest.raises(AssertionError, match=r"labels should lie in 0..9, got 0..10"):
        task3a.one_hot_encode(np.array([[0], [10]]), 10)


@pytest.mark.parametrize("module, model", [(task2a, task2a.BinaryModel),
                                           (task3a, lambda: task3a.SoftmaxModel(0.2))])
def test_the_course_gradient_tests_pass_on_the_models(rng, module, model):
    X = images(rng, 20)
    Y = (rng.integers(0, 2, size=(20, 1)) if module is task2a
         else np.eye(10)[rng.integers(0, 10, size=20)])
    np.random.seed(0)
    module.gradient_approximation_test(model(), X, Y)


def test_the_course_gradient_test_catches_a_gradient_twice_too_large(rng, monkeypatch):
    X, Y = images(rng, 20), rng.integers(0, 2, size=(20, 1))
    backward = task2a.BinaryModel.backward

    def doubled(self, X, outputs, targets):
        backward(self, X, outputs, targets)
        self.grad = 2 * self.grad
    monkeypatch.setattr(task2a.BinaryModel, "backward", doubled)
    with pytest.raises(AssertionError, match="Calculated gradient is incorrect"):
        task2a.gradient_approximation_test(task2a.BinaryModel(), X, Y)
