"""extras.py's pieces on small made-up data sets (no MNIST, no worker processes)."""
import subprocess
import sys

import numpy as np
import pytest

import extras
import utils
from utils import ROOT


@pytest.fixture
def tiny_data(rng, monkeypatch):
    """Made-up preprocessed data sets in extras' worker store: 2 classes (40 images)
    and 10 classes (60 images), each with its own validation set."""
    def images(n):
        X = rng.uniform(-1, 1, size=(n, 785))
        X[:, -1] = 1
        return X
    X_train, X_val = images(40), images(20)
    binary = (X_train, (X_train[:, :1] > 0).astype(int), X_val, (X_val[:, :1] > 0).astype(int))
    X_train, X_val = images(60), images(30)
    softmax = (X_train, np.eye(10)[np.argmax(X_train[:, :10], axis=1)],
               X_val, np.eye(10)[np.argmax(X_val[:, :10], axis=1)])
    monkeypatch.setattr(extras, "_data", {"binary": binary, "softmax": softmax})
    return binary, softmax


def job(**changes):
    return {"kind": "softmax", "learning_rate": 0.1, "batch_size": 8, "num_epochs": 3,
            "shuffle": True, "l2_reg_lambda": 0.0, "seed": 1, "name": "seed", **changes}


def test_help_says_what_it_writes_and_how_long_it_takes():
    result = subprocess.run([sys.executable, "extras.py", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert "Takes " in result.stdout and "writes" in result.stdout
    assert "results/extras.json" in result.stdout


def test_run_settings_take_the_run_own_over_the_file_wide():
    results = {"settings": {"learning_rate": 0.05, "batch_size": 128},
               "runs": {"a": {"settings": {"learning_rate": 0.04}}, "b": {}}}
    assert extras.run_settings(results, "a") == {"learning_rate": 0.04, "batch_size": 128}
    assert extras.run_settings(results, "b") == {"learning_rate": 0.05, "batch_size": 128}


def test_a_run_is_repeated_exactly_by_its_seed_and_changed_by_another(tiny_data):
    first, again, other = extras.train(job()), extras.train(job()), extras.train(job(seed=2))
    assert first["failed"] is None and first["final"] == again["final"]
    assert first["val_history"] == again["val_history"]
    assert first["val_history"] != other["val_history"]
    # 60 images, batches of 8: 7 steps an epoch, a check every 7 // 5 = 1 step
    assert sorted(first["val_history"]["loss"]) == list(range(21))


def test_skipping_the_checks_trains_the_same_weights(tiny_data):
    full, fast = extras.train(job()), extras.train(job(checks=False))
    assert fast["final"] == full["final"] and "val_history" not in fast


def test_a_binary_run_trains_all_epochs(tiny_data):
    run = extras.train(job(kind="binary", shuffle=False, num_epochs=2))
    assert run["failed"] is None and len(run["train_accuracy"]) == 2 * (40 // 8)
    assert set(run["final"]) == {"val_loss", "train_accuracy", "val_accuracy"}


def test_a_diverging_run_is_recorded_not_raised(tiny_data, monkeypatch):
    def blow_up(self, X_batch, Y_batch):
        return float("nan")
    monkeypatch.setattr(extras.task3.SoftmaxTrainer, "train_step", blow_up)
    run = extras.train(job(learning_rate=1e6))
    assert "nan" in run["failed"] and "final" not in run


@pytest.fixture
def few_epsilons(monkeypatch):
    monkeypatch.setattr(extras, "EPSILONS", np.array([1e-1, 1e-2, 1e-3]))


def test_gradient_errors_are_round_off_for_correct_models(tiny_data, few_epsilons):
    for model in ("logistic", "softmax"):
        curve = extras.gradient_errors({"model": model, "start": "course"})
        errors = dict(zip(extras.EPSILONS, curve["relative_errors"]))
        assert errors[1e-3] < 1e-6, (model, errors[1e-3])
        # truncation error O(eps^2): from 1e-1 to 1e-2 it falls about a hundredfold
        assert 30 < errors[1e-1] / errors[1e-2] < 300
        assert curve["largest_abs_logit"] < 1e-3  # the course's start weights: std 1/785^2


def test_gradient_errors_catch_a_wrong_gradient(tiny_data, few_epsilons, monkeypatch):
    original = extras.task3a.SoftmaxModel.backward

    def halved(self, X, outputs, targets):  # a bug: half the gradient
        original(self, X, outputs, targets)
        self.grad = self.grad / 2
    monkeypatch.setattr(extras.task3a.SoftmaxModel, "backward", halved)
    curve = extras.gradient_errors({"model": "softmax", "start": "course"})
    assert min(curve["relative_errors"]) == pytest.approx(1 / 3, rel=1e-3)  # |g/2| / (3|g|/2)


def test_score_lambdas_pairs_each_model_with_lambda_0(tiny_data):
    _, _, X_val, Y_val = tiny_data[1]
    right = np.zeros((785, 10))
    right[:10] = np.eye(10)  # predicts argmax of the first ten pixels: all right
    tests, counts = extras.score_lambdas({"0": right, "1": np.zeros((785, 10))})
    assert counts.trace() == counts.sum() == len(X_val)
    wrong_for_zero = int(np.count_nonzero(Y_val.argmax(axis=1) != 0))
    assert tests["1"]["a_only"] == 0 and tests["1"]["b_only"] == wrong_for_zero


def test_shuffle_summary_uses_checks_after_the_first_epoch():
    val = {"loss": {0: 0.7, 2: 0.3, 4: 0.2, 6: 0.25, 8: 0.1},
           "accuracy": {0: 0.5, 2: 0.9, 4: 0.92, 6: 0.91, 8: 0.95}}
    summary = extras.shuffle_summary({"a": {"final": {}, "val_history": val}}, 4)["a"]
    assert summary["lowest_val_loss"] == {"step": 8, "value": 0.1}
    assert summary["val_loss_changes"]["largest_rises"][0] == pytest.approx(
        {"step": 6, "rise": 0.05})
    assert summary["val_accuracy_changes"]["checks"] == 3


def test_figures_are_written(tmp_path, monkeypatch):
    monkeypatch.setattr(utils, "FIGURES_DIR", tmp_path)
    history = {"loss": {0: 0.2, 31: 0.08, 62: 0.07}, "accuracy": {0: 0.5, 31: 0.97, 62: 0.98}}
    extras.save_shuffle_figure("a.png", {"without_shuffle": {"val_history": history},
                                         "with_shuffle": {"val_history": history}}, 2)
    extras.save_seed_figure("b.png", {"seeds": [0, 1], "val_accuracy": {
        "0": [0.91, 0.92], "0.001": [0.915, 0.918]}})
    final = {"val_accuracy": 0.9, "train_accuracy": 0.91, "val_loss": 0.3}
    extras.save_learning_rate_figure("c.png", [
        {"learning_rate": 0.01, "failed": None, "final": final},
        {"learning_rate": 1.0, "failed": "the loss became nan"}], 0.01, 50)
    extras.save_confusion_figure("d.png", np.arange(100).reshape(10, 10))
    extras.save_gradient_figure("e.png", [0.1, 0.01], [
        {"model": "softmax", "start": "course", "relative_errors": [1e-4, 1e-6]}])
    for name in "abcde":
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
