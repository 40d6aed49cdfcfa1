"""workshop/record.py, the build's driver: it records every training run of a graded
script's main() without the script knowing, equal runs give equal text, and the script's
own behaviour is untouched."""
import ast
import json
import subprocess
import sys

import numpy as np
import pytest

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
    shown = capsys.readouterr().out
    assert results["printed"] == shown  # kept, and still printed as the script runs
    printed = [line.split() for line in shown.splitlines()]
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
    assert set(run["final"]) == {"val_loss", "train_accuracy", "val_accuracy", "squared_norm",
                                 "class_mean_correlation", "pixel_noise"}


def smooth_bump() -> np.ndarray:
    """[785, 1]: a wide bump over the 28 by 28 pixels, its bias row 0."""
    rows, columns = np.mgrid[0:28, 0:28]
    bump = np.exp(-((rows - 14) ** 2 + (columns - 14) ** 2) / 50.0).reshape(784, 1)
    return np.vstack([bump, [[0.0]]])


def test_class_mean_correlation_compares_each_output_with_its_class_mean():
    rng = np.random.default_rng(0)
    X = np.hstack([rng.uniform(-1, 1, (40, 784)), np.ones((40, 1))])
    Y = np.eye(2)[np.arange(40) % 2]
    means = [X[Y[:, k] == 1, :784].mean(axis=0) - X[:, :784].mean(axis=0) for k in (0, 1)]
    w = np.zeros((785, 2))
    w[:784, 0], w[:784, 1], w[784] = 3 * means[0] + 1, -means[1], 50.0
    assert record.class_mean_correlation(w, X, Y) == pytest.approx(0.0)  # +1 and -1
    w[:784, 1] = 0.5 * means[1]
    assert record.class_mean_correlation(w, X, Y) == pytest.approx(1.0)
    w[:784, 1] = rng.standard_normal(784)
    assert abs(record.class_mean_correlation(w, X, Y) - 0.5) < 0.1  # +1 and about 0
    assert record.class_mean_correlation(w[:, :1], X, Y[:, :1]) == pytest.approx(1.0)


def test_class_mean_correlation_refuses_an_empty_class_or_constant_weights():
    X, w = np.ones((4, 785)), np.ones((785, 1))
    X[:, :784] = np.arange(4)[:, None] * np.arange(784)
    with pytest.raises(ValueError, match="output 0: no training image of its class"):
        record.class_mean_correlation(w, X, np.zeros((4, 1)))
    with pytest.raises(ValueError, match="output 0: its weights or its class mean are constant"):
        record.class_mean_correlation(w, X, np.array([[1], [0], [1], [0]]))


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
    assert "usage: python workshop/record.py SCRIPT..." in result.stderr
    assert "task9" in result.stderr


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


def test_pixel_noise_is_the_share_of_the_variation_left_by_each_pixels_local_mean():
    w = np.zeros((785, 2))
    w[10 * 28 + 10, :] = 1.0  # one pixel inside the image: 8/9 of it, 1/9 on 8 neighbours
    w[784] = 7.0  # the bias is not a pixel
    assert record.pixel_noise(w) == pytest.approx((8 / 9) / (1 - 1 / 784))
    assert record.pixel_noise(-3 * w[:, :1]) == pytest.approx(record.pixel_noise(w))
    assert record.pixel_noise(smooth_bump()) < 0.01
    assert 0.85 < record.pixel_noise(np.random.default_rng(0).standard_normal((785, 1))) < 0.93


def test_pixel_noise_of_independent_noise_is_the_level_the_report_gives():
    noise = np.random.default_rng(3).normal(size=(785, 4000))
    inside, edges, corners = 26 * 26 * 8 / 9, 4 * 26 * 5 / 6, 4 * 3 / 4  # by hand
    assert record.independent_noise_level() == pytest.approx((inside + edges + corners) / 783)
    assert record.pixel_noise(noise) == pytest.approx(record.independent_noise_level(),
                                                      abs=0.003)


def test_pixel_noise_refuses_constant_weights():
    w = np.ones((785, 3))
    w[:784, 0] = np.arange(784)
    with pytest.raises(ValueError, match="output 1: its weights are constant over the pixels"):
        record.pixel_noise(w)
