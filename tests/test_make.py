"""The incremental build: on a copy of the project whose outputs are all up to date,
`make -n` must run exactly the scripts that read what changed. What each script reads is
found here independently of the Makefile, from the scripts' own imports."""
import ast
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT
from create_submission_zip import CODE_FILES

# mnist.py runs only to fetch missing data, so it is not among the scripts rerun on edits
SCRIPTS = ("task2a", "task3a", "task2", "task3", "task4", "extras", "create_submission_zip")
MODULES = SCRIPTS + ("mnist", "utils", "trainer", "analysis")
OUTPUT_VARIABLES = ("FINISHED", "TASK2_OUTPUTS", "TASK3_OUTPUTS", "TASK4_OUTPUTS",
                    "EXTRAS_OUTPUTS", "DATA")
EXTRA_OUTPUTS = ("report.executed.ipynb", "report.pdf", "assignment_code.zip")

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def local_imports(module):
    """The project modules `module` imports anywhere in its file."""
    tree = ast.parse((ROOT / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names & set(MODULES)


def reads(script):
    """The modules a script's run depends on: itself and its imports, transitively;
    extras.py also reads the weights task4.py writes, and the zip packs the code files."""
    seen, todo = set(), [script]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += local_imports(module)
    if script == "extras":
        seen |= reads("task4")
    if script == "create_submission_zip":
        seen |= {name.removesuffix(".py") for name in CODE_FILES}
    return seen


def make_variable(name, folder):
    result = subprocess.run(["make", "-s", "-C", str(folder), "--eval",
                             f"print-var: ; @echo $({name})", "print-var"],
                            capture_output=True, text=True, check=True)
    return result.stdout.split()


@pytest.fixture
def project(tmp_path):
    """A copy of the code, the Makefile and the report, every output 'built' after them."""
    for name in [f"{module}.py" for module in MODULES] + [
            "Makefile", "report.ipynb", "requirements.txt", "export_report.py",
            "report_template.typ"]:
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / ".venv").mkdir()
    outputs = [path for variable in OUTPUT_VARIABLES
               for path in make_variable(variable, tmp_path)] + list(EXTRA_OUTPUTS)
    (tmp_path / "results").mkdir()
    sources = [path for path in tmp_path.iterdir() if path.is_file()]
    for path in sources:
        os.utime(path, (1_000_000, 1_000_000))
    stamp(tmp_path / ".venv" / ".installed", 1_000_100)
    for path in outputs:
        stamp(tmp_path / path, 1_000_200)
    return tmp_path


def stamp(path, mtime):
    path.parent.mkdir(exist_ok=True)
    path.touch()
    os.utime(path, (mtime, mtime))


def would_run(folder):
    """The scripts `make -n` would run, and whether it would execute the notebook."""
    result = subprocess.run(["make", "-n", "-C", str(folder)], capture_output=True,
                            text=True, check=True)
    scripts = set(re.findall(r"\.venv/bin/python (\w+)\.py", result.stdout)) - {"export_report"}
    return scripts, "export_report.py --execute-only" in result.stdout


def test_make_after_make_has_nothing_to_do(project):
    assert would_run(project) == (set(), False)


def test_after_editing_the_report_only_the_report_is_built(project):
    stamp(project / "report.ipynb", 2_000_000)
    assert would_run(project) == (set(), True)


@pytest.mark.parametrize("module", MODULES)
def test_after_editing_a_module_exactly_the_scripts_that_read_it_run(project, module):
    stamp(project / f"{module}.py", 2_000_000)
    scripts, report = would_run(project)
    assert scripts == {script for script in SCRIPTS if module in reads(script)}
    assert report == bool(scripts - {"create_submission_zip"})


def test_after_editing_task3_its_dependents_run_and_task2_does_not(project):
    stamp(project / "task3.py", 2_000_000)
    assert would_run(project) == ({"task3", "task4", "extras", "create_submission_zip"}, True)


def test_a_missing_output_is_made_again(project):
    (project / "task3b_softmax_train_loss.png").unlink()
    assert would_run(project) == ({"task3", "extras"}, True)  # extras reads task3's results


def test_an_interrupted_run_is_run_again(project):
    """task3.py was stopped after its figures, before its last file, results/task3.json."""
    stamp(project / "task3.py", 2_000_000)
    for name in make_variable("TASK3_FIGURES", project):
        stamp(project / name, 2_000_100)
    assert "task3" in would_run(project)[0]


def test_every_figure_the_report_shows_is_a_make_output():
    notebook = (ROOT / "report.ipynb").read_text()
    shown = set(re.findall(r'figure\(\\?"([\w.]+\.png)', notebook))
    assert shown and shown == set(make_variable("FIGURES", ROOT))
