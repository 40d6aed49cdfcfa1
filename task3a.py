"""Task 3a and 4: one-hot targets, the softmax model with L2, its loss and the gradient check.

`python task3a.py` runs the course's sanity checks on the 10-class training images: the
preprocessed shape, the one-hot code of label 3, an output of 0.1 for zero weights, and
the gradient approximation test over all 785 x 10 weights twice on the first 100 images.
It writes their relative errors and largest differences to results/task3a.json.
Takes about 10 s.
"""
import math

import numpy as np

import utils
from task2a import (LinearModel, check_gradient, check_same_shape, pre_process_images,
                    random_start, run_gradient_checks, safe_log)

NUM_CLASSES = 10


def cross_entropy_loss(targets: np.ndarray, outputs: np.ndarray) -> float:
    """Equation 5: multi-class cross entropy, summed over classes, averaged over the batch.

    Args:
        targets: one-hot labels of shape [batch size, num_classes]
        outputs: probabilities of shape [batch size, num_classes]
    Returns:
        the mean loss; finite even where a probability is exactly 0
    """
    check_same_shape(targets, outputs, "cross_entropy_loss")
    # the mean over N of the per-image sums over classes is the total sum divided by N
    return float(-(targets * safe_log(outputs)).sum() / len(targets))


def softmax(z: np.ndarray) -> np.ndarray:
    """Equation 4 row by row: e^z_k / sum_k' e^z_k'.

    Subtracting each row's largest logit first changes nothing mathematically and keeps
    every exponent <= 0, so e^z cannot overflow. Only logits near +-1e308 can make the
    difference itself overflow to -inf, whose exponential, 0, is then the right answer.

    Args:
        z: float logits of shape [batch size, K]
    """
    with np.errstate(over="ignore"):
        e = z - z.max(axis=1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)
    return e


class SoftmaxModel(LinearModel):
    """Softmax regression (equation 4) over 784 pixels and a bias, with L2 regularization.

    forward gives the class probabilities softmax(x^T w), shape [batch size, 10], each row
    summing to 1; backward stores the gradient of J = C + lambda * R(w) (see backward).
    """

    def __init__(self, l2_reg_lambda: float):
        if not (isinstance(l2_reg_lambda, (int, float, np.floating, np.integer))
                and math.isfinite(l2_reg_lambda) and l2_reg_lambda >= 0):
            raise ValueError(f"l2_reg_lambda must be a finite number >= 0, got {l2_reg_lambda!r}")
        super().__init__(num_outputs=NUM_CLASSES)
        self.num_outputs = NUM_CLASSES
        self.l2_reg_lambda = float(l2_reg_lambda)

    def activation(self, logits: np.ndarray) -> np.ndarray:
        """The softmax of equation 4, [batch size, 10] -> [batch size, 10]."""
        return softmax(logits)

    def backward(self, X: np.ndarray, outputs: np.ndarray, targets: np.ndarray) -> None:
        """Store in self.grad the gradient of J = C + lambda * sum(w**2).

        The batch mean of equation 8, -x_j (y_k - y_hat_k) (same form as equation 6, so
        LinearModel computes it), plus 2 * lambda * w from the L2 term (task 4a).

        Args:
            X: images of shape [batch size, 785]
            outputs: outputs of forward, shape [batch size, 10]
            targets: one-hot labels of shape [batch size, 10]
        """
        super().backward(X, outputs, targets)
        if self.l2_reg_lambda:
            self.grad += 2 * self.l2_reg_lambda * self.w

    def regularization_cost(self) -> float:
        """lambda * R(w), R(w) = sum of w**2 over all weights (equation 10)."""
        return self.l2_reg_lambda * float(np.sum(self.w**2))


def one_hot_encode(Y: np.ndarray, num_classes: int) -> np.ndarray:
    """Turn integer labels into one-hot rows, e.g. 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0].

    Args:
        Y: integer labels of shape [N, 1] (or [N]), each in 0..num_classes-1
        num_classes: length of each one-hot row
    Returns:
        float64 array of shape [N, num_classes]
    """
    Y = np.asarray(Y)
    if Y.size and not np.issubdtype(Y.dtype, np.integer):
        if not np.issubdtype(Y.dtype, np.number) or np.any(Y != np.round(Y)):
            raise ValueError(f"one_hot_encode expects integer labels, got dtype {Y.dtype}"
                             f" with values such as {Y.reshape(-1)[:3]}")
    labels = Y.reshape(-1)
    bad = (labels < 0) | (labels >= num_classes)
    if bad.any():
        raise ValueError(f"one_hot_encode: label {labels[bad][0]} is outside 0..{num_classes - 1}"
                         f" ({bad.sum()} such labels)")
    encoded = np.zeros((labels.shape[0], num_classes))
    encoded[np.arange(labels.shape[0]), labels.astype(np.int64)] = 1
    return encoded


def gradient_approximation_test(model: SoftmaxModel, X: np.ndarray, Y: np.ndarray,
                                rng: np.random.Generator | None = None) -> tuple[float, float]:
    """The appendix test for the softmax model: from random start weights (see
    task2a.random_start), central differences (epsilon 1e-3) of J = equation 5 +
    lambda * sum(w**2) against backward for every weight (i, j). Returns the relative
    error and the largest difference (see task2a.check_gradient); raises AssertionError
    on a mismatch."""
    def cost() -> float:
        return cross_entropy_loss(Y, model.forward(X)) + model.regularization_cost()
    return check_gradient(model, X, Y, cost, random_start(model, rng))


def main() -> None:
    X_train, Y_train, *_ = utils.load_full_mnist()
    X_train = pre_process_images(X_train)
    Y_train = one_hot_encode(Y_train, 10)
    assert X_train.shape[1] == 785, f"Expected 785 columns (bias trick), got {X_train.shape}"

    Y = np.array([3]).reshape(-1, 1)
    assert one_hot_encode(Y, 10)[0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], (
        f"one_hot_encode of label 3 gave {one_hot_encode(Y, 10)[0]}")

    model = SoftmaxModel(l2_reg_lambda=0.0)
    outputs = model.forward(X_train)
    np.testing.assert_almost_equal(outputs.mean(), 1 / 10, err_msg=(
        "Since the weights are all 0's, the softmax activation should be 1/10"))

    X_train, Y_train = X_train[:100], Y_train[:100]
    checks = run_gradient_checks(model, X_train, Y_train, gradient_approximation_test)
    utils.save_results("task3a", {"gradient_check": checks, "epsilon": 1e-3})
    print("task3a: all sanity checks passed")


if __name__ == "__main__":
    utils.run_script(main, __doc__)
