"""report.ipynb executed on a small stand-in results set: every task is answered and every
quoted number comes from the results files."""
import json

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient

from utils import ROOT

matplotlib.use("Agg")

FIGURES = ("task2b_binary_train_loss.png", "task2b_binary_train_accuracy.png",
           "task2e_train_loss_with_shuffle.png", "task2e_train_accuracy_shuffle_difference.png",
           "task3b_softmax_train_loss.png", "task3b_softmax_train_accuracy.png",
           "task4b_softmax_weight.png", "task4c_l2_reg_accuracy.png", "task4e_l2_reg_norms.png",
           "extra_lr_sweep.png", "extra_mean_digits_vs_weights.png", "extra_confusion_matrix.png",
           "extra_misclassified.png", "extra_split_sensitivity.png", "extra_gradient_check.png")
HEADINGS = ("Task 1a", "Task 1b", "Task 2a", "Task 2b", "Task 2c", "Task 2d", "Task 2e",
            "Task 3a", "Task 3b", "Task 3c", "Task 3d", "Task 4a", "Task 4b", "Task 4c",
            "Task 4d", "Task 4e", "A learning-rate sweep", "What the model learned",
            "Where it fails", "An independent reference: scikit-learn",
            "How much to trust small differences", "The gradient check as a figure")


def run(stop_epoch, stop_step, best_step, best_val_loss, accuracy, rise_steps, batch):
    """A task 2 style run summary with made-up numbers."""
    return {"stopped_early": True, "stop_epoch": stop_epoch, "stop_step": stop_step,
            "epochs_run": stop_epoch + 1, "best_step": best_step, "best_epoch": stop_epoch - 1,
            "best_val_loss": best_val_loss, "best_val_accuracy": accuracy,
            "best_train_accuracy": accuracy - 0.0111, "final_step": stop_step,
            "final_val_loss": best_val_loss + 0.001, "final_val_accuracy": accuracy,
            "final_train_accuracy": accuracy - 0.0111, "final_train_loss": 0.05,
            "num_validation_checks": 40, "largest_val_loss_rise_steps": rise_steps,
            "largest_val_loss_rise_batch_in_epoch": [batch] * len(rise_steps),
            "largest_val_loss_rise": 0.0777 if batch else 0.0123,
            "val_accuracy_change_std": 0.0066 if batch else 0.0022}


def softmax_run(val_accuracy, train_accuracy, val_loss, norm):
    return {"final_val_accuracy": val_accuracy, "final_train_accuracy": train_accuracy,
            "final_val_loss": val_loss, "best_val_loss": val_loss - 0.0011, "best_step": 7001,
            "final_step": 7781, "squared_norm": norm}


def sweep_run(learning_rate, accuracy, loss, first_loss):
    return {"learning_rate": learning_rate, "failed": None, "val_accuracy": accuracy,
            "val_loss": loss, "best_val_loss": loss, "max_val_loss": first_loss,
            "first_val_loss": first_loss}


def sklearn_run(task, C, accuracy, converged=True):
    return {"task": task, "C": C, "seconds": 3.25, "iterations": 77, "converged": converged,
            "train_accuracy": accuracy + 0.0101, "val_accuracy": accuracy}


EXTRAS = {
    "learning_rate_sweep": {
        "chosen": 0.01, "initial_loss": 2.302585,
        "runs": [sweep_run(0.0001, 0.8111, 0.9444, 2.3), sweep_run(0.01, 0.9123, 0.3111, 2.29),
                 sweep_run(0.1, 0.9188, 0.3012, 2.71), sweep_run(1.0, 0.8999, 1.5060, 12.3)]},
    "confusion": {
        "counts": [[0] * 10] * 10,
        "recall_per_digit": [0.99, 0.98, 0.9, 0.9, 0.93, 0.8432, 0.95, 0.92, 0.88, 0.9],
        "most_confused": [{"true": 5, "predicted": 3, "count": 41},
                          {"true": 4, "predicted": 9, "count": 38}],
        "most_confidently_wrong": [{"index": 1, "true": 2, "predicted": 7, "probability": 0.9991},
                                   {"index": 2, "true": 8, "predicted": 4, "probability": 0.9555}]},
    "sklearn": {"runs": [sklearn_run("10 digits", 0.01, 0.9176),
                         sklearn_run("10 digits", 0.1, 0.9186, converged=False),
                         sklearn_run("2 vs 3", 0.01, 0.9779)]},
    "split_sensitivity": {
        "full_val_accuracy": 0.9166, "subset_size": 2000,
        "subset_accuracies": [0.9075, 0.9290, 0.9150], "subset_std": 0.0055,
        "binomial_std_subset": 0.0062, "binomial_std_full": 0.0028,
        "seed_accuracies": [0.9166, 0.9153], "seed_std": 0.0007},
    "gradient_check": {"epsilons": [0.1, 0.01, 0.001, 0.0001, 1e-05, 1e-06],
                       "logistic": [1e-4, 1e-6, 1.4e-8, 1e-10, 3e-11, 4e-10],
                       "softmax": [2e-4, 2e-6, 2e-8, 2e-10, 3.5e-11, 1e-9]},
}

