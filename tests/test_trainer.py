"""The training loop: validation schedule, early stopping, a trainer written the course's
way, the accuracy functions and the end-to-end trainers on small made-up data."""
import math

import numpy as np
import pytest

import task2
import task3
from task2a import BinaryModel
from task3a import SoftmaxModel, one_hot_encode
from scaffold import ScaffoldLogisticTrainer, ScaffoldSoftmaxTrainer
from trainer import BaseTrainer


class CountingModel:
    """w[0] counts the gradient steps taken, so restored weights show which step."""
    def __init__(self):
        self.w = np.zeros((3, 1))


class ScriptedTrainer(BaseTrainer):
    """train_step counts; validation_step returns scripted validation losses."""
    def __init__(self, val_losses, num_train=10, batch_size=1, **kwargs):
        X = np.zeros((num_train, 3))
        Y = np.zeros((num_train, 1))
        super().__init__(CountingModel(), 0.1, batch_size, False, X, Y, X, Y, **kwargs)
        self.val_losses = iter(val_losses)

    def train_step(self, X_batch, Y_batch):
        self.model.w[0] += 1
        return 0.0

    def validation_step(self):
        return next(self.val_losses), 0.0, 0.0


def test_validation_runs_at_step_0_and_every_fifth_of_an_epoch():
    trainer = ScriptedTrainer([1.0] * 100, num_train=10, batch_size=1,
                              early_stopping_patience=None)
    train_history, val_history = trainer.train(2)
    assert list(train_history["loss"]) == list(range(20))
    assert list(val_history["loss"]) == list(range(0, 20, 2))  # 10 batches // 5 = 2
    assert list(train_history["accuracy"]) == list(val_history["accuracy"])


def test_fewer_than_five_batches_per_epoch_validate_every_step():
    trainer = ScriptedTrainer([1.0] * 100, num_train=3, batch_size=1,
                              early_stopping_patience=None)
    _, val_history = trainer.train(2)
    assert list(val_history["loss"]) == list(range(6))


def test_early_stopping_stops_after_10_checks_without_improvement_and_restores_best():
    losses = [5.0, 4.0, 3.0] + [3.0] * 9 + [2.9] + [3.5] * 10 + [0.1] * 50
    trainer = ScriptedTrainer(losses, num_train=10, batch_size=1)
    train_history, val_history = trainer.train(100)
    # best at check 12 (step 24): a tie (3.0) is no improvement, 2.9 is
    assert trainer.best_step == 24 and trainer.best_val_loss == 2.9
    assert trainer.stopped_early
    assert trainer.stop_step == 44 and trainer.stop_epoch == 4  # 10 checks after the best
    assert max(val_history["loss"]) == 44 and max(train_history["loss"]) == 44
    assert trainer.model.w[0, 0] == 25  # the weights after step 24 (25 steps)


def test_without_patience_all_epochs_run_and_final_weights_stay():
    trainer = ScriptedTrainer([1.0] * 100, early_stopping_patience=None)
    trainer.train(3)
    assert not trainer.stopped_early and trainer.stop_step == 29
    assert trainer.model.w[0, 0] == 30


def test_early_stopping_with_another_patience_counts_checks_not_steps():
    # 10 batches an epoch, batch size 1: a check every 2 steps
    trainer = ScriptedTrainer([1.0, 0.5, 0.6, 0.7, 0.5, 0.9] + [0.1] * 50,
                              early_stopping_patience=4)
    trainer.train(100)
    assert trainer.best_step == 2 and trainer.best_val_loss == 0.5
    assert trainer.stopped_early and trainer.stop_step == 10 and trainer.stop_epoch == 1
    assert trainer.model.w[0, 0] == 3


def test_a_run_that_ends_by_its_epoch_count_keeps_its_last_weights():
    losses = [3.0, 2.0, 1.0, 1.5, 1.2, 1.1, 1.3, 1.4, 1.6, 1.7] * 3
    trainer = ScriptedTrainer(losses)
    trainer.train(2)  # 10 checks, only 7 without improvement
    assert not trainer.stopped_early and (trainer.stop_epoch, trainer.stop_step) == (1, 19)
    assert trainer.best_step == 4 and trainer.best_val_loss == 1.0
    assert trainer.model.w[0, 0] == 20


class ScaffoldStyleArrayLoss(ScriptedTrainer):
    """A common student form: train_step returns the loss as a size-1 array, and so does
    validation_step."""
    def train_step(self, X_batch, Y_batch):
        super().train_step(X_batch, Y_batch)
        return np.array([0.5])

    def validation_step(self):
        loss, accuracy_train, accuracy_val = super().validation_step()
        return np.array([loss]), accuracy_train, accuracy_val


