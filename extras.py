"""Beyond the assignment: the analyses of the last section of the report.

`python extras.py` (after task4.py, whose trained weights it reads from
results/task4_weights.npz) writes the figures extra_*.png beside report.ipynb, the numbers
to results/extras.json and the run times to results/extras_seconds.json:
  1. a learning-rate sweep of the softmax model,
  2. the mean training image of each digit beside the learned weights,
  3. the confusion matrix and the most confidently wrong validation digits,
  4. scikit-learn's logistic regression on the same data, as an independent reference,
  5. how much the validation accuracy moves with the validation split and the seed,
  6. the gradient check's relative error against epsilon.
Not part of the submission zip: the course limits the code files. Takes about 3 minutes.
"""
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np

import task2
import task2a
import task3
import task3a
import utils

LEARNING_RATES = np.logspace(-4, 0, 9)  # 1e-4 ... 1, with 0.01 (the task's) among them
SKLEARN_C = (0.01, 0.1, 1.0)
SPLIT_SIZE, SPLIT_SEEDS = 2000, 20
TRAINING_SEEDS = (1, 2, 3, 4)  # seed 0 is task 3's own run
EPSILONS = np.logspace(-1, -8, 15)


def learning_rate_sweep(data: tuple) -> dict:
    """Final validation accuracy and loss of a 50-epoch softmax run per learning rate."""
    rows = []
    for learning_rate in LEARNING_RATES:
        try:
            _, trainer, _, val_history, _ = task3.train_softmax(0.0, data, float(learning_rate))
            last = max(val_history["loss"])
            rows.append({"learning_rate": float(learning_rate), "failed": None,
                         "val_accuracy": val_history["accuracy"][last],
                         "val_loss": val_history["loss"][last],
                         "best_val_loss": min(val_history["loss"].values()),
                         "max_val_loss": max(val_history["loss"].values()),
                         "first_val_loss": val_history["loss"][0]})
        except FloatingPointError as error:  # the loss became inf or nan
            rows.append({"learning_rate": float(learning_rate), "failed": str(error)})
        print(f"learning rate {learning_rate:.2g}: {rows[-1]}")
    return {"runs": rows, "chosen": task3.LEARNING_RATE, "initial_loss": float(np.log(10))}


@utils.styled
def save_learning_rate_figure(path: str, sweep: dict) -> None:
    """Validation accuracy (left axis) and loss (right axis, log) against learning rate."""
    runs = [run for run in sweep["runs"] if run["failed"] is None]
    rates = [run["learning_rate"] for run in runs]
    fig, accuracy_axis = plt.subplots(figsize=(8, 4.8))
    accuracy_axis.plot(rates, [run["val_accuracy"] for run in runs], "o-", color="C0",
                       label="Validation accuracy after 50 epochs")
    accuracy_axis.axvline(sweep["chosen"], color="gray", linestyle="--",
                          label=f"Learning rate of task 3: {sweep['chosen']}")
    accuracy_axis.set_xscale("log")
    accuracy_axis.set_xlabel("Learning rate (log scale)")
    accuracy_axis.set_ylabel("Validation accuracy")
    loss_axis = accuracy_axis.twinx()
    loss_axis.plot(rates, [run["val_loss"] for run in runs], "s:", color="C3",
                   label="Validation loss after 50 epochs")
    overshooting = [run["learning_rate"] for run in runs
                    if run["first_val_loss"] > sweep["initial_loss"]]
    if overshooting:
        accuracy_axis.axvspan(min(overshooting) / 1.5, max(rates) * 1.5, color="C3",
                              alpha=0.08, label="The first step raises the loss (unstable)")
    loss_axis.set_yscale("log")
    loss_axis.set_ylabel("Validation loss (log scale)")
    lines = accuracy_axis.get_legend_handles_labels()
    more = loss_axis.get_legend_handles_labels()
    accuracy_axis.legend(lines[0] + more[0], lines[1] + more[1], loc="upper center",
                         bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=10)
    accuracy_axis.grid(alpha=0.3)
    plt.title("Softmax regression: learning-rate sweep (50 epochs each)")
    utils.save_figure(path)


