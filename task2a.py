import numpy as np

import utils


def pre_process_images(X: np.ndarray):
    """
    Args:
        X: images of shape [batch size, 784] in the range (0, 255)
    Returns:
        X: images of shape [batch size, 785] in the range (-1, 1)
    """
    assert X.shape[1] == 784,\
        f"X.shape[1]: {X.shape[1]}, should be 784"
    assert X.min() >= 0 and X.max() <= 255, \
        f"pixel values should lie in 0..255 (no NaN), got {X.min()}..{X.max()}"
    # Task 2a: 0..255 -> -1..1, then a last column of ones for the bias (the bias trick)
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
    losses = -(targets * np.log(outputs) + (1 - targets) * np.log(1 - outputs))
    return float(losses.mean())


class BinaryModel:

    def __init__(self):
        # Number of input nodes: 784 pixels and the bias
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
        # Task 2a: equation 1, the sigmoid of w^T x for every image
        return 1 / (1 + np.exp(-X @ self.w))

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
        # Task 2a: equation 6, -(y - y_hat) x_i, averaged over the batch, for all i at once:
        # [785, batch size] @ [batch size, 1]
        self.grad = -X.T @ (targets - outputs) / X.shape[0]
        assert self.grad.shape == self.w.shape,\
            f"Grad shape: {self.grad.shape}, w: {self.w.shape}"

    def zero_grad(self) -> None:
        self.grad = None


def gradient_approximation_test(model: BinaryModel, X: np.ndarray, Y: np.ndarray):
    """
        Numerical approximation of the gradient, explained in the assignment's appendix.
        This function is not to be edited.
    """
    w_start = np.random.normal(
        loc=0, scale=1/model.w.shape[0]**2, size=model.w.shape)
    epsilon = 1e-3
    for i in range(w_start.shape[0]):
        # The cost with weight i moved up and down by epsilon
        model.w = w_start.copy()
        model.w[i] = w_start[i] + epsilon
        cost_up = cross_entropy_loss(Y, model.forward(X))
        model.w[i] = w_start[i] - epsilon
        cost_down = cross_entropy_loss(Y, model.forward(X))
        gradient_approximation = (cost_up - cost_down) / (2 * epsilon)
        # The gradient from backward, at the start weights
        model.w = w_start.copy()
        model.backward(X, model.forward(X), Y)
        difference = gradient_approximation - model.grad[i, 0]
        assert abs(difference) <= epsilon**2,\
            f"Calculated gradient is incorrect. " \
            f"Approximation: {gradient_approximation}, actual gradient: {model.grad[i, 0]}\n" \
            f"If this test fails, look for the error in the cross entropy loss, " \
            f"the forward function or the backward function"


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

    # A first check of the forward pass; it does not catch every error
    model = BinaryModel()
    logits = model.forward(X_train)
    np.testing.assert_almost_equal(
        logits.mean(), .5,
        err_msg="With all weights 0 the sigmoid gives 0.5 for every image")

    # The gradient approximation test on the first 100 images, twice
    X_train = X_train[:100]
    Y_train = Y_train[:100]
    for i in range(2):
        gradient_approximation_test(model, X_train, Y_train)
        model.w = np.random.randn(*model.w.shape)
    print("All checks of task2a.py passed")


if __name__ == "__main__":
    main()
