"""Task 2a: preprocessing, the logistic regression model, its loss and the gradient check.

`python task2a.py` runs the course's sanity checks on the 2-vs-3 training images: the
range and shape of the preprocessed images, an output of 0.5 for zero weights, and the
gradient approximation test twice on the first 100 images. It writes the relative errors
and largest differences of both tests to results/task2a.json. Takes about 2 s.
"""
from typing import Callable

import numpy as np

import utils

NUM_PIXELS = 784


def pre_process_images(X: np.ndarray) -> np.ndarray:
    """Scale raw pixels from [0, 255] to [-1, 1] and append a column of ones (bias trick).

    Args:
        X: images of shape [batch size, 784], raw pixel values 0..255
    Returns:
        float64 images of shape [batch size, 785]; the last column is 1
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != NUM_PIXELS:
        raise ValueError(f"pre_process_images expects images of shape [N, {NUM_PIXELS}] "
                         f"(28x28 pixels each), got shape {X.shape}")
    if not (np.issubdtype(X.dtype, np.integer) or np.issubdtype(X.dtype, np.floating)):
        raise ValueError(f"pre_process_images expects numbers, got dtype {X.dtype}")
    if X.size and np.issubdtype(X.dtype, np.floating) and np.isnan(X).any():
        raise ValueError("pre_process_images got NaN pixel values")
    if X.size and (X.min() < 0 or X.max() > 255):
        raise ValueError(f"pre_process_images expects raw pixel values in 0..255, got values "
                         f"from {X.min()} to {X.max()}; pass the images as mnist.load() "
                         "gives them, not already normalized")
    if X.size and np.issubdtype(X.dtype, np.floating) and np.any(X != np.round(X)):
        raise ValueError("pre_process_images expects raw pixel values, whole numbers 0..255, "
                         f"got fractional values such as {X[X != np.round(X)][0]}; pass the "
                         "images as mnist.load() gives them, not already normalized")
    out = np.empty((X.shape[0], NUM_PIXELS + 1))
    np.divide(X, 127.5, out=out[:, :NUM_PIXELS])  # in place: no full-size temporaries
    out[:, :NUM_PIXELS] -= 1
    out[:, NUM_PIXELS] = 1
    return out


def check_same_shape(targets: np.ndarray, outputs: np.ndarray, where: str) -> None:
    """Raise ValueError unless targets and outputs have the same shape."""
    if targets.shape != outputs.shape:
        raise ValueError(f"{where}: targets and outputs must have the same shape, got "
                         f"targets {targets.shape} and outputs {outputs.shape}")


def safe_log(p: np.ndarray) -> np.ndarray:
    """ln(p) for probabilities, with 0 mapped to ln(smallest float) instead of -inf."""
    return np.log(np.maximum(p, np.finfo(np.result_type(p, np.float32)).tiny))


def cross_entropy_loss(targets: np.ndarray, outputs: np.ndarray) -> float:
    """Equation 3: binary cross entropy, averaged over the batch.

    Args:
        targets: labels (1 for the first class, 0 for the second) of shape [batch size, 1]
        outputs: probabilities of the first class, shape [batch size, 1]
    Returns:
        the mean loss; finite even for outputs of exactly 0 or 1
    """
    check_same_shape(targets, outputs, "cross_entropy_loss")
    losses = -(targets * safe_log(outputs) + (1 - targets) * safe_log(1 - outputs))
    return float(losses.sum() / len(losses))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), written as e^-ln(1 + e^-z) so that no logit overflows."""
    return np.exp(-np.logaddexp(0, -z))


def check_input_width(X: np.ndarray, width: int) -> None:
    """Raise ValueError unless X is a batch of preprocessed images [N, width]."""
    if X.ndim != 2 or X.shape[1] != width:
        raise ValueError(f"forward expects preprocessed images of shape [N, {width}] "
                         f"(784 pixels and the bias column), got shape {X.shape}; "
                         "did you call pre_process_images?")


