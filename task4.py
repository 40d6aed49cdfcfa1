"""Task 4: L2 regularization of the softmax model.

`python task4.py` trains one model per lambda (0, 1.0, 0.1, 0.01, 0.001) with the task 3
settings and writes beside report.ipynb the figures task4b_softmax_weight.png (the weights
for lambda 0 and 1.0 as images), task4c_l2_reg_accuracy.png (validation accuracy per
lambda) and task4e_l2_reg_norms.png (squared norm of the weights per lambda); the numbers
go to results/task4.json, the run times to results/task4_seconds.json and the trained
weights, for extras.py, to results/task4_weights.npz. Takes about 40 s.
"""
import math

import matplotlib.pyplot as plt
import numpy as np

import utils
from task3 import BATCH_SIZE, correct_predictions, load_softmax_data, train_softmax
from trainer import run_summary

WEIGHT_IMAGE_LAMBDAS = (0.0, 1.0)
SWEEP_LAMBDAS = (1.0, 0.1, 0.01, 0.001)
LAST_EPOCHS = 5  # the validation accuracy at the end is summarized over this many epochs


def squared_norm(w: np.ndarray) -> float:
    """||w||^2 = R(w), the sum of the squares of all weights (bias included)."""
    return float(np.sum(w**2))


def paired_comparison(correct_a: np.ndarray, correct_b: np.ndarray) -> dict:
    """McNemar's exact test of two classifiers scored on the same images.

    Only the images that exactly one of them gets right tell them apart: a_only of them
    for a, b_only for b. If both were equally good, each such image would be a fair coin
    flip; p_value is the two-sided probability of a split at least this uneven.

    Args:
        correct_a, correct_b: booleans [N], whether each classifier is right on image n
    """
    a_only = int(np.count_nonzero(correct_a & ~correct_b))
    b_only = int(np.count_nonzero(correct_b & ~correct_a))
    n = a_only + b_only
    tail = sum(math.comb(n, k) for k in range(min(a_only, b_only) + 1)) / 2**n
    return {"a_only": a_only, "b_only": b_only, "p_value": min(1.0, 2 * tail)}


