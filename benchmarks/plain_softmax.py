"""The reference of the speed benchmark: softmax regression as a typical first solution.

Plain NumPy in float64 throughout; each batch gathered by fancy indexing; at every
validation check (five per epoch) three separate forward passes, for the validation loss,
the training accuracy and the validation accuracy, as the course's starter code does them.
Settings of task 3: learning rate 0.01, batch 128, a new shuffle every epoch, zero initial
weights, the first 20000 training images, the 10000 test images as validation.

Run from anywhere:  python benchmarks/plain_softmax.py [--epochs 50]
Prints one JSON line: {"seconds": training time, "val_accuracy": ..., "epochs": ...}.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import mnist  # noqa: E402  (the project's loader, for the data only)


def prepare(images, labels):
    """uint8 images [N, 784] -> [N, 785] in [-1, 1] with a bias column; labels -> one-hot."""
    X = images / 127.5 - 1
    X = np.hstack([X, np.ones((len(X), 1))])
    Y = np.zeros((len(labels), 10))
    Y[np.arange(len(labels)), labels] = 1
    return X, Y


def forward(X, w):
    exps = np.exp(X @ w)
    return exps / np.sum(exps, axis=1, keepdims=True)


def cross_entropy(Y, P):
    return -np.mean(np.sum(Y * np.log(P), axis=1))


def accuracy(X, Y, w):
    return np.mean(np.argmax(forward(X, w), axis=1) == np.argmax(Y, axis=1))


def train(X_train, Y_train, X_val, Y_val, epochs, learning_rate=0.01, batch_size=128):
    """Mini-batch gradient descent; returns the weights [785, 10]."""
    w = np.zeros((X_train.shape[1], 10))
    steps_per_epoch = len(X_train) // batch_size
    steps_per_check = steps_per_epoch // 5
    rng = np.random.default_rng(0)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(X_train))
        for i in range(steps_per_epoch):
            batch = order[i * batch_size:(i + 1) * batch_size]
            X, Y = X_train[batch], Y_train[batch]
            P = forward(X, w)
            w -= learning_rate * X.T @ (P - Y) / batch_size
            if step % steps_per_check == 0:
                cross_entropy(Y_val, forward(X_val, w))
                accuracy(X_train, Y_train, w)
                accuracy(X_val, Y_val, w)
            step += 1
    return w


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args()
    X_train, Y_train, X_test, Y_test = mnist.load()
    X_train, Y_train = prepare(X_train[:20000], Y_train[:20000])
    X_val, Y_val = prepare(X_test, Y_test)
    start = time.perf_counter()
    w = train(X_train, Y_train, X_val, Y_val, args.epochs)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": round(seconds, 3),
                      "val_accuracy": float(accuracy(X_val, Y_val, w)),
                      "epochs": args.epochs}))


if __name__ == "__main__":
    main()
