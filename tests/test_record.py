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
import task2
import task2a
import task3
import task3a
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
                                 "class_mean_correlation", "pixel_noise", "worst_fit_share"}
    assert 0.1 <= run["final"]["worst_fit_share"] <= 1  # the worst tenth: at least a tenth
    checks = list(run["val_history"]["loss"])
    assert len(checks) > record.MEASURE_EVERY  # so that some checks are left out
    assert list(run["worst_fit_share"]) == checks[::record.MEASURE_EVERY]
    assert all(0.1 <= share <= 1 for share in run["worst_fit_share"].values())
    assert list(run["added_noise"]) == checks[::record.MEASURE_EVERY]
    assert all(0 <= n <= 2 for n in run["added_noise"].values() if n is not None)


def smooth_bump() -> np.ndarray:
    """[785, 1]: a wide bump over the 28 by 28 pixels, its bias row 0."""
    rows, columns = np.mgrid[0:28, 0:28]
    bump = np.exp(-((rows - 14) ** 2 + (columns - 14) ** 2) / 50.0).reshape(784, 1)
    return np.vstack([bump, [[0.0]]])


def test_what_the_steps_added_is_measured_with_the_l2_decay_taken_out(monkeypatch):
    """A stand-in train whose steps set the weights to given values, three steps between
    two measured checks: what is measured is the change of the weights less the decay of the
    last measured ones, not the weights nor their plain change; weights that are only
    those decayed three times have nothing added (None)."""
    rng = np.random.default_rng(0)
    X = np.hstack([rng.uniform(-1, 1, (40, 784)), np.ones((40, 1))])
    Y = np.eye(10)[np.arange(40) % 10]
    template = np.tile(50 * smooth_bump(), 10)  # smooth, and large beside the noise
    noise = rng.standard_normal((785, 10))
    decay = (1 - 2 * 0.1 * 1.0) ** 3
    values = [template, decay * template, decay ** 2 * template + noise]  # checks 0, 5, 10

    def train(self, num_epochs):
        history, self.early_stop_epoch = {"loss": {}, "accuracy": {}}, None
        for check in range(11):
            if check % record.MEASURE_EVERY == 0:
                if check:
                    for _ in range(3):
                        self.train_step(X[:4], Y[:4])
                self.model.w = values[check // record.MEASURE_EVERY].copy()
            self.validation_step()
            history["loss"][check] = 1.0
        return history, history
    monkeypatch.setattr(trainer.BaseTrainer, "train", train)
    runs = []
    with record.recording(runs):
        run_trainer = task3.SoftmaxTrainer(task3a.SoftmaxModel(1.0), 0.1, 4, False, X, Y, X, Y)
        run_trainer.train(1)
    assert "train_step" not in vars(run_trainer) and "validation_step" not in vars(run_trainer)
    added = runs[0]["added_noise"]
    assert added[0] == pytest.approx(record.pixel_noise(template)) and added[5] is None
    assert added[10] == pytest.approx(record.pixel_noise(noise))
    assert added[10] > 0.8 > 0.01 > added[0]  # the noise alone, not the decayed bump


def test_a_train_that_calls_validation_step_off_its_checks_is_refused(monkeypatch):
    def train(self, num_epochs):  # two calls for its one check
        self.validation_step()
        self.validation_step()
        return {"loss": {0: 1.0}, "accuracy": {0: 0.5}}, {"loss": {0: 1.0}, "accuracy": {0: 0.5}}
    monkeypatch.setattr(trainer.BaseTrainer, "train", train)
    X, Y = np.ones((4, 785)), np.array([[1.0], [0.0], [1.0], [0.0]])
    run_trainer = task2.LogisticTrainer(task2a.BinaryModel(), 0.1, 2, False, X, Y, X, Y)
    with record.recording([]):
        with pytest.raises(RuntimeError, match="2 calls of validation_step for 1 validation "
                                               "checks: record.py needs one call per check"):
            run_trainer.train(1)
    assert "validation_step" not in vars(run_trainer)  # the trainer's own method again


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


def test_worst_fit_share_is_the_share_of_the_residual_the_worst_fit_images_carry():
    Y = np.eye(2)[np.arange(20) % 2]
    even = np.where(Y == 1, 0.75, 0.25)  # every image: |y - y_hat| sums to 0.5
    assert record.worst_fit_share(even, Y) == pytest.approx(0.1)
    uneven = even.copy()
    uneven[:2] = np.where(Y[:2] == 1, 0.0, 1.0)  # two images all wrong: 2 each, the rest 0.5
    assert record.worst_fit_share(uneven, Y) == pytest.approx(4 / 13)  # 4 of 4 + 18 * 0.5
    assert record.worst_fit_share(uneven[:, :1], Y[:, :1], fraction=0.05) == pytest.approx(
        1 / 6.5)  # the binary case: one image of 20, residual 1 of 1 * 2 + 0.25 * 18


def test_worst_fit_share_refuses_mismatched_shapes_and_a_perfect_fit():
    Y = np.eye(2)[[0, 1]]
    with pytest.raises(ValueError, match=r"outputs \(2, 1\) and targets \(2, 2\) differ"):
        record.worst_fit_share(Y[:, :1], Y)
    with pytest.raises(ValueError, match="the model fits every image exactly"):
        record.worst_fit_share(Y, Y)


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
