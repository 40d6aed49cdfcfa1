"""The task scripts on the real MNIST, checked against the reference figures of SPEC.md
and against an independent, plain float64 implementation of early stopping."""
import json
import zipfile

import numpy as np
import pytest

import create_submission_zip
import task2
import task2a
import task3
import task3a
import utils
from scaffold import ScaffoldLogisticTrainer

pytestmark = pytest.mark.mnist


@pytest.fixture(scope="module")
def binary_data(mnist_arrays):
    X_train, Y_train, X_val, Y_val = utils.load_binary_dataset(2, 3)
    return (task2a.pre_process_images(X_train), Y_train, task2a.pre_process_images(X_val),
            Y_val)


def test_binary_dataset_sizes(binary_data):
    X_train, Y_train, X_val, Y_val = binary_data
    assert X_train.shape == (4005, 785) and Y_train.shape == (4005, 1)
    assert X_val.shape == (2042, 785) and Y_val.shape == (2042, 1)
    assert set(np.unique(Y_train)) == {0, 1}


def plain_early_stopping_run(X_train, Y_train, X_val, Y_val, lr=0.05, batch=128):
    """Task 2 without shuffling, written plainly in float64: the oracle for the stop step."""
    w = np.zeros((785, 1))
    steps_per_epoch = len(X_train) // batch
    every = steps_per_epoch // 5
    best, since_best, step = np.inf, 0, 0
    for epoch in range(500):
        for i in range(steps_per_epoch):
            x, y = X_train[i * batch:(i + 1) * batch], Y_train[i * batch:(i + 1) * batch]
            p = 1 / (1 + np.exp(-x @ w))
            w = w + lr * x.T @ (y - p) / batch
            if step % every == 0:
                p_val = 1 / (1 + np.exp(-X_val @ w))
                loss = -np.mean(Y_val * np.log(p_val) + (1 - Y_val) * np.log(1 - p_val))
                if loss < best:
                    best, best_step, since_best = loss, step, 0
                else:
                    since_best += 1
                if since_best >= 10:
                    return epoch, step, best_step, best
            step += 1


def test_task2_without_shuffling_stops_in_epoch_33_like_a_plain_implementation(binary_data):
    model = task2a.BinaryModel()
    trainer = task2.LogisticTrainer(model, 0.05, 128, False, *binary_data)
    train_history, val_history = trainer.train(500)
    plain = plain_early_stopping_run(*binary_data)
    assert (trainer.stop_epoch, trainer.stop_step, trainer.best_step) == (33, 1038, 978)
    assert plain[:3] == (33, 1038, 978)
    assert trainer.stopped_early and trainer.best_val_loss == pytest.approx(plain[3], rel=1e-12)
    assert trainer.best_val_loss == pytest.approx(0.0657, abs=5e-4)
    # the model ends with the weights of the best check, not of the last
    accuracy = task2.calculate_accuracy(binary_data[2], binary_data[3], model)
    assert accuracy == val_history["accuracy"][978] == pytest.approx(0.979, abs=1e-3)
    assert max(train_history["loss"]) == 1038 and len(val_history["loss"]) == 174


def test_a_trainer_written_the_scaffolds_way_stops_at_the_same_step(binary_data):
    model = task2a.BinaryModel()
    trainer = ScaffoldLogisticTrainer(model, 0.05, 128, False, *binary_data)
    trainer.train(500)
    assert (trainer.stop_epoch, trainer.stop_step, trainer.best_step) == (33, 1038, 978)


def test_task2_script_writes_every_output_in_its_place_wherever_it_starts(
        mnist_arrays, tmp_path, monkeypatch, capsys):
    started_in, figures = tmp_path / "elsewhere", tmp_path / "project"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    monkeypatch.setattr(utils, "FIGURES_DIR", figures)
    monkeypatch.setattr(utils, "RESULTS_DIR", figures / "results")
    task2.main()
    printed = capsys.readouterr().out
    for line in ("Train shape: X: (4005, 784), Y: (4005, 1)",
                 "Final Train Cross Entropy Loss: 0.07", "Final Validation Cross Entropy Loss: 0.06",
                 "Train accuracy: 0.97", "Validation accuracy: 0.978",
                 "Early stopping kicked in during epoch 34"):
        assert line in printed
    assert list(started_in.iterdir()) == []
    for name in ("task2b_binary_train_loss.png", "task2b_binary_train_accuracy.png",
                 "task2e_train_loss_with_shuffle.png",
                 "task2e_train_accuracy_shuffle_difference.png"):
        assert (figures / name).stat().st_size > 10_000
    results = json.loads((figures / "results" / "task2.json").read_text())
    plain, shuffled = results["runs"]["without_shuffle"], results["runs"]["with_shuffle"]
    assert (plain["stop_epoch"], plain["stop_step"], plain["best_step"]) == (33, 1038, 978)
    assert plain["settings"] == {"learning_rate": 0.05, "batch_size": 128, "num_epochs": 500,
                                 "shuffle": False, "early_stopping_patience": 10,
                                 "l2_reg_lambda": None}
    assert plain["final"]["val_accuracy"] == plain["val_history"]["accuracy"]["978"]
    assert shuffled["settings"]["shuffle"] and shuffled["stopped_early"]
    assert (results["num_train"], results["num_val"], results["steps_per_epoch"]) == (
        4005, 2042, 31)
    first = (figures / "results" / "task2.json").read_bytes()
    figure = (figures / "task2e_train_accuracy_shuffle_difference.png").read_bytes()
    task2.main()
    assert (figures / "results" / "task2.json").read_bytes() == first  # seeded: repeats
    assert (figures / "task2e_train_accuracy_shuffle_difference.png").read_bytes() == figure


def test_task3_reaches_the_reference_accuracy_with_the_scripts_seed(mnist_arrays, tmp_path,
                                                                    monkeypatch, capsys):
    monkeypatch.setattr(utils, "FIGURES_DIR", tmp_path)
    monkeypatch.setattr(utils, "RESULTS_DIR", tmp_path)
    task3.main()
    assert "Final Validation accuracy: 0.91" in capsys.readouterr().out
    run = json.loads((tmp_path / "task3.json").read_text())["runs"]["softmax"]
    assert not run["stopped_early"] and run["stop_step"] == 7799
    assert len(run["val_history"]["accuracy"]) == 252
    assert 0.915 <= run["final"]["val_accuracy"] <= 0.918
    assert 0.92 <= run["final"]["train_accuracy"] <= 0.93


def test_course_sanity_checks_pass(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(utils, "RESULTS_DIR", tmp_path)
    task2a.main()
    task3a.main()
    out = capsys.readouterr().out
    for name in ("task2a", "task3a"):
        assert f"{name}: the sanity checks and both gradient approximation tests passed" in out
        assert json.loads((tmp_path / f"{name}.json").read_text())["sanity_checks_passed"]


def test_submission_zip_holds_every_code_file(tmp_path):
    zip_path = tmp_path / "assignment_code.zip"
    create_submission_zip.create_zip(utils.ROOT, zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == sorted(create_submission_zip.CODE_FILES)
        assert archive.read("task2.py") == (utils.ROOT / "task2.py").read_bytes()


def test_submission_zip_refuses_a_missing_file(tmp_path):
    (tmp_path / "task2.py").write_text("")
    with pytest.raises(FileNotFoundError, match="missing mnist.py, utils.py"):
        create_submission_zip.create_zip(tmp_path, tmp_path / "assignment_code.zip")
    assert not (tmp_path / "assignment_code.zip").exists()
