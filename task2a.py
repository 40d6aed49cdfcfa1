"""Task 2a: preprocessing, the logistic regression model, its loss and the gradient test.

`python task2a.py` runs the course's sanity checks on the 2-vs-3 training images: the
range and shape of the preprocessed images, an output of 0.5 for zero weights, and the
gradient approximation test twice on the first 100 images. When they pass it records so
in results/task2a.json (the training scripts wait for it). Takes about 2 s.
"""
import numpy as np

import utils

# log(TINY) = -708 stands in for log(0) = -inf: the loss of a saturated output stays finite
TINY = np.finfo(float).tiny


def pre_process_images(X: np.ndarray):
    """
    Args:
        X: images of shape [batch size, 784] in the range (0, 255)
    Returns:
        X: images of shape [batch size, 785] in the range (-1, 1)
    """
    assert X.ndim == 2 and X.shape[1] == 784, \
        f"X.shape: {X.shape}, should be [batch size, 784]"
    assert X.min() >= 0 and X.max() <= 255, \
        f"pixels should be raw values in 0..255 without NaN, got {X.min()}..{X.max()}"
    # Task 2a: [0, 255] -> [-1, 1], then a column of ones for the bias (the bias trick)
    X = X / 127.5 - 1
    return np.concatenate([X, np.ones((X.shape[0], 1))], axis=1)


def cross_entropy_loss(targets: np.ndarray, outputs: np.ndarray) -> float:
    """
    Args:
        targets: labels/targets of each image of shape: [batch size, 1]
        outputs: outputs of model of shape: [batch size, 1]
    Returns:
        Cross entropy error (float)
    """
    assert targets.shape == outputs.shape,\
        f"Targets shape: {targets.shape}, outputs: {outputs.shape}"
    # Task 2a: equation 3, the mean over the batch
    log_p = np.log(np.maximum(outputs, TINY))
    log_1_minus_p = np.log(np.maximum(1 - outputs, TINY))
    return float(-np.mean(targets * log_p + (1 - targets) * log_1_minus_p))


class BinaryModel:

    def __init__(self):
        # Define number of input nodes: 784 pixels and the bias
        self.I = 785
        self.w = np.zeros((self.I, 1))
        self.grad = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        """
        Args:
            X: images of shape [batch size, 785]
        Returns:
            y: output of model with shape [batch size, 1]
        """
        assert X.shape[1] == self.I, f"X.shape: {X.shape}, should be [batch size, {self.I}]"
        # Task 2a: equation 1, y = 1 / (1 + e^-z) with z = w^T x, computed as
        # e^-ln(1 + e^-z) (np.logaddexp), so that no logit overflows
        z = X @ self.w
        return np.exp(-np.logaddexp(0, -z))

    def backward(self, X: np.ndarray, outputs: np.ndarray, targets: np.ndarray) -> None:
        """
        Computes the gradient and saves it to the variable self.grad
        Args:
            X: images of shape [batch size, 785]
            outputs: outputs of model of shape: [batch size, 1]
            targets: labels/targets of each image of shape: [batch size, 1]
        """
        assert targets.shape == outputs.shape,\
            f"Output shape: {outputs.shape}, targets: {targets.shape}"
        # Task 2a: equation 6, -(y - y_hat) x_i, averaged over the batch, for every weight
        # at once: [785, batch size] @ [batch size, 1]
        self.grad = -X.T @ (targets - outputs) / X.shape[0]
        assert self.grad.shape == self.w.shape,\
            f"Grad shape: {self.grad.shape}, w: {self.w.shape}"

    def zero_grad(self) -> None:
        self.grad = None


def gradient_approximation_test(model: BinaryModel, X: np.ndarray, Y: np.ndarray):
    """
        Numerical approximation for gradients (the appendix of the assignment): the central
        difference of the cost for each weight against backward, at random start weights.
    """
    w_orig = np.random.normal(loc=0, scale=1 / model.w.shape[0]**2, size=model.w.shape)
    epsilon = 1e-3
    for i in range(w_orig.shape[0]):
        model.w = w_orig.copy()
        model.w[i] = w_orig[i] + epsilon
        cost_plus = cross_entropy_loss(Y, model.forward(X))
        model.w[i] = w_orig[i] - epsilon
        cost_minus = cross_entropy_loss(Y, model.forward(X))
        gradient_approximation = (cost_plus - cost_minus) / (2 * epsilon)
        # Actual gradient, at the start weights
        model.w = w_orig.copy()
        model.backward(X, model.forward(X), Y)
        difference = gradient_approximation - model.grad[i, 0]
        assert abs(difference) <= epsilon**2,\
            f"Calculated gradient is incorrect. " \
            f"Approximation: {gradient_approximation}, actual gradient: {model.grad[i, 0]}\n" \
            f"If this test fails there could be errors in your cross entropy loss function, " \
            f"forward function or backward function"


def main():
    np.random.seed(1)
    category1, category2 = 2, 3
    X_train, Y_train, *_ = utils.load_binary_dataset(category1, category2)
    X_train = pre_process_images(X_train)
    assert X_train.max() <= 1.0, \
        "The images (X_train) should be normalized to the range [-1, 1]"
    assert X_train.min() < 0 and X_train.min() >= -1, \
        "The images (X_train) should be normalized to the range [-1, 1]"
    assert X_train.shape[1] == 785,\
        f"Expected X_train to have 785 elements per image. Shape was: {X_train.shape}"

    # Simple test for forward pass. Note that this does not cover all errors!
    model = BinaryModel()
    logits = model.forward(X_train)
    np.testing.assert_almost_equal(
        logits.mean(), .5,
        err_msg="Since the weights are all 0's, the sigmoid activation should be 0.5")

    # Gradient approximation check for 100 images
    X_train = X_train[:100]
    Y_train = Y_train[:100]
    for i in range(2):
        gradient_approximation_test(model, X_train, Y_train)
        model.w = np.random.randn(*model.w.shape)
    print("task2a: the sanity checks and both gradient approximation tests passed")
    utils.save_results("task2a", {"sanity_checks_passed": True, "gradient_test_images": 100})


if __name__ == "__main__":
    utils.run_script(main, __doc__)