def test_losses_returned_as_size_1_arrays_are_stored_as_returned_and_stop_early():
    trainer = ScaffoldStyleArrayLoss([1.0, 0.5] + [0.7] * 20, early_stopping_patience=3)
    train_history, val_history = trainer.train(10)
    assert trainer.stopped_early and trainer.best_step == 2 and trainer.stop_step == 8
    assert trainer.model.w[0, 0] == 3
    assert isinstance(train_history["loss"][0], np.ndarray)
    assert val_history["loss"][2].tolist() == [0.5]


def test_training_again_starts_early_stopping_afresh():
    trainer = ScriptedTrainer([1.0, 2.0, 2.0, 2.0] + [5.0] + [6.0] * 20,
                              early_stopping_patience=3)
    trainer.train(10)
    assert (trainer.best_val_loss, trainer.best_step, trainer.stop_step) == (1.0, 0, 6)
    trainer.train(10)  # the second run's own best is 5.0, though 1.0 was lower before
    assert (trainer.best_val_loss, trainer.best_step, trainer.stop_step) == (5.0, 0, 6)


def test_a_loss_that_is_not_finite_stops_training_with_step_and_learning_rate():
    class Diverging(ScriptedTrainer):
        def train_step(self, X_batch, Y_batch):
            self.model.w[0] += 1
            return math.inf if self.model.w[0, 0] > 3 else 1.0
    with pytest.raises(FloatingPointError, match=r"became inf at step 3 .*learning rate 0.1"):
        Diverging([1.0] * 100).train(5)


def test_a_validation_loss_that_is_not_finite_stops_training_too():
    trainer = ScriptedTrainer([1.0, 0.9, math.nan] + [1.0] * 100)
    with pytest.raises(FloatingPointError, match=r"the validation loss became nan at step 4 "
                                                 r"\(epoch 0\) with learning rate 0.1; lower"):
        trainer.train(5)


class FixedOutputs:
    """A model whose forward returns given outputs, whatever the images."""
    def __init__(self, outputs):
        self.outputs = outputs

    def forward(self, X):
        return self.outputs


def test_accuracies_on_hand_made_outputs():
    outputs = FixedOutputs(np.array([[0.5], [0.49], [0.9], [0.1]]))
    targets = np.array([[1], [1], [0], [0]])
    assert task2.calculate_accuracy(None, targets, outputs) == 0.5  # 0.5 counts as class 1
    probabilities = FixedOutputs(np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0, 1, 0]]))
    targets = np.eye(3)[[0, 1, 1]]
    assert task3.calculate_accuracy(None, targets, probabilities) == pytest.approx(2 / 3)


def test_calculate_accuracy_binary_uses_the_model(small_images):
    model = BinaryModel()  # zero weights: every output is 0.5, so "class 1" everywhere
    targets = np.array([[1], [1], [1], [0], [0], [1]])
    assert task2.calculate_accuracy(small_images, targets, model) == pytest.approx(4 / 6)


def test_calculate_accuracy_softmax_is_argmax_against_one_hot(small_images):
    model = SoftmaxModel(0.0)
    model.w[:, 7] = small_images[0] * 10  # image 0 strongly class 7
    targets = one_hot_encode(np.array([[7], [7], [7], [1], [2], [3]]), 10)
    predictions = model.forward(small_images).argmax(axis=1)
    expected = np.mean(predictions == np.array([7, 7, 7, 1, 2, 3]))
    assert predictions[0] == 7
    assert task3.calculate_accuracy(small_images, targets, model) == expected


def separable_binary_data(rng, n):
    """Images whose class is the sign of pixel 0, other pixels faint noise (preprocessed)."""
    X = rng.uniform(-0.1, 0.1, size=(n, 785))
    X[:, 0] = rng.uniform(-1, 1, size=n)
    X[:, -1] = 1
    return X, (X[:, :1] > 0).astype(np.int64)


def test_logistic_trainer_learns_a_separable_problem(rng):
    X, Y = separable_binary_data(rng, 400)
    model = BinaryModel()
    trainer = task2.LogisticTrainer(model, 0.5, 20, True, X[:300], Y[:300], X[300:], Y[300:])
    _, val_history = trainer.train(20)
    assert val_history["accuracy"][trainer.best_step] > 0.95
    assert task2.calculate_accuracy(X[300:], Y[300:], model) > 0.95


