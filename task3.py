"""Task 3b-3c: softmax regression over the ten digits with mini-batch gradient descent.

`python task3.py` trains for 50 epochs and writes beside report.ipynb the figures
task3b_softmax_train_loss.png and task3b_softmax_train_accuracy.png; the numbers go to
results/task3.json and the run time to results/task3_seconds.json. Takes about 10 s.
"""
import time

import numpy as np

import utils
from task2a import pre_process_images
from task3a import SoftmaxModel, cross_entropy_loss, one_hot_encode
from trainer import BaseTrainer, run_summary

LEARNING_RATE = 0.01
BATCH_SIZE = 128
NUM_EPOCHS = 50
SEED = 0


def correct_predictions(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Whether each image's most probable class is the labelled one.

    Args:
        outputs: probabilities of shape [N, 10]; targets: one-hot labels of shape [N, 10]
    Returns:
        booleans of shape [N]
    """
    return outputs.argmax(axis=1) == targets.argmax(axis=1)


def softmax_accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of images whose most probable class is the labelled one."""
    return float(np.mean(correct_predictions(outputs, targets)))


def calculate_accuracy(X: np.ndarray, targets: np.ndarray, model: SoftmaxModel) -> float:
    """Multi-class classification accuracy of the model on a data set.

    Args:
        X: images of shape [batch size, 785]
        targets: labels/targets of each image of shape: [batch size, 10]
        model: model of class SoftmaxModel
    Returns:
        Accuracy (float)
    """
    return softmax_accuracy(model.forward(X), targets)


class SoftmaxTrainer(BaseTrainer):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every validation check reads both whole sets: float32, column-major copies,
        # made once, are read fastest (see LinearModel.forward)
        self.X_train_check = np.asfortranarray(self.X_train, dtype=np.float32)
        self.X_val_check = np.asfortranarray(self.X_val, dtype=np.float32)

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray) -> float:
        """One gradient descent step on a batch; returns the batch loss before the step.

        Args:
            X_batch: images of shape [batch size, 785]
            Y_batch: one-hot labels of shape [batch size, 10]
        """
        outputs = self.model.forward(X_batch)
        self.model.backward(X_batch, outputs, Y_batch)
        self.model.w -= self.learning_rate * self.model.grad
        return cross_entropy_loss(Y_batch, outputs)

    def validation_step(self) -> tuple[float, float, float]:
        """Loss on the whole validation set and accuracy on the whole training and
        validation sets, from one forward pass over each set.

        Returns:
            (validation loss, training accuracy, validation accuracy)
        """
        train_outputs = self.model.forward(self.X_train_check)
        val_outputs = self.model.forward(self.X_val_check)
        return (cross_entropy_loss(self.Y_val, val_outputs),
                softmax_accuracy(train_outputs, self.Y_train),
                softmax_accuracy(val_outputs, self.Y_val))


def load_softmax_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 10-class task, preprocessed: X [N, 785], Y one-hot [N, 10], float32.

    float32: the models compute in the dtype of their input, and float32 halves the bytes
    every training step and validation check reads (the two sets take 95 MB instead of
    190 MB) and doubles the speed of the products.
    """
    X_train, Y_train, X_val, Y_val = utils.load_full_mnist()
    return (pre_process_images(X_train).astype(np.float32),
            one_hot_encode(Y_train, 10).astype(np.float32),
            pre_process_images(X_val).astype(np.float32),
            one_hot_encode(Y_val, 10).astype(np.float32))


def train_softmax(l2_reg_lambda: float, data: tuple, learning_rate: float = LEARNING_RATE,
                  num_epochs: int = NUM_EPOCHS, seed: int = SEED
                  ) -> tuple[SoftmaxModel, SoftmaxTrainer, dict, dict, float]:
    """Train a fresh zero-initialized model with the task 3 settings (shuffled, 50 epochs).

    Returns the model, its trainer, both histories and the training time in seconds.
    """
    model = SoftmaxModel(l2_reg_lambda)
    trainer = SoftmaxTrainer(model, learning_rate, BATCH_SIZE, True, *data,
                             early_stopping_patience=None, seed=seed)
    start = time.perf_counter()
    train_history, val_history = trainer.train(num_epochs)
    return model, trainer, train_history, val_history, time.perf_counter() - start


def accuracy_gap(train_history: dict, val_history: dict, steps_per_epoch: int,
                 epochs_per_window: int = 10) -> dict:
    """Training minus validation accuracy at the validation checks, averaged over windows
    of epochs (task 3d), and the last check where the validation accuracy was higher."""
    steps = np.array(list(val_history["accuracy"]))
    gap = (np.array(list(train_history["accuracy"].values()))
           - np.array(list(val_history["accuracy"].values())))
    windows = []
    for first in range(0, steps[-1] // steps_per_epoch + 1, epochs_per_window):
        inside = ((steps >= first * steps_per_epoch)
                  & (steps < (first + epochs_per_window) * steps_per_epoch))
        windows.append({"first_epoch": first + 1, "last_epoch": first + epochs_per_window,
                        "mean_gap": float(gap[inside].mean())})
    return {"accuracy_gap_windows": windows,
            "last_step_val_accuracy_above_train": int(steps[gap < 0].max())}


def main() -> None:
    data = load_softmax_data()
    print(f"10 digits: {len(data[0])} training and {len(data[2])} validation images; "
          f"training for {NUM_EPOCHS} epochs", flush=True)
    model, trainer, train_history, val_history, seconds = train_softmax(0.0, data)
    results = run_summary(trainer, train_history, val_history)
    steps_per_epoch = len(data[0]) // BATCH_SIZE
    results["val_loss_after_epoch"] = {  # at the last check of every tenth epoch
        str(epoch): val_history["loss"][max(step for step in val_history["loss"]
                                            if step < epoch * steps_per_epoch)]
        for epoch in range(10, NUM_EPOCHS + 1, 10)}
    results.update(accuracy_gap(train_history, val_history, steps_per_epoch))
    print(f"softmax, {NUM_EPOCHS} epochs: final train accuracy "
          f"{results['final_train_accuracy']:.4f}, val accuracy "
          f"{results['final_val_accuracy']:.4f}, val loss {results['final_val_loss']:.4f}; "
          f"lowest val loss {results['best_val_loss']:.4f} at step {results['best_step']} "
          f"({seconds:.1f} s)")

    utils.save_curves("task3b_softmax_train_loss.png", [
        (train_history["loss"], "Training loss", 10),
        (val_history["loss"], "Validation loss", 1)],
        "Task 3b: softmax regression (10 digits)", "Cross-entropy loss", ylim=(0.2, 0.6))
    utils.save_curves("task3b_softmax_train_accuracy.png", [
        (train_history["accuracy"], "Training accuracy", 1),
        (val_history["accuracy"], "Validation accuracy", 1)],
        "Task 3c: softmax regression accuracy (10 digits)", "Accuracy", ylim=(0.85, 0.93))

    utils.save_results("task3_seconds", {"train": round(seconds, 2)})
    utils.save_results("task3", results)  # last: make takes it as the sign that all is done


if __name__ == "__main__":
    utils.run_script(main, __doc__)
