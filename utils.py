"""Data sets, batching and loss plots, and the figure and results writers and command line
that the task scripts share."""
import argparse
import functools
import json
import sys
from pathlib import Path
from typing import Callable, Generator

import matplotlib.pyplot as plt
import numpy as np

import mnist
from mnist import atomic_path  # noqa: F401  (re-exported: the one atomic writer)

TRAIN_SIZE = 20000  # the course uses the first 20000 training images
ROOT = Path(__file__).resolve().parent
# Every script writes here, wherever it is started from: figures beside report.ipynb,
# which embeds them, and numbers in results/, which it reads.
FIGURES_DIR = ROOT
RESULTS_DIR = ROOT / "results"
FIGURE_STYLE = {"font.size": 12}  # figures are read at report size, about 6 inches wide


def batch_loader(
        X: np.ndarray, Y: np.ndarray,
        batch_size: int, shuffle=False,
        drop_last=True) -> Generator:
    """
    Creates a batch generator over the whole dataset (X, Y); called once each epoch.
    Args:
        X: images of shape [N, 785]; Y: labels/targets of shape [N, 1] or [N, num_classes]
        shuffle (bool): visit the samples in a new random order each call (epoch), drawn
            from NumPy's global generator, so np.random.seed(...) makes the order repeat
        drop_last: drop the last batch if len(X) is not divisible by batch_size
    Yields:
        (x, y): x of shape [batch size, 785], y of shape [batch size, ...]
    """
    assert len(X) == len(Y), f"X has {len(X)} samples but Y has {len(Y)}"
    num_batches = len(X) // batch_size
    if not drop_last:
        num_batches = int(np.ceil(len(X) / batch_size))
    indices = np.arange(len(X))

    # Task 2e: dataset shuffling, a new permutation of the samples every epoch
    if shuffle:
        np.random.shuffle(indices)

    for i in range(num_batches):
        # select a set of indices for each batch of samples
        batch_indices = indices[i * batch_size:(i + 1) * batch_size]
        # return both images (x) and labels (y)
        yield X[batch_indices], Y[batch_indices]


def binary_prune_dataset(class1: int, class2: int, X: np.ndarray, Y: np.ndarray):
    """Keeps the images of class1 and class2, in their order: X [N, 784], Y [N] labels ->
    X [M, 784] and Y [M] with 1 for class1 and 0 for class2."""
    keep = (Y == class1) | (Y == class2)
    return X[keep], (Y[keep] == class1).astype(int)


def load_binary_dataset(class1: int, class2: int):
    """The first 20000 training images and the 10000 test images (as validation), each
    pruned to the two classes: uint8 pixels [N, 784] and labels [N, 1] (see
    binary_prune_dataset). For (2, 3), 4005 training and 2042 validation images."""
    X_train, Y_train, X_val, Y_val = mnist.load()
    X_train, Y_train = X_train[:TRAIN_SIZE], Y_train[:TRAIN_SIZE]
    X_train, Y_train = binary_prune_dataset(class1, class2, X_train, Y_train)
    X_val, Y_val = binary_prune_dataset(class1, class2, X_val, Y_val)
    Y_train, Y_val = Y_train.reshape(-1, 1), Y_val.reshape(-1, 1)
    print(f"Train shape: X: {X_train.shape}, Y: {Y_train.shape}")
    print(f"Validation shape: X: {X_val.shape}, Y: {Y_val.shape}")
    return X_train, Y_train, X_val, Y_val


def load_full_mnist():
    """The first 20000 training images, and the 10000 test images as validation:
    X_train [20000, 784], Y_train [20000, 1], X_val [10000, 784], Y_val [10000, 1]."""
    X_train, Y_train, X_val, Y_val = mnist.load()
    X_train, Y_train = X_train[:TRAIN_SIZE], Y_train[:TRAIN_SIZE].reshape(-1, 1)
    Y_val = Y_val.reshape(-1, 1)
    print(f"Train shape: X: {X_train.shape}, Y: {Y_train.shape}")
    print(f"Validation shape: X: {X_val.shape}, Y: {Y_val.shape}")
    return X_train, Y_train, X_val, Y_val


