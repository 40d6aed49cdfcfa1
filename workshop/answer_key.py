"""The answer key: checks of a group's graded files, task by task, through the starter's API.

Each task has a list of checks; a check calls the group's functions on small arrays made
for it (or on the real MNIST) and compares what comes out with an independent reference:
the equations written out below, exact known values, or the known facts of the data (task
2 on 2 vs 3 without shuffling stops at step 1038 with its best check at 978). A check
passes, or raises Failed with one line: the function, what was expected, what came out.
Where a task can be checked apart from the others, the check uses reference parts for the
rest: 2b runs the group's train_step on the reference model, 2d the group's BaseTrainer
with a reference train_step and validation_step, so that a bug fails its own task.

`check_solution.py` runs the checks of a submission in a process of its own, in a copy of
the group's files:

    python workshop/answer_key.py FOLDER RESULTS SECONDS TASK...

imports the group's modules from FOLDER, runs each TASK's checks, each check within
SECONDS, and appends {"task", "passed", "failed", "first_failure"} as a JSON line to
RESULTS when the task is done. The project's tests call run_checks() on the project's own
modules.
"""
import contextlib
import io
import json
import math
import signal
import sys
from pathlib import Path

import numpy as np

TASKS = ("2a", "2b", "2c", "2d", "2e", "3a", "3b", "3c", "4b")
MODULES = {"2a": ["task2a"], "2b": ["task2"], "2c": ["task2"], "2d": ["trainer"],
           "2e": ["utils"], "3a": ["task3a"], "3b": ["task3"], "3c": ["task3", "task3a"],
           "4b": ["task3a"]}
# Task 2 on 2 vs 3 without shuffling (lr 0.05, batch 128, zero start, patience 10):
# early stopping ends the run at this step, ten checks after the lowest validation loss
STOP_STEP, BEST_STEP = 1038, 978
IMPORT_SECONDS = 30  # the least time a module's import may take (matplotlib's takes 1 s)
DATA = Path(__file__).resolve().parents[1] / "data"


class Failed(Exception):
    """A check's finding: one line saying what was expected and what came out."""


# The reference: equations 1-8 and the L2 term, written out once ------------------------

def ref_preprocess(X):
    return np.concatenate([X / 127.5 - 1, np.ones((len(X), 1))], axis=1)


def ref_sigmoid(X, w):
    return 1 / (1 + np.exp(-X @ w))


def ref_softmax(X, w):
    z = X @ w
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ref_binary_loss(Y, P):
    return float(np.mean(-(Y * np.log(P) + (1 - Y) * np.log(1 - P))))


def ref_softmax_loss(Y, P):
    return float(np.mean(-np.sum(Y * np.log(P), axis=1)))


def ref_gradient(X, Y, P, w=0.0, l2_reg_lambda=0.0):
    """Equations 6 and 8 averaged over the batch, plus the L2 term 2 lambda w."""
    return -X.T @ (Y - P) / len(X) + 2 * l2_reg_lambda * w


class RefModel:
    """A model with the starter's interface (w, grad, forward, backward, zero_grad)."""

    def __init__(self, num_outputs=1, l2_reg_lambda=0.0):
        self.I, self.num_outputs, self.l2_reg_lambda = 785, num_outputs, l2_reg_lambda
        self.w = np.zeros((785, num_outputs))
        self.grad = None

    def forward(self, X):
        return ref_sigmoid(X, self.w) if self.num_outputs == 1 else ref_softmax(X, self.w)

    def backward(self, X, outputs, targets):
        self.grad = ref_gradient(X, targets, outputs, self.w, self.l2_reg_lambda)

    def zero_grad(self):
        self.grad = None


# Helpers -------------------------------------------------------------------------------

def call(function, name: str, *args, returns=True):
    """function(*args), with an unfilled TODO (NotImplementedError; None where a value
    should be returned) as a Failed."""
    try:
        result = function(*args)
    except NotImplementedError:
        raise Failed(f"{name}: not implemented (raises NotImplementedError)") from None
    if returns and result is None:
        raise Failed(f"{name}: not implemented (returns None)")
    return result


