"""Beyond the assignment: the analyses of the last section of the report.

`python extras.py` (after task4.py, whose trained weights it reads from
results/task4_weights.npz) writes the figures extra_*.png beside report.ipynb, the numbers
to results/extras.json and the run times to results/extras_seconds.json:
  1. a learning-rate sweep of the softmax model,
  2. the mean training image of each digit beside the learned weights,
  3. the confusion matrix, the most confidently wrong validation digits and how often
     the model is right at each confidence,
  4. scikit-learn's logistic regression on the same data, as an independent reference,
  5. how much the validation accuracy moves with the validation split and the seed,
  6. the gradient check's relative error against epsilon.
Not part of the submission zip: the course limits the code files. Takes about 3 minutes.
"""
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import tqdm

import task2
import task2a
import task3
import task3a
import task4
import utils
from trainer import run_summary

LEARNING_RATES = np.logspace(-4, 0, 9)  # 1e-4 ... 1, with 0.01 (the task's) among them
SKLEARN_C = (0.01, 0.1, 1.0)
SKLEARN_MAX_ITER = 5000  # L-BFGS runs until its own convergence test, far below this
SPLIT_SIZE, SPLIT_SEEDS = 2000, 20
TRAINING_SEEDS = (1, 2, 3, 4)  # seed 0 is task 3's own run
EPSILONS = np.logspace(-1, -8, 15)
CONFIDENCE_BINS = np.array([0.0, 0.5, 0.7, 0.9, 0.99, 1.0])


def learning_rate_sweep(data: tuple, task3_correct: np.ndarray) -> dict:
    """A 50-epoch softmax run per learning rate: the final model's validation accuracy and
    loss, the validation loss after the first step, and a paired comparison with the task 3
    model (learning rate 0.01) on the same validation images."""
    rows = []
    for learning_rate in tqdm.tqdm(LEARNING_RATES, desc="learning rates", disable=None):
        try:
            model, trainer, train_history, val_history, _ = task3.train_softmax(
                0.0, data, float(learning_rate))
        except FloatingPointError as error:  # the loss became inf or nan
            rows.append({"learning_rate": float(learning_rate), "failed": str(error)})
            print(f"learning rate {learning_rate:.2g}: failed: {error}")
            continue
        summary = run_summary(trainer, train_history, val_history)
        correct = task3.correct_predictions(model.forward(data[2]), data[3])
        rows.append({"learning_rate": float(learning_rate), "failed": None,
                     "val_accuracy": summary["final_val_accuracy"],
                     "val_loss": summary["final_val_loss"],
                     "best_val_loss": summary["best_val_loss"],
                     "first_val_loss": val_history["loss"][0],
                     "against_task3": task4.paired_comparison(correct, task3_correct)})
        print(f"learning rate {learning_rate:.2g}: val accuracy {rows[-1]['val_accuracy']:.2%}, "
              f"val loss {rows[-1]['val_loss']:.3f} (after the first step "
              f"{rows[-1]['first_val_loss']:.3f})")
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
                              alpha=0.08, label="The first step raises the loss above ln 10")
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


def blank_pixels(X_train_raw: np.ndarray, weights: dict) -> dict:
    """Pixels that are 0 in every training image are -1 after preprocessing, so their
    gradient is minus the bias gradient (equation 8 with x_j = -1 against x_bias = 1) and,
    from zero, their weights stay exactly minus the bias: each digit's image gets a
    uniform background of -bias. Returns how many there are and how far from -bias the
    trained weights are, per model."""
    blank = np.flatnonzero((X_train_raw == 0).all(axis=0))
    return {"count": len(blank), "models": {
        key: {"bias": w[784].tolist(),
              "largest_distance_from_minus_bias": float(np.abs(w[blank] + w[784]).max())}
        for key, w in weights.items() if key in ("0", "1")}}