def plot_loss(loss_dict: dict, label: str = None, npoints_to_average=1, plot_variance=True):
    """Plot a {global step: value} curve on the current axes.

    With npoints_to_average > 1 and plot_variance, the curve is the mean of each window of
    that many points, drawn at the window's middle step, with a band of one standard
    deviation around it; otherwise the raw points.
    """
    global_steps = list(loss_dict.keys())
    loss = list(loss_dict.values())
    num_points = len(loss) // npoints_to_average
    if npoints_to_average == 1 or not plot_variance or num_points == 0:
        plt.plot(global_steps, loss, label=label)
        return
    windows = np.array(loss[:num_points * npoints_to_average]).reshape(num_points, -1)
    mean, std = windows.mean(axis=1), windows.std(axis=1)
    steps = global_steps[npoints_to_average // 2::npoints_to_average][:num_points]
    plt.plot(steps, mean, label=f"{label} (mean over {npoints_to_average} steps)")
    plt.fill_between(steps, mean - std, mean + std, alpha=0.2,
                     label=f"{label} (± 1 std over {npoints_to_average} steps)")


def styled(make_figure: Callable) -> Callable:
    """Decorator: make_figure draws in FIGURE_STYLE; matplotlib's global settings are as
    before afterwards (nothing here changes them, not even on import)."""
    @functools.wraps(make_figure)
    def in_style(*args, **kwargs):
        with plt.rc_context(FIGURE_STYLE):
            return make_figure(*args, **kwargs)
    return in_style


@styled
def save_curves(path: str | Path, curves: list[tuple[dict, str, int]], title: str,
                ylabel: str, ylim: tuple[float, float] | None = None) -> None:
    """Write one figure of {global step: value} curves against training steps; curves:
    (history, legend label, npoints_to_average) triples (averaging suits the noisy
    per-step training loss)."""
    plt.figure(figsize=(8, 4.8))
    for history, label, npoints_to_average in curves:
        plot_loss(history, label, npoints_to_average=npoints_to_average)
    if ylim is not None:
        plt.ylim(ylim)
    finish_plot(path, title, "Number of training steps", ylabel)


def finish_plot(path: str | Path, title: str, xlabel: str, ylabel: str, **legend) -> None:
    """Title, axis labels, a light grid and the legend (legend: plt.legend's keyword
    arguments) on the current plot, then save it (see save_figure)."""
    plt.gca().set(title=title, xlabel=xlabel, ylabel=ylabel)
    plt.grid(alpha=0.3, which="both")
    plt.legend(**legend)
    save_figure(path)


def save_figure(path: str | Path) -> None:
    """Save the current figure as PNG, atomically, in FIGURES_DIR (a relative path is taken
    from there, not from the current folder), close it and say where it went."""
    path = FIGURES_DIR / path
    with atomic_path(path) as tmp:
        plt.savefig(tmp, format="png", dpi=150, bbox_inches="tight",
                    metadata={"Software": None})
    plt.close()
    print(f"wrote {path}")


def run_record(trainer, num_epochs: int, train_history: dict, val_history: dict) -> dict:
    """What a results file keeps of a finished training run: its settings, where it
    stopped, where its lowest validation loss was, both histories (see BaseTrainer.train)
    and the final model's validation_step (the model the run ends with)."""
    settings = {"learning_rate": trainer.learning_rate, "batch_size": trainer.batch_size,
                "num_epochs": num_epochs, "shuffle": trainer.shuffle_dataset,
                "early_stopping_patience": trainer.early_stopping_patience,
                "l2_reg_lambda": getattr(trainer.model, "l2_reg_lambda", None)}
    final = dict(zip(("val_loss", "train_accuracy", "val_accuracy"), trainer.validation_step()))
    return {"settings": settings, "stopped_early": trainer.stopped_early,
            "stop_epoch": trainer.stop_epoch, "stop_step": trainer.stop_step,
            "best_epoch": trainer.best_epoch, "best_step": trainer.best_step,
            "best_val_loss": float(trainer.best_val_loss), "final": final,
            "train_history": train_history, "val_history": val_history}


def save_results(name: str, results: dict) -> None:
    """Write results/{name}.json (atomically, keys sorted, so equal runs give equal bytes)."""
    path = RESULTS_DIR / f"{name}.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


def run_script(main: Callable[[], None], doc: str) -> None:
    """Run a script's main() as a command: `--help` prints doc, any other argument is an
    error (exit 2), Ctrl-C ends it with one line and exit status 130 (every file is
    written whole or not at all, so an interrupted run leaves nothing half-written)."""
    name = Path(sys.argv[0]).name
    argparse.ArgumentParser(prog=f"python {name}", description=doc,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    try:
        main()
    except KeyboardInterrupt:
        print(f"\n{name}: interrupted; nothing half-written was left. Run `python {name}` "
              "again (or `make`) to finish.", file=sys.stderr)
        sys.exit(130)
