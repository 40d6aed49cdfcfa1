"""Beyond the assignment: the analyses of the report's last section (not graded, not in
the submission zip).

`python extras.py` runs after task2.py, task3.py and task4.py: it reads their settings from
results/task2.json, task3.json and task4.json and the trained weights from
results/task4_weights.npz, and
  1. measures the gradient check's relative error against epsilon, for both models on the
     course's 100 images and start weights, and for the softmax model at its trained
     weights too;
  2. trains task 2's model with and without shuffling for the same 50 epochs, without
     early stopping, so that the two are compared over the same steps;
  3. trains task 3's model (lambda 0) and task 4's lambda = 0.001 model with shuffling
     seeds 1-4 (seed 0 is task 4's own run): the seed-to-seed spread;
  4. trains task 3's model with nine learning rates from 1e-4 to 1 (seed 0);
  5. scores task 4's models on the validation images: the confusion matrix of lambda = 0
     and McNemar's paired test of each lambda against lambda = 0.
It writes the figures extra_gradient_check.png, extra_shuffle_comparison.png,
extra_seeds.png, extra_lr_sweep.png and extra_confusion_matrix.png beside report.ipynb
and the numbers to results/extras.json (last). The 19 training runs share 2 worker
processes; those whose histories are not used skip the validation checks. Takes about a
minute on 2 cores.
"""
import concurrent.futures
import contextlib
import io
import json
import multiprocessing
import os

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import tqdm

import analysis
import task2
import task2a
import task3
import task3a
import utils

SEEDS = (1, 2, 3, 4)  # seed 0 is task 4's run of each lambda
SEED_LAMBDAS = (0.0, 0.001)
LEARNING_RATES = np.logspace(-4, 0, 9)  # 1e-4 ... 1, with the task's 0.01 among them
EPSILONS = np.logspace(-1, -8, 8)  # 1e-1, 1e-2, ... 1e-8, with the course's 1e-3 among them
GRADIENT_IMAGES = 100  # as the course's test
COMPARISON_EPOCHS = 50  # task 2e's runs, both trained this long

_data = {}  # each worker's preprocessed data sets, loaded once by _load_data


def _load_data() -> None:
    """Worker initializer: both data sets, preprocessed (the loaders' prints silenced);
    nothing to do if they are loaded already."""
    if _data:
        return
    with contextlib.redirect_stdout(io.StringIO()):
        X_train, Y_train, X_val, Y_val = utils.load_binary_dataset(2, 3)
        _data["binary"] = (task2a.pre_process_images(X_train), Y_train,
                           task2a.pre_process_images(X_val), Y_val)
        X_train, Y_train, X_val, Y_val = utils.load_full_mnist()
        _data["softmax"] = (task2a.pre_process_images(X_train),
                            task3a.one_hot_encode(Y_train, 10),
                            task2a.pre_process_images(X_val), task3a.one_hot_encode(Y_val, 10))


def run_settings(results: dict, run: str) -> dict:
    """The settings a task script recorded for one of its runs (file-wide settings,
    overridden by the run's own)."""
    return {**results.get("settings", {}), **results["runs"][run].get("settings", {})}


def without_checks(trainer_class: type) -> type:
    """trainer_class with validation checks that compute nothing (they return zeros). Without
    early stopping the checks do not change the weights, so a run whose histories are not
    needed trains the same weights, in a fraction of the time (a check reads all 30000
    images; the checks are most of a run's work)."""
    return type(f"{trainer_class.__name__}WithoutChecks", (trainer_class,),
                {"validation_step": lambda self: (0.0, 0.0, 0.0)})


