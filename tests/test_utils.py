"""Batching, shuffling, pruning and the plotting helpers."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

import utils


def epoch_order(X, Y, batch_size, **kwargs):
    """The sample indices in the order one call of batch_loader visits them."""
    batches = list(utils.batch_loader(X, Y, batch_size, **kwargs))
    return [int(i) for x, y in batches for i in x[:, 0]], batches


def indexed_set(n):
    """X whose first column is the sample index, Y equal to it: [n, 2], [n, 1]."""
    X = np.stack([np.arange(n), np.zeros(n)], axis=1)
    return X, np.arange(n).reshape(-1, 1)


def test_batch_loader_in_order_drops_the_short_last_batch():
    X, Y = indexed_set(10)
    order, batches = epoch_order(X, Y, 3)
    assert order == list(range(9))
    assert [len(x) for x, _ in batches] == [3, 3, 3]


def test_batch_loader_keeps_the_short_last_batch_on_request():
    X, Y = indexed_set(10)
    order, batches = epoch_order(X, Y, 3, drop_last=False)
    assert order == list(range(10))
    assert [len(x) for x, _ in batches] == [3, 3, 3, 1]


def test_shuffled_batches_keep_images_and_targets_together():
    X, Y = indexed_set(50)
    np.random.seed(0)
    for x, y in utils.batch_loader(X, Y, 7, shuffle=True):
        np.testing.assert_array_equal(x[:, 0], y[:, 0])


def test_shuffling_is_a_new_permutation_every_epoch_and_repeats_with_the_seed():
    X, Y = indexed_set(40)
    np.random.seed(5)
    first, _ = epoch_order(X, Y, 8, shuffle=True, drop_last=False)
    second, _ = epoch_order(X, Y, 8, shuffle=True, drop_last=False)
    assert sorted(first) == sorted(second) == list(range(40))
    assert first != second and first != list(range(40))
    np.random.seed(5)
    assert epoch_order(X, Y, 8, shuffle=True, drop_last=False)[0] == first


def test_shuffled_drop_last_leaves_out_a_random_remainder():
    X, Y = indexed_set(10)
    np.random.seed(1)
    order, batches = epoch_order(X, Y, 4, shuffle=True)
    assert len(order) == 8 and len(set(order)) == 8 and order != list(range(8))


def test_batch_loader_refuses_different_lengths():
    with pytest.raises(AssertionError, match="X has 5 samples but Y has 4"):
        next(utils.batch_loader(np.zeros((5, 2)), np.zeros((4, 1)), 2))


def test_binary_prune_dataset_keeps_two_classes_in_order():
    X = np.arange(7).reshape(-1, 1)
    Y = np.array([2, 5, 3, 2, 7, 3, 3])
    X_kept, Y_kept = utils.binary_prune_dataset(2, 3, X, Y)
    assert X_kept[:, 0].tolist() == [0, 2, 3, 5, 6]
    assert Y_kept.tolist() == [1, 0, 1, 0, 0]


def test_plot_loss_averages_windows_drawn_at_their_middle_step_with_a_band():
    plt.figure()
    history = {step: float(step % 2) for step in range(0, 30, 3)}  # 0, 1, 0, 1, ...
    utils.plot_loss(history, "Training loss", npoints_to_average=2)
    line = plt.gca().get_lines()[0]
    assert line.get_xdata().tolist() == [3, 9, 15, 21, 27]  # the second of each pair
    assert line.get_ydata().tolist() == [0.5] * 5
    assert len(plt.gca().collections) == 1  # the +- 1 std band
    plt.close()


def test_plot_loss_without_variance_plots_the_raw_curve():
    plt.figure()
    history = {0: 1.0, 5: 0.5, 10: 0.25}
    utils.plot_loss(history, "Loss", npoints_to_average=2, plot_variance=False)
    line = plt.gca().get_lines()[0]
    assert line.get_xdata().tolist() == [0, 5, 10]
    assert line.get_ydata().tolist() == [1.0, 0.5, 0.25]
    assert len(plt.gca().collections) == 0
    plt.close()


def test_save_curves_writes_a_png_with_title_and_legend(tmp_path):
    path = tmp_path / "figure.png"
    utils.save_curves(path, [({0: 1.0, 1: 0.5}, "Training loss", 1),
                             ({0: 1.1, 1: 0.7}, "Validation loss", 1)], "Title", "Loss")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_save_results_is_sorted_and_stable(tmp_path, monkeypatch):
    monkeypatch.setattr(utils, "RESULTS_DIR", tmp_path)
    path = tmp_path / "run.json"
    utils.save_results("run", {"b": 2, "a": [1.5, 0.25]})
    first = path.read_bytes()
    utils.save_results("run", {"a": [1.5, 0.25], "b": 2})
    assert path.read_bytes() == first
    assert first.decode().index('"a"') < first.decode().index('"b"')


def test_atomic_path_leaves_nothing_when_the_writer_fails(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with utils.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
