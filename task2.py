"""Task 2b-2e: logistic regression for 2 vs 3 with mini-batch gradient descent.

`python task2.py` trains with early stopping without and with shuffling (tasks 2b-2d), and
both ways again for 50 epochs without early stopping, to compare them over the same steps
(task 2e). It writes beside report.ipynb the figures task2b_binary_train_loss.png,
task2b_binary_train_accuracy.png, task2e_train_loss_with_shuffle.png and
task2e_train_accuracy_shuffle_difference.png; the numbers go to results/task2.json and the
run times to results/task2_seconds.json. Takes about 5 s.
"""
import time

import numpy as np

import utils
from task2a import BinaryModel, cross_entropy_loss, pre_process_images
from trainer import BaseTrainer, run_summary

LEARNING_RATE = 0.05
BATCH_SIZE = 128
NUM_EPOCHS = 500
COMPARISON_EPOCHS = 50  # task 2e: with and without shuffling over the same steps
SEED = 0


def correct_predictions(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Whether each prediction is right, predicting class 1 where the output is >= 0.5.

    Args:
        outputs: probabilities of shape [N, 1]; targets: labels 0/1 of shape [N, 1]
    Returns:
        booleans of shape [N]
    """
    return ((outputs >= 0.5) == (targets == 1)).ravel()


def binary_accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of correct predictions (see correct_predictions)."""
    return float(np.mean(correct_predictions(outputs, targets)))


def calculate_accuracy(X: np.ndarray, targets: np.ndarray, model: BinaryModel) -> float:
    """Binary classification accuracy of the model on a data set.

    Args:
        X: images of shape [batch size, 785]
        targets: labels/targets of each image of shape: [batch size, 1]
        model: model of class BinaryModel
    Returns:
        Accuracy (float)
    """
    return binary_accuracy(model.forward(X), targets)


class LogisticTrainer(BaseTrainer):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every validation check reads both whole sets: float32, column-major copies,
        # made once, are read fastest (see LinearModel.forward)
        self.X_train_check = np.asfortranarray(self.X_train, dtype=np.float32)
        self.X_val_check = np.asfortranarray(self.X_val, dtype=np.float32)

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray) -> float:
        """One gradient descent step on a batch; returns the batch loss before the step.

        Args:
            X_batch: images of shape [batch size, 785]; Y_batch: labels of shape [batch size, 1]
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
                binary_accuracy(train_outputs, self.Y_train),
                binary_accuracy(val_outputs, self.Y_val))


def load_binary_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 2-vs-3 task, preprocessed: X [N, 785] float32, Y [N, 1] (1 for a 2, 0 for a 3).

    float32 for speed, as in task3.load_softmax_data.
    """
    X_train, Y_train, X_val, Y_val = utils.load_binary_dataset(2, 3)
    return (pre_process_images(X_train).astype(np.float32), Y_train,
            pre_process_images(X_val).astype(np.float32), Y_val)


def train_binary(shuffle: bool, data: tuple, num_epochs: int = NUM_EPOCHS,
                 early_stopping_patience: int | None = 10
                 ) -> tuple[BinaryModel, LogisticTrainer, dict, dict]:
    """Train a fresh zero-initialized model with the task 2 settings."""
    model = BinaryModel()
    trainer = LogisticTrainer(model, LEARNING_RATE, BATCH_SIZE, shuffle, *data,
                              early_stopping_patience=early_stopping_patience, seed=SEED)
    train_history, val_history = trainer.train(num_epochs)
    return model, trainer, train_history, val_history


def curve_summary(val_history: dict, steps_per_epoch: int, count: int = 5) -> dict:
    """How smooth the validation curves are after the first epoch (task 2e), and where
    the validation loss is lowest.

    Returns the steps of the `count` largest rises of the validation loss from one check
    to the next, their batch within the epoch (step % steps_per_epoch), the largest rise,
    the standard deviations of the check-to-check changes of the validation accuracy and
    loss, and the lowest validation loss with its step.
    """
    steps = np.array(list(val_history["loss"]))
    loss = np.array(list(val_history["loss"].values()))
    accuracy = np.array(list(val_history["accuracy"].values()))
    later = steps[1:] >= steps_per_epoch
    rises = np.diff(loss)[later]
    top = np.sort(steps[1:][later][np.argsort(rises)[::-1][:count]])
    return {
        "largest_val_loss_rise_steps": top.tolist(),
        "largest_val_loss_rise_batch_in_epoch": (top % steps_per_epoch).tolist(),
        "largest_val_loss_rise": float(rises.max()),
        "val_accuracy_change_std": float(np.diff(accuracy)[later].std()),
        "val_loss_change_std": float(rises.std()),
        "lowest_val_loss": float(loss.min()),
        "lowest_val_loss_step": int(steps[loss.argmin()]),
        "checks_compared": int(later.sum()),
    }


