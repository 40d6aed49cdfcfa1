import numpy as np
import tqdm

import utils


class BaseTrainer:

    def __init__(self, model, learning_rate: float, batch_size: int, shuffle_dataset: bool,
                 X_train: np.ndarray, Y_train: np.ndarray, X_val: np.ndarray,
                 Y_val: np.ndarray, early_stopping_patience: int | None = 10) -> None:
        """
            Initialize the trainer responsible for performing the gradient descent loop.
        Args:
            X_train, X_val: preprocessed images [N, 785]; Y_train, Y_val: targets [N, K]
            early_stopping_patience: stop after this many validation checks in a row
                without a new lowest validation loss (task 2d); None trains all epochs
        """
        assert 1 <= batch_size <= len(X_train), \
            f"batch_size {batch_size} must be between 1 and the {len(X_train)} training images"
        self.X_train = X_train
        self.Y_train = Y_train
        self.X_val = X_val
        self.Y_val = Y_val
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.model = model
        self.shuffle_dataset = shuffle_dataset
        self.early_stopping_patience = early_stopping_patience

    def validation_step(self):
        """Returns the validation loss and the training and validation accuracy (floats)
        of the model at the current step, over the whole sets."""
        raise NotImplementedError("a trainer defines validation_step (see task2.py)")

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray):
        """Forward, backward and gradient descent step on one batch; returns its loss."""
        raise NotImplementedError("a trainer defines train_step (see task2.py)")

    def train(self, num_epochs: int):
        """
        Training loop for model.
        Implements stochastic gradient descent with num_epochs passes over the train dataset,
        and early stopping (task 2d) unless early_stopping_patience is None.
        Returns:
            train_history: a dictionary containing loss and accuracy over all training steps
            val_history: a dictionary containing loss and accuracy over a selected set of steps
        Afterwards stop_epoch/stop_step say where training stopped (0-based), stopped_early
        whether early stopping did it (the model then holds the best weights, else its
        last), best_epoch/best_step/best_val_loss where the lowest validation loss was.
        """
        # Utility variables
        num_batches_per_epoch = self.X_train.shape[0] // self.batch_size
        num_steps_per_val = max(1, num_batches_per_epoch // 5)
        # A tracking value of loss over all training steps
        train_history = dict(loss={}, accuracy={})
        val_history = dict(loss={}, accuracy={})
        # Task 2d: the lowest validation loss so far, where it was, and its weights
        self.best_val_loss, self.best_epoch, self.best_step = np.inf, None, None
        best_w, checks_without_improvement = None, 0
        self.stopped_early = False

        global_step = 0
        with tqdm.trange(num_epochs, desc=type(self).__name__, unit="epoch", leave=False,
                         disable=None) as epochs:  # no bar where output is not a terminal
            for epoch in epochs:
                train_loader = utils.batch_loader(
                    self.X_train, self.Y_train, self.batch_size, shuffle=self.shuffle_dataset)
                for X_batch, Y_batch in iter(train_loader):
                    loss = self.train_step(X_batch, Y_batch)
                    self._check_finite("training loss", loss, epoch, global_step)
                    # Track training loss continuously
                    train_history["loss"][global_step] = loss

                    # Track validation loss / accuracy every time we progress 20% through
                    # the dataset
                    if global_step % num_steps_per_val == 0:
                        val_loss, accuracy_train, accuracy_val = self.validation_step()
                        self._check_finite("validation loss", val_loss, epoch, global_step)
                        train_history["accuracy"][global_step] = accuracy_train
                        val_history["loss"][global_step] = val_loss
                        val_history["accuracy"][global_step] = accuracy_val
                        epochs.set_postfix(val_loss=val_loss, val_acc=accuracy_val,
                                           refresh=False)

                        # Task 2d: stop when the validation loss has not improved for
                        # early_stopping_patience checks in a row; return the best weights
                        if val_loss < self.best_val_loss:
                            self.best_val_loss = val_loss
                            self.best_epoch, self.best_step = epoch, global_step
                            best_w, checks_without_improvement = self.model.w.copy(), 0
                        else:
                            checks_without_improvement += 1
                        if checks_without_improvement == self.early_stopping_patience:
                            self.stopped_early = True
                            self.stop_epoch, self.stop_step = epoch, global_step
                            self.model.w = best_w
                            return train_history, val_history
                    global_step += 1
        self.stop_epoch, self.stop_step = num_epochs - 1, global_step - 1
        return train_history, val_history

    def _check_finite(self, name: str, loss, epoch: int, step: int) -> None:
        """Raise FloatingPointError if a loss (a number or size-1 array) is inf or nan."""
        if not np.all(np.isfinite(loss)):
            raise FloatingPointError(
                f"the {name} became {loss} at step {step} (epoch {epoch}) with learning "
                f"rate {self.learning_rate}; lower the learning rate")