def as_array(value, name: str, shape) -> np.ndarray:
    """value as a float array of the given shape, else Failed naming both shapes."""
    if value is None:
        raise Failed(f"{name}: not implemented (None)")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Failed(f"{name}: returned {type(value).__name__}, expected an array of shape "
                     f"{list(shape)}") from None
    if array.shape != tuple(shape):
        raise Failed(f"{name}: returned shape {list(array.shape)}, expected {list(shape)}")
    return array


def as_number(value, name: str) -> float:
    try:
        number = float(np.asarray(value, dtype=float).reshape(()))
    except (TypeError, ValueError):
        raise Failed(f"{name}: returned {type(value).__name__} of shape "
                     f"{list(np.shape(value))}, expected one number") from None
    return number


def expect_close(got, expected, name: str, what: str, rtol=1e-7, atol=1e-10) -> None:
    """Failed naming the first element where got and expected differ."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if not close.all():
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        where = f" at {list(index)}" if index else ""
        raise Failed(f"{name}: {what}{where}: expected {expected[index]:.6g}, "
                     f"got {got[index]:.6g}")


def numerical_gradient(cost, w: np.ndarray, indices, epsilon=1e-5) -> np.ndarray:
    """Central differences of cost(w) for the weights at the given flat indices."""
    out = []
    for index in indices:
        up, down = w.copy(), w.copy()
        up.flat[index] += epsilon
        down.flat[index] -= epsilon
        out.append((cost(up) - cost(down)) / (2 * epsilon))
    return np.array(out)


def small_batch(num_outputs: int, n=6, seed=0):
    """Preprocessed images [n, 785] and one-hot (or 0/1) targets [n, num_outputs]."""
    rng = np.random.default_rng(seed)
    X = ref_preprocess(rng.integers(0, 256, size=(n, 784)).astype(float))
    labels = rng.integers(0, max(num_outputs, 2), size=n)
    if num_outputs == 1:
        return X, labels.reshape(-1, 1).astype(float)
    return X, np.eye(num_outputs)[labels]


def mnist_sets(binary: bool):
    """The course's sets from the real MNIST, preprocessed by the reference: 2 vs 3 (1 for
    2) with Y [N, 1], or all ten digits with one-hot Y [N, 10]."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fetch_mnist import read_verified
    try:
        X_train, Y_train, X_val, Y_val = (
            read_verified(name, DATA).reshape(n, -1) for name, n in (
                ("train-images-idx3-ubyte", 60000), ("train-labels-idx1-ubyte", 60000),
                ("t10k-images-idx3-ubyte", 10000), ("t10k-labels-idx1-ubyte", 10000)))
    except (OSError, ValueError) as error:
        raise Failed(f"the real MNIST is not usable in {DATA} ({error}): run `make data`")
    X_train, Y_train = X_train[:20000], Y_train[:20000].ravel()
    Y_val = Y_val.ravel()
    if binary:
        keep_train, keep_val = np.isin(Y_train, (2, 3)), np.isin(Y_val, (2, 3))
        return (ref_preprocess(X_train[keep_train]), (Y_train[keep_train] == 2)[:, None] * 1.0,
                ref_preprocess(X_val[keep_val]), (Y_val[keep_val] == 2)[:, None] * 1.0)
    return (ref_preprocess(X_train), np.eye(10)[Y_train], ref_preprocess(X_val),
            np.eye(10)[Y_val])


def scripted_trainer(base, val_losses, n=60, batch=4):
    """A subclass of the group's BaseTrainer whose steps change the weights predictably
    (the step number is added to every weight) and whose validation losses are given in
    advance (then constant); and its trainer on n samples in batches of batch."""
    losses = iter(val_losses)

    class Scripted(base):
        def train_step(self, X_batch, Y_batch):
            self.model.w = self.model.w + 1
            return 0.5

        def validation_step(self):
            return next(losses, val_losses[-1]), 0.5, 0.5

    X, Y = np.zeros((n, 785)), np.zeros((n, 1))
    return Scripted(RefModel(), 0.1, batch, False, X, Y, X, Y)