def main() -> None:
    data = load_binary_data()
    X_train, Y_train, X_val, Y_val = data
    steps_per_epoch = len(X_train) // BATCH_SIZE
    print(f"2 vs 3: {len(X_train)} training and {len(X_val)} validation images")

    results = {"num_train": len(X_train), "num_val": len(X_val),
               "steps_per_epoch": steps_per_epoch, "comparison_epochs": COMPARISON_EPOCHS,
               "early_stopping": {}, "comparison": {}}
    seconds, runs = {}, {}
    for shuffle in (False, True):
        name = "with_shuffle" if shuffle else "without_shuffle"
        start = time.perf_counter()
        model, trainer, train_history, val_history = train_binary(shuffle, data)
        seconds[name] = round(time.perf_counter() - start, 2)
        summary = results["early_stopping"][name] = run_summary(trainer, train_history,
                                                                val_history)
        runs[name] = train_history, val_history
        print(f"{name}: early stopping in epoch {summary['stop_epoch']} (0-based, step "
              f"{summary['stop_step']}); best val loss {summary['best_val_loss']:.4f} at step "
              f"{summary['best_step']}; final val accuracy {summary['final_val_accuracy']:.4f}"
              f", train accuracy {summary['final_train_accuracy']:.4f} ({seconds[name]} s)")

        _, _, train_history, val_history = train_binary(shuffle, data, COMPARISON_EPOCHS, None)
        comparison = results["comparison"][name] = curve_summary(val_history, steps_per_epoch)
        runs[f"{name}_{COMPARISON_EPOCHS}_epochs"] = train_history, val_history
        print(f"{name}, {COMPARISON_EPOCHS} epochs without early stopping: largest rise of the "
              f"val loss {comparison['largest_val_loss_rise']:.4f}, lowest val loss "
              f"{comparison['lowest_val_loss']:.4f} at step {comparison['lowest_val_loss_step']}")

    train_history, val_history = runs["without_shuffle"]
    utils.save_curves("task2b_binary_train_loss.png", [
        (train_history["loss"], "Training loss", 10),
        (val_history["loss"], "Validation loss", 1)],
        "Task 2b: logistic regression (2 vs 3), no shuffling", "Cross-entropy loss",
        ylim=(0, 0.2))
    utils.save_curves("task2b_binary_train_accuracy.png", [
        (train_history["accuracy"], "Training accuracy", 1),
        (val_history["accuracy"], "Validation accuracy", 1)],
        "Task 2c: accuracy (2 vs 3), no shuffling", "Accuracy", ylim=(0.93, 0.99))

    plain_train, plain_val = runs[f"without_shuffle_{COMPARISON_EPOCHS}_epochs"]
    shuffled_train, shuffled_val = runs[f"with_shuffle_{COMPARISON_EPOCHS}_epochs"]
    stopped_at = results["early_stopping"]["with_shuffle"]["stop_step"]
    utils.save_curves("task2e_train_loss_with_shuffle.png", [
        (shuffled_train["loss"], "Training loss, shuffled", 10),
        (shuffled_val["loss"], "Validation loss, shuffled", 1),
        (plain_val["loss"], "Validation loss, no shuffling", 1)],
        f"Task 2e: loss with shuffling, {COMPARISON_EPOCHS} epochs without early stopping",
        "Cross-entropy loss", ylim=(0, 0.2),
        marks=[(stopped_at, "Early stopping ended the shuffled run here")],
        loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=10)
    utils.save_curves("task2e_train_accuracy_shuffle_difference.png", [
        (plain_val["accuracy"], "Validation accuracy, no shuffling", 1),
        (shuffled_val["accuracy"], "Validation accuracy, shuffled every epoch", 1)],
        f"Task 2e: validation accuracy with and without shuffling ({COMPARISON_EPOCHS} epochs)",
        "Accuracy", ylim=(0.93, 0.99))

    utils.save_results("task2_seconds", seconds)
    utils.save_results("task2", results)  # last: make takes it as the sign that all is done


if __name__ == "__main__":
    utils.run_script(main, __doc__)
