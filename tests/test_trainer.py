"""The training loop: validation schedule, early stopping, accuracy functions, the fast
evaluation path and the end-to-end trainers on small made-up data."""
import math

import numpy as np
import pytest

import task2
import task3
import utils
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
    """train_step counts; validation_steps returns scripted validation losses."""
    def __init__(self, val_losses, num_train=10, batch_size=1, **kwargs):
        X = np.zeros((num_train, 3))
        Y = np.zeros((num_train, 1))
        super().__init__(CountingModel(), 0.1, batch_size, False, X, Y, X, Y, **kwargs)
        self.val_losses = iter(val_losses)

    def train_step(self, X_batch, Y_batch):
        self.model.w[0] += 1
        return 0.0

    def validation_steps(self, weights):
        return [(next(self.val_losses), 0.0, 0.0) for _ in weights]


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


def test_evaluation_inputs_give_the_logits_x_times_w_for_several_weights(rng):
    A = rng.uniform(-1, 1, size=(7, 6))
    B = rng.uniform(-1, 1, size=(4, 6))
    A[:, [1, 5]] = -1.0  # constant columns are folded into one term
    B[:, [1, 5]] = -1.0
    A[:, 3] = B[:, 3] = 1.0
    weights = [rng.normal(size=(6, 3)) for _ in range(5)]
    logits_a, logits_b = EvaluationInputs(A, B).logits(weights)
    assert logits_a.shape == (5, 3, 7) and logits_b.shape == (5, 3, 4)
    for g, w in enumerate(weights):
        np.testing.assert_allclose(logits_a[g], (A @ w).T, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(logits_b[g], (B @ w).T, rtol=1e-5, atol=1e-5)


def test_validation_runs_in_a_second_thread_and_blas_on_one_thread_in_each():
    import threading
    import trainer as trainer_module
    seen = {"step": set(), "validation": set()}

    def where():
        return (threading.get_ident(),
                *sorted({library["num_threads"] for library in trainer_module.BLAS.info()}))

    class Recording(ScriptedTrainer):
        def train_step(self, X_batch, Y_batch):
            seen["step"].add(where())
            return super().train_step(X_batch, Y_batch)

        def validation_steps(self, weights):
            seen["validation"].add(where())
            return super().validation_steps(weights)

    if not trainer_module.BLAS.info():
        pytest.skip("NumPy reports no BLAS library here")
    with trainer_module.BLAS.limit(limits=2):
        Recording([1.0] * 100, early_stopping_patience=None).train(3)
        assert where()[1:] == (2,)  # restored afterwards
    (step_thread, step_blas), = seen["step"]
    (validation_thread, validation_blas), = seen["validation"]
    assert step_thread == threading.get_ident() != validation_thread
    assert step_blas == validation_blas == 1


def test_a_loss_that_is_not_finite_after_an_early_stop_does_not_raise():
    """Checks wait to be evaluated in passes; training that had already stopped early
    at one of them ends normally, even if a later, speculative step diverges."""
    class DivergingAfterStop(ScriptedTrainer):
        def train_step(self, X_batch, Y_batch):
            self.model.w[0] += 1
            return math.inf if self.model.w[0, 0] > 30 else 1.0
    trainer = DivergingAfterStop([1.0] + [2.0] * 100, num_train=10, batch_size=1)
    train_history, val_history = trainer.train(10)
    assert trainer.stopped_early and trainer.stop_step == 20 and trainer.best_step == 0
    assert max(train_history["loss"]) == 20 and max(val_history["loss"]) == 20
    assert trainer.model.w[0, 0] == 1


def train_checking_at_once(trainer, num_epochs, patience, seed):
    """The oracle: the plain loop, validating at every check before the next step."""
    steps_per_check = max(1, len(trainer.X_train) // trainer.batch_size // 5)
    rng = np.random.default_rng(seed)
    losses, checks, best_loss, best_w, without_improvement = {}, {}, math.inf, None, 0
    for epoch in range(num_epochs):
        for X_batch, Y_batch in utils.batch_loader(trainer.X_train, trainer.Y_train,
                                                   trainer.batch_size, shuffle=True, rng=rng):
            step = len(losses)
            losses[step] = trainer.train_step(X_batch, Y_batch)
            if step % steps_per_check == 0:
                checks[step] = trainer.validation_step()
                if checks[step][0] < best_loss:
                    best_loss, best_w = checks[step][0], trainer.model.w.copy()
                    without_improvement = 0
                else:
                    without_improvement += 1
                if without_improvement == patience:
                    return losses, checks, step, best_w, rng.random()
    raise AssertionError("the oracle run did not stop early; change the test data")


@pytest.mark.parametrize("checks_per_pass", [1, 3, 16])
def test_checks_evaluated_in_passes_give_the_results_of_checking_at_once(rng, checks_per_pass):
    """Training runs ahead while the worker evaluates; early stopping falls inside a pass,
    and the trainer goes back to that check: the plain loop is the oracle."""
    X, Y = separable_binary_data(rng, 400)
    Y[:60] = 1 - Y[:60]  # label noise, so the validation loss stops improving
    data = X[:300], Y[:300], X[300:], Y[300:]
    oracle = task2.LogisticTrainer(BinaryModel(), 2.0, 10, True, *data)
    losses, checks, stop_step, best_w, next_random = train_checking_at_once(oracle, 40, 4, 3)

    model = BinaryModel()
    trainer = task2.LogisticTrainer(model, 2.0, 10, True, *data, early_stopping_patience=4,
                                    seed=3)
    trainer.checks_per_pass = checks_per_pass
    train_history, val_history = trainer.train(40)
    assert trainer.stopped_early and trainer.stop_step == stop_step
    assert train_history["loss"] == losses  # the same steps, and none after the stop
    assert list(val_history["loss"]) == list(train_history["accuracy"]) == list(checks)
    # BLAS may round a product of another shape differently in the last float32 bit
    for i, history in enumerate((val_history["loss"], train_history["accuracy"],
                                 val_history["accuracy"])):
        assert list(history.values()) == pytest.approx([c[i] for c in checks.values()],
                                                       rel=1e-5)
    np.testing.assert_array_equal(model.w, best_w)
    assert trainer.rng.random() == next_random  # the shuffling goes on from the stop


def test_accuracy_of_logits_is_argmax_accuracy_also_with_ties_and_nan():
    logits = np.array([[1.0, 2.0, 0.5, 3.0, np.nan],
                       [2.0, 2.0, 0.5, 1.0, 1.0],
                       [0.0, 1.0, 0.5, 3.0, 2.0]], dtype=np.float32)
    for labels in ([1, 0, 0, 0, 0], [1, 1, 1, 2, 0], [0, 0, 2, 0, 1]):
        labels = np.array(labels)
        expected = np.mean(logits.argmax(axis=0) == labels)
        assert task3.accuracy_of_logits(logits, labels) == expected
    no_ties = logits[:, :1]  # column 0: class 1 is the largest, no tie
    assert task3.accuracy_of_logits(no_ties, np.array([1])) == 1.0
    assert task3.accuracy_of_logits(no_ties, np.array([2])) == 0.0


def test_cross_entropy_of_logits_is_equation_5_of_the_softmax(rng):
    logits = rng.normal(0, 3, size=(10, 50))
    labels = rng.integers(0, 10, size=50)
    from task3a import cross_entropy_loss, softmax
    expected = cross_entropy_loss(one_hot_encode(labels, 10), softmax(logits.T))
    assert task3.cross_entropy_of_logits(logits, labels) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_of_logits_stays_exact_for_extreme_logits():
    logits = np.array([[1e4, -1e4], [0.0, 0.0]], dtype=np.float32)  # 2 classes, 2 images
    # image 0: labelled class 1 with logit 1e4 below the other; image 1: sure and right
    assert task3.cross_entropy_of_logits(logits, np.array([1, 1])) == pytest.approx(5e3)


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
    """The graded validation_step (one check, through the batched path) against the
    obvious computation with forward, cross_entropy_loss and calculate_accuracy."""
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