def train(job: dict) -> dict:
    """One training run (in a worker): job holds "kind" ("binary" or "softmax"),
    learning_rate, batch_size, num_epochs, shuffle, l2_reg_lambda (softmax), seed and
    "checks" (False: skip the validation checks during training, see without_checks).
    Early stopping is off. Returns the job with the final values on the whole sets
    ("final", from the trainer's validation_step after the last step), the histories of the
    checks (if any), or "failed" with the error if a loss became inf or nan."""
    X_train, Y_train, X_val, Y_val = _data[job["kind"]]
    if job["kind"] == "binary":
        model, trainer_class = task2a.BinaryModel(), task2.LogisticTrainer
    else:
        model, trainer_class = task3a.SoftmaxModel(job["l2_reg_lambda"]), task3.SoftmaxTrainer
    trainer = (trainer_class if job.get("checks", True) else without_checks(trainer_class))(
        model, job["learning_rate"], job["batch_size"], job["shuffle"],
                            X_train, Y_train, X_val, Y_val, early_stopping_patience=None)
    np.random.seed(job["seed"])  # the shuffling draws from NumPy's global generator
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            train_history, val_history = trainer.train(job["num_epochs"])
    except FloatingPointError as error:
        return {**job, "failed": str(error)}
    # as the task scripts record it: the model the run ends with, through validation_step
    final = dict(zip(("val_loss", "train_accuracy", "val_accuracy"),
                     trainer_class.validation_step(trainer)))
    if not job.get("checks", True):
        return {**job, "failed": None, "final": final}
    return {**job, "failed": None, "final": final,
            "train_accuracy": train_history["accuracy"], "val_history": val_history}


def gradient_errors(job: dict) -> dict:
    """Relative error of the central-difference gradient against backward's, for every
    epsilon of EPSILONS (in a worker). job: "model" ("logistic" or "softmax"), "start"
    ("course": normal weights with standard deviation 1/I^2, seed 0, as the course's test;
    "trained": task 4's lambda = 0 weights, passed as "w")."""
    X_train, Y_train = (_data["binary" if job["model"] == "logistic" else "softmax"][i]
                        [:GRADIENT_IMAGES] for i in (0, 1))
    if job["model"] == "logistic":
        model, loss = task2a.BinaryModel(), task2a.cross_entropy_loss
    else:
        model, loss = task3a.SoftmaxModel(0.0), task3a.cross_entropy_loss
    if job["start"] == "course":
        rng = np.random.default_rng(0)
        model.w = rng.normal(0, 1 / model.w.shape[0]**2, size=model.w.shape)
    else:
        model.w = np.array(job["w"])
    start = model.w.copy()
    model.backward(X_train, model.forward(X_train), Y_train)
    analytic = model.grad.copy()

    def cost(w: np.ndarray) -> float:
        model.w = w
        return loss(Y_train, model.forward(X_train))

    errors = [analysis.relative_error(analytic, analysis.numerical_gradient(cost, start, eps))
              for eps in EPSILONS]
    return {"model": job["model"], "start": job["start"], "relative_errors": errors,
            "largest_abs_logit": float(np.abs(X_train @ start).max())}


def shuffle_summary(runs: dict, steps_per_epoch: int) -> dict:
    """Task 2e over the same steps: for each run the lowest validation loss and the
    check-to-check movement of the validation curves after the first epoch."""
    summary = {}
    for name, run in runs.items():
        val = run["val_history"]
        summary[name] = {
            "final": run["final"], "lowest_val_loss": analysis.lowest(val["loss"]),
            "val_loss_changes": analysis.check_changes(val["loss"], steps_per_epoch),
            "val_accuracy_changes": analysis.check_changes(val["accuracy"], steps_per_epoch),
            "val_history": val}
    return summary


@utils.styled
def save_gradient_figure(path: str, epsilons: list, curves: list[dict]) -> None:
    plt.figure(figsize=(8, 4.6))
    for curve, marker in zip(curves, "osd"):
        start = ("the course's start weights" if curve["start"] == "course"
                 else "its trained weights ($\\lambda$ = 0)")
        plt.loglog(epsilons, curve["relative_errors"], marker + "-",
                   label=f"{curve['model'].capitalize()} model, {start}")
    plt.axvline(1e-3, color="gray", linestyle="--", label="$\\epsilon$ of the course's test")
    plt.gca().invert_xaxis()
    utils.finish_plot(path, "Gradient check: relative error against $\\epsilon$",
                      "$\\epsilon$ (log scale, decreasing to the right)",
                      "Relative error (log scale)", fontsize=10)


