"""The incremental build, on a copy of the project whose outputs are all up to date:
`make -n` runs exactly the scripts that read what changed. What a script reads is found
here from the imports in its file, independently of the Makefile."""
import ast
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import GRADED, ROOT, WORKSHOP

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
RECORDED = ("task2a", "task3a", "task2", "task3", "task4")
FIGURES = {"task2": ["task2b_binary_train_loss.png", "task2b_binary_train_accuracy.png",
                     "task2e_train_loss_with_shuffle.png",
                     "task2e_train_accuracy_shuffle_difference.png"],
           "task3": ["task3b_softmax_train_loss.png", "task3b_softmax_train_accuracy.png"],
           "task4": ["task4b_softmax_weight.png", "task4c_l2_reg_accuracy.png",
                     "task4e_l2_reg_norms.png"]}
OUTPUTS = ([f"results/{name}.json" for name in RECORDED]
           + ["report.executed.ipynb", "report.pdf",
              "assignment_code.zip", ".venv/.installed"]
           + [f"data/{name}" for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")]
           + sum(FIGURES.values(), []))
LOCAL = {path.stem: path for path in [*ROOT.glob("*.py"), *WORKSHOP.glob("*.py")]}


def reads(path):
    """The project files a script's run reads: the script and its local imports, in turn."""
    seen, todo = set(), [path]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) else [])
            todo += [LOCAL[name] for name in names if name in LOCAL]
    return {path.relative_to(ROOT).as_posix() for path in seen}


@pytest.fixture
def built(tmp_path):
    """A copy of the project's sources with every output in place and newer."""
    for name in (*GRADED, "create_submission_zip.py", "Makefile", "report.ipynb",
                 "requirements.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(WORKSHOP, tmp_path / "workshop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    later = time.time() + 10
    for name in OUTPUTS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("made")
        os.utime(tmp_path / name, (later, later))
    return tmp_path


def make_n(folder):
    """The scripts `make -n` would run: record.py's arguments, export, zip, fetch."""
    result = subprocess.run(["make", "-n"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    ran = set(re.findall(r"workshop/record\.py (\w+)", result.stdout))
    for command, name in (("export_report.py", "report"), ("create_submission_zip.py", "zip"),
                          ("fetch_mnist", "data")):
        if command in result.stdout:
            ran.add(name)
    return ran


def touch(folder, name):
    later = time.time() + 20
    os.utime(folder / name, (later, later))


def test_make_after_make_has_nothing_to_do(built):
    assert make_n(built) == set()


def test_after_editing_the_report_only_the_report_is_built(built):
    touch(built, "report.ipynb")
    assert make_n(built) == {"report"}


@pytest.mark.parametrize("edited", [*GRADED, "workshop/record.py"])
def test_after_editing_a_file_exactly_the_scripts_that_read_it_run(built, edited):
    touch(built, edited)
    expected = {name for name in RECORDED if edited in reads(ROOT / f"{name}.py")
                or edited in reads(WORKSHOP / "record.py")}
    if expected:
        expected.add("report")
    if edited in GRADED:
        expected.add("zip")
    assert make_n(built) == expected


def test_a_missing_figure_is_made_again_by_its_script(built):
    (built / "task2e_train_loss_with_shuffle.png").unlink()
    assert make_n(built) == {"task2", "report"}


def test_missing_data_is_fetched_first(built):
    (built / "data" / "t10k-labels-idx1-ubyte").unlink()
    assert make_n(built) == {"data"}


def test_every_rule_that_runs_the_venv_python_waits_for_the_venv():
    """In a parallel `make` on a fresh clone, a rule whose recipe runs .venv/bin/python
    must come after the set-up, through its prerequisites, normal or order-only."""
    database = subprocess.run(["make", "-pn"], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "MAKEFLAGS": ""}).stdout
    prerequisites, runs_python = {}, set()
    for block in database.split("\n\n"):
        lines = block.splitlines()
        rule = next((line for line in lines if re.match(r"^[^#\s.][^:=]*:(?!=)", line)), None)
        if rule is None:
            continue
        target, _, needed = rule.partition(":")
        prerequisites[target] = needed.replace("|", " ").split()
        if any(line.startswith("\t") and "$(PY)" in line for line in lines):
            runs_python.add(target)

    def waits_for_venv(target, seen=()):
        return target == ".venv/.installed" or any(
            waits_for_venv(before, (*seen, target))
            for before in prerequisites.get(target, []) if before not in seen)
    assert runs_python >= {"results/task2.json", "report.pdf", "assignment_code.zip", "test"}
    assert [target for target in sorted(runs_python) if not waits_for_venv(target)] == []