def history_steps(history: dict, name: str, key="loss") -> list[int]:
    try:
        return sorted(int(step) for step in history[key])
    except (TypeError, KeyError, ValueError):
        raise Failed(f"{name}: the histories are not {{'loss': {{step: value}}, "
                     f"'accuracy': {{step: value}}}}") from None


# The checks, task by task ------------------------------------------------------------------

def checks_2a(m):
    X_raw = np.array([[0.0] * 392 + [255.0] * 392, [127.5] * 784])

    def preprocess_shape():
        out = as_array(call(m["task2a"].pre_process_images, "task2a.pre_process_images",
                            X_raw.copy()), "task2a.pre_process_images", (2, 785))
        return out

    def preprocess_values():
        out = preprocess_shape()
        expect_close(out[:, :784], X_raw / 127.5 - 1, "task2a.pre_process_images",
                     "pixels 0, 255 and 127.5 should become -1, 1 and 0")

    def bias_column():
        out = preprocess_shape()
        expect_close(out[:, 784], np.ones(2), "task2a.pre_process_images",
                     "the last column should be ones (bias trick)")

    def loss_value():
        Y, P = np.array([[1.0], [0.0], [1.0]]), np.array([[0.8], [0.3], [0.6]])
        got = as_number(call(m["task2a"].cross_entropy_loss, "task2a.cross_entropy_loss", Y, P),
                        "task2a.cross_entropy_loss")
        expect_close(got, ref_binary_loss(Y, P), "task2a.cross_entropy_loss",
                     "equation 3 for targets [1, 0, 1] and outputs [0.8, 0.3, 0.6]")

    def model_shape():
        model = m["task2a"].BinaryModel()
        w = as_array(model.w, "task2a.BinaryModel().w", (785, 1))
        if np.any(w != 0):
            raise Failed("task2a.BinaryModel(): the weights should start at zero")

    return [preprocess_shape, preprocess_values, bias_column, loss_value, model_shape,
            *model_checks(m, "task2a", "BinaryModel", 1)]


def train_step_checks(m, module: str, trainer_name: str, num_outputs: int, lr: float):
    """Checks of a trainer's train_step on the reference model: two steps from zero."""
    X, Y = small_batch(num_outputs, n=8)
    name = f"{module}.{trainer_name}.train_step"

    def steps(count):
        model = RefModel(num_outputs)
        trainer = getattr(m[module], trainer_name)(model, lr, 4, False, X, Y, X, Y)
        return [as_number(call(trainer.train_step, name, X, Y), name)
                for _ in range(count)], model

    def first_loss():
        (loss,), _ = steps(1)
        expect_close(loss, math.log(max(num_outputs, 2)), name,
                     "the loss from zero weights (before the step) should be ln "
                     f"{max(num_outputs, 2)}")

    def first_weights():
        _, model = steps(1)
        expected = -lr * ref_gradient(X, Y, RefModel(num_outputs).forward(X))
        expect_close(model.w, expected, name, "weights after one step from zero "
                     "differ from w - learning_rate * gradient")

    def second_step():
        losses, model = steps(2)
        w1 = -lr * ref_gradient(X, Y, RefModel(num_outputs).forward(X))
        reference = RefModel(num_outputs)
        reference.w = w1
        P = reference.forward(X)
        expect_close(losses[1], (ref_binary_loss if num_outputs == 1 else
                                 ref_softmax_loss)(Y, P), name,
                     "the second step's loss (at the weights after the first)")
        expect_close(model.w, w1 - lr * ref_gradient(X, Y, P), name,
                     "weights after two steps")

    return [first_loss, first_weights, second_step]


