"""What the hidden cells of report.ipynb use: the results files, the runs in them, and
Markdown output with numbered figures and tables.

The report reads results/<script>.json as `workshop/record.py` writes them (a list of runs,
each with its settings, histories and final values). The environment variable REPORT_DIR
names another folder to read results/ and the figures from (the tests use it); by default
the notebook's own folder.
"""
import json
import math
import os
from pathlib import Path

import matplotlib
import numpy as np
from IPython.display import Markdown, display
from matplotlib.figure import Figure

from atomic import atomic_path

HERE = Path(os.environ.get("REPORT_DIR", "."))
SCRIPTS = ("task2a", "task3a", "task2", "task3", "task4")
_numbers = {}  # (kind, name) -> the number it got when it was first shown or cited


def load_results() -> dict:
    """{script: its results, or None when results/<script>.json is missing}."""
    def load(name):
        path = HERE / "results" / f"{name}.json"
        return json.loads(path.read_text()) if path.is_file() else None
    return {name: load(name) for name in SCRIPTS}


def say(text: str) -> None:
    display(Markdown(text))


def last_printed(results: dict) -> str:
    """The last line that the script of results (a results/<script>.json) printed."""
    return results["printed"].splitlines()[-1]


def printed_output(results: dict) -> str:
    """A Markdown code block: the command that ran the script of results and all it printed."""
    return f"```\n$ python {results['script']}\n{results['printed'].rstrip()}\n```"


def needs(results: dict, *names: str):
    """Decorator: run the decorated function at once with the named results, or, if a
    results file is missing, say which command writes it."""
    def run(body):
        absent = [name for name in names if results[name] is None]
        if absent:
            say("*Not shown: " + "; ".join(
                f"`results/{name}.json` is missing (`make` writes it)" for name in absent)
                + ".*")
        else:
            body(*(results[name] for name in names))
    return run


def number(kind: str, name: str) -> int:
    """The number of figure or table `name`: numbers go up in the order of first use."""
    key = (kind, name)
    if key not in _numbers:
        _numbers[key] = 1 + sum(k == kind for k, _ in _numbers)
    return _numbers[key]


def cite(name: str) -> str:
    """'Figure N' for the figure file `name`."""
    return f"Figure {number('figure', name)}"


def figure(name: str, caption: str, width: int) -> None:
    """Show the figure file `name` (a path below REPORT_DIR) at width percent of the text
    width, with its number and caption."""
    say(f"![**{cite(name)}:** {caption}]({HERE / name}){{width={width}%}}")


def draw(name: str, plot, height: float = 2.6, panels: int = 1) -> None:
    """Write the figure file `name` (below REPORT_DIR, whole or not at all) that the report
    draws from the results itself: plot(ax, ...) draws on `panels` axes side by side, in the
    style of the task scripts' figures, 4.6 inches wide a panel and `height` high."""
    style = {"font.size": 11, "legend.framealpha": 1}
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(4.6 * panels, height), layout="constrained")
        plot(*np.atleast_1d(fig.subplots(1, panels)))
        with atomic_path(HERE / name) as tmp:
            fig.savefig(tmp, format="png", dpi=200)


def table(name: str, caption: str, header: list[str], rows: list[list[str]]) -> None:
    """A Markdown table with its number and caption below it."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    say("\n".join(lines) + f"\n\n*Table {number('table', name)}: {caption}*")


def find_run(results: dict, **settings) -> dict:
    """The one run of a script's results whose settings have the given values."""
    runs = [run for run in results["runs"]
            if all(run["settings"][key] == value for key, value in settings.items())]
    assert len(runs) == 1, f"{len(runs)} runs have the settings {settings}"
    return runs[0]


def curve(history: dict) -> tuple[np.ndarray, np.ndarray]:
    """A {step: value} history (steps are strings in JSON) as (steps, values) arrays sorted
    by step."""
    steps = sorted(int(step) for step in history)
    return np.array(steps), np.array([history[str(step)] for step in steps])


def lowest(history: dict) -> tuple[int, float]:
    """(step, value) of the lowest value of a history; the first such step on a tie."""
    steps, values = curve(history)
    return int(steps[values.argmin()]), float(values.min())