def random_sets(rng, num_outputs, n=60, n_train=40):
    """Preprocessed-looking float64 images and targets, split in training and validation."""
    X = rng.uniform(-1, 1, size=(n, 785))
    X[:, -1] = 1
    labels = rng.integers(0, num_outputs if num_outputs > 1 else 2, size=(n, 1))
    Y = one_hot_encode(labels, num_outputs) if num_outputs > 1 else labels
    return X[:n_train], Y[:n_train], X[n_train:], Y[n_train:]


@pytest.mark.parametrize("ours, scaffold, make_model", [
    (task2.LogisticTrainer, ScaffoldLogisticTrainer, BinaryModel),
    (task3.SoftmaxTrainer, ScaffoldSoftmaxTrainer, lambda: SoftmaxModel(0.0)),
])
def test_our_trainers_train_exactly_as_trainers_written_the_scaffolds_way(
        rng, ours, scaffold, make_model):
    data = random_sets(rng, make_model().w.shape[1])
    runs = []
    for trainer_class in (ours, scaffold):
        model = make_model()
        np.random.seed(4)
        runs.append((trainer_class(model, 0.05, 8, True, *data).train(3), model.w))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    val_accuracy = list(runs[0][0][1]["accuracy"].values())
    assert len(set(val_accuracy)) > 1  # the runs learned something to compare


class RecordingTrainer(ScaffoldLogisticTrainer):
    """The scaffold's trainer, recording each call and the weights at each check."""
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls, self.weights_at_check = [], {}

    def train_step(self, X_batch, Y_batch):
        self.calls.append("step")
        return super().train_step(X_batch, Y_batch)

    def validation_step(self):
        steps_so_far = self.calls.count("step")
        self.calls.append(f"validation after {steps_so_far} steps")
        self.weights_at_check[steps_so_far - 1] = self.model.w.copy()
        return super().validation_step()


def noisy_binary_split(rng):
    X, Y = separable_binary_data(rng, 400)
    Y[:60] = 1 - Y[:60]  # label noise, so the validation loss stops improving
    return X[:300], Y[:300], X[300:], Y[300:]


def test_a_trainer_written_the_scaffolds_way_validates_after_each_checks_step(rng):
    """30 batches an epoch: a check every 6 steps, right after steps 0, 6, 12, ..."""
    trainer = RecordingTrainer(BinaryModel(), 0.5, 10, False, *noisy_binary_split(rng),
                               early_stopping_patience=None)
    train_history, val_history = trainer.train(2)
    expected = []
    for step in range(60):
        expected.append("step")
        if step % 6 == 0:
            expected.append(f"validation after {step + 1} steps")
    assert trainer.calls == expected
    assert list(val_history["loss"]) == list(train_history["accuracy"]) == list(range(0, 60, 6))


def test_a_trainer_written_the_scaffolds_way_stops_early_with_the_best_weights(rng):
    model = BinaryModel()
    np.random.seed(3)
    trainer = RecordingTrainer(model, 2.0, 10, True, *noisy_binary_split(rng),
                               early_stopping_patience=4)
    train_history, val_history = trainer.train(40)
    losses = val_history["loss"]
    best = min(losses, key=losses.get)
    assert trainer.stopped_early and trainer.best_step == best
    assert trainer.best_val_loss == losses[best]
    checks = list(losses)
    assert checks[-1] == trainer.stop_step == checks[checks.index(best) + 4]
    assert max(train_history["loss"]) == trainer.stop_step  # no step after the stop
    assert trainer.stop_epoch == trainer.stop_step // 30 and trainer.best_epoch == best // 30
    np.testing.assert_array_equal(model.w, trainer.weights_at_check[best])
    assert not np.array_equal(model.w, trainer.weights_at_check[trainer.stop_step])


def test_softmax_trainer_is_reproducible_with_numpys_seed_and_differs_without(rng):
    X, labels = rng.uniform(-1, 1, size=(100, 785)), rng.integers(0, 10, size=(100, 1))
    X[:, -1] = 1
    Y = one_hot_encode(labels, 10)
    runs = []
    for seed in (7, 7, 8):
        model = SoftmaxModel(0.1)
        trainer = task3.SoftmaxTrainer(model, 0.05, 10, True, X[:80], Y[:80], X[80:], Y[80:])
        np.random.seed(seed)
        runs.append((trainer.train(3), model.w.copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][1], runs[2][1])
