"""Data sets, batching, the figure and results writers and the command line of the scripts."""
import argparse
import functools
import json
import sys
from pathlib import Path
from typing import Callable, Iterator

import matplotlib.pyplot as plt
import numpy as np

import mnist
from mnist import atomic_path  # noqa: F401  (re-exported: the one atomic writer)

TRAIN_SIZE = 20000
ROOT = Path(__file__).resolve().parent
# Every script writes here, wherever it is started from: figures beside report.ipynb,
# which embeds them, and numbers in results/, which it reads.
FIGURES_DIR = ROOT
RESULTS_DIR = ROOT / "results"
FIGURE_STYLE = {"font.size": 12}  # figures are read at report size, about 6 inches wide


def batch_loader(X: np.ndarray, Y: np.ndarray, batch_size: int, shuffle: bool = False,
                 drop_last: bool = True, rng: np.random.Generator | None = None
                 ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Batches over the whole data set once (one call is one epoch).

    Args:
        X: images of shape [N, ...]
        Y: targets of shape [N, ...]
        batch_size: samples per batch, at least 1
        shuffle: visit the samples in a new random order on every call
        drop_last: drop the final batch if it is shorter than batch_size
        rng: where the random order comes from; None draws from NumPy's global
            generator, so np.random.seed(...) makes the order repeat
    Returns:
        an iterator of (x, y): x of shape [batch_size, ...], y of shape [batch_size, ...]
    """
    if len(X) != len(Y):
        raise ValueError(f"batch_loader: X and Y must have the same number of samples, got "
                         f"{len(X)} images and {len(Y)} targets")
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_loader: batch_size must be a whole number of at least 1, "
                         f"got {batch_size}")
    num_batches = len(X) // batch_size if drop_last else -(-len(X) // batch_size)
    starts = range(0, num_batches * batch_size, batch_size)
    if not shuffle:
        return ((X[start:start + batch_size], Y[start:start + batch_size]) for start in starts)
    order = (rng if rng is not None else np.random).permutation(len(X))
    batches = (order[start:start + batch_size] for start in starts)
    # take copies whole rows: faster than the equivalent X[batch] for rows of a few numbers
    return ((X.take(batch, axis=0), Y.take(batch, axis=0)) for batch in batches)


def binary_prune_dataset(class1: int, class2: int, X: np.ndarray, Y: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Keep the images of two classes: label 1 for class1, 0 for class2.

    Args:
        X: images of shape [N, 784]
        Y: labels of shape [N] or [N, 1]
    Returns:
        X of shape [M, 784] and int64 labels of shape [M], in the original order
    """
    Y = Y.reshape(-1)
    keep = (Y == class1) | (Y == class2)
    return X[keep], (Y[keep] == class1).astype(np.int64)


def _train_and_val() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first 20000 training images and all 10000 test images (used as validation)."""
    X_train, Y_train, X_test, Y_test = mnist.load()
    return X_train[:TRAIN_SIZE], Y_train[:TRAIN_SIZE], X_test, Y_test


def load_binary_dataset(class1: int, class2: int
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The two-class task: X uint8 [N, 784], Y int64 [N, 1] (1 for class1, 0 for class2).

    For (2, 3): 4005 training and 2042 validation images.
    """
    X_train, Y_train, X_val, Y_val = _train_and_val()
    X_train, Y_train = binary_prune_dataset(class1, class2, X_train, Y_train)
    X_val, Y_val = binary_prune_dataset(class1, class2, X_val, Y_val)
    return X_train, Y_train.reshape(-1, 1), X_val, Y_val.reshape(-1, 1)


def load_full_mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ten-class task: X uint8 [20000, 784] and [10000, 784], Y int64 [N, 1] in 0..9."""
    X_train, Y_train, X_val, Y_val = _train_and_val()
    return (X_train.copy(), Y_train.astype(np.int64).reshape(-1, 1),
            X_val, Y_val.astype(np.int64).reshape(-1, 1))


def plot_loss(loss_dict: dict, label: str = None, npoints_to_average: int = 1,
              plot_variance: bool = True) -> None:
    """Plot a {global_step: value} curve on the current axes.

    With npoints_to_average > 1 the curve is the mean of each window of that many points,
    drawn at the window's first step, with a band of one standard deviation around it.
    """
    steps = np.fromiter(loss_dict.keys(), dtype=float)
    values = np.fromiter(loss_dict.values(), dtype=float)
    if npoints_to_average == 1 or len(values) < npoints_to_average:
        plt.plot(steps, values, label=label)
        return
    num_windows = len(values) // npoints_to_average
    windows = values[:num_windows * npoints_to_average].reshape(num_windows, -1)
    mean, std = windows.mean(axis=1), windows.std(axis=1)
    window_steps = steps[:num_windows * npoints_to_average:npoints_to_average]
    plt.plot(window_steps, mean, label=f"{label} (mean of {npoints_to_average} steps)")
    if plot_variance:
        plt.fill_between(window_steps, mean - std, mean + std, alpha=0.2,
                         label=f"{label} (± 1 std)")


def styled(make_figure: Callable) -> Callable:
    """Decorator: make_figure draws in FIGURE_STYLE, and matplotlib's global settings are
    as before afterwards (nothing here changes them, not even on import)."""
    @functools.wraps(make_figure)
    def in_style(*args, **kwargs):
        with plt.rc_context(FIGURE_STYLE):
            return make_figure(*args, **kwargs)
    return in_style


@styled
def save_curves(path: str | Path, curves: list[tuple[dict, str, int]], title: str,
                ylabel: str, ylim: tuple[float, float] | None = None,
                marks: list[tuple[int, str]] = (), **legend) -> None:
    """Write one figure of {global_step: value} curves, e.g. train and validation loss.

    Args:
        curves: (history, legend label, npoints_to_average) triples; averaging suits the
            per-step training loss, which is noisy
        marks: (step, legend label) pairs drawn as dashed vertical lines
        legend: keyword arguments for plt.legend, e.g. loc
    """
    plt.figure(figsize=(8, 4.8))
    for history, label, npoints_to_average in curves:
        plot_loss(history, label, npoints_to_average=npoints_to_average)
    for step, label in marks:
        plt.axvline(step, color="gray", linestyle="--", label=label)
    if ylim is not None:
        plt.ylim(ylim)
    finish_plot(path, title, "Gradient steps", ylabel, **legend)


def finish_plot(path: str | Path, title: str, xlabel: str, ylabel: str, **legend) -> None:
    """Title, axis labels, a light grid and the legend on the current plot, then save it.

    Args:
        legend: keyword arguments for plt.legend, e.g. loc
    """
    plt.title(title)
    plt.xlabel(xlabel)
    plt.ylabel(ylabel)
    plt.grid(alpha=0.3, which="both")
    plt.legend(**legend)
    save_figure(path)


def save_figure(path: str | Path) -> None:
    """Save the current figure as PNG (atomically) in FIGURES_DIR, close it and say where
    it went. A relative path is taken from FIGURES_DIR, not from the current folder."""
    path = FIGURES_DIR / path
    with atomic_path(path) as tmp:
        plt.savefig(tmp, format="png", dpi=150, bbox_inches="tight",
                    metadata={"Software": None})
    plt.close()
    print(f"wrote {path}")


def save_results(name: str, results: dict) -> Path:
    """Write results/{name}.json (atomically, keys sorted, so equal runs give equal bytes)."""
    path = RESULTS_DIR / f"{name}.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path}")
    return path


def run_script(main: Callable[[], None], doc: str, argv: list[str] | None = None) -> None:
    """Run a script's main() as a command: `--help` prints doc (what the script does, what
    it writes, how long it takes) and exits; any other argument is an error (exit 2).
    Ctrl-C ends it with one line and exit status 130: every file is written whole or not
    at all (atomic_path), so an interrupted run leaves nothing half-written behind.
    """
    name = Path(sys.argv[0]).name
    parser = argparse.ArgumentParser(prog=f"python {name}", description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    try:
        main()
    except KeyboardInterrupt:
        print(f"\n{name}: interrupted; nothing half-written was left. Run `python {name}` "
              "again (or `make`) to finish.", file=sys.stderr)
        sys.exit(130)
