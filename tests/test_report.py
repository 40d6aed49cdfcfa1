"""report.ipynb executed on stand-in results (made-up numbers in the formats the scripts
write): every task has its heading, every quoted number and setting comes from the results
files, none is typed into the Markdown, and a missing results file names its script."""
import json
import os
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
           "extra_shuffle_comparison.png", "extra_seeds.png", "extra_gradient_check.png",
           "extra_lr_sweep.png", "extra_confusion_matrix.png")
HEADINGS = ("Task 1.a", "Task 1.b", "Task 2.a", "Task 2.b", "Task 2.c", "Task 2.d", "Task 2.e",
            "Task 3.a", "Task 3.b", "Task 3.c", "Task 3.d", "Task 4.a", "Task 4.b", "Task 4.c",
            "Task 4.d", "Task 4.e")


def history(num_epochs, per_epoch, start, end, wiggle=0.0):
    """Checks every per_epoch // 5 steps, from start to end linearly, plus wiggle at every
    check that falls 12 steps into an epoch."""
    steps = range(0, num_epochs * per_epoch, per_epoch // 5)
    last = num_epochs * per_epoch - 1
    return {str(s): start + (end - start) * s / last + (wiggle if s % per_epoch == 12 else 0)
            for s in steps}


def run(num_epochs, per_epoch, val_loss, val_accuracy, train_accuracy, **fields):
    return {"stopped_early": False, "stop_epoch": num_epochs - 1,
            "stop_step": num_epochs * per_epoch - 1, "best_epoch": num_epochs - 1,
            "best_step": (num_epochs * per_epoch - 1) // 6 * 6, "best_val_loss": val_loss,
            "final": {"train_loss": val_loss - 0.01, "val_loss": val_loss,
                      "train_accuracy": train_accuracy, "val_accuracy": val_accuracy},
            "train_history": {"loss": {"0": 0.69},
                              "accuracy": history(num_epochs, per_epoch, 0.2,
                                                  train_accuracy)},
            "val_history": {"loss": history(num_epochs, per_epoch, 2.3, val_loss),
                            "accuracy": history(num_epochs, per_epoch, 0.2, val_accuracy)},
            **fields}


TASK2 = {"settings": {"learning_rate": 0.04, "batch_size": 96, "num_epochs": 400,
                      "early_stopping_patience": 9, "classes": [2, 3]},
         "num_train": 4321, "num_val": 2109, "steps_per_epoch": 33,
         "runs": {"without_shuffle": run(17, 33, 0.0612, 0.9321, 0.9210, shuffle=False,
                                         stopped_early=True, stop_epoch=16, stop_step=523,
                                         best_epoch=14, best_step=463),
                  "with_shuffle": run(9, 33, 0.0701, 0.9287, 0.9111, shuffle=True,
                                      stopped_early=True, stop_epoch=8, stop_step=271,
                                      best_step=211)}}
SOFTMAX = {"learning_rate": 0.02, "batch_size": 64, "num_epochs": 30, "shuffle": True,
           "early_stopping_patience": None}
TASK3 = {"settings": {**SOFTMAX, "l2_reg_lambda": 0}, "num_train": 20000, "num_val": 10000,
         "steps_per_epoch": 312,
         "runs": {"softmax": run(30, 312, 0.3141, 0.9087, 0.9176, l2_reg_lambda=0)}}
LAMBDAS = {"0": (0.3141, 0.9087, 0.9176, 30.5), "0.002": (0.3222, 0.9065, 0.9133, 25.25),
           "0.02": (0.3333, 0.9011, 0.9055, 12.5), "0.2": (0.5555, 0.8765, 0.8754, 3.125),
           "2": (1.2345, 0.7654, 0.7543, 0.625)}
TASK4 = {"settings": {**SOFTMAX, "lambdas": [0, 2.0, 0.2, 0.02, 0.002]},
         "num_train": 20000, "num_val": 10000, "steps_per_epoch": 312,
         "runs": {key: run(30, 312, loss, val, train, l2_reg_lambda=float(key),
                           squared_norm=norm)
                  for key, (loss, val, train, norm) in LAMBDAS.items()}}
EPSILONS = [0.1, 0.01, 0.001, 0.0001, 1e-05]


def changes(std, rises):
    return {"checks": 246, "change_std": std,
            "largest_rises": [{"step": s, "rise": r} for s, r in rises]}


def sweep_run(rate, accuracy, train, loss):
    return {"learning_rate": rate, "failed": None, "first_val_loss": 2.2,
            "final": {"val_accuracy": accuracy, "train_accuracy": train, "val_loss": loss,
                      "train_loss": loss}}


EXTRAS = {
    "gradient_check": {
        "images": 100, "epsilons": EPSILONS, "course_epsilon": 0.001,
        "course_start_std": {"logistic": 1.6e-6, "softmax": 1.6e-6},
        "curves": [{"model": "logistic", "start": "course", "largest_abs_logit": 2.5e-4,
                    "relative_errors": [1e-4, 1e-6, 1.4e-8, 1e-9, 3e-9]},
                   {"model": "softmax", "start": "course", "largest_abs_logit": 3.5e-4,
                    "relative_errors": [2e-4, 2e-6, 2.2e-8, 3.5e-10, 1e-9]},
                   {"model": "softmax", "start": "trained", "largest_abs_logit": 17.5,
                    "relative_errors": [3e-4, 3e-6, 3e-8, 4e-10, 2e-9]}]},
    "shuffle_comparison": {
        "settings": {"learning_rate": 0.04, "batch_size": 96, "num_epochs": 45,
                     "early_stopping_patience": None, "seed": 0},
        "steps_per_epoch": 33,
        "runs": {"without_shuffle": {
                     "final": {}, "lowest_val_loss": {"step": 1305, "value": 0.0599},
                     "val_loss_changes": changes(0.0150, [(210, 0.0777), (408, 0.07),
                                                          (606, 0.06)]),
                     "val_accuracy_changes": changes(0.0066, [(210, 0.01)]),
                     "val_history": {}},
                 "with_shuffle": {
                     "final": {}, "lowest_val_loss": {"step": 1111, "value": 0.0605},
                     "val_loss_changes": changes(0.0044, [(40, 0.0123)]),
                     "val_accuracy_changes": changes(0.0022, [(40, 0.003)]),
                     "val_history": {}}}},
    "seeds": {"seeds": [0, 1, 2, 3, 4],
              "val_accuracy": {"0": [0.9087, 0.9101, 0.9079, 0.9093, 0.9085],
                               "0.002": [0.9065, 0.9090, 0.9070, 0.9071, 0.9080]},
              "train_accuracy": {"0": [0.92] * 5, "0.002": [0.91] * 5},
              "difference": {"differences": [-0.0022, -0.0011, -0.0009, -0.0022, -0.0005],
                             "mean": -0.00138, "std": 0.00078, "standard_error": 0.00036}},
    "learning_rates": {"chosen": 0.02, "seed": 0, "runs": [
        sweep_run(0.0001, 0.8111, 0.8123, 0.9444), sweep_run(0.02, 0.9087, 0.9176, 0.3141),
        sweep_run(0.3, 0.9188, 0.9399, 0.3222),
        {"learning_rate": 3.0, "failed": "the training loss became nan"}]},
    "lambda_tests": {"0.002": {"a_only": 5, "b_only": 27, "p_value": 0.00011},
                     "0.02": {"a_only": 9, "b_only": 85, "p_value": 1e-9},
                     "0.2": {"a_only": 9, "b_only": 385, "p_value": 1e-50},
                     "2": {"a_only": 9, "b_only": 1385, "p_value": 1e-200}},
    "confusion": {"counts": [[90 + (t == p) * 900 for p in range(10)] for t in range(10)],
                  "recall": [0.99, 0.98, 0.9, 0.9, 0.93, 0.8432, 0.95, 0.92, 0.88, 0.9],
                  "most_confused": [{"true": 5, "predicted": 3, "count": 41},
                                    {"true": 4, "predicted": 9, "count": 38}]},
}
STAND_IN = {"task2a": {"sanity_checks_passed": True, "gradient_test_images": 77},
            "task3a": {"sanity_checks_passed": True, "gradient_test_images": 77},
            "task2": TASK2, "task3": TASK3, "task4": TASK4, "extras": EXTRAS}


def execute(folder, results):
    """The report's text (Markdown cells and outputs) and the figures it embeds, executed
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
        patch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    texts = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            texts.append(output.get("data", {}).get("text/markdown", ""))
    text = "\n".join(texts).replace("\u00a0", " ")  # percentages keep a no-break space
    return text, re.findall(r"!\[[^\]]+\]\(([\w.]+\.png)\)", text)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    return execute(tmp_path_factory.mktemp("report"), STAND_IN)


def test_every_task_has_a_heading(executed):
    for heading in HEADINGS:
        assert re.search(rf"^#+ {re.escape(heading)}\b", executed[0], re.M), heading


def test_every_figure_is_embedded_once_with_a_caption(executed):
    assert sorted(executed[1]) == sorted(FIGURES)


def test_every_code_cell_is_hidden():
    notebook = nbformat.read(ROOT / "report.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.metadata["jupyter"]["source_hidden"], cell.source[:60]


def prose_numbers(markdown):
    """Numbers in Markdown that could be measured values or settings typed by hand: any
    number outside math, and any number of more than one digit inside it. Task labels
    ("Task 2.e", "tasks 3 and 4") and equation numbers are allowed."""
    markdown = re.sub(r"`[^`]*`", "", markdown)  # file names such as task2a.py
    markdown = re.sub(r"[Tt]asks? \d(\.[a-e])?( (to|and) \d(\.[a-e])?)?", "", markdown)
    markdown = re.sub(r"[Ee]quations? \d+( and \d+)?", "", markdown)
    found = []
    for i, part in enumerate(re.split(r"\$\$?", markdown)):
        in_math = i % 2 == 1
        for number in re.findall(r"\d+(?:\.\d+)?", part):
            if not in_math or len(number) > 1:
                found.append(number)
    return found


def test_no_number_is_typed_into_the_markdown():
    notebook = nbformat.read(ROOT / "report.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            assert prose_numbers(cell.source) == [], cell.source[:80]


@pytest.mark.parametrize("markdown", ["validation accuracy at step 0 is 27 %",
                                      "with $\\lambda = 0.001$", "learning rate 0.05",
                                      "Task 2.e took 40 epochs"])
def test_the_typed_number_check_can_fail(markdown):
    assert prose_numbers(markdown)


@pytest.mark.parametrize("quoted", [
    # settings, read from the results files
    "learning rate 0.04, batch size 96, up to 400 epochs, without shuffling, early stopping "
    "after 9 validation checks", "4321 training images, 2109 validation images, 33 steps "
    "an epoch", "every 6 steps", "on the first 77 training images",
    "learning rate 0.02, batch size 64, 30 epochs, with shuffling, $\\lambda = 0$, no early "
    "stopping (every epoch is trained)", "An epoch is 312 steps",
    # task 2
    "has a validation accuracy of 93.21 % and a training accuracy of 92.10 %",
    "Early stopping kicks in during epoch 17** (counting from one; at gradient step 523) "
    "of the 400 allowed", "The lowest validation loss, 0.0612, was at the check of step 463 "
    "(epoch 15)", "the 9 checks after it", "during epoch 9 (step 271)",
    "Trained on for 45 epochs", "without shuffling 0.0599 at step 1305, lower than the "
    "0.0612", "with shuffling 0.0605 at step 1111, lower than the 0.0701",
    "the gain without shuffling, 0.0013, is smaller than that run's standard deviation of the "
    "change of the validation loss from one check to the next (0.0150)",
    "0.22 percentage points with shuffling and 0.66 percentage points without",
    "all come at the check at step 12 of an epoch (counting from 0)", "only every 2 epochs",
    "The largest rise is 0.0123 with shuffling against 0.0777 without",
    # task 3
    "(validation accuracy 20.00 % at the check of step 0, after the first gradient step)",
    "a training accuracy of 91.76 % and a validation accuracy of 90.87 %",
    "At the last check of epochs 6, 12, 18, 24, 30", "is at step 9300 of 9360",
    "averaged over the checks of epochs 1-6, 7-12", "For the final model it is 0.89 "
    "percentage points", "the final model's validation loss is 0.3141",
    # task 4
    "| 0.2 | 87.65 % |", "| 2 | 76.54 % |", "at the 25 checks of the last 5 epochs",
    "With $\\lambda = 2$ the training accuracy is 75.43 % and the validation accuracy 76.54 %",
    "is 0.22 percentage points lower than that of $\\lambda = 0$ (5 validation images "
    "only the $\\lambda = 0.002$ model gets right against 27",
    "McNemar's test finds the $\\lambda = 0.002$ and $\\lambda = 0$ models of task 4 different",
    "is 0.1380 percentage points lower on average with a standard error of 0.0360 percentage points",
    "(per seed: −0.22, −0.11, −0.09, −0.22, −0.05), 3.8 standard errors from zero",
    "30.5 for $\\lambda = 0$, 25.2 for $\\lambda = 0.002$", "0.625 for $\\lambda = 2$",
    "changes $\\|w\\|^2$ by only 17 %",
    "would scale $\\|w\\|^2$ by 0.22 over the 9360 steps trained ($1/(2\\alpha\\lambda) = 12500$ "
    "steps for a factor $e$)",
    # beyond
    "on the first 100 training images", "(normal with standard deviation $1/791^2 = 1.6 \\cdot 10^{-6}$, one over the squared", "no logit exceeds $3.5 \\cdot 10^{-4}$",
    "falls by 2.0 decades per decade", "relative error",
    "$2.2 \\cdot 10^{-8}$ for the softmax model", "$1.4 \\cdot 10^{-8}$ for this model",
    "(largest logit 17.5)", "from 0.0001 to 3 (one run each, seed 0",
    "The smallest, 0.0001, is too slow for the epochs given: it reaches 81.11 %", "81.11 % validation accuracy",
    "The highest final validation accuracy, 91.88 %, comes with learning rate 0.3",
    "the task's 0.02 gives 90.87 %", "a standard deviation of 0.08 percentage points",
    "is 0.12 percentage points at 0.0001, 0.89 percentage points at the task's 0.02, and at the "
    "larger rates 2.11 (0.3) percentage points",
    "Diverged (a loss became inf or nan, and the run was stopped): 3.",
    "true 5 predicted as 3 (41 times), true 4 predicted as 9 (38 times)",
    "lowest for digit 5 (84.32 % of 1800)",
])
def test_quoted_numbers_come_from_the_results(executed, quoted):
    assert quoted in executed[0]


def test_with_no_results_the_report_says_which_script_to_run(tmp_path):
    text, figures = execute(tmp_path, {})
    assert figures == [] and "# Beyond the assignment" not in text
    for script in ("task2a", "task3a", "task2", "task3", "task4", "extras"):
        assert f"`results/{script}.json` is missing (run `python {script}.py`)" in text
    assert "## Task 4.a" in text  # the derivations do not need results


def test_without_extras_only_its_parts_are_left_out(tmp_path):
    text, figures = execute(tmp_path, {name: values for name, values in STAND_IN.items()
                                       if name != "extras"})
    assert len(figures) == 9 and "# Beyond the assignment" not in text
    assert "Early stopping kicks in during epoch 17" in text
    assert "`results/extras.json` is missing (run `python extras.py`)" in text