def drops(history: dict, after_step: int = 0, up_to_step: float = np.inf
          ) -> list[tuple[int, float]]:
    """(step, drop) for every check of a history whose value is below the previous check's,
    for checks after after_step up to up_to_step, largest drop first."""
    steps, values = curve(history)
    found = [(int(step), float(-change)) for step, change in zip(steps[1:], np.diff(values))
             if change < 0 and after_step < step <= up_to_step]
    return sorted(found, key=lambda pair: -pair[1])


def largest_drop(history: dict, after_step: int = 0, up_to_step: float = np.inf) -> float:
    """The largest of drops(history, after_step, up_to_step); 0.0 if there is none."""
    found = drops(history, after_step, up_to_step)
    return found[0][1] if found else 0.0


def by_epoch(history: dict, per_epoch: int) -> np.ndarray:
    """A per-step history as [epochs, per_epoch]: one row per complete epoch, one column per
    place in the epoch (column 0 the epoch's first step); a last partial epoch left out."""
    _, values = curve(history)
    epochs = len(values) // per_epoch
    return values[:epochs * per_epoch].reshape(epochs, per_epoch)


def by_place(history: dict, per_epoch: int) -> np.ndarray:
    """by_epoch without the first epoch: the complete epochs after the first."""
    return by_epoch(history, per_epoch)[1:]


def weight_decay(learning_rate: float, l2_reg_lambda: float) -> float:
    """The factor 1 - 2 * learning_rate * l2_reg_lambda by which every step of task 4.a
    multiplies the weights before adding the data's step."""
    return 1 - 2 * learning_rate * l2_reg_lambda


def halving_steps(learning_rate: float, l2_reg_lambda: float) -> float:
    """How many steps the weight decay of task 4.a takes on its own to halve the weights."""
    return math.log(0.5) / math.log(weight_decay(learning_rate, l2_reg_lambda))


def settings_text(run: dict) -> str:
    """A run's training settings in words."""
    s = run["settings"]
    text = (f"learning rate {s['learning_rate']:g}, batch size {s['batch_size']}, "
            f"{'with' if s['shuffle'] else 'without'} shuffling, ")
    if s["l2_reg_lambda"]:
        text += f"$\\lambda = {s['l2_reg_lambda']:g}$, "
    if s["early_stopping_patience"]:
        return text + (f"up to {s['num_epochs']} epochs with early stopping (patience "
                       f"{s['early_stopping_patience']} validation checks)")
    return text + (f"{s['num_epochs']} epochs without early stopping (the script turns it "
                   f"off with `early_stopping_patience=None`)")


def signed(x: float) -> str:
    """x with four decimals and its sign, a true minus sign for a negative x: '−0.0068'."""
    return f"{x:+.4f}".replace("-", "\u2212")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st, ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def last_step(run: dict) -> int:
    """The last training step a run took (counted from 0)."""
    return max(int(step) for step in run["train_history"]["loss"])


def below(history: dict, limit: float, up_to_step: float = np.inf) -> list[int]:
    """The steps of a history, up to up_to_step, whose value is below limit (cut off by a
    zoomed axis)."""
    steps, values = curve(history)
    return [int(step) for step in steps[(values < limit) & (steps <= up_to_step)]]


def cut_off(run: dict, limit: float, up_to_step: float = np.inf) -> dict:
    """{"training": ..., "validation": ...}: the checks, up to up_to_step, whose accuracy
    lies below limit, in words (see steps_text)."""
    every = run["steps_per_epoch"] // 5
    return {name: steps_text(below(run[key]["accuracy"], limit, up_to_step), every)
            for name, key in (("training", "train_history"), ("validation", "val_history"))}


def steps_text(steps: list[int], every: int) -> str:
    """Steps in words, runs of checks every `every` steps as ranges: 'steps 0-18 and 204'."""
    runs = []
    for step in steps:
        if runs and step - runs[-1][-1] == every:
            runs[-1].append(step)
        else:
            runs.append([step])
    parts = []
    for run in runs:
        parts += [f"{run[0]}–{run[-1]}"] if len(run) > 2 else [str(step) for step in run]
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return ("step " if len(steps) == 1 else "steps ") + text