def accuracy_checks(m, module: str, num_outputs: int):
    name = f"{module}.calculate_accuracy"

    class Stub:  # a model whose outputs are given
        def __init__(self, outputs):
            self.outputs = outputs

        def forward(self, X):
            return self.outputs

    if num_outputs == 1:
        outputs = np.array([[0.2], [0.5], [0.7], [0.49], [0.9]])
        targets = np.array([[0], [1], [1], [1], [0]])
        expected, rule = 0.6, "a 1 where the output is >= 0.5"
    else:
        outputs = np.eye(10)[[3, 1, 4, 1, 5]] * 0.5 + 0.05
        targets = np.eye(10)[[3, 1, 4, 0, 0]]
        expected, rule = 0.6, "the class of the largest output"

    def known_value():
        got = as_number(call(m[module].calculate_accuracy, name, np.zeros((5, 785)), targets,
                             Stub(outputs)), name)
        expect_close(got, expected, name, f"accuracy with predictions as {rule}")

    def all_and_none():
        right = targets if num_outputs > 1 else targets.astype(float)
        wrong = 1 - targets if num_outputs == 1 else np.roll(targets, 1, axis=1)
        for outputs_, value in ((right, 1.0), (wrong, 0.0)):
            got = as_number(call(m[module].calculate_accuracy, name, np.zeros((5, 785)),
                                 targets, Stub(outputs_ * 0.9 + 0.05)), name)
            expect_close(got, value, name, "accuracy as a fraction when all predictions "
                         f"are {'right' if value else 'wrong'}")

    return [known_value, all_and_none]


def checks_2d(m):
    def base():
        return m["trainer"].BaseTrainer

    def check_steps():
        trainer = scripted_trainer(base(), [1.0 - 0.01 * k for k in range(100)])
        train_history, val_history = trainer.train(2)
        got = history_steps(val_history, "trainer.BaseTrainer.train")
        expected = list(range(0, 30, 3))
        if got != expected:
            raise Failed(f"trainer.BaseTrainer.train: validation checks at steps {got[:12]}, "
                         f"expected {expected} (step 0 and every 20% of an epoch)")

    def stops_after_patience():
        trainer = scripted_trainer(base(), [5, 4, 3, 2, 1.5] + [2] * 100)
        train_history, _ = trainer.train(100)
        last = history_steps(train_history, "trainer.BaseTrainer.train")[-1]
        if last != 14 * 3:
            raise Failed(f"trainer.BaseTrainer.train: with its lowest validation loss at "
                         f"check 4, early stopping should end the run at check 14 (step "
                         f"42); it ended at step {last}" + (
                             " (early stopping not implemented: it trained every epoch)"
                             if last == 100 * 15 - 1 else ""))

    def returns_best_weights():
        trainer = scripted_trainer(base(), [5, 4, 3, 2, 1.5] + [2] * 100)
        trainer.train(100)
        got = float(np.asarray(trainer.model.w).flat[0])
        if got != 4 * 3 + 1:
            raise Failed(f"trainer.BaseTrainer.train: after early stopping the model should "
                         f"hold the weights of the best check (step 12, after 13 steps); it "
                         f"holds those after {got:g} steps")

    def mnist_stop():
        X_train, Y_train, X_val, Y_val = mnist_sets(binary=True)

        class RefLogistic(base()):
            def train_step(self, X_batch, Y_batch):
                P = self.model.forward(X_batch)
                self.model.backward(X_batch, P, Y_batch)
                self.model.w = self.model.w - self.learning_rate * self.model.grad
                return ref_binary_loss(Y_batch, P)

            def validation_step(self):
                return ref_binary_loss(self.Y_val, self.model.forward(self.X_val)), 0.5, 0.5

        model = RefModel()
        trainer = RefLogistic(model, 0.05, 128, False, X_train, Y_train, X_val, Y_val)
        train_history, val_history = trainer.train(40)  # it stops in epoch 34
        last = history_steps(train_history, "trainer.BaseTrainer.train")[-1]
        steps = history_steps(val_history, "trainer.BaseTrainer.train")
        best = steps[int(np.argmin([val_history["loss"][s] for s in steps]))]
        if (last, best) != (STOP_STEP, BEST_STEP):
            raise Failed(f"trainer.BaseTrainer.train on 2 vs 3 without shuffling: stopped at "
                         f"step {last} with its best check at {best}, expected "
                         f"{STOP_STEP} and {BEST_STEP}")
        expect_close(ref_binary_loss(Y_val, model.forward(X_val)),
                     val_history["loss"][BEST_STEP], "trainer.BaseTrainer.train",
                     "validation loss of the weights returned, against the best check's")

    return [check_steps, stops_after_patience, returns_best_weights, mnist_stop]


