"""report.ipynb executed on a small stand-in results set: every task is answered and every
quoted number comes from the results files."""
import json
import re

import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient

from utils import ROOT

FIGURES = ("task2b_binary_train_loss.png", "task2b_binary_train_accuracy.png",
           "task2e_train_loss_with_shuffle.png", "task2e_train_accuracy_shuffle_difference.png",
           "task3b_softmax_train_loss.png", "task3b_softmax_train_accuracy.png",
           "task4b_softmax_weight.png", "task4c_l2_reg_accuracy.png", "task4e_l2_reg_norms.png",
           "extra_lr_sweep.png", "extra_mean_digits_vs_weights.png", "extra_confusion_matrix.png",
           "extra_misclassified.png", "extra_calibration.png", "extra_split_sensitivity.png",
           "extra_gradient_check.png")
HEADINGS = ("Task 1a", "Task 1b", "Task 2a", "Task 2b", "Task 2c", "Task 2d", "Task 2e",
            "Task 3a", "Task 3b", "Task 3c", "Task 3d", "Task 4a", "Task 4b", "Task 4c",
            "Task 4d", "Task 4e", "A learning-rate sweep", "What the model learned",
            "Where it fails", "An independent reference: scikit-learn",
            "How much to trust small differences", "The gradient check as a figure")


def run(stop_epoch, stop_step, best_step, best_val_loss, accuracy):
    """A run_summary with made-up numbers; the final model is the best checkpoint."""
    return {"stopped_early": True, "stop_epoch": stop_epoch, "stop_step": stop_step,
            "num_steps": stop_step + 1, "best_step": best_step, "best_epoch": stop_epoch - 1,
            "best_val_loss": best_val_loss, "best_val_accuracy": accuracy,
            "best_train_accuracy": accuracy - 0.0111, "final_val_loss": best_val_loss,
            "final_val_accuracy": accuracy, "final_train_accuracy": accuracy - 0.0111,
            "last_check_step": stop_step, "last_check_val_loss": best_val_loss + 0.001,
            "num_validation_checks": 40}


def curves(rise_steps, batch, rise, accuracy_std, loss_std, lowest, lowest_step):
    return {"largest_val_loss_rise_steps": rise_steps,
            "largest_val_loss_rise_batch_in_epoch": [batch] * len(rise_steps),
            "largest_val_loss_rise": rise, "val_accuracy_change_std": accuracy_std,
            "val_loss_change_std": loss_std, "lowest_val_loss": lowest,
            "lowest_val_loss_step": lowest_step, "checks_compared": 246}


def paired(a_only, b_only, p_value):
    return {"a_only": a_only, "b_only": b_only, "p_value": p_value}


def softmax_run(val_accuracy, train_accuracy, val_loss, norm, mean, std, test):
    return {"final_val_accuracy": val_accuracy, "final_train_accuracy": train_accuracy,
            "final_val_loss": val_loss, "best_val_loss": val_loss - 0.0011, "best_step": 7001,
            "last_check_step": 7781, "squared_norm": norm,
            "last_epochs_val_accuracy_mean": mean, "last_epochs_val_accuracy_std": std,
            "last_epochs_val_accuracy_min": mean - 0.0321, "last_epochs_val_accuracy_max":
            mean + 0.0123, "against_lambda_0": test}


def sweep_run(learning_rate, accuracy, loss, first_loss, p_value):
    return {"learning_rate": learning_rate, "failed": None, "val_accuracy": accuracy,
            "val_loss": loss, "best_val_loss": loss, "first_val_loss": first_loss,
            "against_task3": paired(3, 4, p_value)}


def sklearn_run(task, C, accuracy, p_value, converged=True):
    return {"task": task, "C": C, "equivalent_lambda": 1 / (2 * C * 20000), "iterations": 77,
            "converged": converged, "train_accuracy": accuracy + 0.0101,
            "val_accuracy": accuracy, "against_ours": paired(12, 8, p_value)}


