"""The training loop shared by both models: mini-batches, validation checks, early stopping."""
import contextvars
import math
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import threadpoolctl
import tqdm

import utils

CHECKS_PER_EPOCH = 5  # validate every 20% of an epoch
# During training BLAS runs on one thread. A step's products are so small that BLAS
# threads sharing one spend longer waiting for each other than computing (steps take
# about 17% longer on two threads than on one on this project's machine); the second
# processor core evaluates validation checks instead (see BaseTrainer).
BLAS = threadpoolctl.ThreadpoolController().select(user_api="blas")


class EvaluationInputs:
    """Several image sets stored for fast logits X @ w, as validation checks need them.

    A validation check computes the logits of every training and validation image, a
    product over all 30000 x 785 numbers. So X is kept in the form that multiplies
    fastest while giving the same logits: float32 (half the bytes and twice the BLAS speed
    of float64); columns that hold one value in every image (the bias, and border pixels
    no digit touches) folded into one row of ones; and transposed, so that BLAS streams it.

    Args:
        sets: preprocessed images, each of shape [N_s, I]
    """

    def __init__(self, *sets: np.ndarray):
        low = np.min([X.min(axis=0) for X in sets], axis=0)
        high = np.max([X.max(axis=0) for X in sets], axis=0)
        self.varying = np.flatnonzero(low != high)
        self.constant = np.flatnonzero(low == high)
        self.constant_values = low[self.constant]
        self.X_t = np.empty((len(self.varying) + 1, sum(len(X) for X in sets)), np.float32)
        self.X_t[-1] = 1  # the row that carries the constant columns' sum
        start = 0
        for X in sets:
            for chunk in range(0, len(X), 4096):  # in chunks: no full-size float64 copy
                rows = X[chunk:chunk + 4096, self.varying]
                self.X_t[:-1, start:start + len(rows)] = rows.T
                start += len(rows)
        self.splits = np.cumsum([len(X) for X in sets])[:-1]

    def logits(self, weights: list[np.ndarray]) -> list[np.ndarray]:
        """X @ w for each of G weight arrays w [I, K], for each set: float32 [G, K, N_s].

        All G products come from one BLAS call: with only K = 10 (or 1) outputs a single
        product keeps the processor waiting, while G of them share each read of X and run
        at near full speed (on one thread of this project's machine, G = 16 takes 6 ms a
        product instead of 24).
        """
        W = np.asarray(weights)  # [G, I, K]
        num_checks, _, num_outputs = W.shape
        W_t = np.empty((num_checks, num_outputs, len(self.varying) + 1), np.float32)
        W_t[:, :, :-1] = W[:, self.varying].transpose(0, 2, 1)
        W_t[:, :, -1] = np.tensordot(self.constant_values, W[:, self.constant], axes=(0, 1))
        products = W_t.reshape(num_checks * num_outputs, -1) @ self.X_t
        return np.split(products.reshape(num_checks, num_outputs, -1), self.splits, axis=2)


class Checkpoint(NamedTuple):
    """What the trainer keeps at a validation check until that check is evaluated."""
    step: int
    epoch: int
    w: np.ndarray
    rng_state: dict


Pass = tuple[list[Checkpoint], Future]  # checks, and their results to come from the worker


