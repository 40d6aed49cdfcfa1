"""Beyond the assignment: the analysis of the report's optional last section.

    python workshop/extras.py

The gradient check over epsilon: for both graded models at start weights like those of the
course's test (normal, standard deviation 1/785**2) on the first 100 training images, the
largest |central difference - backward's gradient| over the weights checked (all 785 of the
logistic model, 785 of the softmax model's 7850 drawn at random), for epsilon 1e-1 ... 1e-8.

Writes results/extra_gradient_check.png and last results/extras.json, each whole or not at
all. Takes a few seconds.
"""
import contextlib
import io
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402

import task2a  # noqa: E402  (graded modules, found through ROOT)
import task3a  # noqa: E402
import utils  # noqa: E402
from atomic import atomic_path, write_json  # noqa: E402

RESULTS = ROOT / "results"
EPSILONS = [10.0 ** -k for k in range(1, 9)]
COURSE_EPSILON = 1e-3
IMAGES = 100  # as the course's test
WEIGHTS_CHECKED = 785


def quietly(load):
    """load() without the loaders' prints of the shapes."""
    with contextlib.redirect_stdout(io.StringIO()):
        return load()


def gradient_errors(model, loss, X: np.ndarray, Y: np.ndarray, rng) -> list[float]:
    """For each epsilon of EPSILONS, the largest |central difference of the cost -
    backward's gradient| over WEIGHTS_CHECKED weights (all, if the model has no more), at
    start weights drawn like the course's test draws them."""
    start = rng.normal(0, 1 / model.w.shape[0] ** 2, size=model.w.shape)
    model.w = start.copy()
    model.backward(X, model.forward(X), Y)
    analytic = model.grad.ravel()
    checked = rng.permutation(start.size)[:WEIGHTS_CHECKED]
    errors = []
    for epsilon in EPSILONS:
        largest = 0.0
        for index in checked:
            costs = []
            for step in (epsilon, -epsilon):
                model.w = start.copy()
                model.w.flat[index] += step
                costs.append(loss(Y, model.forward(X)))
            numerical = (costs[0] - costs[1]) / (2 * epsilon)
            largest = max(largest, abs(numerical - analytic[index]))
        errors.append(largest)
    return errors


def save_gradient_figure(path: Path, curves: dict) -> None:
    plt.figure(figsize=(4.6, 3.1), layout="constrained")
    for (name, errors), marker, color in zip(curves.items(), "os", ("tab:brown", "tab:gray")):
        plt.loglog(EPSILONS, errors, marker + "-", color=color, label=name)
    plt.loglog(EPSILONS, np.square(EPSILONS), "--", color="gray",
               label="The course's bound $\\epsilon^2$")
    plt.axvline(COURSE_EPSILON, color="tab:olive", linewidth=0.8)
    plt.title("Gradient check: largest error against $\\epsilon$")
    plt.xlabel("$\\epsilon$ (the course's test: $10^{-3}$, olive line)")
    plt.ylabel("max |central difference - gradient|")
    plt.legend()
    plt.grid(alpha=0.3, which="major")
    with atomic_path(path) as tmp:
        plt.savefig(tmp, format="png", dpi=200)
    plt.close()


def main() -> None:
    if sys.argv[1:]:
        print(__doc__)
        sys.exit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 2)
    rng = np.random.default_rng(0)
    X_binary, Y_binary, *_ = quietly(lambda: utils.load_binary_dataset(2, 3))
    X_train, Y_train, *_ = quietly(utils.load_full_mnist)
    curves = {
        "Logistic (task 2a)": gradient_errors(
            task2a.BinaryModel(), task2a.cross_entropy_loss,
            task2a.pre_process_images(X_binary[:IMAGES]), Y_binary[:IMAGES], rng),
        "Softmax (task 3a)": gradient_errors(
            task3a.SoftmaxModel(0.0), task3a.cross_entropy_loss,
            task2a.pre_process_images(X_train[:IMAGES]),
            task3a.one_hot_encode(Y_train[:IMAGES], 10), rng),
    }
    save_gradient_figure(RESULTS / "extra_gradient_check.png", curves)
    results = {"gradient_check": {"epsilons": EPSILONS, "course_epsilon": COURSE_EPSILON,
                                  "images": IMAGES, "weights_checked": WEIGHTS_CHECKED,
                                  "max_errors": curves}}
    write_json(RESULTS / "extras.json", results)  # last: make trusts it
    print("extras: results/extra_gradient_check.png, results/extras.json")


if __name__ == "__main__":
    main()
