"""Bad input is refused at the boundary with a message that names the problem; damaged
data files are refused by name; interrupted writes leave nothing half-written."""
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mnist
import task2
import task2a
import task3
import task3a
import utils
from conftest import ROOT


# --- pre_process_images --------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 785), (3, 28, 28), (784,), (2, 100)])
def test_preprocess_refuses_other_than_784_columns(shape):
    with pytest.raises(AssertionError, match=re.escape(f"X.shape: {shape}, should be "
                                                       "[batch size, 784]")):
        task2a.pre_process_images(np.zeros(shape))


@pytest.mark.parametrize("low, high", [(-1.0, 1.0), (0, 256), (0, np.inf), (0, np.nan)])
def test_preprocess_refuses_values_outside_0_255_and_nan(low, high):
    X = np.zeros((2, 784))
    X[0, 0], X[1, 1] = low, high
    with pytest.raises(AssertionError, match=r"pixels should be raw values in 0\.\.255 without "
                                             r"NaN, got"):
        task2a.pre_process_images(X)


# --- one_hot_encode --------------------------------------------------------------------

@pytest.mark.parametrize("bad", [10, -1, 11])
def test_one_hot_refuses_a_label_outside_the_classes(bad):
    with pytest.raises(AssertionError, match=r"labels should be in 0\.\.9, got"):
        task3a.one_hot_encode(np.array([[1], [bad]]), 10)


# --- losses, forward, backward -------------------------------------------------------

@pytest.mark.parametrize("loss, targets, outputs", [
    (task2a.cross_entropy_loss, np.zeros((4, 1)), np.full((4,), 0.5)),
    (task2a.cross_entropy_loss, np.zeros((4, 1)), np.full((5, 1), 0.5)),
    (task3a.cross_entropy_loss, np.zeros((4, 10)), np.full((4, 9), 0.1)),
    (task3a.cross_entropy_loss, np.zeros((4,)), np.full((4, 10), 0.1)),
])
def test_losses_refuse_mismatched_shapes(loss, targets, outputs):
    expected = f"Targets shape: {targets.shape}, outputs: {outputs.shape}"
    with pytest.raises(AssertionError, match=re.escape(expected)):
        loss(targets, outputs)


@pytest.mark.parametrize("model, targets", [
    (task2a.BinaryModel(), np.zeros((3, 2))),
    (task3a.SoftmaxModel(0.0), np.zeros((3, 9))),
])
def test_backward_refuses_mismatched_shapes(model, targets):
    X = np.ones((3, 785))
    outputs = model.forward(X)
    with pytest.raises(AssertionError, match=re.escape(
            f"Output shape: {outputs.shape}, targets: {targets.shape}")):
        model.backward(X, outputs, targets)


@pytest.mark.parametrize("model", [task2a.BinaryModel(), task3a.SoftmaxModel(0.0)])
@pytest.mark.parametrize("width", [784, 786])
def test_forward_refuses_other_widths_than_785(model, width):
    with pytest.raises(AssertionError, match=re.escape(
            f"X.shape: (2, {width}), should be [batch size, 785]")):
        model.forward(np.ones((2, width)))


@pytest.mark.parametrize("l2_lambda", [-0.1, np.nan])
def test_softmax_model_refuses_a_bad_lambda(l2_lambda):
    with pytest.raises(AssertionError, match=r"l2_reg_lambda must be >= 0, got"):
        task3a.SoftmaxModel(l2_lambda)


# --- trainer ---------------------------------------------------------------------------

def small_binary(n=20):
    X = np.random.default_rng(0).uniform(-0.1, 0.1, size=(n, 785))
    return X, (X[:, :1] > 0).astype(np.int64)


@pytest.mark.parametrize("trainer, model, batch_size", [
    (task2.LogisticTrainer, task2a.BinaryModel, 128),
    (task3.SoftmaxTrainer, lambda: task3a.SoftmaxModel(0.0), 21)])
def test_trainers_refuse_a_batch_larger_than_the_training_set(trainer, model, batch_size):
    X, Y = small_binary(20)
    with pytest.raises(AssertionError, match=f"batch_size {batch_size} must be between 1 "
                                             "and the 20 training images"):
        trainer(model(), 0.1, batch_size, False, X, Y, X, Y)


def test_few_batches_per_epoch_still_validate_every_step():
    X, Y = small_binary(12)
    trainer = task2.LogisticTrainer(task2a.BinaryModel(), 0.1, 4, False, X, Y, X, Y,
                                    early_stopping_patience=None)
    _, val_history = trainer.train(2)  # 3 batches per epoch, 3 // 5 == 0
    assert list(val_history["loss"]) == [0, 1, 2, 3, 4, 5]


# --- data files --------------------------------------------------------------------------

@pytest.fixture
def data_copy(mnist_arrays, tmp_path, monkeypatch):
    """A private copy of the four MNIST files, loaded offline from there."""
    for name in mnist.FILES:
        shutil.copyfile(mnist.data_dir() / name, tmp_path / name)
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MNIST_OFFLINE", "1")
    return tmp_path


def flip_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1:]


@pytest.mark.mnist
@pytest.mark.parametrize("name", list(mnist.FILES))
@pytest.mark.parametrize("damage, words", [
    (flip_byte, "corrupted"),
    (lambda data: data[:-100], "truncated or padded"),
    (lambda data: b"\x00\x00\x08\x07" + data[4:], "magic number 00000807"),
])
def test_a_damaged_file_is_refused_by_name_and_a_good_one_loads_again(data_copy, name,
                                                                      damage, words):
    path = data_copy / name
    good = path.read_bytes()
    path.write_bytes(damage(good))
    with pytest.raises(mnist.MnistError, match=rf"(?s)MNIST file {path} is damaged: {name}: "
                                               rf".*{words}.*Delete it and run again"):
        mnist.load()
    path.write_bytes(good)
    X_train, Y_train, X_test, Y_test = mnist.load()
    assert Y_train[:3].tolist() == [5, 0, 4] and X_test.shape == (10000, 784)


@pytest.mark.mnist
def test_a_damaged_gz_file_is_refused_and_not_stored(data_copy):
    (data_copy / "t10k-labels-idx1-ubyte").unlink()
    (data_copy / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(mnist.MnistError, match=r"t10k-labels-idx1-ubyte\.gz is damaged"):
        mnist.load()
    assert not (data_copy / "t10k-labels-idx1-ubyte").exists()


# --- interrupted writes ------------------------------------------------------------------

def test_ctrl_c_while_writing_leaves_neither_a_file_nor_a_temporary(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with utils.atomic_path(tmp_path / "task2.json") as tmp:
            tmp.write_text('{"half":')
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_killed_writer_leaves_the_previous_file_intact(tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"previous complete file")
    writer = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from mnist import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            with open(tmp, "wb") as f:
                f.write(b"half of a new file")
                f.flush()
                print("writing", flush=True)
                time.sleep(60)
    """)
    process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE)
    assert process.stdout.readline() == b"writing\n"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert target.read_bytes() == b"previous complete file"
    assert os.stat(target).st_mode & 0o777 != 0  # still readable where it was


def test_written_files_get_the_usual_permissions(tmp_path):
    with utils.atomic_path(tmp_path / "out.txt") as tmp:
        tmp.write_text("done")
    assert os.stat(tmp_path / "out.txt").st_mode & 0o777 == 0o644