@utils.styled
def save_shuffle_figure(path: str, summary: dict, num_epochs: int) -> None:
    """Validation loss and accuracy of task 2's model with and without shuffling."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), layout="constrained")
    styles = {"without_shuffle": ("C0", "Without shuffling", 1.6),  # task 2.e's colours
              "with_shuffle": ("C1", "With shuffling", 1.2)}
    for ax, quantity, ylim in zip(axes, ("loss", "accuracy"), ((0.055, 0.11), (0.96, 0.985))):
        for name, (colour, label, width) in styles.items():
            steps, values = analysis.curve(summary[name]["val_history"][quantity])
            ax.plot(steps, values, color=colour, linewidth=width, label=label)
        ax.set_ylim(ylim)
        ax.set_xlabel("Number of training steps")
        ax.set_ylabel(f"Validation {'cross entropy loss' if quantity == 'loss' else quantity}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=10)
    axes[0].set_title("Validation loss")
    axes[1].set_title("Validation accuracy")
    fig.suptitle(f"Logistic regression (2 vs 3), {num_epochs} epochs each, no early stopping")
    utils.save_figure(path)


@utils.styled
def save_seed_figure(path: str, seeds: dict) -> None:
    """Final validation accuracy per shuffling seed, for both lambdas side by side."""
    plt.figure(figsize=(8, 3.6))
    for offset, key, marker in ((-0.08, "0", "o"), (0.08, "0.001", "s")):
        values = 100 * np.array(seeds["val_accuracy"][key])
        plt.plot(np.array(seeds["seeds"]) + offset, values, marker, markersize=8,
                 label=f"$\\lambda$ = {key}")
    plt.xticks(seeds["seeds"])
    plt.margins(y=0.25)  # no marker on the frame
    utils.finish_plot(path, "Final validation accuracy per shuffling seed, "
                            "$\\lambda$ = 0 and 0.001",
                      "Shuffling seed (0: the run of tasks 3 and 4)",
                      "Validation accuracy (%)", fontsize=10)


@utils.styled
def save_learning_rate_figure(path: str, runs: list[dict], chosen: float, num_epochs: int
                              ) -> None:
    """Final validation accuracy and loss against learning rate, diverged runs marked."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    done = [run for run in runs if run["failed"] is None]
    rates = [run["learning_rate"] for run in done]
    left.plot(rates, [100 * run["final"]["val_accuracy"] for run in done], "o-",
              label="Validation accuracy")
    left.plot(rates, [100 * run["final"]["train_accuracy"] for run in done], "s--",
              label="Training accuracy")
    right.plot(rates, [run["final"]["val_loss"] for run in done], "o-", color="C2",
               label="Validation loss")
    failed = [run["learning_rate"] for run in runs if run["failed"] is not None]
    for ax in (left, right):
        ax.set_xscale("log")
        ax.axvline(chosen, color="gray", linestyle="--", label=f"Task 3's rate, {chosen:g}")
        for rate in failed:
            ax.axvline(rate, color="C3", linestyle=":", label="Diverged (loss inf or nan)"
                       if rate == failed[0] else None)
        ax.set_xlabel("Learning rate (log scale)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=10)
    left.set_ylabel(f"Accuracy after {num_epochs} epochs (%)")
    right.set_ylabel(f"Validation loss after {num_epochs} epochs (log scale)")
    right.set_yscale("log")
    right.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    right.yaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%.1f"))
    left.set_title("Accuracy")
    right.set_title("Validation loss")
    fig.suptitle(f"Task 3's model trained with each learning rate, {num_epochs} epochs")
    utils.save_figure(path)


@utils.styled
def save_confusion_figure(path: str, counts: np.ndarray) -> None:
    fig = plt.figure(figsize=(7.5, 6.4))
    shown = plt.imshow(np.log10(counts + 1), cmap="Blues")
    for t in range(10):
        for p in range(10):
            plt.text(p, t, str(counts[t, p]), ha="center", va="center", fontsize=9,
                     color="white" if counts[t, p] > 300 else "black")
    plt.xticks(range(10))
    plt.yticks(range(10))
    plt.xlabel("Predicted digit")
    plt.ylabel("True digit")
    fig.colorbar(shown, shrink=0.85).set_label("$\\log_{10}$(count + 1)")
    plt.title(f"Confusion matrix, {counts.sum()} validation images ($\\lambda$ = 0)")
    utils.save_figure(path)


def score_lambdas(weights: dict) -> tuple[dict, np.ndarray]:
    """Each lambda's model of task 4 on the validation images: McNemar's test against
    lambda = 0, and the confusion matrix of lambda = 0."""
    _, _, X_val, Y_val = _data["softmax"]
    true = Y_val.argmax(axis=1)
    predicted = {}
    for key, w in weights.items():
        model = task3a.SoftmaxModel(0.0)
        model.w = w
        predicted[key] = model.forward(X_val).argmax(axis=1)
    tests = {key: analysis.mcnemar(predicted[key] == true, predicted["0"] == true)
             for key in weights if key != "0"}
    return tests, analysis.confusion_matrix(true, predicted["0"])


def main() -> None:
    task2_results, task3_results, task4_results = (
        json.loads((utils.RESULTS_DIR / f"{name}.json").read_text())
        for name in ("task2", "task3", "task4"))
    weights = dict(np.load(utils.RESULTS_DIR / "task4_weights.npz"))
    binary = run_settings(task2_results, "without_shuffle")
    softmax = run_settings(task3_results, "softmax")
    common = {"batch_size": softmax["batch_size"], "num_epochs": softmax["num_epochs"]}

    jobs = [{"kind": "binary", "learning_rate": binary["learning_rate"],
             "batch_size": binary["batch_size"], "num_epochs": COMPARISON_EPOCHS,
             "shuffle": shuffle, "seed": 0, "name": name}
            for name, shuffle in (("without_shuffle", False), ("with_shuffle", True))]
    jobs += [{"kind": "softmax", "learning_rate": softmax["learning_rate"], **common,
              "shuffle": True, "l2_reg_lambda": l2_lambda, "seed": seed, "name": "seed",
              "checks": False}
             for l2_lambda in SEED_LAMBDAS for seed in SEEDS]
    jobs += [{"kind": "softmax", "learning_rate": float(rate), **common, "shuffle": True,
              "l2_reg_lambda": 0.0, "seed": 0, "name": "learning_rate", "checks": False}
             for rate in LEARNING_RATES]
    gradient_jobs = [{"model": "logistic", "start": "course"},
                     {"model": "softmax", "start": "course"},
                     {"model": "softmax", "start": "trained", "w": weights["0"]}]

    _load_data()
    # One BLAS thread per worker: two workers already fill the two cores. Workers are
    # spawned (not forked) so that they start NumPy with this setting.
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=2, initializer=_load_data,
            mp_context=multiprocessing.get_context("spawn")) as pool:
        # the slow ones first, so that the two workers finish together
        gradient_futures = [pool.submit(gradient_errors, job) for job in gradient_jobs]
        futures = [pool.submit(train, job) for job in jobs]
        for future in tqdm.tqdm(concurrent.futures.as_completed(futures + gradient_futures),
                                total=len(futures) + len(gradient_futures), desc="extras",
                                disable=None):
            future.result()  # an error in a worker stops the script here
        runs = [future.result() for future in futures]
        curves = [future.result() for future in gradient_futures]

    results = {}
    results["gradient_check"] = {
        "images": GRADIENT_IMAGES, "epsilons": EPSILONS.tolist(), "course_epsilon": 1e-3,
        "course_start_std": {"logistic": 1 / 785**2, "softmax": 1 / 785**2},
        "curves": curves}
    for curve in curves:
        at_course = curve["relative_errors"][int(np.argmin(np.abs(EPSILONS - 1e-3)))]
        print(f"gradient check, {curve['model']} model at the {curve['start']} weights: "
              f"relative error {at_course:.1e} at epsilon 1e-3, lowest "
              f"{min(curve['relative_errors']):.1e}")
    save_gradient_figure("extra_gradient_check.png", EPSILONS.tolist(), curves)

    steps_per_epoch = task2_results["steps_per_epoch"]
    shuffle_runs = {run["name"]: run for run in runs if run["kind"] == "binary"}
    summary = shuffle_summary(shuffle_runs, steps_per_epoch)
    results["shuffle_comparison"] = {
        "settings": {"learning_rate": binary["learning_rate"],
                     "batch_size": binary["batch_size"], "num_epochs": COMPARISON_EPOCHS,
                     "early_stopping_patience": None, "seed": 0},
        "steps_per_epoch": steps_per_epoch, "runs": summary}
    for name, run in summary.items():
        print(f"task 2, {name.replace('_', ' ')}, {COMPARISON_EPOCHS} epochs: lowest "
              f"validation loss {run['lowest_val_loss']['value']:.4f} at step "
              f"{run['lowest_val_loss']['step']}; check-to-check std of the validation "
              f"accuracy {run['val_accuracy_changes']['change_std']:.4f}")
    save_shuffle_figure("extra_shuffle_comparison.png", summary, COMPARISON_EPOCHS)

    seeds = {"seeds": [0, *SEEDS], "val_accuracy": {}, "train_accuracy": {}}
    for l2_lambda in SEED_LAMBDAS:
        key = f"{l2_lambda:g}"
        ours = [run for run in runs if run["name"] == "seed" and run["l2_reg_lambda"] == l2_lambda]
        finals = [task4_results["runs"][key]["final"]] + [run["final"] for run in ours]
        seeds["val_accuracy"][key] = [final["val_accuracy"] for final in finals]
        seeds["train_accuracy"][key] = [final["train_accuracy"] for final in finals]
        values = np.array(seeds["val_accuracy"][key])
        print(f"lambda {key}, seeds 0-4: validation accuracy {values.mean():.2%} on average, "
              f"std {100 * values.std(ddof=1):.2f} points")
    seeds["difference"] = analysis.paired_differences(seeds["val_accuracy"]["0.001"],
                                                      seeds["val_accuracy"]["0"])
    results["seeds"] = seeds
    save_seed_figure("extra_seeds.png", seeds)

    sweep = [{"learning_rate": run["learning_rate"], "failed": run["failed"],
              **({"final": run["final"]} if not run["failed"] else {})}
             for run in runs if run["name"] == "learning_rate"]
    for run in sweep:
        print(f"learning rate {run['learning_rate']:.2g}: " + (
            f"diverged: {run['failed']}" if run["failed"] else
            f"validation accuracy {run['final']['val_accuracy']:.2%}, validation loss "
            f"{run['final']['val_loss']:.3f}"))
    results["learning_rates"] = {"chosen": softmax["learning_rate"], "seed": 0, "runs": sweep}
    save_learning_rate_figure("extra_lr_sweep.png", sweep, softmax["learning_rate"],
                              softmax["num_epochs"])

    tests, counts = score_lambdas(weights)
    results["lambda_tests"] = tests
    for key, test in tests.items():
        print(f"lambda {key} against 0 on the same validation images: {test['a_only']} "
              f"against {test['b_only']} images, McNemar p = {test['p_value']:.2g}")
    off_diagonal = counts - np.diag(np.diag(counts))
    order = np.argsort(-off_diagonal, axis=None, kind="stable")[:3]
    results["confusion"] = {
        "counts": counts.tolist(),
        "recall": (np.diag(counts) / counts.sum(axis=1)).tolist(),
        "most_confused": [{"true": int(i // 10), "predicted": int(i % 10),
                           "count": int(off_diagonal.flat[i])} for i in order]}
    print("most frequent mistakes: " + ", ".join(
        f"{m['true']} taken for {m['predicted']} ({m['count']})"
        for m in results["confusion"]["most_confused"]))
    save_confusion_figure("extra_confusion_matrix.png", counts)

    utils.save_results("extras", results)  # last: make takes it as the sign that all is done


if __name__ == "__main__":
    utils.run_script(main, __doc__)
