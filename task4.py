"""Task 4b-4e: L2 regularization of the softmax model.

`python task4.py` trains one model per lambda (0, 1.0, 0.1, 0.01, 0.001) with the task 3
settings, each on the same shuffled batches, and writes the figures task4b_*.png (weights
as images), task4c_*.png (validation accuracy) and task4e_*.png (||w||^2) beside
report.ipynb, the settings, histories and norms to results/task4.json and the weights to
results/task4_weights.npz. Takes about 1 minute.
"""
import matplotlib.pyplot as plt
import numpy as np

import utils
from task2a import pre_process_images
from task3 import SoftmaxTrainer
from task3a import SoftmaxModel, one_hot_encode


@utils.styled
def save_weight_images(path: str, weights: dict) -> None:
    """One row of ten 28x28 images per lambda, {lambda: w [785, 10]}: the weights from the
    pixels to each digit (the bias row left out)."""
    fig, axes = plt.subplots(len(weights), 10, figsize=(11, 1.6 * len(weights) + 0.7),
                             squeeze=False, layout="constrained")
    for row, (l2_lambda, w) in zip(axes, weights.items()):
        images = w[:784].T.reshape(10, 28, 28)
        limit = np.abs(images).max()  # one symmetric colour scale per row
        for digit, ax in enumerate(row):
            shown = ax.imshow(images[digit], cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set(xticks=[], yticks=[], title=str(digit))
        row[0].set_ylabel(f"$\\lambda$ = {l2_lambda:g}", fontsize=14)
        fig.colorbar(shown, ax=row.tolist(), shrink=0.9).set_label("weight")
    fig.suptitle("Task 4.b: softmax weights per digit (red positive, blue negative)",
                 fontsize=15)
    utils.save_figure(path)


@utils.styled
def save_accuracy_curves(path: str, val_accuracy: dict) -> None:
    """Validation accuracy per lambda against steps, and minus lambda = 0 for 0.01, 0.001."""
    fig, (full, diff) = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
    no_l2 = np.array(list(val_accuracy[0].values()))
    for l2_lambda, history in val_accuracy.items():
        steps, accuracy = list(history), np.array(list(history.values()))
        label = f"$\\lambda$ = {l2_lambda:g}" + (" (no regularization)" * (l2_lambda == 0))
        line, = full.plot(steps, accuracy, "k--" if l2_lambda == 0 else "-", linewidth=1,
                          label=label)
        if 0 < l2_lambda < 0.1:
            diff.plot(steps, 100 * (accuracy - no_l2), color=line.get_color(), linewidth=1,
                      label=label)
    diff.axhline(0, color="k", linestyle="--", linewidth=1, label="$\\lambda$ = 0")
    full.set(ylim=(0.6, 0.95), title="All five", ylabel="Validation accuracy")
    diff.set(title="Minus $\\lambda$ = 0, at the same steps",
             ylabel="Difference (percentage points)")
    for ax in (full, diff):
        ax.set(xlabel="Number of training steps")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right" if ax is full else "lower left", fontsize=10)
    fig.suptitle("Task 4.c: validation accuracy for different $L_2$ strengths")
    utils.save_figure(path)


@utils.styled
def save_norm_plot(path: str, norms: dict) -> None:
    """||w||^2 after training against lambda, both axes logarithmic; lambda 0 as a line."""
    plt.figure(figsize=(8, 4.8))
    lambdas = [l2_lambda for l2_lambda in norms if l2_lambda > 0]
    plt.plot(lambdas, [norms[l2_lambda] for l2_lambda in lambdas], "o-",
             label="With $L_2$ regularization")
    for l2_lambda in lambdas:
        plt.annotate(f"{norms[l2_lambda]:#.3g}", (l2_lambda, norms[l2_lambda]),
                     textcoords="offset points", xytext=(-8, -16), ha="right")
    plt.axhline(norms[0], color="gray", linestyle="--",
                label=f"$\\lambda$ = 0 (no regularization): {norms[0]:#.3g}")
    plt.xscale("log")
    plt.yscale("log")
    ticks = [t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)  # 1-2-5 steps
             if min(norms.values()) / 2 <= t <= max(norms.values()) * 2]
    plt.yticks(ticks, [f"{t:g}" for t in ticks])
    plt.xlim(min(lambdas) / 2, max(lambdas) * 3)
    plt.ylim(min(norms.values()) / 1.5, max(norms.values()) * 1.8)  # labels clear of the frame
    utils.finish_plot(path, "Task 4.e: squared $L_2$ norm of the weights after training",
                      "$\\lambda$ (log scale)", "$\\|w\\|^2$ (log scale)")


def main():
    # hyperparameters DO NOT CHANGE IF NOT SPECIFIED IN ASSIGNMENT TEXT
    num_epochs = 50
    learning_rate = 0.01
    batch_size = 128
    shuffle_dataset = True
    l2_lambdas = [0, 1.0, .1, .01, .001]

    # Load dataset
    X_train, Y_train, X_val, Y_val = utils.load_full_mnist()
    X_train = pre_process_images(X_train)
    X_val = pre_process_images(X_val)
    Y_train = one_hot_encode(Y_train, 10)
    Y_val = one_hot_encode(Y_val, 10)

    runs, weights, val_accuracy = {}, {}, {}
    for l2_lambda in l2_lambdas:
        model = SoftmaxModel(l2_reg_lambda=l2_lambda)
        trainer = SoftmaxTrainer(model, learning_rate, batch_size, shuffle_dataset,
                                 X_train, Y_train, X_val, Y_val, early_stopping_patience=None)
        np.random.seed(0)  # the same batches for every lambda: the runs differ only in it
        train_history, val_history = trainer.train(num_epochs)
        run = runs[f"{l2_lambda:g}"] = utils.run_record(trainer, num_epochs, train_history,
                                                        val_history)
        run["squared_norm"] = float(np.sum(model.w**2))  # Task 4e: R(w)
        weights[l2_lambda], val_accuracy[l2_lambda] = model.w, val_history["accuracy"]
        print(f"lambda {l2_lambda:g}: Final Validation accuracy: "
              f"{run['final']['val_accuracy']}, ||w||^2: {run['squared_norm']:.4g}")

    # Plotting of softmax weights (Task 4b)
    save_weight_images("task4b_softmax_weight.png", {0: weights[0], 1.0: weights[1.0]})
    # Plotting of accuracy for difference values of lambdas (task 4c)
    save_accuracy_curves("task4c_l2_reg_accuracy.png", val_accuracy)
    # Task 4e - Plotting of the l2 norm for each weight
    save_norm_plot("task4e_l2_reg_norms.png", {l2_lambda: runs[f"{l2_lambda:g}"]["squared_norm"]
                                               for l2_lambda in l2_lambdas})

    # The trained weights, for extras.py
    with utils.atomic_path(utils.RESULTS_DIR / "task4_weights.npz") as tmp, \
            open(tmp, "wb") as file:
        np.savez(file, **{f"{l2_lambda:g}": w for l2_lambda, w in weights.items()})
    utils.save_results("task4", {  # last: make takes it as the sign that all is done
        "num_train": len(X_train), "num_val": len(X_val),
        "steps_per_epoch": len(X_train) // batch_size, "runs": runs})


if __name__ == "__main__":
    utils.run_script(main, __doc__)
