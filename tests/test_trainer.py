"""trainer.BaseTrainer: the course's loop (validation at step 0 and every fifth of an
epoch), early stopping (task 2d) with the best weights returned, and the trainers of
task2.py and task3.py, including ones written the scaffold's way."""
import numpy as np
import pytest

import task2
import task2a
import task3
import task3a
from conftest import separable
from trainer import BaseTrainer


class Scripted(BaseTrainer):
    """Each step adds 1 to every weight; the validation losses are given in advance."""

    def __init__(self, val_losses, n=40, batch_size=4, **kwargs):
        X, Y = np.zeros((n, 785)), np.zeros((n, 1))
        super().__init__(task2a.BinaryModel(), 0.1, batch_size, False, X, Y, X, Y, **kwargs)
        self.val_losses = iter(val_losses)

    def train_step(self, X_batch, Y_batch):
        self.model.w = self.model.w + 1
        return 0.25

    def validation_step(self):
        return next(self.val_losses), 0.5, 0.75


def test_validation_runs_at_step_0_and_every_fifth_of_an_epoch():
    trainer = Scripted(iter(np.linspace(1, 0, 100)), n=43, batch_size=4)  # 10 batches
    train_history, val_history = trainer.train(3)
    assert list(train_history["loss"]) == list(range(30))
    assert list(val_history["loss"]) == list(range(0, 30, 2))
    assert list(train_history["accuracy"]) == list(val_history["accuracy"])
    assert set(train_history["accuracy"].values()) == {0.5}
    assert set(val_history["accuracy"].values()) == {0.75}


def test_early_stopping_after_10_checks_without_improvement_returns_the_best_weights(capsys):
    losses = [5, 4, 3, 2, 1, 1.5, 1, 1.2] + [1.1] * 50  # lowest 1 at check 4, equalled at 6
    trainer = Scripted(losses)  # 10 batches an epoch: checks every 2 steps
    train_history, val_history = trainer.train(100)
    assert max(train_history["loss"]) == 28  # check 14 = step 28: 10 checks after check 4
    assert list(val_history["loss"])[-1] == 28
    assert np.all(trainer.model.w == 9)  # the weights after step 8, the check of the best
    assert trainer.early_stop_epoch == 2
    assert "Early stopping kicked in at step 28, during epoch 3 of 100" in capsys.readouterr().out


def test_without_patience_every_epoch_runs_and_the_last_weights_stay():
    trainer = Scripted([1] + [2] * 100, early_stopping_patience=None)
    train_history, _ = trainer.train(5)
    assert max(train_history["loss"]) == 49
    assert np.all(trainer.model.w == 50) and trainer.early_stop_epoch is None


def test_another_patience_counts_checks():
    trainer = Scripted([3, 2] + [2.5] * 100, early_stopping_patience=3)
    train_history, _ = trainer.train(10)
    assert max(train_history["loss"]) == 8  # checks 0, 2, 4, 6, 8: the best at 2, three after


def test_training_again_starts_early_stopping_afresh():
    trainer = Scripted([1] * 11 + [5, 4] + [4.5] * 100)
    first, _ = trainer.train(100)
    second, _ = trainer.train(100)
    assert max(first["loss"]) == 20 and max(second["loss"]) == 22


def test_too_few_batches_for_five_checks_an_epoch_is_refused():
    with pytest.raises(AssertionError, match="make 4 batches of 4, fewer than the 5"):
        Scripted([1], n=19).train(1)


def test_accuracies_on_hand_made_outputs():
    class Given:
        def __init__(self, outputs):
            self.outputs = outputs

        def forward(self, X):
            return self.outputs
    binary = Given(np.array([[0.5], [0.49], [0.9], [0.1]]))
    assert task2.calculate_accuracy(None, np.array([[1], [1], [0], [0]], np.uint8),
                                    binary) == 0.5
    softmax = Given(np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]]))
    assert task3.calculate_accuracy(None, np.eye(3)[[1, 1, 2]], softmax) == pytest.approx(2 / 3)