def calibration(probabilities: np.ndarray, true: np.ndarray) -> dict:
    """How often the most probable class is right, per bin of its probability (the
    reliability of the model's confidence), and the expected calibration error: the
    image-weighted mean of |accuracy - mean probability| over the bins."""
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == true
    bins = np.digitize(confidence, CONFIDENCE_BINS[1:-1])
    rows = [{"low": float(CONFIDENCE_BINS[b]), "high": float(CONFIDENCE_BINS[b + 1]),
             "count": int(np.count_nonzero(bins == b)),
             "mean_probability": float(confidence[bins == b].mean()),
             "accuracy": float(right[bins == b].mean())}
            for b in range(len(CONFIDENCE_BINS) - 1) if np.any(bins == b)]
    error = sum(row["count"] * abs(row["accuracy"] - row["mean_probability"])
                for row in rows) / len(true)
    return {"bins": rows, "expected_calibration_error": float(error)}


@utils.styled
def save_calibration_figure(path: str, reliability: dict) -> None:
    """Fraction right against mean probability per bin (the counts are in the report)."""
    rows = reliability["bins"]
    plt.figure(figsize=(8, 4.8))
    plt.plot([0, 1], [0, 1], color="gray", linestyle="--", label="Perfectly calibrated")
    plt.plot([row["mean_probability"] for row in rows], [row["accuracy"] for row in rows],
             "o-", label="Task 3 model, validation images")
    utils.finish_plot(path, "How often the model is right at each confidence",
                      "Mean probability of the predicted digit (per bin)",
                      "Fraction right", loc="upper left")


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
                              probabilities: np.ndarray, count: int = 12) -> list[dict]:
    """The wrong predictions made with the highest probability, as a grid of images."""
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != true)
    chosen = wrong[np.argsort(confidence[wrong])[::-1][:count]]
    fig, axes = plt.subplots(2, count // 2, figsize=(9, 4.4), layout="constrained")
    for ax, index in zip(axes.flat, chosen):
        ax.imshow(X_val[index].reshape(28, 28), cmap="gray_r")
        ax.set_title(f"true {true[index]}, said {predicted[index]}\np = {confidence[index]:.3f}",
                     fontsize=12)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("The most confidently wrong validation digits ($\\lambda$ = 0)", fontsize=14)
    utils.save_figure(path)
    return [{"index": int(i), "true": int(true[i]), "predicted": int(predicted[i]),
             "probability": float(confidence[i])} for i in chosen]


def sklearn_reference(softmax_data: tuple, binary_data: tuple, ours_correct: dict
                      ) -> tuple[dict, dict]:
    """scikit-learn's LogisticRegression (L-BFGS, multinomial for 10 classes) on the same
    images and preprocessing, run to convergence, with a paired comparison against our
    final model of the same task. It fits the bias itself, so the ones column is dropped.
    It minimizes ||w||^2 / 2 + C * (summed loss), the bias not penalized; divided by C N,
    that is our mean loss + lambda ||w||^2 with lambda = 1 / (2 C N).

    Returns the results and, apart, the seconds of each fit."""
    from sklearn.linear_model import LogisticRegression
    rows, seconds = [], {}
    fits = [(task, data, C) for task, data in (("10 digits", softmax_data),
                                               ("2 vs 3", binary_data)) for C in SKLEARN_C]
    for task, (X_train, Y_train, X_val, Y_val), C in tqdm.tqdm(fits, desc="scikit-learn",
                                                              disable=None):
        y_train, y_val = (Y.argmax(axis=1) if Y.shape[1] > 1 else Y.ravel()
                          for Y in (Y_train, Y_val))
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = LogisticRegression(C=C, max_iter=SKLEARN_MAX_ITER)
            model.fit(X_train[:, :784], y_train)
        seconds[f"{task}, C = {C:g}"] = round(time.perf_counter() - start, 1)
        correct = model.predict(X_val[:, :784]) == y_val
        rows.append({"task": task, "C": C, "equivalent_lambda": 1 / (2 * C * len(X_train)),
                     "iterations": int(model.n_iter_.max()),
                     "converged": not any("converge" in str(w.message) for w in caught),
                     "train_accuracy": float(model.score(X_train[:, :784], y_train)),
                     "val_accuracy": float(correct.mean()),
                     "against_ours": task4.paired_comparison(correct, ours_correct[task])})
        print(f"scikit-learn, {task}, C = {C:g}: val accuracy {rows[-1]['val_accuracy']:.2%}, "
              f"train accuracy {rows[-1]['train_accuracy']:.2%}, {rows[-1]['iterations']} "
              f"iterations{'' if rows[-1]['converged'] else ' (not converged)'}")
    return {"runs": rows}, seconds


def split_sensitivity(correct: np.ndarray, data: tuple) -> dict:
    """How much the validation accuracy moves: one trained model on random 2000-image
    subsets of the validation set (drawn without replacement), and models trained with
    other shuffling seeds on the full set, each compared with seed 0 on the same images.

    Args:
        correct: booleans [N_val], whether the task 3 model (seed 0) gets each image right
    """
    _, _, X_val, Y_val = data
    rng = np.random.default_rng(0)
    subsets = [float(correct[rng.choice(len(correct), SPLIT_SIZE, replace=False)].mean())
               for _ in range(SPLIT_SEEDS)]
    full = float(correct.mean())
    seeds, paired = [], []
    for seed in tqdm.tqdm(TRAINING_SEEDS, desc="training seeds", disable=None):
        trained, *_ = task3.train_softmax(0.0, data, seed=seed)
        seed_correct = task3.correct_predictions(trained.forward(X_val), Y_val)
        seeds.append(float(seed_correct.mean()))
        paired.append(task4.paired_comparison(seed_correct, correct))
        print(f"training seed {seed}: val accuracy {seeds[-1]:.2%}, McNemar p against seed 0 "
              f"{paired[-1]['p_value']:.2f}")
    binomial = np.sqrt(full * (1 - full) / len(correct))
    return {"full_val_accuracy": full, "subset_size": SPLIT_SIZE,
            "subset_accuracies": subsets, "subset_std": float(np.std(subsets, ddof=1)),
            # drawn without replacement from N images: the finite-population correction
            "expected_subset_std": float(np.sqrt(full * (1 - full) / SPLIT_SIZE
                                                 * (len(correct) - SPLIT_SIZE)
                                                 / (len(correct) - 1))),
            "binomial_std_full": float(binomial),
            "seed_accuracies": [full] + seeds, "seed_std": float(np.std([full] + seeds, ddof=1)),
            "seeds_against_seed_0": paired}


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
                label="The task 3 model (seed 0) on the full validation set")
    plt.yticks([0, 1], ["subsets", "seeds"])
    plt.ylim(-0.5, 1.5)
    utils.finish_plot(path, "How much the validation accuracy moves between runs",
                      "Validation accuracy", "", loc="upper center",
                      bbox_to_anchor=(0.5, -0.22), fontsize=10)


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
    return {"epsilons": EPSILONS.tolist(), "weight_scale": 0.05, **curves}


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
    X_val, Y_val = softmax_data[2], softmax_data[3]
    true = Y_val.argmax(axis=1)
    model = task3a.SoftmaxModel(0.0)
    model.w = weights["0"]  # task 4's lambda 0 run is task 3's run: the same final weights
    probabilities = model.forward(X_val)
    task3_correct = task3.correct_predictions(probabilities, Y_val)

    start = time.perf_counter()
    results["learning_rate_sweep"] = learning_rate_sweep(softmax_data, task3_correct)
    save_learning_rate_figure("extra_lr_sweep.png", results["learning_rate_sweep"])
    seconds["learning_rate_sweep"] = round(time.perf_counter() - start, 1)

    X_train_raw, Y_train_raw, _, _ = utils.load_full_mnist()
    save_mean_digits_figure("extra_mean_digits_vs_weights.png", X_train_raw,
                            Y_train_raw.ravel(), weights)
    results["blank_pixels"] = blank_pixels(X_train_raw, weights)

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
    results["calibration"] = calibration(probabilities, true)
    save_calibration_figure("extra_calibration.png", results["calibration"])

    binary_model, *_ = task2.train_binary(False, binary_data)
    binary_correct = task2.correct_predictions(binary_model.forward(binary_data[2]),
                                               binary_data[3])
    results["sklearn"], seconds["sklearn"] = sklearn_reference(
        softmax_data, binary_data, {"10 digits": task3_correct, "2 vs 3": binary_correct})

    start = time.perf_counter()
    results["split_sensitivity"] = split_sensitivity(task3_correct, softmax_data)
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
