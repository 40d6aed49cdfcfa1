"""Task 3a and 4a: one-hot targets, the softmax model with L2, its loss, the gradient test.

`python task3a.py` runs the course's sanity checks: the one-hot code of label 3, the
preprocessed shape, an output of 0.1 for zero weights, and the gradient approximation test
over all 785 x 10 weights twice on the first 100 training images. When they pass it
writes results/task3a.json (the training scripts wait for it). Takes about 10 s.
"""
import numpy as np

import utils
from task2a import TINY, pre_process_images


def cross_entropy_loss(targets: np.ndarray, outputs: np.ndarray):
    """
    Args:
        targets: labels/targets of each image of shape: [batch size, num_classes]
        outputs: outputs of model of shape: [batch size, num_classes]
    Returns:
        Cross entropy error (float)
    """
    assert targets.shape == outputs.shape,\
        f"Targets shape: {targets.shape}, outputs: {outputs.shape}"
    # Task 3a: equation 5, summed over classes, averaged over the batch (0 counts as TINY)
    return float(-np.sum(targets * np.log(np.maximum(outputs, TINY))) / targets.shape[0])


class SoftmaxModel:

    def __init__(self, l2_reg_lambda: float):
        assert l2_reg_lambda >= 0, f"l2_reg_lambda must be >= 0, got {l2_reg_lambda}"
        # Define number of input nodes: 784 pixels and the bias
        self.I = 785

        # Define number of output nodes: one per digit
        self.num_outputs = 10
        self.w = np.zeros((self.I, self.num_outputs))
        self.grad = None

        self.l2_reg_lambda = l2_reg_lambda

    def forward(self, X: np.ndarray) -> np.ndarray:
        """
        Args:
            X: images of shape [batch size, 785]
        Returns:
            y: output of model with shape [batch size, num_outputs]
        """
        assert X.shape[1] == self.I, f"X.shape: {X.shape}, should be [batch size, {self.I}]"
        # Task 3a: equation 4, row by row. Subtracting each row's largest logit changes no
        # probability and keeps every exponent <= 0, so e^z cannot overflow.
        z = X @ self.w
        exp_z = np.exp(z - z.max(axis=1, keepdims=True))
        return exp_z / exp_z.sum(axis=1, keepdims=True)

    def backward(self, X: np.ndarray, outputs: np.ndarray, targets: np.ndarray) -> None:
        """
        Computes the gradient and saves it to the variable self.grad

        Args:
            X: images of shape [batch size, 785]
            outputs: outputs of model of shape: [batch size, num_outputs]
            targets: labels/targets of each image of shape: [batch size, num_classes]
        """
        assert targets.shape == outputs.shape,\
            f"Output shape: {outputs.shape}, targets: {targets.shape}"
        # Task 3a: equation 8, -x_j (y_k - y_hat_k), averaged over the batch, all at once
        self.grad = -X.T @ (targets - outputs) / X.shape[0]
        # Task 4a: J = C + lambda * R(w), R(w) = sum of all w**2, adds 2 * lambda * w
        self.grad += 2 * self.l2_reg_lambda * self.w
        assert self.grad.shape == self.w.shape,\
            f"Grad shape: {self.grad.shape}, w: {self.w.shape}"

    def zero_grad(self) -> None:
        self.grad = None


def one_hot_encode(Y: np.ndarray, num_classes: int):
    """
    Args:
        Y: shape [Num examples, 1]
        num_classes: Number of classes to use for one-hot encoding
    Returns:
        Y: shape [Num examples, num classes]
    """
    # Task 3a: row n has a 1 in column Y[n] and 0 elsewhere
    labels = Y.reshape(-1)
    assert np.all((labels >= 0) & (labels < num_classes)), \
        f"labels should be in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}"
    encoded = np.zeros((labels.shape[0], num_classes))
    encoded[np.arange(labels.shape[0]), labels] = 1
    return encoded


def gradient_approximation_test(model: SoftmaxModel, X: np.ndarray, Y: np.ndarray):
    """
        Numerical approximation for gradients, as in task2a, for every weight (i, j). The
        cost includes lambda * R(w), whose gradient backward includes (task 4a).
    """
    def cost():
        return (cross_entropy_loss(Y, model.forward(X))
                + model.l2_reg_lambda * np.sum(model.w**2))

    w_orig = np.random.normal(loc=0, scale=1 / model.w.shape[0]**2, size=model.w.shape)
    epsilon = 1e-3
    for i in range(w_orig.shape[0]):
        for j in range(w_orig.shape[1]):
            model.w = w_orig.copy()
            model.w[i, j] = w_orig[i, j] + epsilon
            cost_plus = cost()
            model.w[i, j] = w_orig[i, j] - epsilon
            cost_minus = cost()
            gradient_approximation = (cost_plus - cost_minus) / (2 * epsilon)
            # Actual gradient, at the start weights
            model.w = w_orig.copy()
            model.backward(X, model.forward(X), Y)
            difference = gradient_approximation - model.grad[i, j]
            assert abs(difference) <= epsilon**2,\
                f"Calculated gradient is incorrect. " \
                f"Approximation: {gradient_approximation}, actual gradient: {model.grad[i, j]}\n" \
                f"If this test fails there could be errors in your cross entropy loss function, " \
                f"forward function or backward function"


def main():
    np.random.seed(1)
    # Simple test on one-hot encoding
    Y = np.zeros((1, 1), dtype=int)
    Y[0, 0] = 3
    Y = one_hot_encode(Y, 10)
    assert Y[0, 3] == 1 and Y.sum() == 1, \
        f"Expected the vector to be [0,0,0,1,0,0,0,0,0,0], but got {Y}"

    X_train, Y_train, *_ = utils.load_full_mnist()
    X_train = pre_process_images(X_train)
    Y_train = one_hot_encode(Y_train, 10)
    assert X_train.shape[1] == 785,\
        f"Expected X_train to have 785 elements per image. Shape was: {X_train.shape}"

    # Simple test for forward pass. Note that this does not cover all errors!
    model = SoftmaxModel(0.0)
    logits = model.forward(X_train)
    np.testing.assert_almost_equal(
        logits.mean(), 1/10,
        err_msg="Since the weights are all 0's, the softmax activation should be 1/10")

    # Gradient approximation check for 100 images
    X_train = X_train[:100]
    Y_train = Y_train[:100]
    for i in range(2):
        gradient_approximation_test(model, X_train, Y_train)
        model.w = np.random.randn(*model.w.shape)
    print("task3a: the sanity checks and both gradient approximation tests passed")
    utils.save_results("task3a", {"sanity_checks_passed": True, "gradient_test_images": 100})


if __name__ == "__main__":
    utils.run_script(main, __doc__)