@pytest.mark.parametrize("trainer_class, model, num_outputs", [
    (task2.LogisticTrainer, task2a.BinaryModel, 1),
    (task3.SoftmaxTrainer, lambda: task3a.SoftmaxModel(0.0), 10)])
def test_the_trainers_learn_a_separable_problem(rng, trainer_class, model, num_outputs):
    X, Y = separable(rng, 400, num_outputs)
    trainer = trainer_class(model(), 0.5, 20, True, X[:300], Y[:300], X[300:], Y[300:])
    train_history, val_history = trainer.train(20)
    assert list(val_history["accuracy"].values())[-1] >= 0.95
    assert train_history["loss"][0] == pytest.approx(np.log(max(num_outputs, 2)), rel=1e-12)


class ScaffoldSoftmaxTrainer(BaseTrainer):
    """A trainer written the scaffold's way: the update in place on the model's weights."""

    def train_step(self, X_batch, Y_batch):
        outputs = self.model.forward(X_batch)
        self.model.backward(X_batch, outputs, Y_batch)
        self.model.w -= self.learning_rate * self.model.grad
        return task3a.cross_entropy_loss(Y_batch, outputs)

    def validation_step(self):
        loss = task3a.cross_entropy_loss(self.Y_val, self.model.forward(self.X_val))
        return (loss, task3.calculate_accuracy(self.X_train, self.Y_train, self.model),
                task3.calculate_accuracy(self.X_val, self.Y_val, self.model))


def test_a_trainer_updating_in_place_trains_as_ours_and_stops_with_the_best_weights(rng):
    X, Y = separable(rng, 300, 10)
    Y_val = np.roll(Y[200:], 1, axis=0)  # validation labels that disagree: the loss rises
    runs = []
    for trainer_class in (task3.SoftmaxTrainer, ScaffoldSoftmaxTrainer):
        np.random.seed(3)
        model = task3a.SoftmaxModel(0.0)
        trainer = trainer_class(model, 0.5, 20, True, X[:200], Y[:200], X[200:], Y_val)
        histories = trainer.train(50)
        runs.append((histories, model.w, trainer.early_stop_epoch))
    (ours, w_ours, stop_ours), (scaffold, w_scaffold, stop_scaffold) = runs
    assert stop_ours is not None and stop_ours == stop_scaffold
    assert ours == scaffold and np.array_equal(w_ours, w_scaffold)
    losses = ours[1]["loss"]
    best = min(losses, key=losses.get)
    model = task3a.SoftmaxModel(0.0)
    model.w = w_scaffold
    assert task3a.cross_entropy_loss(Y_val, model.forward(X[200:])) == losses[best]


def test_the_seed_repeats_a_shuffled_run_and_another_seed_changes_it(rng):
    X, Y = separable(rng, 200, 10)
    weights = []
    for seed in (5, 5, 6):
        np.random.seed(seed)
        model = task3a.SoftmaxModel(0.0)
        task3.SoftmaxTrainer(model, 0.1, 20, True, X, Y, X, Y,
                             early_stopping_patience=None).train(2)
        weights.append(model.w)
    assert np.array_equal(weights[0], weights[1])
    assert not np.array_equal(weights[0], weights[2])


def test_early_stopping_only_ends_a_run_without_shuffling(rng):
    """Up to its stop, a run with early stopping is step for step the run without it (so
    the report's task 2.b figures, of the early-stopped run, are the start of 2.b's run)."""
    X, Y = separable(rng, 300, 1)
    Y_val = 1 - Y[200:]  # validation labels that disagree: the loss rises, training stops
    runs = []
    for patience in (10, None):
        trainer = task2.LogisticTrainer(task2a.BinaryModel(), 0.5, 20, False, X[:200], Y[:200],
                                        X[200:], Y_val, early_stopping_patience=patience)
        runs.append(trainer.train(30))
    (stopped, stopped_val), (whole, whole_val) = runs
    assert max(stopped["loss"]) < max(whole["loss"])
    for part, history in ((stopped, whole), (stopped_val, whole_val)):
        for key in ("loss", "accuracy"):
            assert part[key] == {step: history[key][step] for step in part[key]}
