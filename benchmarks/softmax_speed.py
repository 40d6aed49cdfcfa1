"""Speed of the 50-epoch softmax run against the plain reference implementation.

Workload: task 3's run through the graded API, SoftmaxModel(0.0) and
SoftmaxTrainer(model, 0.01, 128, True, X_train, Y_train, X_val, Y_val,
early_stopping_patience=None).train(50) on task3.load_softmax_data(); only train(50) is
timed. Reference: plain_softmax.py beside this file (a typical first solution of the same
workload in plain float64 NumPy), run as a subprocess.

Run:  python benchmarks/softmax_speed.py [--pairs 5] [--epochs 50]
Runs reference and ours alternately (pairs), prints each pair's ratio, the median ratio
and both validation accuracies. The machine is shared and noisy: read the median.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")  # read when tqdm is imported: no bars here


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from task3 import SoftmaxTrainer, calculate_accuracy, load_softmax_data  # noqa: E402
from task3a import SoftmaxModel  # noqa: E402

REFERENCE = Path(__file__).resolve().parent / "plain_softmax.py"


def run_reference(epochs: int) -> tuple[float, float]:
    """(seconds, validation accuracy) of one reference run."""
    result = subprocess.run([sys.executable, str(REFERENCE), "--epochs", str(epochs)],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["seconds"], report["val_accuracy"]


def run_ours(data: tuple, epochs: int) -> tuple[float, float, int]:
    """(seconds, validation accuracy, steps) of one run through the graded API."""
    model = SoftmaxModel(0.0)
    trainer = SoftmaxTrainer(model, 0.01, 128, True, *data, early_stopping_patience=None)
    start = time.perf_counter()
    trainer.train(epochs)
    seconds = time.perf_counter() - start
    return seconds, calculate_accuracy(data[2], data[3], model), trainer.stop_step + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args()
    data = load_softmax_data()
    ratios, ours_accuracy, reference_accuracy = [], None, None
    for pair in range(1, args.pairs + 1):
        reference_seconds, reference_accuracy = run_reference(args.epochs)
        ours_seconds, ours_accuracy, steps = run_ours(data, args.epochs)
        ratios.append(reference_seconds / ours_seconds)
        print(f"pair {pair}: reference {reference_seconds:.2f} s, ours {ours_seconds:.2f} s "
              f"({steps} steps), ratio {ratios[-1]:.2f}", flush=True)
    print(f"median ratio {statistics.median(ratios):.2f} over {args.pairs} pairs; validation "
          f"accuracy ours {ours_accuracy:.4f}, reference {reference_accuracy:.4f} "
          f"(difference {abs(ours_accuracy - reference_accuracy):.4f})")


if __name__ == "__main__":
    main()
