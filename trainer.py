"""The training loop shared by both models: mini-batches, validation checks, early stopping."""
import math

import numpy as np
import tqdm

import utils


class BaseTrainer:
    """Mini-batch gradient descent with a validation check every 20% of an epoch.

    Subclasses define train_step (one gradient step on a batch, returning its loss) and
    validation_step (the validation loss and both accuracies over the whole sets), as in
    the course's starter code; train calls them and does the rest.

    Args:
        model: has the weights w (early stopping copies and restores them)
        X_train, X_val: preprocessed images [N, 785]; Y_train, Y_val: targets [N, K].
            They are used as given (the task scripts pass float32 copies, which halve
            the memory traffic of every product).
        early_stopping_patience: stop after this many validation checks in a row without
            a new lowest validation loss, and end with the weights of the lowest (task 2d);
            None trains all epochs and ends with the last weights
        seed: seeds the shuffling (batch_loader), so a run repeats exactly
    """

    def __init__(self, model, learning_rate: float, batch_size: int, shuffle_dataset: bool,
                 X_train: np.ndarray, Y_train: np.ndarray, X_val: np.ndarray,
                 Y_val: np.ndarray, early_stopping_patience: int | None = 10,
                 seed: int = 0) -> None:
        if not (math.isfinite(learning_rate) and learning_rate > 0):
            raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate}")
        if not 1 <= batch_size <= len(X_train):
            raise ValueError(f"batch_size {batch_size} must be between 1 and the training set "
                             f"size {len(X_train)}")
        for name, X, Y in (("train", X_train, Y_train), ("val", X_val, Y_val)):
            if len(X) != len(Y):
                raise ValueError(f"X_{name} has {len(X)} images but Y_{name} has {len(Y)} "
                                 "targets")
        self.model = model
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.shuffle_dataset = shuffle_dataset
        self.X_train, self.Y_train = X_train, Y_train
        self.X_val, self.Y_val = X_val, Y_val
        self.early_stopping_patience = early_stopping_patience
        self.rng = np.random.default_rng(seed)

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray) -> float:
        """Forward, backward and one gradient descent step; returns the batch loss."""
        raise NotImplementedError

    def validation_step(self) -> tuple[float, float, float]:
        """(validation loss, training accuracy, validation accuracy) over the whole sets."""
        raise NotImplementedError

    def train(self, num_epochs: int) -> tuple[dict, dict]:
        """Train for num_epochs epochs, or until early stopping.

        Returns:
            train_history: {"loss": {step: batch loss}, "accuracy": {step: accuracy}}
            val_history: {"loss": {step: loss}, "accuracy": {step: accuracy}}
            The training loss is kept for every step, the rest at step 0 and every 20% of
            an epoch. Afterwards stop_epoch and stop_step say where training stopped
            (0-based), stopped_early whether early stopping did it, and best_epoch,
            best_step and best_val_loss where the lowest validation loss was.
        """
        # Utility variables
        num_batches_per_epoch = self.X_train.shape[0] // self.batch_size
        num_steps_per_val = max(1, num_batches_per_epoch // 5)
        # A tracking value of loss over all training steps
        train_history = dict(loss={}, accuracy={})
        val_history = dict(loss={}, accuracy={})
        self.best_val_loss, self.best_w = math.inf, None
        self.best_epoch = self.best_step = None
        self.stopped_early, checks_without_improvement = False, 0

        global_step = 0
        with tqdm.trange(num_epochs, desc=type(self).__name__, unit="epoch", leave=False,
                         disable=None) as epochs:  # no bar where output is not a terminal
            for epoch in epochs:
                train_loader = utils.batch_loader(
                    self.X_train, self.Y_train, self.batch_size,
                    shuffle=self.shuffle_dataset, rng=self.rng)
                for X_batch, Y_batch in train_loader:
                    loss = self.train_step(X_batch, Y_batch)
                    self._refuse_divergence("training loss", loss, epoch, global_step)
                    # Track training loss continuously
                    train_history["loss"][global_step] = loss
                    self.stop_epoch, self.stop_step = epoch, global_step

                    # Track validation loss / accuracy every time we progress 20% through
                    # the dataset
                    if global_step % num_steps_per_val == 0:
                        val_loss, accuracy_train, accuracy_val = self.validation_step()
                        self._refuse_divergence("validation loss", val_loss, epoch,
                                                global_step)
                        train_history["accuracy"][global_step] = accuracy_train
                        val_history["loss"][global_step] = val_loss
                        val_history["accuracy"][global_step] = accuracy_val
                        epochs.set_postfix(val_loss=f"{val_loss:.4f}",
                                           val_acc=f"{accuracy_val:.4f}", refresh=False)

                        # Early stopping (task 2d): keep the weights with the lowest
                        # validation loss; stop when `patience` checks in a row have not
                        # lowered it.
                        if val_loss < self.best_val_loss:
                            self.best_val_loss, self.best_w = val_loss, self.model.w.copy()
                            self.best_epoch, self.best_step = epoch, global_step
                            checks_without_improvement = 0
                        else:
                            checks_without_improvement += 1
                        if checks_without_improvement == self.early_stopping_patience:
                            self.stopped_early = True
                            break
                    global_step += 1
                if self.stopped_early:
                    break
        if self.early_stopping_patience is not None and self.best_w is not None:
            self.model.w = self.best_w
        return train_history, val_history

    def _refuse_divergence(self, name: str, value: float, epoch: int, step: int) -> None:
        """Raise FloatingPointError if a loss is inf or nan: the steps were too large."""
        if not math.isfinite(value):
            raise FloatingPointError(
                f"the {name} became {value} at step {step} (epoch {epoch}) with learning "
                f"rate {self.learning_rate}; lower the learning rate")


def run_summary(trainer: BaseTrainer, train_history: dict, val_history: dict) -> dict:
    """The numbers the report quotes about one training run.

    "final": the model the run ends with (with early stopping, the best weights),
    evaluated on the whole sets after training, as the course's scripts print their
    final accuracies; "best": the validation check with the lowest validation loss;
    "last_check": the last validation check. Losses are the cross entropy alone (for
    softmax models with L2, without lambda * R(w)).
    """
    final_val_loss, final_train_accuracy, final_val_accuracy = trainer.validation_step()
    best, last = trainer.best_step, max(val_history["loss"])
    return {
        "stopped_early": trainer.stopped_early,
        "stop_epoch": trainer.stop_epoch,
        "stop_step": trainer.stop_step,
        "num_steps": trainer.stop_step + 1,
        "best_step": best,
        "best_epoch": trainer.best_epoch,
        "best_val_loss": val_history["loss"][best],
        "best_val_accuracy": val_history["accuracy"][best],
        "best_train_accuracy": train_history["accuracy"][best],
        "final_val_loss": final_val_loss,
        "final_val_accuracy": final_val_accuracy,
        "final_train_accuracy": final_train_accuracy,
        "last_check_step": last,
        "last_check_val_loss": val_history["loss"][last],
        "num_validation_checks": len(val_history["loss"]),
    }