EXTRAS = {
    "learning_rate_sweep": {
        "chosen": 0.01, "initial_loss": 2.302585,
        "runs": [sweep_run(0.0001, 0.8111, 0.9444, 2.3, 1e-9),
                 sweep_run(0.01, 0.9123, 0.3111, 2.29, 1.0),
                 sweep_run(0.1, 0.9188, 0.3222, 2.71, 0.2),
                 sweep_run(1.0, 0.8999, 1.5060, 12.3, 1e-5)]},
    "blank_pixels": {"count": 67, "models": {"0": {"bias": [0.1] * 10,
                                                   "largest_distance_from_minus_bias": 3e-15},
                                             "1": {"bias": [0.2] * 10,
                                                   "largest_distance_from_minus_bias": 0.0}}},
    "confusion": {
        "counts": [[0] * 10] * 10,
        "recall_per_digit": [0.99, 0.98, 0.9, 0.9, 0.93, 0.8432, 0.95, 0.92, 0.88, 0.9],
        "most_confused": [{"true": 5, "predicted": 3, "count": 41},
                          {"true": 4, "predicted": 9, "count": 38}],
        "most_confidently_wrong": [{"index": 1, "true": 2, "predicted": 7, "probability": 0.9991},
                                   {"index": 2, "true": 8, "predicted": 4, "probability": 0.9555}]},
    "calibration": {"expected_calibration_error": 0.0123, "bins": [
        {"low": 0.0, "high": 0.5, "count": 400, "mean_probability": 0.41, "accuracy": 0.45},
        {"low": 0.99, "high": 1.0, "count": 5000, "mean_probability": 0.997,
         "accuracy": 0.9961}]},
    "sklearn": {"runs": [sklearn_run("10 digits", 0.01, 0.9176, 0.3),
                         sklearn_run("10 digits", 0.1, 0.9186, 0.01),
                         sklearn_run("2 vs 3", 0.01, 0.9779, 0.6)]},
    "split_sensitivity": {
        "full_val_accuracy": 0.9166, "subset_size": 2000,
        "subset_accuracies": [0.9075, 0.9290, 0.9150], "subset_std": 0.0057,
        "expected_subset_std": 0.0055, "binomial_std_full": 0.0028,
        "seed_accuracies": [0.9166, 0.9153], "seed_std": 0.0007,
        "seeds_against_seed_0": [paired(10, 12, 0.83), paired(9, 20, 0.06)]},
    "gradient_check": {"epsilons": [0.1, 0.01, 0.001, 0.0001, 1e-05, 1e-06],
                       "weight_scale": 0.05,
                       "logistic": [1e-4, 1e-6, 1.4e-8, 1e-10, 3e-11, 4e-10],
                       "softmax": [2e-4, 2e-6, 2e-8, 2e-10, 3.5e-11, 1e-9]},
}

GRADIENT_CHECK = {"relative_errors": [3.1e-12, 4.2e-12], "largest_differences": [5e-13, 6e-13]}
STAND_IN = {
    "extras": EXTRAS,
    "extras_seconds": {"learning_rate_sweep": 60.0, "split_sensitivity": 20.0,
                       "sklearn": {"10 digits, C = 0.01": 40.0, "2 vs 3, C = 0.01": 5.0}},
    "task2a": {"gradient_check": GRADIENT_CHECK, "epsilon": 1e-3},
    "task3a": {"gradient_check": {"relative_errors": [5.3e-08, 6.4e-08],
                                  "largest_differences": [1.5e-9, 2.5e-9]}, "epsilon": 1e-3},
    "task2": {"num_train": 4321, "num_val": 2109, "steps_per_epoch": 33, "comparison_epochs": 40,
              "early_stopping": {"without_shuffle": run(16, 523, 463, 0.0612, 0.9321),
                                 "with_shuffle": run(8, 271, 211, 0.0701, 0.9287)},
              "comparison": {
                  "without_shuffle": curves([100, 298, 496], 1, 0.0777, 0.0066, 0.0150, 0.0601,
                                            1300),
                  "with_shuffle": curves([40, 77, 130], 0, 0.0123, 0.0022, 0.0044, 0.0605,
                                         1111)}},
    "task3": {**softmax_run(0.9087, 0.9176, 0.3141, 30.5, 0.9080, 0.0007, paired(0, 0, 1.0)),
              "accuracy_gap_windows": [{"first_epoch": 1, "last_epoch": 10, "mean_gap": -0.0034},
                                       {"first_epoch": 11, "last_epoch": 20, "mean_gap": 0.0072}],
              "last_step_val_accuracy_above_train": 2077,
              "val_loss_after_epoch": {"10": 0.3571, "20": 0.3240}},
    "task4": {"0": softmax_run(0.9087, 0.9176, 0.3141, 30.5, 0.9080, 0.0007, paired(0, 0, 1.0)),
              "0.001": softmax_run(0.9065, 0.9133, 0.3222, 25.25, 0.9070, 0.0008,
                                   paired(5, 16, 0.027)),
              "0.01": softmax_run(0.9011, 0.9055, 0.3333, 12.5, 0.9010, 0.0008,
                                  paired(39, 114, 1e-9)),
              "0.1": softmax_run(0.8765, 0.8754, 0.5555, 3.125, 0.8760, 0.0021,
                                 paired(92, 450, 1e-50)),
              "1": softmax_run(0.7654, 0.7543, 1.2345, 0.625, 0.7880, 0.0188,
                               paired(144, 1470, 1e-200))},
    "task2_seconds": {"without_shuffle": 1.25, "with_shuffle": 0.75},
    "task3_seconds": {"train": 4.5},
    "task4_seconds": {"0": 4.5, "0.001": 4.5, "0.01": 4.5, "0.1": 4.5, "1": 4.5},
}


