"""The answer key (workshop/answer_key.py, workshop/check_solution.py): the project's own
files pass every check, the starter's unfilled TODOs fail every task as not implemented,
each planted bug fails its own task, and broken submissions fail with one line."""
import contextlib
import csv
import subprocess
import sys
import zipfile

import pytest

import answer_key
from conftest import GRADED, ROOT, WORKSHOP
from variants import BUGS, buggy_copy, copy_graded, replace, unfilled_copy

NAMES = [name.removesuffix(".py") for name in GRADED]


@contextlib.contextmanager
def modules_from(folder):
    """The graded modules imported from folder; the project's own are restored after."""
    saved = {name: sys.modules.pop(name) for name in NAMES if name in sys.modules}
    try:
        yield answer_key.import_modules(folder, NAMES[1:7])
    finally:
        sys.path.remove(str(folder))
        for name in NAMES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def check_solution(*args, timeout=300):
    return subprocess.run([sys.executable, str(WORKSHOP / "check_solution.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def read_csv(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def test_the_project_files_pass_every_check_of_every_task():
    modules = {name: __import__(name) for name in NAMES}
    for task in answer_key.TASKS:
        result = answer_key.run_checks(task, modules)
        assert result == {"passed": len(answer_key.CHECKS[task]({})), "failed": 0,
                          "first_failure": ""}, task


@pytest.mark.parametrize("bug", BUGS)
def test_each_planted_bug_fails_its_own_task(tmp_path, bug):
    task = BUGS[bug][3]
    with modules_from(buggy_copy(tmp_path, bug)) as modules:
        result = answer_key.run_checks(task, modules)
    assert result["failed"] >= 1, f"{bug} was not caught by task {task}"
    function = {"2a": "task2a.BinaryModel.backward", "2b": "train_step",
                "2c": "calculate_accuracy",
                "2d": "trainer.BaseTrainer.train", "2e": "utils.batch_loader",
                "3a": "task3a.SoftmaxModel.forward", "3c": "task3.calculate_accuracy",
                "4b": "task3a.SoftmaxModel(0.5).backward"}[task]
    assert function in result["first_failure"]


def test_the_solution_zip_passes_and_the_unfilled_files_fail_every_task(tmp_path):
    code = copy_graded(tmp_path / "solution")
    with zipfile.ZipFile(tmp_path / "solution.zip", "w") as archive:
        for name in GRADED:
            archive.write(code / name, name)
    unfilled = unfilled_copy(tmp_path / "unfilled")
    result = check_solution(tmp_path / "solution.zip", unfilled, "--csv", tmp_path / "g.csv")
    assert result.returncode == 1, result.stderr
    rows = read_csv(tmp_path / "g.csv")
    assert list(rows[0]) == ["submission", "task", "checks_passed", "checks_failed",
                             "first_failure"]
    assert [(r["submission"], r["task"]) for r in rows] == [
        (str(path), task) for path in (tmp_path / "solution.zip", unfilled)
        for task in answer_key.TASKS]
    for row in rows[:9]:
        assert (row["checks_failed"], row["first_failure"]) == ("0", ""), row
    for row in rows[9:]:
        assert row["checks_failed"] != "0" and "not implemented" in row["first_failure"], row
    assert "Traceback" not in result.stdout + result.stderr
    assert "2 submission(s), 18 task(s) checked" in result.stdout


def test_broken_files_fail_their_tasks_with_one_line_and_the_rest_is_checked(tmp_path):
    broken = copy_graded(tmp_path / "broken")
    replace(broken / "task2.py", "def calculate_accuracy(", "def calculate_accuracy(:")
    (broken / "task3.py").unlink()
    result = check_solution(broken, "--tasks", "2a,2b,3b", "--csv", tmp_path / "g.csv")
    assert result.returncode == 1
    failures = {row["task"]: row["first_failure"] for row in read_csv(tmp_path / "g.csv")}
    lines = (ROOT / "task2.py").read_text().splitlines()
    line = next(number for number, text in enumerate(lines, 1)
                if text.startswith("def calculate_accuracy("))
    assert failures == {"2a": "", "2b": f"task2.py has a syntax error at line {line}: "
                                          "invalid syntax", "3b": "task3.py is missing"}


def test_an_endless_loop_fails_its_task_when_the_time_is_up(tmp_path):
    looping = copy_graded(tmp_path / "looping")
    replace(looping / "utils.py", "    if not drop_last:\n", "    while not drop_last:\n")
    result = check_solution(looping, "--tasks", "2e", "--timeout", "0.5", timeout=60)
    assert result.returncode == 1
    assert "timed out after 0.5 s (an endless loop" in result.stdout


@pytest.mark.parametrize("args, message", [
    ([], "the following arguments are required: PATH"),
    (["no/such/folder"], "no/such/folder is neither a folder nor a zip file"),
    ([".", "--tasks", "2a,5x"], "unknown task(s) 5x"),
])
def test_usage_errors_exit_with_status_2_and_say_what_is_wrong(args, message):
    result = check_solution(*args)
    assert result.returncode == 2 and message in result.stderr


def test_a_crash_fails_the_task_it_was_in_and_the_next_tasks_are_checked(tmp_path):
    crashing = copy_graded(tmp_path / "crashing")
    replace(crashing / "task2.py", "    # Task 2c: predict",
            "    import os; os._exit(3)\n    # Task 2c: predict")
    result = check_solution(crashing, "--tasks", "2c,3b", "--csv", tmp_path / "g.csv")
    rows = {row["task"]: row for row in read_csv(tmp_path / "g.csv")}
    assert rows["2c"]["first_failure"].startswith("the checks' process ended with exit status 3")
    assert rows["3b"]["checks_failed"] == "0" and result.returncode == 1