def last_epochs_accuracy(val_history: dict, steps_per_epoch: int) -> dict:
    """Mean, standard deviation and range of the validation accuracy at the checks of the
    last LAST_EPOCHS epochs: with strong L2 it swings from check to check (task 4c)."""
    first = (max(val_history["accuracy"]) // steps_per_epoch + 1 - LAST_EPOCHS) * steps_per_epoch
    values = np.array([value for step, value in val_history["accuracy"].items()
                       if step >= first])
    return {"last_epochs_val_accuracy_mean": float(values.mean()),
            "last_epochs_val_accuracy_std": float(values.std()),
            "last_epochs_val_accuracy_min": float(values.min()),
            "last_epochs_val_accuracy_max": float(values.max()),
            "last_epochs_checks": len(values)}


@utils.styled
def save_weight_images(path: str, weights: dict[float, np.ndarray]) -> None:
    """One row of ten 28x28 images per lambda: the weights from the pixels to each digit.

    Args:
        weights: {lambda: w of shape [785, 10]}; the bias row is left out of the images
    """
    fig, axes = plt.subplots(len(weights), 10, figsize=(11, 1.6 * len(weights) + 0.7),
                             squeeze=False, layout="constrained")
    for row, (l2_lambda, w) in zip(axes, weights.items()):
        images = w[:784].T.reshape(10, 28, 28)
        limit = np.abs(images).max()  # one symmetric colour scale per row
        for digit, ax in enumerate(row):
            shown = ax.imshow(images[digit], cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(str(digit), fontsize=14)
        row[0].set_ylabel(f"$\\lambda$ = {l2_lambda:.1f}", fontsize=14)
        colorbar = fig.colorbar(shown, ax=row.tolist(), shrink=0.9)
        colorbar.set_label("weight", fontsize=12)
        colorbar.ax.tick_params(labelsize=11)
    fig.suptitle("Task 4b: softmax weights per digit (red positive, blue negative)",
                 fontsize=15)
    utils.save_figure(path)


@utils.styled
def save_accuracy_curves(path: str, val_accuracy: dict[float, dict]) -> None:
    """Validation accuracy against steps, one curve per lambda of the sweep, and the
    model without regularization as a dashed reference drawn on top."""
    plt.figure(figsize=(8, 4.8))
    for l2_lambda in SWEEP_LAMBDAS:
        utils.plot_loss(val_accuracy[l2_lambda], f"$\\lambda$ = {l2_lambda:g}")
    history = val_accuracy[0.0]
    plt.plot(list(history), list(history.values()), "k--", linewidth=1,
             label="$\\lambda$ = 0 (no regularization)")
    plt.ylim(0.6, 0.95)
    utils.finish_plot(path, "Task 4c: validation accuracy for different $L_2$ strengths",
                      "Gradient steps", "Validation accuracy", loc="lower right", ncol=2,
                      fontsize=10)


@utils.styled
def save_norm_plot(path: str, norms: dict[float, float]) -> None:
    """||w||^2 after training against lambda, both axes logarithmic; lambda 0 as a line."""
    plt.figure(figsize=(8, 4.8))
    lambdas = [l2_lambda for l2_lambda in norms if l2_lambda > 0]
    plt.plot(lambdas, [norms[l2_lambda] for l2_lambda in lambdas], "o-",
             label="After 50 epochs with $L_2$ regularization")
    for l2_lambda in lambdas:
        plt.annotate(f"{norms[l2_lambda]:#.3g}", (l2_lambda, norms[l2_lambda]),
                     textcoords="offset points", xytext=(8, -14))
    if 0.0 in norms:
        plt.axhline(norms[0.0], color="gray", linestyle="--",
                    label=f"$\\lambda$ = 0 (no regularization): {norms[0.0]:#.3g}")
    plt.xscale("log")
    plt.yscale("log")
    utils.finish_plot(path, "Task 4e: squared $L_2$ norm of the trained weights",
                      "$\\lambda$ (log scale)", "$||w||^2$ (log scale)")


def main() -> None:
    data = load_softmax_data()
    X_val, Y_val = data[2], data[3]
    steps_per_epoch = len(data[0]) // BATCH_SIZE
    results, seconds, weights, val_accuracy, correct = {}, {}, {}, {}, {}
    for l2_lambda in (0.0,) + SWEEP_LAMBDAS:
        model, trainer, train_history, val_history, run_seconds = train_softmax(l2_lambda, data)
        summary = run_summary(trainer, train_history, val_history)
        summary["squared_norm"] = squared_norm(model.w)
        summary.update(last_epochs_accuracy(val_history, steps_per_epoch))
        correct[l2_lambda] = correct_predictions(model.forward(X_val), Y_val)
        summary["against_lambda_0"] = paired_comparison(correct[l2_lambda], correct[0.0])
        results[f"{l2_lambda:g}"] = summary
        seconds[f"{l2_lambda:g}"] = round(run_seconds, 2)
        weights[l2_lambda] = model.w
        val_accuracy[l2_lambda] = val_history["accuracy"]
        print(f"lambda {l2_lambda:g}: final val accuracy {summary['final_val_accuracy']:.4f} "
              f"(last {LAST_EPOCHS} epochs {summary['last_epochs_val_accuracy_mean']:.4f} +- "
              f"{summary['last_epochs_val_accuracy_std']:.4f}), train accuracy "
              f"{summary['final_train_accuracy']:.4f}, ||w||^2 {summary['squared_norm']:.3g} "
              f"({run_seconds:.1f} s)")

    save_weight_images("task4b_softmax_weight.png",
                       {l2_lambda: weights[l2_lambda] for l2_lambda in WEIGHT_IMAGE_LAMBDAS})
    save_accuracy_curves("task4c_l2_reg_accuracy.png", val_accuracy)
    save_norm_plot("task4e_l2_reg_norms.png",
                   {l2_lambda: results[f"{l2_lambda:g}"]["squared_norm"]
                    for l2_lambda in (0.0,) + SWEEP_LAMBDAS})
    save_weights({f"{l2_lambda:g}": w for l2_lambda, w in weights.items()})
    utils.save_results("task4_seconds", seconds)
    utils.save_results("task4", results)  # last: make takes it as the sign that all is done


def save_weights(weights: dict[str, np.ndarray]) -> None:
    """Write results/task4_weights.npz, {lambda as text: w [785, 10]}, for extras.py."""
    path = utils.RESULTS_DIR / "task4_weights.npz"
    with utils.atomic_path(path) as tmp, open(tmp, "wb") as file:
        np.savez(file, **weights)
    print(f"wrote {path}")


if __name__ == "__main__":
    utils.run_script(main, __doc__)
