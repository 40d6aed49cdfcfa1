"""Run graded scripts as `python taskN.py` runs them, and record what they trained.

    python workshop/record.py task2 [task3 ...]

runs each script's main() in the project folder, so its prints and figures are exactly
those of `python task2.py`, and records every training run it makes: each call of
BaseTrainer.train, with the trainer's settings, both histories, the epoch early stopping
ended it in, and the returned model's validation step, squared L2 norm, likeness to the
class means and pixel-to-pixel noise; and what the script printed. It writes them to
results/<script>.json (keys sorted, so equal runs give equal bytes), whole or not at all; a
script that trains nothing (task2a, task3a) gets a results file with no runs once its
checks pass.
The graded files know nothing of this: the recording wraps BaseTrainer.train from here.
"""
import contextlib
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")  # the scripts only save their figures

import trainer  # noqa: E402  (a graded module, found through ROOT)

from atomic import write_json  # noqa: E402

SCRIPTS = ("task2a", "task3a", "task2", "task3", "task4")
RESULTS = ROOT / "results"


def class_mean_correlation(w: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
    """How much each output's pixel weights look like the mean image of its class.

    w: [785, K], one column per output, its first 784 rows the pixels (the last the bias);
    X: [N, 785] the training images as the model sees them; Y: [N, K] their targets (one-hot,
    or for K = 1 the binary target). Returns the correlation between w[:784, k] and the mean
    of the images with Y[:, k] = 1 less the mean of all images, averaged over the K outputs.
    """
    pixels = X[:, :784]
    correlations = []
    for k in range(w.shape[1]):
        members = pixels[Y[:, k] == 1]
        if len(members) == 0:
            raise ValueError(f"output {k}: no training image of its class, so no class mean")
        template = members.mean(axis=0) - pixels.mean(axis=0)
        if np.ptp(template) == 0 or np.ptp(w[:784, k]) == 0:
            raise ValueError(f"output {k}: its weights or its class mean are constant over "
                             "the pixels, so their correlation is undefined")
        correlations.append(np.corrcoef(w[:784, k], template)[0, 1])
    return float(np.mean(correlations))


def neighbourhood_sizes() -> np.ndarray:
    """[28, 28]: how many pixels each pixel's 3 by 3 neighbourhood holds, itself included and
    cut at the image's edge: 9 inside, 6 at an edge, 4 at a corner."""
    inside = np.pad(np.ones((28, 28)), 1)
    return sum(inside[i:i + 28, j:j + 28] for i in range(3) for j in range(3))


def independent_noise_level() -> float:
    """What pixel_noise gives, in expectation, for weights that are independent noise of one
    variance: each pixel's term has expectation 1 - 1/m for its neighbourhood of m pixels,
    the spread 28 * 28 - 1, in units of the variance."""
    return float((1 - 1 / neighbourhood_sizes()).sum() / (28 * 28 - 1))


def pixel_noise(w: np.ndarray) -> float:
    """How much each output's pixel weights vary from one pixel to its neighbours.

    w: [785, K], one column per output, its first 784 rows the 28 by 28 pixels (the last the
    bias). For each output, the sum of squares of every pixel weight less the mean of its 3 by
    3 neighbourhood (itself included, cut at the image's edge), over the sum of squares of the
    weights less their mean over the pixels; returns the mean over the K outputs: near 0 for
    weights that change smoothly over the image, independent_noise_level() (0.88) for
    independent noise.
    """
    images = w[:784].T.reshape(-1, 28, 28)
    spread = ((images - images.mean(axis=(1, 2), keepdims=True)) ** 2).sum(axis=(1, 2))
    if not np.all(spread > 0):
        raise ValueError(f"output {int(np.argmin(spread))}: its weights are constant over the "
                         "pixels (or NaN), so they have no variation to measure")
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    sums = sum(padded[:, i:i + 28, j:j + 28] for i in range(3) for j in range(3))
    local_mean = sums / neighbourhood_sizes()
    return float(np.mean(((images - local_mean) ** 2).sum(axis=(1, 2)) / spread))


def describe_run(run_trainer, num_epochs: int, train_history: dict, val_history: dict) -> dict:
    """What a results file keeps of one finished BaseTrainer.train call."""
    model = run_trainer.model
    val_loss, train_accuracy, val_accuracy = run_trainer.validation_step()
    return {
        "settings": {"learning_rate": run_trainer.learning_rate,
                     "batch_size": run_trainer.batch_size, "num_epochs": num_epochs,
                     "shuffle": run_trainer.shuffle_dataset,
                     "early_stopping_patience": run_trainer.early_stopping_patience,
                     "l2_reg_lambda": getattr(model, "l2_reg_lambda", None)},
        "num_train": len(run_trainer.X_train), "num_val": len(run_trainer.X_val),
        "steps_per_epoch": len(run_trainer.X_train) // run_trainer.batch_size,
        "early_stop_epoch": run_trainer.early_stop_epoch,
        "final": {"val_loss": float(val_loss), "train_accuracy": float(train_accuracy),
                  "val_accuracy": float(val_accuracy),
                  "squared_norm": float(np.sum(model.w ** 2)),
                  "class_mean_correlation": class_mean_correlation(
                      model.w, run_trainer.X_train, run_trainer.Y_train),
                  "pixel_noise": pixel_noise(model.w)},
        "train_history": train_history, "val_history": val_history,
    }


@contextlib.contextmanager
def recording(runs: list):
    """While open, every BaseTrainer.train call appends its description to runs."""
    train = trainer.BaseTrainer.train

    def recorded_train(self, num_epochs):
        train_history, val_history = train(self, num_epochs)
        runs.append(describe_run(self, num_epochs, train_history, val_history))
        return train_history, val_history

    trainer.BaseTrainer.train = recorded_train
    try:
        yield
    finally:
        trainer.BaseTrainer.train = train


class Tee(io.StringIO):
    """A text stream that keeps what is written to it and passes it on to stream."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text)
        return super().write(text)

    def flush(self) -> None:
        self.stream.flush()


def record(script: str) -> dict:
    """Run the module script's main() in the project folder; return its results, with
    what it printed (still printed as it goes)."""
    module = __import__(script)
    runs = []
    printed = Tee(sys.stdout)
    previous = Path.cwd()
    os.chdir(ROOT)  # the figures go where `python taskN.py` run there puts them
    try:
        with recording(runs), contextlib.redirect_stdout(printed):
            module.main()
    finally:
        os.chdir(previous)
    return {"script": f"{script}.py", "checks_passed": True, "printed": printed.getvalue(),
            "runs": runs}


def main(scripts: list[str]) -> None:
    unknown = [s for s in scripts if s not in SCRIPTS]
    if not scripts or unknown:
        sys.exit(f"usage: python workshop/record.py SCRIPT...  (SCRIPT: one of "
                 f"{', '.join(SCRIPTS)}; got {' '.join(unknown) or 'none'})")
    for script in scripts:
        start = time.perf_counter()
        results = record(script)
        write_json(RESULTS / f"{script}.json", results)  # last: make trusts it
        print(f"{script}.py: {len(results['runs'])} training run(s) recorded in "
              f"results/{script}.json ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
