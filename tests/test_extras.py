"""The helpers of extras.py on small hand-made data."""
import numpy as np

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
