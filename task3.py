import matplotlib.pyplot as plt
import numpy as np

import utils
from task2a import pre_process_images
from task3a import SoftmaxModel, cross_entropy_loss, one_hot_encode
from trainer import BaseTrainer


def calculate_accuracy(X: np.ndarray, targets: np.ndarray, model: SoftmaxModel) -> float:
    """
    Args:
        X: images of shape [batch size, 785]
        targets: labels/targets of each image of shape: [batch size, 10]
        model: model of class SoftmaxModel
    Returns:
        Accuracy (float)
    """
    # Task 3c: the prediction is the class of the largest output
    predictions = model.forward(X).argmax(axis=1)
    accuracy = float(np.mean(predictions == targets.argmax(axis=1)))
    return accuracy


class SoftmaxTrainer(BaseTrainer):

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray):
        """
        One forward pass, backward pass and gradient descent step; train() in trainer.py
        calls it for every batch and records the returned loss in train_history.
        Args:
            X_batch: one batch of images, Y_batch: its labels
        Returns:
            loss value (float) on batch
        """
        # Task 3b: the batch's loss at the current weights, then a step against its gradient
        outputs = self.model.forward(X_batch)
        self.model.backward(X_batch, outputs, Y_batch)
        self.model.w = self.model.w - self.learning_rate * self.model.grad
        self.model.zero_grad()
        loss = cross_entropy_loss(Y_batch, outputs)
        return loss

    def validation_step(self):
        """
        Evaluates the model at the current step on the whole validation and training sets.
        Returns:
            loss (float): cross entropy loss over the whole validation set
            accuracy_train (float), accuracy_val (float): accuracy on each whole set
        """
        # No need to change this function
        outputs = self.model.forward(self.X_val)
        loss = cross_entropy_loss(self.Y_val, outputs)

        accuracy_train = calculate_accuracy(
            self.X_train, self.Y_train, self.model)
        accuracy_val = calculate_accuracy(
            self.X_val, self.Y_val, self.model)
        return loss, accuracy_train, accuracy_val


def main():
    np.random.seed(0)
    # Hyperparameters: change them only where the assignment says so
    num_epochs = 50
    learning_rate = 0.01
    batch_size = 128
    l2_reg_lambda = 0
    shuffle_dataset = True

    # Load dataset
    X_train, Y_train, X_val, Y_val = utils.load_full_mnist()
    X_train = pre_process_images(X_train)
    X_val = pre_process_images(X_val)
    Y_train = one_hot_encode(Y_train, 10)
    Y_val = one_hot_encode(Y_val, 10)

    # Anything below this line may be changed.

    # Initialize model
    model = SoftmaxModel(l2_reg_lambda)
    # Train model: all 50 epochs, without early stopping
    trainer = SoftmaxTrainer(
        model, learning_rate, batch_size, shuffle_dataset,
        X_train, Y_train, X_val, Y_val, early_stopping_patience=None,
    )
    train_history, val_history = trainer.train(num_epochs)

    print("Final Train Cross Entropy Loss:",
          cross_entropy_loss(Y_train, model.forward(X_train)))
    print("Final Validation Cross Entropy Loss:",
          cross_entropy_loss(Y_val, model.forward(X_val)))
    print("Final Train accuracy:", calculate_accuracy(X_train, Y_train, model))
    print("Final Validation accuracy:", calculate_accuracy(X_val, Y_val, model))

    # Sized for the report, legends opaque over the curves
    plt.rcParams.update({"figure.figsize": (4.6, 3.1), "figure.constrained_layout.use": True,
                         "font.size": 11, "savefig.dpi": 200, "legend.framealpha": 1})

    # Plot loss (task 3b): the training loss of every step, light, and its mean over each epoch
    plt.gca().set_prop_cycle(color=["lightsteelblue", "tab:blue", "tab:orange"],
                             linewidth=[.6, 1.5, 1.5])
    plt.ylim([0.2, .6])
    utils.plot_loss(train_history["loss"], "Training loss, every step")
    utils.plot_loss(train_history["loss"], "Training loss",
                    npoints_to_average=X_train.shape[0] // batch_size, plot_variance=False)
    utils.plot_loss(val_history["loss"], "Validation loss")
    plt.title("Task 3.b: loss (10 digits)")
    plt.gcf().legend(loc="outside lower center", ncols=2, fontsize=9)  # below, clear of the data
    plt.xlabel("Number of training steps")
    plt.ylabel("Cross entropy loss")
    plt.savefig("task3b_softmax_train_loss.png")
    plt.close()

    # Plot accuracy (task 3c)
    plt.ylim([0.8, .93])  # wider than the starter's [0.89, .93]: all but the first checks
    utils.plot_loss(train_history["accuracy"], "Training accuracy")
    utils.plot_loss(val_history["accuracy"], "Validation accuracy")
    plt.title("Task 3.c: accuracy (10 digits)")
    plt.xlabel("Number of training steps")
    plt.ylabel("Accuracy")
    plt.legend()
    plt.savefig("task3b_softmax_train_accuracy.png")
    plt.close()


if __name__ == "__main__":
    main()
