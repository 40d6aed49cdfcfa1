"""report.ipynb executed on stand-in results, made by the real driver's recording of small
runs of the graded trainers: every task heading, numbers from the results and none typed
into the Markdown, figures numbered and cited, and a missing results file named."""
import copy
import json
import re

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import record
import report_helpers
from atomic import as_json
import task2
import task2a
import task3
import task3a
from conftest import ROOT, separable

HEADINGS = [f"Task {task}" for task in ("1.a", "1.b", "2.a", "2.b", "2.c", "2.d", "2.e",
                                        "3.a", "3.b", "3.c", "3.d", "4.a", "4.b", "4.c",
                                        "4.d", "4.e")]


def recorded(train) -> dict:
    runs = []
    with record.recording(runs):
        train()
    return {"checks_passed": True, "runs": runs}


def stand_in_results(folder):
    """results/*.json of small runs: 330 noisy 2-class images (11 batches of 30 an epoch)
    with early stopping, 300 ten-class images; other learning rates and sizes than the real
    runs'."""
    rng = np.random.default_rng(7)
    X, Y = separable(rng, 420, 1)
    Y[rng.random(420) < 0.2] ^= 1
    X3, Y3 = separable(rng, 400, 10)

    def task2_runs():
        np.random.seed(0)
        for shuffle in (False, True):
            task2.LogisticTrainer(task2a.BinaryModel(), 0.5, 30, shuffle, X[:330], Y[:330],
                                  X[330:], Y[330:]).train(300)

    def softmax_runs(lambdas):
        for l2_reg_lambda in lambdas:
            np.random.seed(0)
            task3.SoftmaxTrainer(task3a.SoftmaxModel(l2_reg_lambda), 0.2, 30, True,
                                 X3[:300], Y3[:300], X3[300:], Y3[300:],
                                 early_stopping_patience=None).train(6)
    results = {"task2a": {"script": "task2a.py", "checks_passed": True, "runs": [],
                          "printed": "Train shape: (330,)\nstand-in checks of task2a passed\n"},
               "task3a": {"script": "task3a.py", "checks_passed": True, "runs": [],
                          "printed": "stand-in checks of task3a passed\n"},
               "task2": recorded(task2_runs), "task3": recorded(lambda: softmax_runs([0])),
               "task4": recorded(lambda: softmax_runs([1.0, 0.1, 0.01, 0.001, 0]))}
    (folder / "results").mkdir(exist_ok=True)
    for name, data in results.items():
        (folder / "results" / f"{name}.json").write_text(as_json(data))
    return results