def checks_2e(m):
    X = np.arange(40, dtype=float).reshape(20, 2)
    Y = np.arange(20).reshape(20, 1)
    name = "utils.batch_loader"

    def batches(**kwargs):
        return [(np.asarray(x), np.asarray(y)) for x, y in
                call(lambda: m["utils"].batch_loader(X, Y, 6, **kwargs), name)]

    def in_order():
        got = [list(y.ravel()) for _, y in batches(shuffle=False)]
        if got != [list(range(i, i + 6)) for i in (0, 6, 12)]:
            raise Failed(f"{name}: without shuffling, batches of 6 from 20 samples with "
                         f"drop_last should be samples 0-5, 6-11, 12-17; got {got}")

    def keeps_short_batch():
        sizes = [len(y) for _, y in batches(shuffle=False, drop_last=False)]
        if sizes != [6, 6, 6, 2]:
            raise Failed(f"{name}: with drop_last=False, 20 samples in batches of 6 should "
                         f"come as sizes [6, 6, 6, 2]; got {sizes}")

    def shuffled_epoch():
        got = batches(shuffle=True, drop_last=False)
        seen = np.concatenate([y.ravel() for _, y in got])
        if sorted(seen) != list(range(20)):
            raise Failed(f"{name}: with shuffling, one epoch should visit every sample once; "
                         f"it visited {sorted(seen)}")
        for x, y in got:
            if not np.array_equal(x[:, 0], 2 * y.ravel()):
                raise Failed(f"{name}: with shuffling, images and labels no longer match")

    def new_order_each_epoch():
        orders = {tuple(np.concatenate([y.ravel() for _, y in batches(shuffle=True)]))
                  for _ in range(3)}
        if len(orders) == 1:
            order = list(orders.pop())
            raise Failed(f"{name}: shuffle=True gave the same order in three epochs "
                         + ("(in order: shuffling not implemented)" if order == sorted(order)
                            else f"({order[:6]}...)"))

    def follows_numpy_seed():
        runs = []
        for _ in range(2):
            np.random.seed(7)
            runs.append(np.concatenate([y.ravel() for _, y in batches(shuffle=True)]))
        if not np.array_equal(*runs):
            raise Failed(f"{name}: after np.random.seed(7), the shuffled order should repeat "
                         f"(the starter seeds NumPy's global generator)")

    return [in_order, keeps_short_batch, shuffled_epoch, new_order_each_epoch,
            follows_numpy_seed]


def checks_3a(m):
    def one_hot():
        got = as_array(call(m["task3a"].one_hot_encode, "task3a.one_hot_encode",
                            np.array([[3], [0], [9]]), 10), "task3a.one_hot_encode", (3, 10))
        expect_close(got, np.eye(10)[[3, 0, 9]], "task3a.one_hot_encode",
                     "one-hot codes of labels 3, 0, 9")

    def model_shape():
        model = m["task3a"].SoftmaxModel(0.0)
        if as_array(model.w, "task3a.SoftmaxModel(0).w", (785, 10)).any():
            raise Failed("task3a.SoftmaxModel(0): the weights should start at zero")

    def loss_value():
        P = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
        T = np.array([[1.0, 0, 0], [0, 1.0, 0]])
        got = as_number(call(m["task3a"].cross_entropy_loss, "task3a.cross_entropy_loss", T, P),
                        "task3a.cross_entropy_loss")
        expect_close(got, ref_softmax_loss(T, P), "task3a.cross_entropy_loss",
                     "equation 5 for two made-up examples")

    return [one_hot, model_shape, loss_value, *model_checks(m, "task3a", "SoftmaxModel", 10)]