class BaseTrainer:
    """Mini-batch gradient descent with validation every 20% of an epoch and early stopping.

    Subclasses give train_step (one gradient step, returns the batch loss) and
    validation_steps (val loss, train accuracy and val accuracy for several weights).

    Validation checks are evaluated checks_per_pass at a time, in a second thread while
    training goes on: at a check the weights are kept; after checks_per_pass checks, one
    pass over the images evaluates them all (see EvaluationInputs.logits) on the other
    processor core; its results are taken in when the next pass is sent or training ends.
    They are the results of checking at once: when they end training early at a check,
    the trainer goes back to it (history, stop step, shuffling state; the weights become
    the best anyway), as if the steps after it had never run.

    Args:
        model: has w, forward, backward, activation
        X_train, X_val: preprocessed images [N, 785]; Y_train, Y_val: targets [N, K].
            Training steps get float32 batches of X_train and Y_train: half the memory
            traffic of float64 and twice the BLAS speed; the model keeps float64 weights.
            Validation checks use evaluation_inputs, a fast copy of both sets.
        early_stopping_patience: stop after this many validation checks in a row without a
            new lowest validation loss, and end with the best weights; None trains all epochs
        seed: seeds the shuffling, so a run repeats exactly
    """
    checks_per_pass = 16

    def __init__(self, model, learning_rate: float, batch_size: int, shuffle_dataset: bool,
                 X_train: np.ndarray, Y_train: np.ndarray, X_val: np.ndarray,
                 Y_val: np.ndarray, early_stopping_patience: int | None = 10, seed: int = 0):
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
        self.X_train = np.asarray(X_train, dtype=np.float32)
        self.Y_train = np.asarray(Y_train, dtype=np.float32)
        self.X_val, self.Y_val = X_val, Y_val
        self.early_stopping_patience = early_stopping_patience
        self.rng = np.random.default_rng(seed)
        self.evaluation_inputs = EvaluationInputs(X_train, X_val)
        self._reset_early_stopping()

    def train_step(self, X_batch: np.ndarray, Y_batch: np.ndarray) -> float:
        raise NotImplementedError

    def validation_steps(self, weights: list[np.ndarray]) -> list[tuple[float, float, float]]:
        """(val loss, train accuracy, val accuracy) over the whole sets for each weight array."""
        raise NotImplementedError

    def validation_step(self) -> tuple[float, float, float]:
        """Loss on the whole validation set, accuracy on the whole training and validation
        sets, with the model's current weights.

        Returns:
            (validation loss, training accuracy, validation accuracy)
        """
        return self.validation_steps([self.model.w])[0]

    def train(self, num_epochs: int) -> tuple[dict, dict]:
        """Train for num_epochs epochs or until early stopping.

        Returns:
            train_history: {"loss": {step: batch loss}, "accuracy": {step: accuracy}}
            val_history: {"loss": {step: loss}, "accuracy": {step: accuracy}}
            The losses of the training batches are kept for every step; the rest at step 0
            and every 20% of an epoch. After training, stop_epoch and stop_step say where it
            stopped (0-based), best_step, best_epoch and best_val_loss where the best was.
        """
        histories = dict(loss={}, accuracy={}), dict(loss={}, accuracy={})
        self._reset_early_stopping()
        num_steps = num_epochs * (len(self.X_train) // self.batch_size)
        with (tqdm.tqdm(total=num_steps, unit="step", desc=type(self).__name__,
                        mininterval=0.5, leave=False) as progress,
              BLAS.limit(limits=1), ThreadPoolExecutor(max_workers=1) as worker):
            self._run(num_epochs, histories, progress, worker)
        if self.early_stopping_patience is not None and self.best_w is not None:
            self.model.w = self.best_w
        return histories

    def _run(self, num_epochs: int, histories: tuple[dict, dict], progress: tqdm.tqdm,
             worker: ThreadPoolExecutor) -> None:
        """The steps and validation checks of train, up to the end or early stopping."""
        num_steps_per_val = max(1, len(self.X_train) // self.batch_size // CHECKS_PER_EPOCH)
        train_history = histories[0]
        checks = []  # validation checks not sent to the worker yet
        evaluation = None  # the pass the worker is on
        for global_step, (epoch, X_batch, Y_batch) in enumerate(self._batches(num_epochs)):
            loss = self.train_step(X_batch, Y_batch)
            if not math.isfinite(loss):
                if self._finish(worker, evaluation, checks, histories, progress):
                    return  # training had stopped early before this step
                raise FloatingPointError(
                    f"the training loss became {loss} at step {global_step} (epoch {epoch}) "
                    f"with learning rate {self.learning_rate}; lower the learning rate")
            train_history["loss"][global_step] = loss
            self.stop_epoch, self.stop_step = epoch, global_step
            progress.update()
            if global_step % num_steps_per_val == 0:
                checks.append(Checkpoint(global_step, epoch, self.model.w.copy(),
                                         self.rng.bit_generator.state))
                if len(checks) == self.checks_per_pass:
                    if self._take_in(evaluation, histories, progress):
                        return
                    evaluation, checks = self._send(worker, checks), []
        self._finish(worker, evaluation, checks, histories, progress)

    def _batches(self, num_epochs: int):
        """(epoch, X_batch, Y_batch) for every step of num_epochs epochs."""
        for epoch in range(num_epochs):
            for X_batch, Y_batch in utils.batch_loader(
                    self.X_train, self.Y_train, self.batch_size,
                    shuffle=self.shuffle_dataset, rng=self.rng):
                yield epoch, X_batch, Y_batch

    def _send(self, worker: ThreadPoolExecutor, checks: list[Checkpoint]) -> Pass | None:
        """Start the worker on one pass over the checks (None when there are none), in a
        copy of this thread's context, so that the caller's np.errstate holds there too."""
        if not checks:
            return None
        return checks, worker.submit(contextvars.copy_context().run, self.validation_steps,
                                     [check.w for check in checks])

    def _take_in(self, evaluation: Pass | None, histories: tuple[dict, dict],
                 progress: tqdm.tqdm) -> bool:
        """Wait for a pass, record its checks in step order and apply early stopping;
        True if training stopped early at one of them."""
        if evaluation is None:
            return False
        (train_history, val_history), (checks, results) = histories, evaluation
        for check, (val_loss, accuracy_train, accuracy_val) in zip(checks, results.result()):
            train_history["accuracy"][check.step] = accuracy_train
            val_history["loss"][check.step] = val_loss
            val_history["accuracy"][check.step] = accuracy_val
            progress.set_postfix(val_loss=f"{val_loss:.4f}", val_acc=f"{accuracy_val:.4f}",
                                 refresh=False)
            if self._early_stopping(val_loss, check):
                self._go_back_to(check, train_history)
                return True
        return False

    def _finish(self, worker: ThreadPoolExecutor, evaluation: Pass | None,
                checks: list[Checkpoint], histories: tuple[dict, dict],
                progress: tqdm.tqdm) -> bool:
        """Take in the pass the worker is on, then evaluate the checks not sent yet;
        True if training stopped early at one of them."""
        return (self._take_in(evaluation, histories, progress)
                or self._take_in(self._send(worker, checks), histories, progress))

    def _go_back_to(self, check: Checkpoint, train_history: dict) -> None:
        """Forget the steps that ran after the check where training stopped early."""
        for step in range(check.step + 1, self.stop_step + 1):
            train_history["loss"].pop(step, None)
        self.stop_epoch, self.stop_step, self.stopped_early = check.epoch, check.step, True
        self.rng.bit_generator.state = check.rng_state

    def _reset_early_stopping(self) -> None:
        """Forget where a previous run stopped and what its best checkpoint was."""
        self.stop_epoch = self.stop_step = self.best_step = self.best_epoch = None
        self.best_val_loss, self.best_w, self.stopped_early = math.inf, None, False
        self.checks_without_improvement = 0

    def _early_stopping(self, val_loss: float, check: Checkpoint) -> bool:
        """Keep the weights with the lowest validation loss so far; True when training
        should stop, after early_stopping_patience checks in a row without a new lowest."""
        if val_loss < self.best_val_loss:
            self.best_val_loss, self.best_w = val_loss, check.w
            self.best_step, self.best_epoch = check.step, check.epoch
            self.checks_without_improvement = 0
        else:
            self.checks_without_improvement += 1
        return (self.early_stopping_patience is not None
                and self.checks_without_improvement >= self.early_stopping_patience)


def run_summary(trainer: BaseTrainer, train_history: dict, val_history: dict) -> dict:
    """The numbers the report quotes about one training run ("final": at the last
    validation check; "best": at the check with the lowest validation loss)."""
    best = trainer.best_step
    return {
        "stopped_early": trainer.stopped_early,
        "stop_epoch": trainer.stop_epoch,
        "stop_step": trainer.stop_step,
        "epochs_run": trainer.stop_epoch + 1,
        "best_step": best,
        "best_epoch": trainer.best_epoch,
        "best_val_loss": val_history["loss"][best],
        "best_val_accuracy": val_history["accuracy"][best],
        "best_train_accuracy": train_history["accuracy"][best],
        "final_step": max(val_history["loss"]),
        "final_val_loss": val_history["loss"][max(val_history["loss"])],
        "final_val_accuracy": val_history["accuracy"][max(val_history["accuracy"])],
        "final_train_accuracy": train_history["accuracy"][max(train_history["accuracy"])],
        "final_train_loss": train_history["loss"][max(train_history["loss"])],
        "num_validation_checks": len(val_history["loss"]),
    }
