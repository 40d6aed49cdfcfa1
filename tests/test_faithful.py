"""The submitted files as a grader meets them: only the design card's packages, and no
global state changed by importing them or by drawing the project's figures."""
import ast
import os
import subprocess
import sys

import matplotlib.pyplot as plt

import utils
from conftest import ROOT
from create_submission_zip import CODE_FILES

ALLOWED = {"numpy", "matplotlib", "tqdm"}
LOCAL = {name.removesuffix(".py") for name in CODE_FILES}


def imported_modules(path):
    """Every module a file imports, at its top or inside functions: [(line, name)]."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            found.append((node.lineno, "__import__"))
    return found


def test_the_zipped_files_import_only_the_standard_library_numpy_matplotlib_and_tqdm():
    allowed = ALLOWED | LOCAL | set(sys.stdlib_module_names) - {"importlib"}
    outside = [f"{name}:{line}: {module}" for name in CODE_FILES
               for line, module in imported_modules(ROOT / name)
               if module.split(".")[0] not in allowed]
    assert outside == []


def test_the_import_check_sees_imports_inside_functions(tmp_path):
    path = tmp_path / "example.py"
    path.write_text("import numpy\n\ndef f():\n    import threadpoolctl\n    from os import path\n")
    assert imported_modules(path) == [(1, "numpy"), (4, "threadpoolctl"), (5, "os")]


def test_importing_the_graded_modules_changes_no_matplotlib_state():
    """In Jupyter the backend is the inline one; a module that switched it to Agg would
    make plt.show() silently show nothing. svg stands in for it here."""
    code = ("import matplotlib\n"
            "before = matplotlib.get_backend(), dict(matplotlib.rcParams)\n"
            f"import {', '.join(sorted(LOCAL))}\n"
            "after = matplotlib.get_backend(), dict(matplotlib.rcParams)\n"
            "print(after[0], after == before)\n")
    env = {**os.environ, "MPLBACKEND": "svg"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["svg", "True"]


def test_figures_are_drawn_in_the_project_style_without_changing_the_global_one(tmp_path):
    before = dict(plt.rcParams)
    assert utils.styled(lambda: plt.rcParams["font.size"])() == utils.FIGURE_STYLE["font.size"]
    utils.save_curves(tmp_path / "curves.png", [({0: 1.0, 1: 0.5}, "Training loss", 1)],
                      "Title", "Loss")
    assert dict(plt.rcParams) == before