def execute(monkeypatch, folder):
    """The report executed with REPORT_DIR=folder: (markdown cells, [outputs per cell])."""
    monkeypatch.setenv("REPORT_DIR", str(folder))
    nb = nbformat.read(ROOT / "report.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = []
    for cell in nb.cells:
        texts = []
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
            assert output.get("name") != "stderr", output["text"]
            texts.append(output.get("data", {}).get("text/markdown", output.get("text", "")))
        outputs.append("\n".join(texts))
    return [c.source for c in nb.cells if c.cell_type == "markdown"], outputs


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return folder, stand_in_results(folder)


@pytest.fixture(scope="module")
def report(stand_in):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return execute(monkeypatch, stand_in[0])


def test_every_task_has_its_heading_in_order(report):
    markdown, _ = report
    text = "\n".join(markdown)
    positions = [text.find(f"# {heading}") for heading in HEADINGS]
    assert -1 not in positions and positions == sorted(positions)


def test_the_numbers_are_those_of_the_results(report, stand_in):
    _, outputs = report
    text = "\n".join(outputs)
    run = stand_in[1]["task2"]["runs"][0]
    last = max(int(step) for step in run["train_history"]["loss"])
    assert run["early_stop_epoch"] is not None
    assert f"**Early stopping kicks in during epoch {run['early_stop_epoch'] + 1}**" in text
    assert f"at step {last}" in text and "learning rate 0.5, batch size 30" in text
    assert f"validation accuracy of {run['final']['val_accuracy']:.4f}" in text
    for script in ("task2a", "task3a"):  # the last line each printed, as it printed it
        assert f"ends by printing `stand-in checks of {script} passed`" in text
    for script in ("task2a", "task3a"):  # and all it printed, below the command
        printed = stand_in[1][script]["printed"]
        assert f"```\n$ python {script}.py\n{printed}```" in text
    assert (f"with task 2.d done: early stopping ended it at step {last}, in epoch "
            f"{run['early_stop_epoch'] + 1}, and the figure shows every step it took.") in text
    for real in ("1038", "0.9789", "0.9157", "4005"):
        assert real not in text


def test_no_number_is_typed_into_the_markdown(report):
    markdown, _ = report
    for source in markdown:
        prose = re.sub(r"\$\$.*?\$\$|\$.*?\$|`.*?`", "", source, flags=re.S)  # math, code
        prose = re.sub(r"(Task|task|equation)s? \d(\.\w)?( to \d)?", "", prose)
        assert not re.findall(r"\d", prose), prose[:300]


def test_inline_math_is_written_as_pandoc_reads_it(report):
    """Pandoc takes $...$ as math only without a space just inside either dollar sign;
    otherwise the dollars and the TeX show in the PDF as they are."""
    markdown, outputs = report
    for text in markdown + outputs:
        inline = re.findall(r"(?<!\$)\$(?!\$)(.*?)(?<!\$)\$(?!\$)",
                            re.sub(r"\$\$.*?\$\$", "", text, flags=re.S), flags=re.S)
        assert all(math and not math[0].isspace() and not math[-1].isspace()
                   for math in inline), [m for m in inline if not m.strip() or m != m.strip()]


def test_every_figure_is_numbered_in_order_and_cited_in_the_text(report):
    _, outputs = report
    text = "\n".join(outputs)
    captions = [int(n) for n in re.findall(r"!\[\*\*Figure (\d+):\*\*", text)]
    assert captions == list(range(1, len(captions) + 1)) and len(captions) == 10  # no place figure
    prose = re.sub(r"!\[.*?\]\(.*?\)(\{.*?\})?", "", text, flags=re.S)
    for number in captions:
        assert f"Figure {number}" in prose, number


def test_the_weakest_lambda_is_compared_with_none_check_by_check(report, stand_in):
    _, outputs = report
    text = "\n".join(outputs)
    runs = {run["settings"]["l2_reg_lambda"]: run for run in stand_in[1]["task4"]["runs"]}
    weakest, none = (np.array([runs[l]["val_history"]["accuracy"][step] for step in
                               sorted(runs[0]["val_history"]["accuracy"])]) for l in (0.001, 0))
    lower, level = int(np.sum(weakest < none)), int(np.sum(weakest == none))
    assert len(weakest) == 30  # every check lies in the last ten of the stand-in's 6 epochs
    assert "the larger $\\lambda$, the lower the curve" not in text  # not so in the stand-in
    assert (f"it lies below $\\lambda = 0$ at {lower} of those 30 checks"
            + (f" and level with it at {level}" if level else "") + " (Figure 9).") in text
    png = stand_in[0] / "results" / "report_4c_weakest_against_none.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_measures_of_task_4b_are_told_from_the_results(report, stand_in):
    _, outputs = report
    text = "\n".join(outputs)
    runs = {run["settings"]["l2_reg_lambda"]: run for run in stand_in[1]["task4"]["runs"]}
    noise = [runs[l]["final"]["pixel_noise"] for l in (1.0, 0)]
    assert (f"is {noise[0]:.1%} with $\\lambda = 1$ against {noise[1]:.1%} without the "
            f"penalty") in text
    falls = all(runs[a]["final"]["pixel_noise"] > runs[b]["final"]["pixel_noise"]
                for a, b in ((0, 0.001), (0.001, 0.01), (0.01, 0.1), (0.1, 1.0)))
    assert ("and it falls with every step up in $\\lambda$" in text) == falls
    alike = [runs[l]["final"]["class_mean_correlation"] for l in (1.0, 0)]
    assert (f"is {alike[0]:.3f} with $\\lambda = 1$, against {alike[1]:.3f} without the "
            f"penalty (Table 1).") in text


LEAD_4B = ("**Why the weights with $\\lambda = 1$ are less noisy: the penalty shrinks every "
           "weight at every step, so what a step adds fades over the following steps, and a "
           "weight stays large only where step after step, on many different images, pushes "
           "it the same way:")


@pytest.mark.parametrize("alike, claimed", [((0.9, 0.5), True), ((0.5, 0.9), False)])
def test_4b_says_what_the_penalty_keeps_only_where_the_weights_show_it(
        monkeypatch, tmp_path, stand_in, alike, claimed):
    """The lead of 4.b stands only where the penalized weights are both less noisy and
    closer to the class means than the unpenalized ones and fit the training images more
    loosely."""
    results = copy.deepcopy(stand_in[1])
    runs = {run["settings"]["l2_reg_lambda"]: run for run in results["task4"]["runs"]}
    for l, correlation, noise, accuracy in ((1.0, alike[0], 0.04, 0.7), (0, alike[1], 0.09, 0.9)):
        runs[l]["final"].update(class_mean_correlation=correlation, pixel_noise=noise,
                                train_accuracy=accuracy)
    (tmp_path / "results").mkdir()
    for name, data in results.items():
        (tmp_path / "results" / f"{name}.json").write_text(as_json(data))
    _, outputs = execute(monkeypatch, tmp_path)
    text = "\n".join(outputs)
    assert (LEAD_4B in text) == claimed
    assert ("the penalty keeps the weights small.**" in text) != claimed
    assert "the model fits the training images more loosely (training accuracy 0.7000 " \
           "against 0.9000; Table 1)" in text


def test_with_no_results_every_section_says_what_is_missing(monkeypatch, tmp_path):
    _, outputs = execute(monkeypatch, tmp_path)
    text = "\n".join(outputs)
    for name in ("task2a", "task3a", "task2", "task3", "task4"):
        assert f"`results/{name}.json` is missing (`make` writes it)" in text
    assert "Figure" not in text


def test_every_code_cell_is_hidden_in_the_notebook_itself():
    cells = json.loads((ROOT / "report.ipynb").read_text())["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert code and all(cell["metadata"]["jupyter"]["source_hidden"] is True and
                        "remove_input" in cell["metadata"]["tags"] for cell in code)


def test_signed_numbers_carry_a_true_minus_sign():
    assert [report_helpers.signed(x) for x in (-0.00684, 0.0095, 0.0)] == [
        "\u22120.0068", "+0.0095", "+0.0000"]


def test_the_largest_drop_between_checks_within_the_steps_asked():
    history = {"0": 0.5, "6": 0.375, "12": 0.5, "18": 0.25}
    assert report_helpers.drops(history) == [(18, 0.25), (6, 0.125)]
    assert [report_helpers.largest_drop(history, *bounds) for bounds in
            [(), (0, 12), (6, 12), (18,)]] == [0.25, 0.125, 0.0, 0.0]


def test_a_history_by_place_in_the_epoch_leaves_out_the_first_and_a_partial_epoch():
    history = {str(step): float(step) for step in range(11)}  # 3 steps an epoch
    assert report_helpers.by_place(history, 3).tolist() == [[3, 4, 5], [6, 7, 8]]
    assert report_helpers.by_place({"0": 1.0, "1": 2.0}, 3).shape == (0, 3)
    assert report_helpers.by_epoch(history, 3).tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_the_weight_decay_halves_the_weights_in_the_steps_given():
    assert report_helpers.halving_steps(0.25, 1.0) == pytest.approx(1.0)  # factor 1/2
    assert report_helpers.halving_steps(0.01, 1.0) == pytest.approx(34.31, abs=0.01)
    assert 0.98 ** report_helpers.halving_steps(0.01, 1.0) == pytest.approx(0.5)
    assert report_helpers.weight_decay(0.01, 1.0) == pytest.approx(0.98)  # task 4's factor
    assert report_helpers.weight_decay(0.01, 0) == 1  # no penalty, no decay


def spiking(run: dict, place: int, epochs: int = 8) -> dict:
    """A copy of a run without shuffling with new histories over `epochs` epochs: the
    validation accuracy drops at every check at `place` of the epoch (by less each time, with
    small drops elsewhere), and the batch loss is highest there and at the next place."""
    run = copy.deepcopy(run)
    per_epoch, every = run["steps_per_epoch"], run["steps_per_epoch"] // 5
    checks = range(0, epochs * per_epoch, every)
    spikes = [step for step in checks if step >= per_epoch and step % per_epoch == place]
    accuracy = {}
    for step in checks:
        value = 0.8 + step * 1e-4
        if step in spikes:
            value -= 0.05 - 0.005 * spikes.index(step)
        elif step >= per_epoch and step % per_epoch == place - 2:
            value -= 0.002
        accuracy[str(step)] = value
    run["val_history"] = {"accuracy": accuracy,
                          "loss": {str(step): 1 - value for step, value in zip(
                              checks, accuracy.values())}}
    run["train_history"] = {
        "accuracy": {str(step): 0.8 for step in checks},
        "loss": {str(step): {place: 0.3, place + 1: 0.4}.get(step % per_epoch, 0.1)
                 for step in range(epochs * per_epoch)}}
    return run


def test_spikes_at_one_place_of_the_epoch_get_the_batch_loss_by_place_figure(
        monkeypatch, tmp_path, stand_in):
    results = copy.deepcopy(stand_in[1])
    plain = results["task2"]["runs"][0]
    assert not plain["settings"]["shuffle"] and plain["steps_per_epoch"] == 11
    results["task2"]["runs"][0] = spiking(plain, 5)
    (tmp_path / "results").mkdir()
    for name, data in results.items():
        (tmp_path / "results" / f"{name}.json").write_text(as_json(data))
    _, outputs = execute(monkeypatch, tmp_path)
    text = "\n".join(outputs)
    assert "Each comes at a check right after the epoch's 6th batch" in text
    assert "single out the same place (Figure 4)" in text
    assert re.search(r"in all \d+ complete epochs after the first that both runs trained, the "
                     r"loss of the 7th batch, taken on the same model as the check right after "
                     r"the 6th batch, is the highest of the epoch, 0\.400 on average against "
                     r"0\.145 over all batches\.", text)
    assert "The 6th batch's own loss, taken before its step, is 0.300 on average, the 2nd " \
           "highest of the 11 places: the runs show what its step does to the model, not what " \
           "in its 30 images makes it do so." in text
    # back at the next check (place 7) within 0.0024 of the check before (place 3), rounded up
    assert "at the next check, 2 steps later, it is back within 0.003 of the check before" in text
    assert "Only the first 2 fall within the 57 steps of the run with shuffling (Figure 3); " \
           "Figure 2 shows all 4." in text
    assert ("**Figure 4:** Task 2.e: the training loss of the batch at each of the 11 places"
            in text)
    png = tmp_path / "results" / "report_2e_batch_loss_by_place.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_figure_the_report_draws_is_written_whole_or_not_at_all(monkeypatch, tmp_path):
    monkeypatch.setattr(report_helpers, "HERE", tmp_path)
    report_helpers.draw("results/a.png", lambda ax: ax.plot([1, 2], [3, 4]))
    assert (tmp_path / "results" / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def broken(ax):
        ax.plot([1], [2])
        raise RuntimeError("stopped while drawing")
    with pytest.raises(RuntimeError, match="stopped while drawing"):
        report_helpers.draw("results/b.png", broken)
    assert [path.name for path in (tmp_path / "results").iterdir()] == ["a.png"]


def test_a_figure_of_two_panels_gets_two_axes_side_by_side(monkeypatch, tmp_path):
    monkeypatch.setattr(report_helpers, "HERE", tmp_path)
    drawn = []

    def plot(left, right):
        drawn.extend([left, right])
        left.plot([1, 2], [3, 4])
    report_helpers.draw("two.png", plot, height=2.0, panels=2)
    assert drawn[0].figure is drawn[1].figure
    assert list(drawn[0].figure.get_size_inches()) == [9.2, 2.0]
    assert drawn[0].get_position().x1 < drawn[1].get_position().x0