class LinearModel:
    """A single-layer network: outputs = activation(X @ w), w of shape [785, K].

    Logistic and softmax regression differ only in the activation; with the cross entropy
    that belongs to each, their gradients have the same form (equations 6 and 8), so
    forward and backward are written once, here.
    """

    def __init__(self, num_outputs: int):
        self.I = NUM_PIXELS + 1
        self.w = np.zeros((self.I, num_outputs))
        self.grad = None

    def activation(self, logits: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs activation(X @ w).

        Args:
            X: images of shape [batch size, 785]; float32 images are computed in float32
        Returns:
            probabilities of shape [batch size, K]
        """
        check_input_width(X, self.I)
        w = self.w.astype(X.dtype, copy=False)
        # z = X w, computed as (w^T X^T)^T: the same numbers, but when X is stored
        # column-major (the trainers' validation copies) BLAS streams it at memory speed,
        # about 1.4 times as fast as X @ w with so few outputs
        return self.activation((w.T @ X.T).T)

    def backward(self, X: np.ndarray, outputs: np.ndarray, targets: np.ndarray) -> None:
        """Store in self.grad the batch mean of -(y_k - y_hat_k) x_i, shape of w.

        Args:
            X: images of shape [batch size, 785]
            outputs: outputs of forward, shape [batch size, K]
            targets: targets of shape [batch size, K]
        """
        check_same_shape(targets, outputs, "backward")
        check_input_width(X, self.I)
        # -(y - y_hat) = y_hat - y, and the 1 / N goes on the small [N, K] factor
        error = ((outputs - targets) / X.shape[0]).astype(X.dtype, copy=False)
        self.grad = X.T @ error

    def zero_grad(self) -> None:
        self.grad = None


class BinaryModel(LinearModel):
    """Logistic regression (equation 1): one sigmoid unit over 784 pixels and a bias.

    forward gives P(class 1 | x) = sigmoid(w^T x), shape [batch size, 1]; backward stores
    the batch mean of equation 6, -(y - y_hat) x.
    """

    def __init__(self):
        super().__init__(num_outputs=1)

    def activation(self, logits: np.ndarray) -> np.ndarray:
        """The sigmoid of equation 1, [batch size, 1] -> [batch size, 1]."""
        return sigmoid(logits)


def numerical_gradient(model, cost: Callable[[], float], epsilon: float) -> np.ndarray:
    """Equation 11 for every weight: (cost(w + epsilon) - cost(w - epsilon)) / (2 epsilon).

    Args:
        model: a model with w; each weight is moved and put back in turn
        cost: the cost, computed from the model's current w
    Returns:
        the approximate gradient, shape of model.w
    """
    numerical = np.empty_like(model.w)
    for index in np.ndindex(model.w.shape):
        original = model.w[index]
        model.w[index] = original + epsilon
        cost_plus = cost()
        model.w[index] = original - epsilon
        cost_minus = cost()
        model.w[index] = original
        numerical[index] = (cost_plus - cost_minus) / (2 * epsilon)
    return numerical


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """|a - n| / (|a| + |n|) with Euclidean norms, 0 where both are 0."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numerical)
    return float(np.linalg.norm(analytic - numerical) / scale) if scale > 0 else 0.0


def check_gradient(model, X: np.ndarray, Y: np.ndarray, cost: Callable[[], float],
                   w_start: np.ndarray, epsilon: float = 1e-3) -> tuple[float, float]:
    """Compare model.backward at w_start with central differences of `cost`, weight by weight.

    Args:
        model: a model with w, forward and backward
        cost: the cost the gradient belongs to, computed from the model's current w
        w_start: the weights to check at, shape of model.w; the model keeps them
    Returns:
        the relative error of the whole gradient (see relative_error: round-off gives
        about 1e-8 or less, a bug about 1e-2 or more), and the largest difference
        |approximation - analytic| over the weights, the course's criterion
    Raises:
        AssertionError if |approximation - analytic| > epsilon**2 for any weight
    """
    model.w = np.array(w_start, dtype=float)
    model.backward(X, model.forward(X), Y)
    analytic = model.grad.copy()
    numerical = numerical_gradient(model, cost, epsilon)
    differences = np.abs(numerical - analytic)
    worst = np.unravel_index(differences.argmax(), differences.shape)
    assert differences[worst] <= epsilon**2, (
        f"Gradient check failed at weight {worst}: approximation {numerical[worst]:.8g}, "
        f"analytic {analytic[worst]:.8g}, difference {differences[worst]:.3g} > "
        f"{epsilon**2:.3g}; forward, backward or the loss has a bug")
    return relative_error(analytic, numerical), float(differences[worst])


def random_start(model, rng: np.random.Generator | None) -> np.ndarray:
    """The appendix's start weights: normal with mean 0 and scale 1 / I**2.

    rng None means a generator seeded with 0, so the check repeats exactly.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    return rng.normal(0, 1 / model.I**2, size=model.w.shape)


def gradient_approximation_test(model: BinaryModel, X: np.ndarray, Y: np.ndarray,
                                rng: np.random.Generator | None = None) -> tuple[float, float]:
    """The appendix test for the logistic model: from random start weights (see
    random_start), central differences (epsilon 1e-3) of equation 3 against backward for
    every weight. Returns the relative error and the largest difference (see
    check_gradient); raises AssertionError on a mismatch."""
    return check_gradient(model, X, Y, lambda: cross_entropy_loss(Y, model.forward(X)),
                          random_start(model, rng))


def run_gradient_checks(model, X: np.ndarray, Y: np.ndarray, test: Callable
                        ) -> list[float]:
    """The course's loop: the gradient test twice, the model set to standard normal weights
    in between.

    The test starts from its own random weights each time, as the course's test does, so
    the standard normal weights are replaced: at them most outputs round to exactly 0 or 1
    in float64, where a loss computed from probabilities is flat and no finite difference
    can see the gradient. Returns {"relative_errors": [2 values], "largest_differences":
    [2 values]}, as check_gradient gives them.
    """
    rng = np.random.default_rng(0)
    checks = []
    for attempt in (1, 2):
        checks.append(test(model, X, Y, rng))
        print(f"gradient check {attempt}/2 passed: relative error {checks[-1][0]:.2e}, "
              f"largest difference {checks[-1][1]:.2e}")
        model.w = rng.standard_normal(model.w.shape)
    return {"relative_errors": [check[0] for check in checks],
            "largest_differences": [check[1] for check in checks]}


def main() -> None:
    category1, category2 = 2, 3
    X_train, Y_train, *_ = utils.load_binary_dataset(category1, category2)
    X_train = pre_process_images(X_train)
    assert X_train.max() <= 1.0, "The images (X_train) should be normalized to [-1, 1]"
    assert X_train.min() < 0 and X_train.min() >= -1, "The images should be in [-1, 1]"
    assert X_train.shape[1] == 785, f"Expected 785 columns (bias trick), got {X_train.shape}"

    model = BinaryModel()
    outputs = model.forward(X_train)
    np.testing.assert_almost_equal(outputs.mean(), 0.5, err_msg=(
        "Since the weights are all 0's, the sigmoid activation should be 0.5"))

    X_train, Y_train = X_train[:100], Y_train[:100]
    checks = run_gradient_checks(model, X_train, Y_train, gradient_approximation_test)
    utils.save_results("task2a", {"gradient_check": checks, "epsilon": 1e-3})
    print("task2a: all sanity checks passed")


if __name__ == "__main__":
    utils.run_script(main, __doc__)
