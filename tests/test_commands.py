"""Every script as a command: --help explains it without running it, an unknown argument
is an error, and Ctrl-C ends it with one line, status 130 and nothing half-written."""
import os
import shutil
import signal
import subprocess
import sys

import pytest

import mnist
from conftest import ROOT
from create_submission_zip import CODE_FILES

SCRIPTS = ("mnist.py", "task2a.py", "task3a.py", "task2.py", "task3.py", "task4.py",
           "extras.py", "create_submission_zip.py")


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_says_what_the_script_does_writes_and_takes_and_runs_nothing(script):
    result = run(script, "--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith(f"usage: python {script} [-h]")
    assert "Takes " in result.stdout and "wrote" not in result.stdout
    assert any(word in result.stdout for word in ("writes", "records"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_an_unknown_argument_is_an_error_not_a_silent_full_run(script):
    result = run(script, "--epochs=5")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.endswith(f"python {script}: error: unrecognized arguments: "
                                  "--epochs=5\n")


@pytest.mark.mnist
def test_ctrl_c_ends_a_script_with_one_line_and_leaves_no_output(mnist_arrays, tmp_path):
    for name in CODE_FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    env = {**os.environ, "MNIST_DATA_DIR": str(mnist.data_dir()), "MNIST_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "task3.py"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().startswith("Train shape: X: (20000, 784)")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.strip().splitlines() == [
        "task3.py: interrupted; nothing half-written was left. Run `python task3.py` again "
        "(or `make`) to finish."]
    left = {path.name for path in tmp_path.iterdir()} - {"__pycache__"}
    assert left == set(CODE_FILES)  # no results folder, no figure, no temporary file
