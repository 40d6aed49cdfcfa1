import numpy as np
import tqdm

import utils


class BaseTrainer:

    def __init__(
            self,
            model,
            learning_rate: float,
            batch_size: int,
            shuffle_dataset: bool,
            X_train: np.ndarray, Y_train: np.ndarray,
            X_val: np.ndarray, Y_val: np.ndarray,
            early_stopping_patience: int = 10) -> None:
        """
            Sets up the trainer that runs the gradient descent loop.
            early_stopping_patience: validation checks without a new lowest validation
                loss before training stops (task 2d); None trains every epoch
        """
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
        """Returns the validation loss and the training and validation accuracy (floats)."""
        pass

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray):
        """One gradient descent step on a batch; returns its loss (float). See task2.py."""
        pass

    def train(
            self,
            num_epochs: int):
        """
        Training loop for the model: mini-batch gradient descent, num_epochs passes over the
        training set, stopped early as task 2d asks.
        Returns:
            train_history: {"loss": {step: loss}, "accuracy": {step: accuracy}}, the loss at
                every step and the accuracy at every validation check
            val_history: the same over the validation set, at every validation check
        After an early stop, self.early_stop_epoch is the epoch it happened in (counted from
        0) and the model holds the weights of the lowest validation loss; else it is None.
        """
        # Utility variables
        num_batches_per_epoch = self.X_train.shape[0] // self.batch_size
        num_steps_per_val = num_batches_per_epoch // 5
        assert num_steps_per_val > 0, \
            f"{self.X_train.shape[0]} training samples make {num_batches_per_epoch} " \
            f"batches of {self.batch_size}, fewer than the 5 per epoch that validation needs"
        # The loss at every step, the accuracy at every validation check
        train_history = dict(loss={}, accuracy={})
        val_history = dict(loss={}, accuracy={})
        self.early_stop_epoch = None
        # Task 2d: the lowest validation loss so far, its weights, and the checks since it
        best_val_loss, best_w, checks_since_best = np.inf, None, 0

        global_step = 0
        for epoch in tqdm.trange(num_epochs, desc="Epochs", disable=None):
            train_loader = utils.batch_loader(
                self.X_train, self.Y_train, self.batch_size, shuffle=self.shuffle_dataset)
            for X_batch, Y_batch in iter(train_loader):
                loss = self.train_step(X_batch, Y_batch)
                # The training loss of every step
                train_history["loss"][global_step] = loss

                # Validation loss and accuracy each time 20% of the training set has passed
                if global_step % num_steps_per_val == 0:
                    val_loss, accuracy_train, accuracy_val = self.validation_step()
                    train_history["accuracy"][global_step] = accuracy_train
                    val_history["loss"][global_step] = val_loss
                    val_history["accuracy"][global_step] = accuracy_val

                    # Task 2d: early stopping. Stop once `early_stopping_patience` checks in
                    # a row have not lowered the validation loss, and return the weights of
                    # its lowest value.
                    if val_loss < best_val_loss:
                        best_val_loss, best_w = val_loss, self.model.w.copy()
                        checks_since_best = 0
                    else:
                        checks_since_best += 1
                    if checks_since_best == self.early_stopping_patience:
                        self.model.w = best_w
                        self.early_stop_epoch = epoch
                        tqdm.tqdm.write(f"Early stopping kicked in at step {global_step}, "
                                        f"during epoch {epoch + 1} of {num_epochs}")
                        return train_history, val_history

                global_step += 1
        return train_history, val_history
