from typing import Generator

import matplotlib.pyplot as plt
import numpy as np

import mnist


def batch_loader(
        X: np.ndarray, Y: np.ndarray,
        batch_size: int, shuffle=False,
        drop_last=True) -> Generator:
    """
    Creates a generator over the batches of the whole dataset (X, Y); called once per epoch.
    Args:
        X: images of shape [N, 785]
        Y: labels/targets of shape [N, 1] or [N, num_classes]
        drop_last: leave out the last, shorter batch when N is not divisible by batch_size
        shuffle (bool): visit the samples in a new random order each epoch
    Yields:
        x: images of shape [batch size, 785], y: their labels/targets
    """
    assert len(X) == len(Y), f"X has {len(X)} samples, Y {len(Y)}"
    num_batches = len(X) // batch_size
    if not drop_last:
        num_batches = int(np.ceil(len(X) / batch_size))
    indices = list(range(len(X)))

    # Task 2e: a new random order every call, that is every epoch, drawn from NumPy's
    # global generator (so np.random.seed makes a run repeat)
    if shuffle:
        np.random.shuffle(indices)

    for i in range(num_batches):
        # the indices of this batch's samples
        batch_indices = indices[i*batch_size:(i+1)*batch_size]
        x = X[batch_indices]
        y = Y[batch_indices]
        # images and their labels together
        yield (x, y)


# There is no need to change any code below this line.

def binary_prune_dataset(class1: int, class2: int,
                         X: np.ndarray, Y: np.ndarray):
    """
    Keeps the images of class1 and class2 and removes all others.
    Args:
        X: images of shape [N, 784] in the range (0, 255)
        Y: labels of shape [N]
    Returns:
        X: the kept images, Y: their labels, 1 for class1 and 0 for class2
    """
    is_class1 = Y == class1
    is_class2 = Y == class2
    keep = is_class1 | is_class2
    Y_binary = Y.copy()
    Y_binary[is_class1] = 1
    Y_binary[is_class2] = 0
    return X[keep], Y_binary[keep]


def load_binary_dataset(class1: int, class2: int):
    """Loads MNIST, keeps two classes and splits it into training and validation sets:
    X_train [N, 784], Y_train [N, 1], X_val [M, 784], Y_val [M, 1]."""
    train_size = 20000
    val_size = 10000
    X_train, Y_train, X_val, Y_val = mnist.load()

    # The first 20000 training images
    X_train, Y_train = X_train[:train_size], Y_train[:train_size]
    # The 10000 test images serve as the validation set
    X_val, Y_val = X_val[:val_size], Y_val[:val_size]
    X_train, Y_train = binary_prune_dataset(class1, class2, X_train, Y_train)
    X_val, Y_val = binary_prune_dataset(class1, class2, X_val, Y_val)
    # Labels as columns, shape [N, 1]
    Y_train = Y_train.reshape(-1, 1)
    Y_val = Y_val.reshape(-1, 1)

    print(f"Train shape: X: {X_train.shape}, Y: {Y_train.shape}")
    print(f"Validation shape: X: {X_val.shape}, Y: {Y_val.shape}")

    return X_train, Y_train, X_val, Y_val


def load_full_mnist():
    """Loads MNIST and splits it into training and validation sets: X_train [20000, 784],
    Y_train [20000, 1], X_val [10000, 784], Y_val [10000, 1]."""
    train_size = 20000
    test_size = 10000
    X_train, Y_train, X_val, Y_val = mnist.load()

    # The first 20000 training images
    X_train, Y_train = X_train[:train_size], Y_train[:train_size]
    # The 10000 test images serve as the validation set
    X_val, Y_val = X_val[-test_size:], Y_val[-test_size:]
    # Labels as columns, shape [N, 1]
    Y_train = Y_train.reshape(-1, 1)
    Y_val = Y_val.reshape(-1, 1)

    print(f"Train shape: X: {X_train.shape}, Y: {Y_train.shape}")
    print(f"Validation shape: X: {X_val.shape}, Y: {Y_val.shape}")

    return X_train, Y_train, X_val, Y_val


def plot_loss(loss_dict: dict, label: str = None, npoints_to_average=1, plot_variance=True):
    """
    Plots a curve on the current axes.
    Args:
        loss_dict: {global step: loss or accuracy}
        label: the curve's name in the legend
        npoints_to_average: draw the mean of each window of this many points, at the
            window's middle step, and with plot_variance a band of one standard deviation
    """
    global_steps = list(loss_dict.keys())
    loss = list(loss_dict.values())
    if npoints_to_average == 1:
        plt.plot(global_steps, loss, label=label)
        return

    num_points = len(loss) // npoints_to_average
    windows = np.reshape(loss[:num_points * npoints_to_average],
                         (num_points, npoints_to_average))
    mean_loss, loss_std = windows.mean(axis=1), windows.std(axis=1)
    steps = global_steps[npoints_to_average // 2::npoints_to_average][:num_points]
    plt.plot(steps, mean_loss,
             label=f"{label} (mean over {npoints_to_average} steps)")
    if plot_variance:
        plt.fill_between(steps, mean_loss - loss_std, mean_loss + loss_std, alpha=.2,
                         label=f"{label} (± 1 std over {npoints_to_average} steps)")