@utils.styled
def save_mean_digits_figure(path: str, X_train: np.ndarray, labels: np.ndarray,
                            weights: dict) -> None:
    """Rows: the mean training image of each digit, its lambda 0 and its lambda 1.0 weights."""
    rows = [("Mean image", [X_train[labels == d].mean(axis=0) for d in range(10)], "gray")]
    for name, key in (("$\\lambda$ = 0", "0"), ("$\\lambda$ = 1.0", "1")):
        rows.append((name, list(weights[key][:784].T), "RdBu_r"))
    fig, axes = plt.subplots(3, 10, figsize=(11, 4.4), layout="constrained")
    for axis_row, (name, images, cmap) in zip(axes, rows):
        limit = max(np.abs(image).max() for image in images)
        for digit, (ax, image) in enumerate(zip(axis_row, images)):
            if cmap == "gray":
                ax.imshow(image.reshape(28, 28), cmap="gray_r")
            else:
                ax.imshow(image.reshape(28, 28), cmap=cmap, vmin=-limit, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
            if axis_row is axes[0]:
                ax.set_title(str(digit), fontsize=14)
        axis_row[0].set_ylabel(name, fontsize=12)
    fig.suptitle("What the model learned: mean training image and weights per digit",
                 fontsize=14)
    utils.save_figure(path)


def confusion_matrix(true: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """counts[t, p]: how many images of digit t were predicted as p, [10, 10]."""
    return np.bincount(true * 10 + predicted, minlength=100).reshape(10, 10)


@utils.styled
def save_confusion_figure(path: str, counts: np.ndarray) -> None:
    plt.figure(figsize=(7.5, 6.5))
    plt.imshow(np.log1p(counts), cmap="Blues")
    for t in range(10):
        for p in range(10):
            plt.text(p, t, str(counts[t, p]), ha="center", va="center", fontsize=9,
                     color="white" if t == p else "black")
    plt.xticks(range(10))
    plt.yticks(range(10))
    plt.xlabel("Predicted digit")
    plt.ylabel("True digit")
    plt.title("Confusion matrix on the 10000 validation images ($\\lambda$ = 0)")
    utils.save_figure(path)


@utils.styled
def save_misclassified_figure(path: str, X_val: np.ndarray, true: np.ndarray,
                              probabilities: np.ndarray, count: int = 24) -> list[dict]:
    """The wrong predictions made with the highest probability, as a grid of images."""
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != true)
    chosen = wrong[np.argsort(confidence[wrong])[::-1][:count]]
    fig, axes = plt.subplots(4, count // 4, figsize=(11, 8.2), layout="constrained")
    for ax, index in zip(axes.flat, chosen):
        ax.imshow(X_val[index].reshape(28, 28), cmap="gray_r")
        ax.set_title(f"true {true[index]}, said {predicted[index]}\np = {confidence[index]:.3f}",
                     fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("The most confidently wrong validation digits ($\\lambda$ = 0)", fontsize=14)
    utils.save_figure(path)
    return [{"index": int(i), "true": int(true[i]), "predicted": int(predicted[i]),
             "probability": float(confidence[i])} for i in chosen]


def sklearn_reference(softmax_data: tuple, binary_data: tuple) -> dict:
    """scikit-learn's LogisticRegression (lbfgs, multinomial for 10 classes) on the same
    images and preprocessing. It fits the bias itself, so the ones column is dropped; its
    penalty is ||w||^2 / (2 C) on the summed loss, the bias not penalized."""
    from sklearn.linear_model import LogisticRegression
    rows = []
    for task, (X_train, Y_train, X_val, Y_val) in (("10 digits", softmax_data),
                                                    ("2 vs 3", binary_data)):
        y_train, y_val = (Y.argmax(axis=1) if Y.shape[1] > 1 else Y.ravel()
                          for Y in (Y_train, Y_val))
        for C in SKLEARN_C:
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = LogisticRegression(C=C, max_iter=300)
                model.fit(X_train[:, :784], y_train)
            rows.append({"task": task, "C": C, "seconds": round(time.perf_counter() - start, 1),
                         "iterations": int(model.n_iter_.max()),
                         "converged": not any("converge" in str(w.message) for w in caught),
                         "train_accuracy": float(model.score(X_train[:, :784], y_train)),
                         "val_accuracy": float(model.score(X_val[:, :784], y_val))})
            print(f"scikit-learn {task}, C = {C}: {rows[-1]}")
    return {"runs": rows}


def split_sensitivity(w: np.ndarray, data: tuple) -> dict:
    """Validation accuracy of one trained model on random 2000-image subsets of the
    validation set, and of models trained with other shuffling seeds on the full set."""
    _, _, X_val, Y_val = data
    model = task3a.SoftmaxModel(0.0)
    model.w = w
    correct = model.forward(X_val).argmax(axis=1) == Y_val.argmax(axis=1)
    rng = np.random.default_rng(0)
    subsets = [float(correct[rng.choice(len(correct), SPLIT_SIZE, replace=False)].mean())
               for _ in range(SPLIT_SEEDS)]
    seeds = []
    for seed in TRAINING_SEEDS:
        trained, *_ = task3.train_softmax(0.0, data, seed=seed)
        seeds.append(task3.calculate_accuracy(X_val, Y_val, trained))
    full = float(correct.mean())
    return {"full_val_accuracy": full, "subset_size": SPLIT_SIZE,
            "subset_accuracies": subsets, "subset_std": float(np.std(subsets, ddof=1)),
            "binomial_std_subset": float(np.sqrt(full * (1 - full) / SPLIT_SIZE)),
            "binomial_std_full": float(np.sqrt(full * (1 - full) / len(correct))),
            "seed_accuracies": [full] + seeds, "seed_std": float(np.std([full] + seeds, ddof=1))}


@utils.styled
def save_split_figure(path: str, split: dict) -> None:
    """The spread of validation accuracy: 2000-image subsets, and other training seeds."""
    plt.figure(figsize=(8, 3.6))
    rng = np.random.default_rng(0)  # vertical jitter only, so that points do not overlap
    for row, (values, label) in enumerate((
            (split["subset_accuracies"], f"Random {split['subset_size']} of the 10000 "
                                         "validation images (one trained model)"),
            (split["seed_accuracies"], "Full validation set, training seeds 0-4"))):
        plt.plot(values, row + rng.uniform(-0.08, 0.08, len(values)), "o", alpha=0.7,
                 label=label)
    plt.axvline(split["full_val_accuracy"], color="gray", linestyle="--",
                label="The trained model (seed 0) on the full validation set")
    plt.yticks([0, 1], ["subsets", "seeds"])
    plt.ylim(-0.5, 1.5)
    utils.finish_plot(path, "How much the validation accuracy moves between runs",
                      "Validation accuracy", "", loc="upper left", fontsize=9)


def gradient_error_curves(binary: tuple, softmax: tuple) -> dict:
    """Relative error of the central difference against the analytic gradient, per epsilon,
    for both models on 100 training images, at random weights of scale 0.05."""
    curves = {}
    rng = np.random.default_rng(0)
    for name, model, (X, Y), loss in (
            ("logistic", task2a.BinaryModel(), binary, task2a.cross_entropy_loss),
            ("softmax", task3a.SoftmaxModel(0.0), softmax, task3a.cross_entropy_loss)):
        model.w = rng.normal(0, 0.05, size=model.w.shape)
        model.backward(X, model.forward(X), Y)
        analytic = model.grad.copy()
        def cost(model=model, X=X, Y=Y, loss=loss) -> float:
            return loss(Y, model.forward(X))
        curves[name] = [task2a.relative_error(analytic, task2a.numerical_gradient(
            model, cost, float(epsilon))) for epsilon in EPSILONS]
    return {"epsilons": EPSILONS.tolist(), **curves}


@utils.styled
def save_gradient_error_figure(path: str, curves: dict) -> None:
    plt.figure(figsize=(8, 4.8))
    for name in ("logistic", "softmax"):
        plt.loglog(curves["epsilons"], curves[name], "o-", label=f"{name.capitalize()} model")
    plt.axvline(1e-3, color="gray", linestyle="--", label="$\\epsilon$ of the course's test")
    plt.gca().invert_xaxis()
    utils.finish_plot(path, "Gradient check: truncation error ($O(\\epsilon^2)$) against round-off",
                      "$\\epsilon$ (log scale, decreasing to the right)",
                      "Relative error of the gradient")


def main() -> None:
    weights = dict(np.load(utils.RESULTS_DIR / "task4_weights.npz"))
    softmax_data = task3.load_softmax_data()
    binary_data = task2.load_binary_data()
    results, seconds = {}, {}

    start = time.perf_counter()
    results["learning_rate_sweep"] = learning_rate_sweep(softmax_data)
    save_learning_rate_figure("extra_lr_sweep.png", results["learning_rate_sweep"])
    seconds["learning_rate_sweep"] = round(time.perf_counter() - start, 1)

    X_train_raw, Y_train_raw, _, _ = utils.load_full_mnist()
    save_mean_digits_figure("extra_mean_digits_vs_weights.png", X_train_raw,
                            Y_train_raw.ravel(), weights)

    X_val, Y_val = softmax_data[2], softmax_data[3]
    model = task3a.SoftmaxModel(0.0)
    model.w = weights["0"]
    probabilities = model.forward(X_val)
    true = Y_val.argmax(axis=1)
    counts = confusion_matrix(true, probabilities.argmax(axis=1))
    save_confusion_figure("extra_confusion_matrix.png", counts)
    off_diagonal = counts - np.diag(np.diag(counts))
    pairs = np.dstack(np.unravel_index(np.argsort(off_diagonal, axis=None)[::-1][:5],
                                       counts.shape))[0]
    results["confusion"] = {
        "counts": counts.tolist(),
        "recall_per_digit": (np.diag(counts) / counts.sum(axis=1)).tolist(),
        "most_confused": [{"true": int(t), "predicted": int(p), "count": int(counts[t, p])}
                          for t, p in pairs],
        "most_confidently_wrong": save_misclassified_figure(
            "extra_misclassified.png", X_val[:, :784], true, probabilities)}

    start = time.perf_counter()
    results["sklearn"] = sklearn_reference(softmax_data, binary_data)
    seconds["sklearn"] = round(time.perf_counter() - start, 1)

    start = time.perf_counter()
    results["split_sensitivity"] = split_sensitivity(weights["0"], softmax_data)
    save_split_figure("extra_split_sensitivity.png", results["split_sensitivity"])
    seconds["split_sensitivity"] = round(time.perf_counter() - start, 1)

    gradient_images = slice(0, 100)
    results["gradient_check"] = gradient_error_curves(
        (binary_data[0][gradient_images].astype(np.float64), binary_data[1][gradient_images]),
        (softmax_data[0][gradient_images].astype(np.float64),
         softmax_data[1][gradient_images].astype(np.float64)))
    save_gradient_error_figure("extra_gradient_check.png", results["gradient_check"])

    utils.save_results("extras_seconds", seconds)
    utils.save_results("extras", results)  # last: make takes it as the sign that all is done


if __name__ == "__main__":
    utils.run_script(main, __doc__)
