"""The statistics the report quotes, on hand-made histories and predictions: the paired
test, the spread over the last epochs, the task 2e curve summary and the task 3d gap."""
import math

import numpy as np
import pytest

import task2
import task3
import task4


def test_mcnemar_exact_p_value_by_hand():
    a = np.array([True] * 5 + [False] * 16 + [True] * 100)
    b = np.array([False] * 5 + [True] * 16 + [True] * 100)
    test = task4.paired_comparison(a, b)
    expected = 2 * sum(math.comb(21, k) for k in range(6)) / 2**21
    assert (test["a_only"], test["b_only"]) == (5, 16)
    assert test["p_value"] == pytest.approx(expected) == pytest.approx(0.0266, abs=1e-4)
    assert task4.paired_comparison(b, a)["p_value"] == test["p_value"]


def test_mcnemar_of_identical_predictions_is_1():
    same = np.array([True, False, True])
    assert task4.paired_comparison(same, same) == {"a_only": 0, "b_only": 0, "p_value": 1.0}


def test_last_epochs_accuracy_uses_the_checks_of_the_last_five_epochs():
    # 10 steps an epoch, a check every 2 steps, 8 epochs: the last five are epochs 3..7
    history = {step: float(step >= 30) for step in range(0, 80, 2)}
    result = task4.last_epochs_accuracy({"accuracy": history}, 10)
    assert result["last_epochs_checks"] == 25
    assert result["last_epochs_val_accuracy_mean"] == 1.0
    assert result["last_epochs_val_accuracy_min"] == 1.0


def test_curve_summary_finds_the_rises_after_the_first_epoch():
    loss = {0: 1.0, 2: 0.5, 4: 0.9, 6: 0.4, 8: 0.45, 10: 0.3, 12: 0.6, 14: 0.2}
    accuracy = {step: 0.5 for step in loss}
    summary = task2.curve_summary({"loss": loss, "accuracy": accuracy}, 5, count=2)
    # changes at steps 6..14 (after the first epoch of 5 steps): -.5, .05, -.15, .3, -.4
    assert summary["largest_val_loss_rise_steps"] == [8, 12]
    assert summary["largest_val_loss_rise_batch_in_epoch"] == [3, 2]
    assert summary["largest_val_loss_rise"] == pytest.approx(0.3)
    assert (summary["lowest_val_loss"], summary["lowest_val_loss_step"]) == (0.2, 14)
    assert summary["checks_compared"] == 5 and summary["val_accuracy_change_std"] == 0


def test_accuracy_gap_by_windows_of_epochs():
    steps = range(0, 40, 2)  # 10 steps an epoch, 4 epochs
    train = {"accuracy": {step: 0.9 for step in steps}}
    val = {"accuracy": {step: 0.92 if step < 20 else 0.85 for step in steps}}
    result = task3.accuracy_gap(train, val, 10, epochs_per_window=2)
    assert [w["mean_gap"] for w in result["accuracy_gap_windows"]] == pytest.approx(
        [-0.02, 0.05])
    assert result["last_step_val_accuracy_above_train"] == 18
