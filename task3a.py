import numpy as np

import utils
from task2a import pre_process_images


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
    # Task 3a: equation 5, summed over the classes, averaged over the batch
    losses = -np.sum(targets * np.log(outputs), axis=1)
    return float(losses.mean())


class SoftmaxModel:

    def __init__(self, l2_reg_lambda: float):
        assert l2_reg_lambda >= 0, f"l2_reg_lambda should be >= 0, got {l2_reg_lambda}"
        # Number of input nodes: 784 pixels and the bias
        self.I = 785

        # Number of output nodes: one per digit
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
        # Task 3a: equation 4 for every image. Subtracting a row's largest logit leaves its
        # probabilities as they are and keeps every exponent <= 0, so exp cannot overflow.
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
        # Task 3a: equation 8, -x_j (y_k - y_hat_k), averaged over the batch, for all j, k at
        # once: [785, batch size] @ [batch size, num_outputs]
        self.grad = -X.T @ (targets - outputs) / X.shape[0]
        # Task 4b: the gradient of lambda * R(w), R(w) the sum of all squared weights
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
    # Task 3a: row n holds a 1 in column Y[n] and 0 elsewhere
    labels = Y.reshape(-1)
    assert labels.min() >= 0 and labels.max() < num_classes, \
        f"labels should lie in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}"
    encoded = np.zeros((labels.shape[0], num_classes))
    encoded[np.arange(labels.shape[0]), labels] = 1
    return encoded


def gradient_approximation_test(model: SoftmaxModel, X: np.ndarray, Y: np.ndarray):
    """
        Numerical approximation of the gradient, explained in the assignment's appendix.
        This function is not to be edited.
    """
    def cost():
        # Task 4b: with L2, backward gives the gradient of J = C + lambda * R(w)
        return (cross_entropy_loss(Y, model.forward(X))
                + model.l2_reg_lambda * np.sum(model.w**2))

    w_start = np.random.normal(
        loc=0, scale=1/model.w.shape[0]**2, size=model.w.shape)
    epsilon = 1e-3
    for i in range(w_start.shape[0]):
        for j in range(w_start.shape[1]):
            # The cost with weight (i, j) moved up and down by epsilon
            model.w = w_start.copy()
            model.w[i, j] = w_start[i, j] + epsilon
            cost_up = cost()
            model.w[i, j] = w_start[i, j] - epsilon
            cost_down = cost()
            gradient_approximation = (cost_up - cost_down) / (2 * epsilon)
            # The gradient from backward, at the start weights
            model.w = w_start.copy()
            model.backward(X, model.forward(X), Y)
            difference = gradient_approximation - model.grad[i, j]
            assert abs(difference) <= epsilon**2,\
                f"Calculated gradient is incorrect. " \
                f"Approximation: {gradient_approximation}, actual gradient: {model.grad[i, j]}\n" \
                f"If this test fails, look for the error in the cross entropy loss, " \
                f"the forward function or the backward function"


def main():
    np.random.seed(1)
    # A check of one_hot_encode
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

    # A first check of the forward pass; it does not catch every error
    model = SoftmaxModel(0.0)
    logits = model.forward(X_train)
    np.testing.assert_almost_equal(
        logits.mean(), 1/10,
        err_msg="With all weights 0 the softmax gives 1/10 for every class")

    # The gradient approximation test on the first 100 images, twice
    X_train = X_train[:100]
    Y_train = Y_train[:100]
    for i in range(2):
        gradient_approximation_test(model, X_train, Y_train)
        model.w = np.random.randn(*model.w.shape)
        model.l2_reg_lambda = 1.0  # Task 4b: the second test checks the L2 term too
    print("All checks of task3a.py passed")


if __name__ == "__main__":
    main()
