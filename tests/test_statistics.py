"""analysis.py, the statistics the report quotes, on small made-up data with values worked
out by hand."""
import math

import numpy as np
import pytest

import analysis


def test_curve_sorts_json_string_steps_as_numbers():
    steps, values = analysis.curve({"10": 0.5, "2": 0.7, "0": 0.9})
    assert steps.tolist() == [0, 2, 10] and values.tolist() == [0.9, 0.7, 0.5]


def test_mcnemar_exact_p_value_by_hand():
    # 5 images only a gets right, 16 only b, 100 both
    a = np.array([True] * 5 + [False] * 16 + [True] * 100)
    b = np.array([False] * 5 + [True] * 16 + [True] * 100)
    test = analysis.mcnemar(a, b)
    # P(X <= 5) for X ~ Bin(21, 1/2) = (1 + 21 + 210 + 1330 + 5985 + 20349) / 2^21
    assert (test["a_only"], test["b_only"]) == (5, 16)
    assert test["p_value"] == pytest.approx(2 * 27896 / 2**21)
    assert analysis.mcnemar(b, a)["p_value"] == test["p_value"]


def test_mcnemar_small_cases():
    # one discordant image: p = 2 * 1/2 = 1; three against none: 2 * 1/8 = 0.25
    assert analysis.mcnemar([True, True], [False, True])["p_value"] == 1.0
    assert analysis.mcnemar([True] * 3, [False] * 3)["p_value"] == 0.25
    assert analysis.mcnemar([True, False], [True, False]) == {"a_only": 0, "b_only": 0,
                                                             "p_value": 1.0}


def test_mcnemar_of_many_images_stays_finite():
    a = np.r_[np.ones(700, bool), np.zeros(900, bool)]
    test = analysis.mcnemar(a, ~a)
    assert 0 < test["p_value"] < 1e-5


def test_last_epochs_keeps_the_checks_of_the_last_epochs():
    # 10 steps an epoch, a check every 5 steps, 4 epochs: the last two epochs are steps 20..35
    history = {str(step): value for step, value in zip(
        range(0, 40, 5), [0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 0.6, 0.8])}
    result = analysis.last_epochs(history, steps_per_epoch=10, epochs=2, num_epochs=4)
    assert result["checks"] == 4
    assert result["mean"] == pytest.approx(0.7)
    # deviations +-0.1, ddof=1: sqrt(4 * 0.01 / 3)
    assert result["std"] == pytest.approx(math.sqrt(0.04 / 3))
    assert (result["min"], result["max"]) == (0.6, 0.8)


def test_check_changes_after_the_first_epoch():
    loss = {0: 1.0, 2: 0.5, 4: 0.9, 6: 0.4, 8: 0.45, 10: 0.3, 12: 0.6, 14: 0.2}
    result = analysis.check_changes(loss, first_step=4, count=2)
    # from step 4: changes -0.5, +0.05, -0.15, +0.3, -0.4
    assert result["checks"] == 6
    assert [r["step"] for r in result["largest_rises"]] == [12, 8]
    assert [r["rise"] for r in result["largest_rises"]] == pytest.approx([0.3, 0.05])
    changes = np.array([-0.5, 0.05, -0.15, 0.3, -0.4])
    assert result["change_std"] == pytest.approx(changes.std(ddof=1))


def test_lowest_takes_the_first_of_equal_values():
    assert analysis.lowest({"0": 0.5, "3": 0.2, "6": 0.2, "9": 0.4}) == {"step": 3,
                                                                         "value": 0.2}


def test_accuracy_gap_by_windows_of_epochs():
    steps = range(0, 40, 2)  # 10 steps an epoch, 4 epochs
    train = {step: 0.9 for step in steps}
    val = {step: 0.92 if step < 20 else 0.85 for step in steps}
    windows = analysis.accuracy_gap_windows(train, val, 10, epochs_per_window=2)
    assert [(w["first_epoch"], w["last_epoch"], w["checks"]) for w in windows] == [
        (1, 2, 10), (3, 4, 10)]
    assert [w["mean_gap"] for w in windows] == pytest.approx([-0.02, 0.05])


def test_accuracy_gap_needs_the_same_checks():
    with pytest.raises(AssertionError, match="different checks"):
        analysis.accuracy_gap_windows({0: 1.0}, {1: 1.0}, 10, 1)


def test_relative_error_by_hand():
    # |a - n| = |(0, 1)| = 1, |a| = 5, |n| = |(3, 5)| = sqrt(34)
    error = analysis.relative_error(np.array([3.0, 4.0]), np.array([3.0, 5.0]))
    assert error == pytest.approx(1 / (5 + math.sqrt(34)))
    assert analysis.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert analysis.relative_error(np.ones(2), -np.ones(2)) == 1.0


def test_numerical_gradient_of_a_cubic():
    # cost = sum(w^3): the central difference is 3 w^2 + eps^2, exactly, per entry
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    before = w.copy()
    gradient = analysis.numerical_gradient(lambda v: float(np.sum(v**3)), w, 0.1)
    assert gradient == pytest.approx(3 * before**2 + 0.01)
    assert np.array_equal(w, before)  # unchanged


def test_paired_differences_by_hand():
    result = analysis.paired_differences([0.92, 0.91, 0.93], [0.91, 0.91, 0.91])
    assert result["differences"] == pytest.approx([0.01, 0.0, 0.02])
    assert result["mean"] == pytest.approx(0.01)
    assert result["std"] == pytest.approx(0.01)  # deviations -0.01, 0.0, 0.01 over n - 1 = 2
    assert result["standard_error"] == pytest.approx(0.01 / math.sqrt(3))


def test_confusion_matrix_counts_true_against_predicted():
    counts = analysis.confusion_matrix(np.array([0, 1, 1, 2, 9]), np.array([0, 2, 1, 2, 0]))
    assert counts.shape == (10, 10) and counts.sum() == 5
    assert counts[0, 0] == counts[1, 2] == counts[1, 1] == counts[2, 2] == counts[9, 0] == 1
