"""Copies of the project's graded files for the answer key's tests: the files with their
answers taken out (the starter's unfilled TODOs), and with one planted bug each."""
import ast
import shutil
from pathlib import Path

from conftest import GRADED, ROOT

# The functions whose bodies are the answers: unfilled, they return None
ANSWERS = {
    "task2a.py": ["pre_process_images", "cross_entropy_loss", "forward", "backward"],
    "task2.py": ["calculate_accuracy", "train_step"],
    "task3a.py": ["cross_entropy_loss", "forward", "backward", "one_hot_encode"],
    "task3.py": ["calculate_accuracy", "train_step"],
}
# The answers inside the starter's own code, taken out as text
ANSWER_LINES = {
    "utils.py": ("        np.random.shuffle(indices)", "        pass"),
    "trainer.py": ("if checks_since_best == self.early_stopping_patience:", "if False:"),
}
# One planted bug each: (file, the line as it is, the line with the bug), and the task
# whose checks must catch it
BUGS = {
    "sign of the gradient": ("task2a.py", "self.grad = -X.T @ (targets - outputs)",
                             "self.grad = X.T @ (targets - outputs)", "2a"),
    "step up the gradient": ("task2.py", "self.model.w - self.learning_rate",
                             "self.model.w + self.learning_rate", "2b"),
    "threshold > 0.5": ("task2.py", "predictions = model.forward(X) >= 0.5",
                        "predictions = model.forward(X) > 0.5", "2c"),
    "patience off by one": ("trainer.py", "checks_since_best == self.early_stopping_patience",
                            "checks_since_best > self.early_stopping_patience", "2d"),
    "shuffling removed": ("utils.py", "        np.random.shuffle(indices)", "        pass", "2e"),
    "unnormalized softmax": ("task3a.py", "return exp_z / exp_z.sum(axis=1, keepdims=True)",
                             "return exp_z", "3a"),
    "unfilled accuracy": ("task3.py", "predictions = model.forward(X).argmax(axis=1)",
                          "return None", "3c"),
    "lambda w for 2 lambda w": ("task3a.py", "self.grad += 2 * self.l2_reg_lambda * self.w",
                                "self.grad += self.l2_reg_lambda * self.w", "4b"),
}


def copy_graded(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in GRADED:
        shutil.copy(ROOT / name, folder / name)
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path.name}: {old!r} should occur once"
    path.write_text(text.replace(old, new))


def unfill(source: str, names: list[str]) -> str:
    """source with the bodies of the named functions (after their docstrings) replaced by
    `return None`."""
    lines = source.splitlines()
    functions = [node for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.FunctionDef) and node.name in names]
    for node in sorted(functions, key=lambda n: -n.lineno):
        body = node.body[1:] if isinstance(node.body[0], ast.Expr) else node.body
        indent = " " * body[0].col_offset
        lines[body[0].lineno - 1:node.end_lineno] = [indent + "return None"]
    return "\n".join(lines) + "\n"


def unfilled_copy(folder: Path) -> Path:
    copy_graded(folder)
    for name, functions in ANSWERS.items():
        (folder / name).write_text(unfill((folder / name).read_text(), functions))
    for name, (old, new) in ANSWER_LINES.items():
        replace(folder / name, old, new)
    return folder


def buggy_copy(folder: Path, bug: str) -> Path:
    name, old, new, _ = BUGS[bug]
    copy_graded(folder)
    replace(folder / name, old, new)
    return folder