def model_checks(m, module: str, model_name: str, num_outputs: int, l2_reg_lambda=0.0,
                 parts=("forward", "backward", "backward_numerical")) -> list:
    """Checks of BinaryModel (num_outputs 1) or SoftmaxModel(l2_reg_lambda): forward against
    equation 1 or 4, backward against equation 6 or 8 averaged over the batch plus
    2 lambda w, and backward against central differences of the loss plus lambda R(w)."""
    X, Y = small_batch(num_outputs)
    w = np.random.default_rng(num_outputs).normal(0, 0.05, size=(785, num_outputs))
    P = ref_sigmoid(X, w) if num_outputs == 1 else ref_softmax(X, w)
    name = f"{module}.{model_name}" + (f"({l2_reg_lambda:g})" if l2_reg_lambda else "")
    equations = ("1", "6") if num_outputs == 1 else ("4", "8")
    l2_text = " + 2 * lambda * w" if l2_reg_lambda else ""

    def new_model():
        model = getattr(m[module], model_name)(*([] if num_outputs == 1 else [l2_reg_lambda]))
        model.w = w.copy()
        return model

    def forward():
        out = as_array(call(new_model().forward, f"{name}.forward", X), f"{name}.forward",
                       (len(X), num_outputs))
        expect_close(out, P, f"{name}.forward", f"output differs from equation {equations[0]}")

    def backward():
        model = new_model()
        call(model.backward, f"{name}.backward", X, P, Y, returns=False)
        grad = as_array(model.grad, f"{name}.backward (self.grad)", (785, num_outputs))
        expect_close(grad, ref_gradient(X, Y, P, w, l2_reg_lambda), f"{name}.backward",
                     f"gradient differs from equation {equations[1]} averaged over the "
                     f"batch{l2_text}")

    def backward_numerical():
        model = new_model()

        def cost(weights):
            model.w = weights
            loss = as_number(m[module].cross_entropy_loss(Y, model.forward(X)),
                             f"{module}.cross_entropy_loss")
            return loss + l2_reg_lambda * np.sum(weights ** 2)
        indices = np.random.default_rng(4).choice(w.size, 30, replace=False)
        numerical = numerical_gradient(cost, w, indices)
        model.w = w.copy()
        model.backward(X, model.forward(X), Y)
        expect_close(np.asarray(model.grad).ravel()[indices], numerical, f"{name}.backward",
                     "gradient differs from the central difference of cross_entropy_loss"
                     + (f" + {l2_reg_lambda:g} * sum(w**2)" if l2_reg_lambda else ""),
                     rtol=1e-5, atol=1e-8)

    checks = {"forward": forward, "backward": backward, "backward_numerical": backward_numerical}
    return [checks[part] for part in parts]


def checks_3c(m):
    def short_run():
        task3, task3a = m["task3"], m["task3a"]
        X_train, Y_train, X_val, Y_val = mnist_sets(binary=False)
        model = task3a.SoftmaxModel(0.0)
        trainer = task3.SoftmaxTrainer(model, 0.01, 128, False, X_train, Y_train,
                                       X_val, Y_val)
        call(lambda: trainer.train(2), "trainer.train with task3.SoftmaxTrainer")
        got = as_number(call(task3.calculate_accuracy, "task3.calculate_accuracy", X_val,
                             Y_val, model), "task3.calculate_accuracy")
        reference = RefModel(10)
        for _ in range(2):
            for start in range(0, len(X_train) - 127, 128):
                x, y = X_train[start:start + 128], Y_train[start:start + 128]
                reference.backward(x, reference.forward(x), y)
                reference.w = reference.w - 0.01 * reference.grad
        expected = float(np.mean(reference.forward(X_val).argmax(1) == Y_val.argmax(1)))
        expect_close(got, expected, "task 3 run (2 epochs, no shuffling)",
                     "validation accuracy against the reference run's", rtol=0, atol=1e-3)

    return accuracy_checks(m, "task3", 10) + [short_run]


def checks_4b(m):
    return model_checks(m, "task3a", "SoftmaxModel", 10, l2_reg_lambda=0.5,
                        parts=("backward", "backward_numerical"))


