"""workshop/record.py, the build's driver: it records every training run of a graded
script's main() without the script knowing, equal runs give equal text, and the script's
own behaviour is untouched."""
import ast
import json
import subprocess
import sys

import numpy as np

import record
from atomic import as_json
import trainer
from conftest import ROOT, WORKSHOP


def write_script(folder, name="fake_task"):
    """A script shaped like task2.py, training two small runs with the graded trainer."""
    (folder / f"{name}.py").write_text('''
import numpy as np
import task2
import task2a


def main():
    np.random.seed(0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(60, 785))
    Y = (X[:, :1] > 0).astype(float)
    for shuffle in (False, True):
        model = task2a.BinaryModel()
        trainer = task2.LogisticTrainer(model, 0.1, 10, shuffle, X, Y, X, Y,
                                        early_stopping_patience=3)
        trainer.train(4)
        print("trained", shuffle, repr(float(np.sum(model.w ** 2))))
''')
    return name


def test_every_training_run_is_recorded_and_train_is_restored(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(tmp_path))
    original = trainer.BaseTrainer.train
    results = record.record(write_script(tmp_path))
    assert trainer.BaseTrainer.train is original
    printed = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [words[:2] for words in printed] == [["trained", "False"], ["trained", "True"]]
    assert [run["settings"] for run in results["runs"]] == [
        {"learning_rate": 0.1, "batch_size": 10, "num_epochs": 4, "shuffle": shuffle,
         "early_stopping_patience": 3, "l2_reg_lambda": None} for shuffle in (False, True)]
    run = results["runs"][0]
    assert (run["num_train"], run["num_val"], run["steps_per_epoch"]) == (60, 60, 6)
    assert list(run["train_history"]["loss"]) == list(range(len(run["train_history"]["loss"])))
    assert list(run["val_history"]["loss"])[:3] == [0, 1, 2]
    assert [r["final"]["squared_norm"] for r in results["runs"]] == [
        float(words[2]) for words in printed]  # the norms of the models the script holds


def test_roughness_compares_neighbouring_pixels_with_the_weights_size():
    ramp = np.tile(np.arange(28.0), 28)  # each row 0..27: steps of 1 along a row, 0 down
    checker = (-1.0) ** (np.arange(784) // 28 + np.arange(784) % 28)
    w = np.zeros((785, 4))
    w[:784, 0], w[:784, 1], w[:784, 2], w[:784, 3] = 3.0, checker, 0.5 * checker, ramp
    w[784] = 100.0  # the bias is left out
    assert [record.roughness(w[:, [k]]) for k in range(4)] == [
        0.0, 4.0, 4.0, (28 * 27 * 1.0 / (2 * 28 * 27)) / np.mean(np.arange(28.0) ** 2)]
    assert record.roughness(np.zeros((785, 1))) == 0.0
    noise = np.random.default_rng(0).standard_normal((785, 10))
    assert abs(record.roughness(noise) - 2) < 0.05


def test_equal_runs_give_equal_text(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_script(tmp_path)
    first = as_json(record.record(name))
    assert as_json(record.record(name)) == first
    assert json.loads(first)["runs"][1]["settings"]["shuffle"] is True


def test_the_driver_refuses_what_is_not_a_graded_script():
    result = subprocess.run([sys.executable, str(WORKSHOP / "record.py"), "task9"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "usage: python workshop/record.py SCRIPT..." in result.stderr and "task9" in result.stderr


def test_the_graded_files_import_nothing_of_the_workshop_and_write_no_results():
    workshop = {path.stem for path in WORKSHOP.glob("*.py")}
    for path in ROOT.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert not imported & workshop, f"{path.name} imports {imported & workshop}"
        assert "results" not in path.read_text(), path.name
