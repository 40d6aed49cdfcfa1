"""The statistics the report quotes, computed from histories and predictions (not graded,
not in the submission zip).

A history is what BaseTrainer.train returns, or its JSON form: {"loss": {step: value},
"accuracy": {step: value}}, where a step may be an int or, read back from results/*.json,
a string. Every function here is pure: it reads its arguments and returns new values.
"""
import math
from typing import Callable

import numpy as np


def curve(history: dict) -> tuple[np.ndarray, np.ndarray]:
    """A {step: value} dict as (steps, values) arrays sorted by step; JSON's string keys
    become ints."""
    pairs = sorted((int(step), float(value)) for step, value in history.items())
    steps, values = zip(*pairs) if pairs else ((), ())
    return np.array(steps, dtype=int), np.array(values, dtype=float)


def mcnemar(a_correct: np.ndarray, b_correct: np.ndarray) -> dict:
    """McNemar's exact test for two classifiers scored on the same images.

    Only the discordant images tell the models apart: a_only (right for a, wrong for b)
    and b_only. If both models were equally good, each discordant image would go either
    way with probability 1/2, so a_only ~ Binomial(a_only + b_only, 1/2). The two-sided
    p-value is the probability of a split at least as uneven as the one seen.

    Args:
        a_correct, b_correct: booleans [N], whether each model gets each image right
    Returns:
        {"a_only": int, "b_only": int, "p_value": float}
    """
    a_correct, b_correct = np.asarray(a_correct, bool), np.asarray(b_correct, bool)
    assert a_correct.shape == b_correct.shape, \
        f"a_correct has shape {a_correct.shape}, b_correct {b_correct.shape}"
    a_only = int(np.count_nonzero(a_correct & ~b_correct))
    b_only = int(np.count_nonzero(~a_correct & b_correct))
    n = a_only + b_only
    tail = sum(math.comb(n, k) for k in range(min(a_only, b_only) + 1))
    # exact integers: 2 * tail / 2**n, at most 1 (the split n/2 : n/2 counts twice)
    p_value = min(1.0, 2 * tail / 2**n)
    return {"a_only": a_only, "b_only": b_only, "p_value": p_value}


def last_epochs(history: dict, steps_per_epoch: int, epochs: int, num_epochs: int) -> dict:
    """The validation checks of the last `epochs` epochs of a run of num_epochs epochs:
    how many, their mean and their standard deviation (ddof=1; check to check, not a
    standard error), lowest and highest.

    Args:
        history: {step: value}, e.g. val_history["accuracy"]
    """
    steps, values = curve(history)
    window = values[steps >= (num_epochs - epochs) * steps_per_epoch]
    return {"checks": len(window), "mean": float(window.mean()),
            "std": float(window.std(ddof=1)), "min": float(window.min()),
            "max": float(window.max())}


def check_changes(history: dict, first_step: int, count: int = 5) -> dict:
    """How a validation curve moves from one check to the next, from first_step on (so
    that the fast fall of the first epoch does not dominate).

    Returns:
        checks: how many checks from first_step on; change_std: the standard deviation
        (ddof=1) of the changes between consecutive checks; largest_rises: the `count`
        largest increases, largest first, as {"step": the check after the rise, "rise"}
    """
    steps, values = curve(history)
    keep = steps >= first_step
    steps, values = steps[keep], values[keep]
    changes = np.diff(values)
    order = np.argsort(-changes, kind="stable")[:count]
    return {"checks": len(steps), "change_std": float(changes.std(ddof=1)),
            "largest_rises": [{"step": int(steps[i + 1]), "rise": float(changes[i])}
                              for i in order]}


def lowest(history: dict) -> dict:
    """The lowest value of a {step: value} curve and the first step where it occurs."""
    steps, values = curve(history)
    i = int(np.argmin(values))
    return {"step": int(steps[i]), "value": float(values[i])}


def accuracy_gap_windows(train_accuracy: dict, val_accuracy: dict, steps_per_epoch: int,
                         epochs_per_window: int) -> list[dict]:
    """The training minus the validation accuracy, averaged over the checks of each window
    of epochs (epochs 1..k, k+1..2k, ..., counted from 1). Both dicts must hold the same
    check steps.

    Returns:
        [{"first_epoch", "last_epoch", "mean_gap", "checks"}] in order
    """
    train_steps, train = curve(train_accuracy)
    val_steps, val = curve(val_accuracy)
    assert np.array_equal(train_steps, val_steps), "the two curves have different checks"
    window = train_steps // (steps_per_epoch * epochs_per_window)
    return [{"first_epoch": int(w * epochs_per_window + 1),
             "last_epoch": int((w + 1) * epochs_per_window),
             "mean_gap": float(np.mean(train[window == w] - val[window == w])),
             "checks": int(np.count_nonzero(window == w))}
            for w in np.unique(window)]


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||) over all entries: scale-free, so that round-off (about
    1e-8 and below with float64) is told apart from a wrong gradient (of order 1). Zero
    when both are zero."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numerical)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numerical) / denominator)


def numerical_gradient(cost: Callable[[np.ndarray], float], w: np.ndarray,
                       epsilon: float) -> np.ndarray:
    """The central difference (cost(w + eps e_i) - cost(w - eps e_i)) / (2 eps) for every
    entry i of w (equation 11 of the assignment). w is left unchanged.

    Args:
        cost: the cost as a function of the weights
        w: the weights at which to differentiate, any shape
    Returns:
        an array of w's shape
    """
    w = np.array(w, dtype=float)  # a private copy, changed one entry at a time
    gradient = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        original = w[index]
        w[index] = original + epsilon
        plus = cost(w)
        w[index] = original - epsilon
        minus = cost(w)
        w[index] = original
        gradient[index] = (plus - minus) / (2 * epsilon)
    return gradient


def paired_differences(a: list[float], b: list[float]) -> dict:
    """a[i] - b[i] for runs paired by seed: the differences, their mean, the standard
    deviation (ddof=1) and the standard error of the mean (std / sqrt(n))."""
    differences = np.asarray(a, float) - np.asarray(b, float)
    assert differences.size >= 2, "need at least two pairs"
    std = float(differences.std(ddof=1))
    return {"differences": differences.tolist(), "mean": float(differences.mean()),
            "std": std, "standard_error": std / math.sqrt(differences.size)}


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, num_classes: int = 10
                     ) -> np.ndarray:
    """counts[t, p]: how many images of class t were predicted as p, [K, K]."""
    true, predicted = np.asarray(true, int).ravel(), np.asarray(predicted, int).ravel()
    assert true.shape == predicted.shape, f"{true.shape} labels, {predicted.shape} predictions"
    return np.bincount(true * num_classes + predicted,
                       minlength=num_classes**2).reshape(num_classes, num_classes)
