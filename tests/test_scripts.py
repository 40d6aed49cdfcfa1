"""The graded files as a grader runs them: unzipped alone into an empty folder with MNIST,
`python task2.py` prints the starter's lines and writes its figures there and nothing
else; the zip script packs the eight files; importing a graded module changes nothing."""
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import GRADED, ROOT


def run(script, folder):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, script], cwd=folder, capture_output=True,
                          text=True, timeout=300, env={**env, "MPLBACKEND": "Agg"})


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory):
    """The submission zip, made by create_submission_zip.py in a copy of the project's
    files, unzipped into an empty folder with the real MNIST in data/."""
    source = tmp_path_factory.mktemp("source")
    for name in (*GRADED, "create_submission_zip.py"):
        (source / name).write_bytes((ROOT / name).read_bytes())
    made = run("create_submission_zip.py", source)
    assert made.returncode == 0, made.stderr
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(source / "assignment_code.zip") as archive:
        assert sorted(archive.namelist()) == sorted(GRADED)
        archive.extractall(folder)
    (folder / "data").symlink_to(ROOT / "data")
    return folder


def test_task2_prints_the_starters_lines_and_writes_only_its_figures(unzipped):
    result = run("task2.py", unzipped)
    assert result.returncode == 0, result.stderr
    assert "Early stopping kicked in at step 1038, during epoch 34 of 500" in result.stdout
    lines = result.stdout.splitlines()
    for start in ("Train shape: X: (4005, 784), Y: (4005, 1)", "Final Train Cross Entropy Loss:",
                  "Final Validation Cross Entropy Loss:", "Validation accuracy: 0.97894"):
        assert any(line.startswith(start) for line in lines), start
    written = sorted(p.name for p in unzipped.iterdir() if p.name != "__pycache__")
    assert written == sorted([*GRADED, "data", "task2b_binary_train_accuracy.png",
                              "task2b_binary_train_loss.png",
                              "task2e_train_accuracy_shuffle_difference.png",
                              "task2e_train_loss_with_shuffle.png"])


def test_task2a_runs_the_course_checks(unzipped):
    result = run("task2a.py", unzipped)
    assert result.returncode == 0 and "All checks of task2a.py passed" in result.stdout


def test_the_zip_script_names_a_missing_file_and_writes_no_zip(tmp_path):
    for name in (*GRADED, "create_submission_zip.py"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "task4.py").unlink()
    result = run("create_submission_zip.py", tmp_path)
    assert result.returncode == 1 and f"Did not find task4.py in {tmp_path}" in result.stderr
    assert not (tmp_path / "assignment_code.zip").exists()


def test_importing_the_graded_modules_changes_no_global_state():
    code = ("import matplotlib, numpy as np; before = (matplotlib.get_backend(), "
            "dict(matplotlib.rcParams), np.random.get_state()[1].sum()); "
            "import mnist, utils, trainer, task2a, task2, task3a, task3, task4; "
            "after = (matplotlib.get_backend(), dict(matplotlib.rcParams), "
            "np.random.get_state()[1].sum()); print(before == after)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.stdout.strip() == "True", result.stderr