CHECKS = {
    "2a": checks_2a,
    "2b": lambda m: train_step_checks(m, "task2", "LogisticTrainer", 1, 0.05),
    "2c": lambda m: accuracy_checks(m, "task2", 1),
    "2d": checks_2d,
    "2e": checks_2e,
    "3a": checks_3a,
    "3b": lambda m: train_step_checks(m, "task3", "SoftmaxTrainer", 10, 0.01),
    "3c": checks_3c,
    "4b": checks_4b,
}


def all_failed(task: str, message: str) -> dict:
    """The result of a task none of whose checks could run: each fails with message."""
    return {"passed": 0, "failed": len(CHECKS[task]({})), "first_failure": message}


def describe(error: BaseException) -> str:
    """One line for an exception raised by a group's code."""
    if isinstance(error, AssertionError):
        return f"an assert failed: {str(error).splitlines()[0] if str(error) else '(no message)'}"
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}" + (f": {text}" if text else "")


class TimeLimit(BaseException):
    """A check ran out of time. Not an Exception, so that a group's `except Exception`
    does not swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise TimeLimit in the block after seconds (none if None); main thread only."""
    if seconds is None:
        yield
        return

    def expire(signum, frame):
        raise TimeLimit
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_checks(task: str, modules: dict, seconds: float | None = None) -> dict:
    """Run one task's checks on the modules {name: module}, each within seconds (if given);
    the group's prints are swallowed. Returns {"passed", "failed", "first_failure"}."""
    passed, failed, first = 0, 0, ""
    with contextlib.redirect_stdout(io.StringIO()):
        for check in CHECKS[task](modules):
            try:
                with time_limit(seconds):
                    check()
                passed += 1
                continue
            except Failed as failure:
                message = str(failure)
            except TimeLimit:
                message = (f"{check.__name__}: timed out after {seconds:g} s (an endless "
                           f"loop, or far slower than vectorized code)")
            except (Exception, SystemExit) as error:
                message = f"{check.__name__}: {describe(error)}"
            failed, first = failed + 1, first or message
    return {"passed": passed, "failed": failed, "first_failure": first}


def import_modules(folder: Path, names: list[str], seconds: float | None = None,
                   broken: dict | None = None) -> dict:
    """The group's modules from folder; Failed naming the file that cannot be imported.
    broken: {name: message} of the modules that failed before, not tried again."""
    broken = {} if broken is None else broken
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    modules = {}
    for name in names:
        if name not in broken:
            try:
                if not (folder / f"{name}.py").is_file():
                    raise Failed(f"{name}.py is missing")
                with contextlib.redirect_stdout(io.StringIO()), time_limit(seconds and max(
                        seconds, IMPORT_SECONDS)):
                    modules[name] = __import__(name)
            except Failed as failure:
                broken[name] = str(failure)
            except SyntaxError as error:
                broken[name] = f"{name}.py has a syntax error at line {error.lineno}: {error.msg}"
            except TimeLimit:
                broken[name] = (f"importing {name}.py took over "
                                f"{max(seconds, IMPORT_SECONDS):g} s")
            except (Exception, SystemExit) as error:
                broken[name] = f"importing {name}.py failed: {describe(error)}"
        if name in broken:
            raise Failed(broken[name])
    return modules


def main() -> None:
    """Run the tasks' checks on the group's files in FOLDER, each check within SECONDS;
    append one JSON line per task to RESULTS as soon as the task is done."""
    folder, results, seconds, tasks = (Path(sys.argv[1]), Path(sys.argv[2]),
                                       float(sys.argv[3]), sys.argv[4:])
    broken = {}
    for task in tasks:
        try:
            result = run_checks(task, import_modules(folder, MODULES[task], seconds, broken),
                                seconds)
        except Failed as failure:  # every check of the task fails with it
            result = all_failed(task, str(failure))
        with open(results, "a") as out:
            out.write(json.dumps({"task": task, **result}) + "\n")


if __name__ == "__main__":
    main()
