"""Task 3b-3c: softmax regression over the ten digits with mini-batch gradient descent.

`python task3.py` trains for 50 epochs, writes the task 3 figures next to report.ipynb and
the numbers to results/task3.json.
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


def softmax_accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of images whose most probable class is the labelled one.

    Args:
        outputs: probabilities of shape [N, 10]; targets: one-hot labels of shape [N, 10]
    """
    return float(np.mean(outputs.argmax(axis=1) == targets.argmax(axis=1)))


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


def accuracy_of_logits(logits: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of images whose largest logit is the labelled class's: the same as
    softmax_accuracy on the softmax of the logits, without computing the softmax.

    Args:
        logits: one column per image, shape [10, N]; labels: classes of shape [N]
    """
    largest = logits.max(axis=0)
    if np.count_nonzero(logits == largest) != logits.shape[1]:
        # a tie for the largest logit (or NaN): argmax, which picks the first, decides
        return float(np.mean(logits.argmax(axis=0) == labels))
    labelled = logits[labels, np.arange(len(labels))]
    return np.count_nonzero(labelled == largest) / len(labels)


def cross_entropy_of_logits(logits: np.ndarray, labels: np.ndarray) -> float:
    """Equation 5 for the softmax of the logits: the mean over images of
    -log softmax(z)_label = log(sum_k e^z_k) - z_label. As in softmax, the largest logit is
    taken out before exp, so nothing overflows, and no probability is rounded to 0 first.

    Args:
        logits: one column per image, shape [10, N]; labels: classes of shape [N]
    """
    largest = logits.max(axis=0)
    exponentials = np.exp(logits - largest)
    log_sums = np.log(exponentials.sum(axis=0)) + largest
    labelled = logits[labels, np.arange(len(labels))]
    return float(np.mean(log_sums - labelled))


class SoftmaxTrainer(BaseTrainer):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # each image's class, found once here instead of at every validation check
        self.train_labels = self.Y_train.argmax(axis=1)
        self.val_labels = self.Y_val.argmax(axis=1)

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

    def validation_steps(self, weights: list[np.ndarray]) -> list[tuple[float, float, float]]:
        """(val loss, train accuracy, val accuracy) over the whole sets for each weight
        array [785, 10], from one pass over the images (see trainer.EvaluationInputs)."""
        return [(cross_entropy_of_logits(val_logits, self.val_labels),
                 accuracy_of_logits(train_logits, self.train_labels),
                 accuracy_of_logits(val_logits, self.val_labels))
                for train_logits, val_logits in zip(*self.evaluation_inputs.logits(weights))]


def load_softmax_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 10-class task, preprocessed: X [N, 785], Y one-hot [N, 10], float32.

    float32 because the trainer computes in float32 anyway: kept as float64 the two sets
    would take 190 MB instead of 95 MB.
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


def main() -> None:
    data = load_softmax_data()
    model, trainer, train_history, val_history, seconds = train_softmax(0.0, data)
    results = run_summary(trainer, train_history, val_history)
    print(f"softmax, 50 epochs: final train accuracy {results['final_train_accuracy']:.4f}, "
          f"val accuracy {results['final_val_accuracy']:.4f}, val loss "
          f"{results['final_val_loss']:.4f}; best val loss {results['best_val_loss']:.4f} at "
          f"step {results['best_step']} ({seconds:.1f} s)")

    utils.save_curves("task3b_softmax_train_loss.png", [
        (train_history["loss"], "Training loss", 10),
        (val_history["loss"], "Validation loss", 1)],
        "Task 3b: softmax regression (10 digits)", "Cross-entropy loss", ylim=(0.2, 0.6))
    utils.save_curves("task3b_softmax_train_accuracy.png", [
        (train_history["accuracy"], "Training accuracy", 1),
        (val_history["accuracy"], "Validation accuracy", 1)],
        "Task 3c: softmax regression accuracy (10 digits)", "Accuracy", ylim=(0.85, 0.95))

    utils.save_results("task3", results)
    utils.save_results("task3_seconds", {"train": round(seconds, 2)})


if __name__ == "__main__":
    main()