STAND_IN = {
    "extras": EXTRAS,
    "extras_seconds": {"learning_rate_sweep": 60.0, "sklearn": 45.0, "split_sensitivity": 20.0},
    "task2a": {"gradient_check_relative_errors": [3.1e-12, 4.2e-12]},
    "task3a": {"gradient_check_relative_errors": [5.3e-08, 6.4e-08]},
    "task2": {"num_train": 4321, "num_val": 2109,
              "without_shuffle": run(16, 523, 463, 0.0612, 0.9321, [100, 286, 472], 7),
              "with_shuffle": run(8, 271, 211, 0.0701, 0.9287, [40, 77, 130], 0)},
    "task3": softmax_run(0.9087, 0.9176, 0.3141, 30.5),
    "task4": {"0": softmax_run(0.9087, 0.9176, 0.3141, 30.5),
              "0.001": softmax_run(0.9065, 0.9133, 0.3222, 25.25),
              "0.01": softmax_run(0.9011, 0.9055, 0.3333, 12.5),
              "0.1": softmax_run(0.8765, 0.8754, 0.5555, 3.125),
              "1": softmax_run(0.7654, 0.7543, 1.2345, 0.625)},
    "task2_seconds": {"without_shuffle": 1.25, "with_shuffle": 0.75},
    "task3_seconds": {"train": 4.5},
    "task4_seconds": {"0": 4.5, "0.001": 4.5, "0.01": 4.5, "0.1": 4.5, "1": 4.5},
}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The report's text (markdown cells and outputs) executed on the stand-in results."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "results").mkdir()
    for name, results in STAND_IN.items():
        (folder / "results" / f"{name}.json").write_text(json.dumps(results))
    for name in FIGURES:
        plt.figure(figsize=(1, 1))
        plt.savefig(folder / name)
        plt.close()
    notebook = nbformat.read(ROOT / "report.ipynb", as_version=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REPORT_DIR", str(folder))
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    texts, images = [], 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            texts.append(output.get("data", {}).get("text/markdown", ""))
            images += "image/png" in output.get("data", {})
    return "\n".join(texts), images


def test_every_task_has_a_heading(executed):
    text, _ = executed
    for heading in HEADINGS:
        assert f"## {heading}" in text, heading


def test_all_fifteen_figures_are_embedded(executed):
    assert executed[1] == 15


@pytest.mark.parametrize("quoted", [
    "relative errors between the numerical and the analytic gradient are 3.1e-12 and 4.2e-12",
    "relative errors 5.3e-08 and 6.4e-08",
    "The training set has 4321 images", "the validation set 2109",
    "kicks in during epoch 17", "0-based epoch 16, after gradient step 523",
    "lowest validation loss, 0.0612, was reached at step 463",
    "during epoch 9 (step 271)", "0.0701 at step 211",
    "validation accuracy is 93.21 %", "training accuracy 92.10 %",
    "at steps 100, 286, 472: 186 steps apart", "number 7 of the epoch",
    "largest rise is 0.012 instead of 0.078", "0.22 % instead of 0.66 %",
    "training accuracy is 91.76 % and the validation accuracy 90.87 %",
    "its lowest value, 0.3130, comes at step 7001 of 7781", "0.89 percentage points",
    "| 0.1 | 87.65 % | 87.54 % | 0.5555 |",
    "drops to 76.54 %", "(75.43 %)", "(90.65 % against 90.87 %",
    "30.50 without regularization, 25.25 for", "12.50 for 0.01, 3.12 for 0.1 and 0.625",
    "between 2.0 and 5.0",
    "task 2 took 1.2 s without and 0.8 s with shuffling", "task 3 took 4.5 s",
    "task 4 took 22.5 s", "beyond the assignment took 125 s",
    "The best validation accuracy, 91.88 %, comes with learning rate 0.1",
    "the task's 0.01 gives 91.23 %", "after 50 epochs with 0.0001 the accuracy is 81.11 %",
    "From 0.1 on the steps are too large", "(to 2.71, and to 12.3 with 1)",
    "to 1.51 at 1, 5.0 times the best",
    "5 taken for 3 (41 times), 4 taken for 9 (38 times)", "digit 5 worst (84.32 %)",
    "from 0.956 to 0.999",
    "| 10 digits | scikit-learn, $C$ = 0.1 (stopped at 77 iterations) | 91.86 % | 92.87 % | 3.2 |",
    "| 10 digits | ours, mini-batch gradient descent, 50 epochs | 90.87 % | 91.76 % | 4.5 |",
    "| 2 vs 3 | ours, with early stopping | 93.21 % | 92.10 % | 1.2 |",
    "best validation accuracy is 91.86 % ($C$ = 0.1)", "0.99 percentage points lower",
    "right. On random subsets of 2000 images the accuracy ranges from 90.75 % to 92.90 %",
    "standard deviation of 0.55 points", "predicts (0.62 points)", "that estimate is 0.28",
    "standard deviation of 0.07 points", "two standard errors, 0.6 points",
    "on a validation set of 2000 images it would take 1.2 points",
    "falls by 2.00 decades per decade", "minimum, 3.5e-11 for the softmax model",
    "gives 2.0e-08 (softmax) and 1.4e-08",
])
def test_quoted_numbers_come_from_the_results(executed, quoted):
    assert quoted in executed[0]
