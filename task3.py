"""Task 3b-3c: softmax regression over the ten digits with mini-batch gradient descent.

`python task3.py` trains for 50 epochs (shuffled, without early stopping), prints the final
losses and accuracies, and writes the figures task3b_*.png beside report.ipynb and the
settings and histories of the run to results/task3.json. Takes about 10 s.
"""
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
    # Task 3c: the prediction is the most probable class
    predictions = model.forward(X).argmax(axis=1)
    accuracy = np.mean(predictions == targets.argmax(axis=1))
    return float(accuracy)


class SoftmaxTrainer(BaseTrainer):

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray):
        """
        Perform forward, backward and gradient descent step here; called once for every
        batch (see trainer.py), which logs the returned loss in train_history.
        Args:
            X_batch: one batch of images; Y_batch: one batch of labels
        Returns:
            loss value (float) on batch
        """
        # Task 3b: the loss of the batch at the current weights, then one step against the
        # gradient (with L2, the gradient of J = C + lambda * R(w), task 4)
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

    # Intialize model
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

    utils.save_curves("task3b_softmax_train_loss.png", [
        (train_history["loss"], "Training loss", 10),
        (val_history["loss"], "Validation loss", 1)],
        "Task 3.b: softmax regression (10 digits)", "Cross entropy loss", ylim=(0.2, 0.6))
    # Plot accuracy (task 3c)
    utils.save_curves("task3b_softmax_train_accuracy.png", [
        (train_history["accuracy"], "Training accuracy", 1),
        (val_history["accuracy"], "Validation accuracy", 1)],
        "Task 3.c: softmax regression accuracy (10 digits)", "Accuracy", ylim=(0.85, 0.93))

    utils.save_results("task3", {  # last: make takes it as the sign that all is done
        "num_train": len(X_train), "num_val": len(X_val),
        "steps_per_epoch": len(X_train) // batch_size,
        "runs": {"softmax": utils.run_record(trainer, num_epochs, train_history,
                                             val_history)}})


if __name__ == "__main__":
    utils.run_script(main, __doc__)