def execute(folder, results):
    """The report's text (markdown cells and outputs) and its number of figures, executed
    with the given results files in folder/results."""
    (folder / "results").mkdir()
    for name, values in results.items():
        (folder / "results" / f"{name}.json").write_text(json.dumps(values))
    for name in FIGURES:
        plt.figure(figsize=(1, 1))
        plt.savefig(folder / name)
        plt.close()
    notebook = nbformat.read(ROOT / "report.ipynb", as_version=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REPORT_DIR", str(folder))
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    texts = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            texts.append(output.get("data", {}).get("text/markdown", ""))
    text = "\n".join(texts)
    return text, len(re.findall(r"!\[[^\]]+\]\((\w+\.png)\)", text))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    return execute(tmp_path_factory.mktemp("report"), STAND_IN)


def test_every_task_has_a_heading(executed):
    text, _ = executed
    for heading in HEADINGS:
        assert f"## {heading}" in text, heading


def test_all_sixteen_figures_are_embedded_with_captions(executed):
    assert executed[1] == len(FIGURES) == 16


@pytest.mark.parametrize("quoted", [
    "the largest differences are 5.0e-13 and 6.0e-13", "relative errors", "3.1e-12 and 4.2e-12",
    "largest differences 1.5e-09 and 2.5e-09", "relative errors 5.3e-08 and 6.4e-08",
    "The training set has 4321 images", "the validation set 2109", "an epoch is 33 steps",
    "repeats a sawtooth every epoch (33 steps)",
    "validation accuracy of 93.21 % and a training accuracy of 92.10 %",
    "kicks in during epoch 17", "0-based epoch 16, at gradient step 523",
    "lowest validation loss, 0.0612, was reached at step 463",
    "during epoch 9 (step 271)", "0.0701 at step 211, against 0.0612",
    "trained on for 40 epochs, the same run reaches 0.0605 at step 1111",
    "falls by only about 0.00035 per epoch", "it moves by 0.0044",
    "the same 40 epochs", "the same 246 validation checks",
    "at steps 100, 298, 496: 198 steps apart", "number 1 of the epoch",
    "largest rise is 0.012 instead of 0.078", "0.22 points instead of 0.66 points",
    "a check falls right after the same batch once every 6 epochs (198 steps)",
    "training accuracy of 91.76 % and a validation accuracy of 90.87 %",
    "at the last check of epochs 10, 20 it is 0.3571, 0.3240", "the final model (18 steps after the last check) has 0.3141", "(0.0331 over the last ten epochs)",
    "lowest check, 0.3130, is at step 7001", "-0.34, +0.72 percentage points",
    "Up to step 2077", "to 0.89 points for the final model",
    "| 0.1 | 87.65 % | 87.60 $\\pm$ 0.21 % | 87.54 % | 0.5555 |",
    "78.8 % on average, with a standard deviation of 1.9 points",
    "a range of 75.59 % to 80.03 %", "the final 76.54 % is one draw",
    "a standard deviation of 0.21 points. In the figure",
    "For $\\lambda = 0.001$ the data show no difference beyond noise",
    "differ by 0.10 points, less than twice their check-to-check standard deviation "
    "(0.08 points)", "The final models differ by 0.22 points (5 against 16 images, $p$ = 0.027",
    "is 0.07 points above its own average", "0.3222 against 0.3141",
    "(75.43 % against 76.54 %)",
    "is 30.5 without regularization, 25.2 for $\\lambda = 0.001$, 12.5 for 0.01, 3.12 for "
    "0.1 and 0.625 for 1.0", "between 2.0 and 5.0", "only by 17 %",
    "task 2's runs with early stopping took 1.2 s without and 0.8 s with shuffling",
    "task 3 took 4.5 s", "task 4 took 22.5 s together", "learning-rate sweep took 60 s",
    "scikit-learn fits 45 s",
    "The highest final validation accuracy, 91.88 %, comes with learning rate 0.1",
    "the task's 0.01 gives 91.23 %", "the rates 0.1 are not measurably different", "from there on the final validation loss grows",
    "0.0001 reaches 81.11 %", "From 0.1 on the very first step overshoots",
    "(to 2.71, and to 12.3 with 1)", "0.322 at 0.1, 1.51 at 1, against 0.311 at 0.01",
    "67 pixels are blank", "by at most 3.0e-15, rounding",
    "5 taken for 3 (41 times), 4 taken for 9 (38 times)", "digit 5 worst (84.32 %)",
    "from 0.956 to 0.999", "of the 5000 predictions made with a probability of at least 0.99, "
    "99.61 % are right", "sometimes more, sometimes less often than it says, most in the "
    "group 0 to 0.5 (45.00 % right at a mean probability of 41.00 %)",
    "probability differ by 1.23 points (the expected calibration error)",
    "| 0 to 0.5 | 400 | 41.00 % | 45.00 % |",
    "| 10 digits | $C$ = 0.1 | 2.5e-04 | 77 | 91.86 % | 92.87 % | 12 / 8, 0.01 |",
    "| 10 digits | ours, 50 epochs | | | 90.87 % | 91.76 % | |",
    "| 2 vs 3 | ours, early stopping | | | 93.21 % | 92.10 % | |",
    "All fits stopped by L-BFGS's own convergence test", "Measurably different: 10 digits with $C$ = 0.1 (91.86 %)",
    "Not measurably different from ours ($p \\geq 0.05$): 10 digits with $C$ = 0.01, 2 vs 3",
    "On random subsets of 2000 images, drawn without replacement, the accuracy ranges from "
    "90.75 % to 92.90 %", "a standard deviation of 0.57 points",
    "predicts 0.55 points", "0.28 points here", "a standard deviation of 0.07 points",
    "$p$-values are 0.83, 0.06",
    "falls by 2.00 decades per decade", "lowest, 3.5e-11 for the softmax model",
    "gives 2.0e-08 (softmax) and 1.4e-08", "standard deviation 0.05",
])
def test_quoted_numbers_come_from_the_results(executed, quoted):
    assert quoted in executed[0]


def test_with_no_results_the_report_says_which_script_to_run(tmp_path):
    text, figures = execute(tmp_path, {})
    assert figures == 0 and "# Beyond the assignment" not in text
    for script in ("task2a", "task3a", "task2", "task3", "task4", "extras"):
        assert f"`results/{script}.json` is missing (run `python {script}.py`)" in text
    assert "## Task 4a" in text  # the derivations do not need results


def test_without_extras_the_beyond_section_is_left_out_with_one_line(tmp_path):
    text, figures = execute(tmp_path, {name: values for name, values in STAND_IN.items()
                                       if not name.startswith("extras")})
    assert figures == 9 and "# Beyond the assignment" not in text
    assert text.count("is missing") == 1
    assert "`results/extras.json` is missing (run `python extras.py`)" in text
