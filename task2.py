"""Task 2b-2e: logistic regression for 2 vs 3 with mini-batch gradient descent.

`python task2.py` trains with early stopping, without and then with shuffling, prints the
final losses and accuracies and where each run stopped, and writes the figures task2b_*.png
and task2e_*.png beside report.ipynb, and the settings and histories of both runs to
results/task2.json. Takes about 5 s.
"""
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
    # Task 2c: predict class 1 where the output is >= 0.5, class 0 elsewhere
    predictions = model.forward(X) >= 0.5
    accuracy = np.mean(predictions == (targets == 1))
    return float(accuracy)


class LogisticTrainer(BaseTrainer):

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray):
        """
        Perform forward, backward and gradient descent step here; called once for every
        batch (see trainer.py), which logs the returned loss in train_history.
        Args:
            X_batch: one batch of images; Y_batch: one batch of labels
        Returns:
            loss value (float) on batch
        """
        # Task 2b: the loss of the batch at the current weights, then one step against the
        # gradient of that loss
        outputs = self.model.forward(X_batch)
        self.model.backward(X_batch, outputs, Y_batch)
        self.model.w = self.model.w - self.learning_rate * self.model.grad
        self.model.zero_grad()
        return cross_entropy_loss(Y_batch, outputs)

    def validation_step(self):
        """
        Evaluate the model at the current step on the whole validation and training sets.
        Returns:
            loss (float): cross entropy loss over the whole validation set
            accuracy_train (float), accuracy_val (float): accuracy on each whole set
        """
        # NO NEED TO CHANGE THIS FUNCTION
        logits = self.model.forward(self.X_val)
        loss = cross_entropy_loss(self.Y_val, logits)

        accuracy_train = calculate_accuracy(
            self.X_train, self.Y_train, self.model)
        accuracy_val = calculate_accuracy(
            self.X_val, self.Y_val, self.model)
        return loss, accuracy_train, accuracy_val


def main():
    np.random.seed(0)
    # hyperparameters DO NOT CHANGE IF NOT SPECIFIED IN ASSIGNMENT TEXT
    num_epochs = 500  # Task 2d: early stopping ends the runs long before
    learning_rate = 0.05
    batch_size = 128
    shuffle_dataset = False

    # Load dataset
    category1, category2 = 2, 3
    X_train, Y_train, X_val, Y_val = utils.load_binary_dataset(
        category1, category2)

    X_train = pre_process_images(X_train)
    X_val = pre_process_images(X_val)

    # Intialize model
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
    print(f"Early stopping kicked in during epoch {trainer.stop_epoch + 1}")  # Task 2d
    runs = {"without_shuffle": utils.run_record(trainer, num_epochs, train_history,
                                                val_history)}

    # Plot loss for first model (task 2b)
    utils.save_curves("task2b_binary_train_loss.png", [
        (train_history["loss"], "Training loss", 10),
        (val_history["loss"], "Validation loss", 1)],
        "Task 2.b: logistic regression (2 vs 3), no shuffling", "Cross entropy loss",
        ylim=(0, 0.2))
    # Plot accuracy (task 2c)
    utils.save_curves("task2b_binary_train_accuracy.png", [
        (train_history["accuracy"], "Training accuracy", 1),
        (val_history["accuracy"], "Validation accuracy", 1)],
        "Task 2.c: accuracy (2 vs 3), no shuffling", "Accuracy", ylim=(0.93, 0.99))

    # Task 2e - Create a comparison between training with and without shuffling
    shuffle_dataset = True
    # Intialize model
    model = BinaryModel()
    # Train model
    trainer = LogisticTrainer(
        model, learning_rate, batch_size, shuffle_dataset,
        X_train, Y_train, X_val, Y_val,
    )
    train_history_shuffle, val_history_shuffle = trainer.train(num_epochs)
    print(f"With shuffle, early stopping kicked in during epoch {trainer.stop_epoch + 1}")
    runs["with_shuffle"] = utils.run_record(trainer, num_epochs, train_history_shuffle,
                                            val_history_shuffle)

    utils.save_curves("task2e_train_loss_with_shuffle.png", [
        (train_history["loss"], "Training loss without shuffle", 10),
        (train_history_shuffle["loss"], "Training loss with shuffle", 10)],
        "Task 2.e: training loss with and without shuffling", "Cross entropy loss",
        ylim=(0, 0.2))
    utils.save_curves("task2e_train_accuracy_shuffle_difference.png", [
        (val_history["accuracy"], "Validation accuracy without shuffle", 1),
        (val_history_shuffle["accuracy"], "Validation accuracy with shuffle", 1)],
        "Task 2.e: validation accuracy with and without shuffling", "Accuracy",
        ylim=(0.93, 0.99))

    utils.save_results("task2", {  # last: make takes it as the sign that all is done
        "classes": [category1, category2], "num_train": len(X_train), "num_val": len(X_val),
        "steps_per_epoch": len(X_train) // batch_size, "runs": runs})


if __name__ == "__main__":
    utils.run_script(main, __doc__)
