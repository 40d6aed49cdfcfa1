"""The helpers of extras.py on small hand-made data."""
import numpy as np
import pytest

import extras


def test_confusion_matrix_counts_true_against_predicted():
    counts = extras.confusion_matrix(np.array([0, 1, 1, 2, 9]), np.array([0, 2, 1, 2, 0]))
    assert counts.shape == (10, 10) and counts.sum() == 5
    assert counts[0, 0] == 1 and counts[1, 2] == 1 and counts[1, 1] == 1
    assert counts[2, 2] == 1 and counts[9, 0] == 1


def test_most_confidently_wrong_are_sorted_by_probability(tmp_path):
    probabilities = np.full((6, 10), 0.01)
    # image: predicted class, its probability; images 0, 2 and 5 are wrong
    for image, (predicted, p) in enumerate([(3, 0.7), (1, 0.9), (4, 0.95), (2, 0.5),
                                            (5, 0.6), (6, 0.8)]):
        probabilities[image, predicted] = p
    true = np.array([0, 1, 0, 2, 5, 0])
    wrong = extras.save_misclassified_figure(tmp_path / "wrong.png", np.zeros((6, 784)), true,
                                             probabilities, count=4)
    assert [w["index"] for w in wrong] == [2, 5, 0]
    assert [(w["true"], w["predicted"]) for w in wrong] == [(0, 4), (0, 6), (0, 3)]
    assert (tmp_path / "wrong.png").stat().st_size > 0


def test_calibration_bins_accuracy_and_expected_error_by_hand():
    # four images: probabilities of the predicted class 0.6, 0.6, 0.95, 0.995
    probabilities = np.full((4, 10), 0.0)
    for image, p in enumerate([0.6, 0.6, 0.95, 0.995]):
        probabilities[image, 0] = p
        probabilities[image, 1] = 1 - p
    true = np.array([0, 1, 0, 0])  # image 1 is wrong
    result = extras.calibration(probabilities, true)
    assert [(b["low"], b["count"], b["accuracy"]) for b in result["bins"]] == [
        (0.5, 2, 0.5), (0.9, 1, 1.0), (0.99, 1, 1.0)]
    expected = (2 * abs(0.5 - 0.6) + abs(1 - 0.95) + abs(1 - 0.995)) / 4
    assert result["expected_calibration_error"] == pytest.approx(expected)


def test_blank_pixels_weights_equal_minus_the_bias():
    X = np.zeros((3, 784), dtype=np.uint8)
    X[:, 5] = [0, 10, 255]  # every pixel but 5 is blank in all images
    w = np.zeros((785, 10))
    w[784] = np.arange(10)
    w[:784] = -w[784]
    w[5] = 7.0
    result = extras.blank_pixels(X, {"0": w, "1": w, "0.1": w})
    assert result["count"] == 783 and set(result["models"]) == {"0", "1"}
    assert result["models"]["0"]["largest_distance_from_minus_bias"] == 0.0


def test_sklearn_reference_is_deterministic_and_keeps_times_apart(rng):
    X = rng.uniform(-1, 1, size=(60, 785))
    X[:, -1] = 1
    labels = (X[:, 0] > 0).astype(int) + 2 * (X[:, 1] > 0)
    Y = np.eye(10)[labels]
    binary = X, (labels[:, None] % 2), X, (labels[:, None] % 2)
    ours = {"10 digits": np.ones(60, bool), "2 vs 3": np.ones(60, bool)}
    first, seconds = extras.sklearn_reference((X, Y, X, Y), binary, ours)
    again, _ = extras.sklearn_reference((X, Y, X, Y), binary, ours)
    assert first == again and len(seconds) == 2 * len(extras.SKLEARN_C)
    assert all("seconds" not in run for run in first["runs"])
    run = first["runs"][0]
    assert run["equivalent_lambda"] == pytest.approx(1 / (2 * run["C"] * 60))
    assert run["converged"] and run["against_ours"]["a_only"] == 0
