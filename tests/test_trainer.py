"""The training loop: validation schedule, early stopping, accuracy functions, the fast
evaluation path and the end-to-end trainers on small made-up data."""
import math

import numpy as np
import pytest

import task2
import task3
from task2a import BinaryModel
from task3a import SoftmaxModel, one_hot_encode
from trainer import BaseTrainer, EvaluationInputs


class CountingModel:
    """w[0] counts the gradient steps taken, so restored weights show which step."""
    def __init__(self):
        self.w = np.zeros((3, 1))

    def activation(self, logits):
        return logits


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


def test_a_loss_that_is_not_finite_stops_training_with_step_and_learning_rate():
    class Diverging(ScriptedTrainer):
        def train_step(self, X_batch, Y_batch):
            self.model.w[0] += 1
            return math.inf if self.model.w[0, 0] > 3 else 1.0
    with pytest.raises(FloatingPointError, match=r"became inf at step 3 .*learning rate 0.1"):
        Diverging([1.0] * 100).train(5)


def test_evaluation_inputs_give_the_logits_x_times_w(rng):
    A = rng.uniform(-1, 1, size=(7, 6))
    B = rng.uniform(-1, 1, size=(4, 6))
    A[:, [1, 5]] = -1.0  # constant columns are folded into one term
    B[:, [1, 5]] = -1.0
    A[:, 3] = B[:, 3] = 1.0
    w = rng.normal(size=(6, 3))
    logits_a, logits_b = EvaluationInputs(A, B).logits(w)
    np.testing.assert_allclose(logits_a, A @ w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(logits_b, B @ w, rtol=1e-5, atol=1e-5)


def test_binary_accuracy_on_hand_made_cases():
    outputs = np.array([[0.5], [0.49], [0.9], [0.1]])
    targets = np.array([[1], [1], [0], [0]])
    assert task2.binary_accuracy(outputs, targets) == 0.5  # 0.5 counts as class 1


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


def test_validation_step_matches_the_plain_float64_computation(rng):
    X, labels = rng.uniform(-1, 1, size=(60, 785)), rng.integers(0, 10, size=(60, 1))
    X[:, -1] = 1
    Y = one_hot_encode(labels, 10)
    model = SoftmaxModel(0.0)
    model.w = rng.normal(0, 0.1, size=(785, 10))
    trainer = task3.SoftmaxTrainer(model, 0.01, 8, False, X[:40], Y[:40], X[40:], Y[40:])
    val_loss, train_accuracy, val_accuracy = trainer.validation_step()
    from task3a import cross_entropy_loss
    assert val_loss == pytest.approx(cross_entropy_loss(Y[40:], model.forward(X[40:])),
                                     rel=1e-5)
    assert train_accuracy == task3.calculate_accuracy(X[:40], Y[:40], model)
    assert val_accuracy == task3.calculate_accuracy(X[40:], Y[40:], model)


def test_softmax_trainer_is_reproducible_with_its_seed(rng):
    X, labels = rng.uniform(-1, 1, size=(100, 785)), rng.integers(0, 10, size=(100, 1))
    X[:, -1] = 1
    Y = one_hot_encode(labels, 10)
    runs = []
    for _ in range(2):
        model = SoftmaxModel(0.1)
        trainer = task3.SoftmaxTrainer(model, 0.05, 10, True, X[:80], Y[:80], X[80:], Y[80:],
                                       seed=7)
        runs.append((trainer.train(3), model.w.copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
