import matplotlib.pyplot as plt
import numpy as np

import utils
from task2a import BinaryModel, cross_entropy_loss, pre_process_images
from trainer import BaseTrainer


def calculate_accuracy(X: np.ndarray, targets: np.ndarray, model: BinaryModel) -> float:
    """
    Args:
        X: images of shape [batch size, 785]
        targets: labels/targets of each image of shape: [batch size, 1]
        model: model of class BinaryModel
    Returns:
        Accuracy (float)
    """
    # Task 2c: predict 1 where the output is at least 0.5, else 0
    predictions = model.forward(X) >= 0.5
    accuracy = float(np.mean(predictions == targets))
    return accuracy


class LogisticTrainer(BaseTrainer):

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray):
        """
        One forward pass, backward pass and gradient descent step; train() in trainer.py
        calls it for every batch and records the returned loss in train_history.
        Args:
            X_batch: one batch of images, Y_batch: its labels
        Returns:
            loss value (float) on batch
        """
        # Task 2b: the batch's loss at the current weights, then a step against its gradient
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
    num_epochs = 500  # Task 2d: raised from 50; early stopping ends the runs long before
    learning_rate = 0.05
    batch_size = 128
    shuffle_dataset = False

    # Load dataset
    category1, category2 = 2, 3
    X_train, Y_train, X_val, Y_val = utils.load_binary_dataset(
        category1, category2)

    X_train = pre_process_images(X_train)
    X_val = pre_process_images(X_val)

    # Anything below this line may be changed.

    # Initialize model
    model = BinaryModel()
    # Train model
    trainer = LogisticTrainer(
        model, learning_rate, batch_size, shuffle_dataset,
        X_train, Y_train, X_val, Y_val,
    )
    train_history, val_history = trainer.train(num_epochs)

    print("Final Train Cross Entropy Loss:",
          cross_entropy_loss(Y_train, model.forward(X_train)))
    print("Final Validation Cross Entropy Loss:",
          cross_entropy_loss(Y_val, model.forward(X_val)))
    print("Train accuracy:", calculate_accuracy(X_train, Y_train, model))
    print("Validation accuracy:", calculate_accuracy(X_val, Y_val, model))

    # Sized for the report, legends opaque over the curves
    plt.rcParams.update({"figure.figsize": (4.6, 3.1), "figure.constrained_layout.use": True,
                         "font.size": 11, "savefig.dpi": 200, "legend.framealpha": 1})
    steps_per_epoch = X_train.shape[0] // batch_size

    # Plot loss for first model (task 2b): the training loss of every step, light, and its
    # mean over each epoch
    plt.gca().set_prop_cycle(color=["lightsteelblue", "tab:blue", "tab:orange"],
                             linewidth=[.6, 1.5, 1.5])
    plt.ylim([0., .2])
    utils.plot_loss(train_history["loss"], "Training loss, every step")
    utils.plot_loss(train_history["loss"], "Training loss",
                    npoints_to_average=steps_per_epoch, plot_variance=False)
    utils.plot_loss(val_history["loss"], "Validation loss")
    plt.title("Task 2.b: loss (2 vs 3, no shuffling)")
    plt.gcf().legend(loc="outside lower center", ncols=2, fontsize=9)  # below, clear of the data
    plt.xlabel("Number of training steps")
    plt.ylabel("Cross entropy loss")
    plt.savefig("task2b_binary_train_loss.png")
    plt.close()

    # Plot accuracy (task 2c)
    plt.ylim([0.93, .99])
    utils.plot_loss(train_history["accuracy"], "Training accuracy")
    utils.plot_loss(val_history["accuracy"], "Validation accuracy")
    plt.title("Task 2.c: accuracy (2 vs 3, no shuffling)")
    plt.xlabel("Number of training steps")
    plt.ylabel("Accuracy")
    plt.legend()
    plt.savefig("task2b_binary_train_accuracy.png")
    plt.close()

    # Task 2e - Create a comparison between training with and without shuffling
    shuffle_dataset = True
    # Initialize model
    model = BinaryModel()
    # Train model
    trainer = LogisticTrainer(
        model, learning_rate, batch_size, shuffle_dataset,
        X_train, Y_train, X_val, Y_val,
    )
    train_history_shuffle, val_history_shuffle = trainer.train(num_epochs)
    print("With shuffling: Final Validation accuracy:",
          calculate_accuracy(X_val, Y_val, model))

    # Both runs over the steps both trained: without shuffle black, with shuffle pink, dashed
    last_common_step = min(max(train_history["loss"]), max(train_history_shuffle["loss"]))
    plt.gca().set_prop_cycle(color=["black", "tab:pink"], linestyle=["-", "--"])
    plt.ylim([0.05, .15])
    for history, label in [(train_history, "Without shuffle"),
                           (train_history_shuffle, "With shuffle")]:
        common = {step: loss for step, loss in history["loss"].items() if step <= last_common_step}
        utils.plot_loss(common, label, npoints_to_average=steps_per_epoch, plot_variance=False)
    plt.title("Task 2.e: training loss")
    plt.legend()
    plt.xlabel("Number of training steps")
    plt.ylabel("Cross entropy loss")
    plt.savefig("task2e_train_loss_with_shuffle.png")
    plt.close()

    plt.xlim([0, last_common_step])
    plt.gca().set_prop_cycle(color=["black", "tab:pink"], linestyle=["-", "--"])
    plt.ylim([0.9, .99])
    utils.plot_loss(val_history["accuracy"], "Without shuffle")
    utils.plot_loss(val_history_shuffle["accuracy"], "With shuffle")
    plt.title("Task 2.e: validation accuracy")
    plt.xlabel("Number of training steps")
    plt.ylabel("Accuracy")
    plt.legend()
    plt.savefig("task2e_train_accuracy_shuffle_difference.png")
    plt.close()


if __name__ == "__main__":
    main()
