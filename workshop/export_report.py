"""Export report.ipynb to report.pdf with pip packages alone: no LaTeX, no root.

`python workshop/export_report.py` executes report.ipynb (writes report.executed.ipynb), converts
its Markdown and its outputs without the code to Markdown (nbconvert), that to Typst
(pandoc, from the pypandoc-binary wheel, with the layout of report_template.typ) and
compiles it with Typst (the typst wheel and its built-in fonts) into report.pdf. Both files
are written whole or not at all. Takes about 3 s: executing the notebook about 2 s, the
conversion and Typst under 1 s. `--no-execute` exports report.executed.ipynb as it is;
`--execute-only` stops after executing. Another notebook can be named; its outputs go
beside it, <name>.executed.ipynb and <name>.pdf.
"""
import argparse
import ast
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from atomic import atomic_path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "report_template.typ"
REPORT = HERE.parent / "report.ipynb"
TIMEOUT = 600  # seconds a notebook cell may run


class ExportError(Exception):
    """A problem the user can fix, reported as one message without a traceback."""


def execute(notebook: Path, executed: Path) -> None:
    """Run every cell of notebook in its folder (kernel over local sockets, ipc) and save
    the notebook with its outputs as executed."""
    import nbformat
    from jupyter_client import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    with tempfile.TemporaryDirectory(prefix="report-kernel-") as sockets:
        manager = KernelManager(kernel_name=kernel, transport="ipc",
                                ip=os.path.join(sockets, "ipc"))
        client = NotebookClient(nb, km=manager, timeout=TIMEOUT,
                                resources={"metadata": {"path": str(notebook.parent)}})
        try:
            client.execute()
        except CellExecutionError as error:
            plain = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # no terminal colours
            raise ExportError(f"a cell of {notebook.name} failed:\n{plain}") from None
        except RuntimeError as error:  # the kernel did not start or answer
            raise ExportError(f"executing {notebook.name}: {error}") from None
        finally:  # a kernel manager handed to nbclient is ours to stop
            if manager.has_kernel:
                manager.shutdown_kernel()
    with atomic_path(executed) as tmp:
        nbformat.write(nb, tmp)


def authors(nb) -> str:
    """The value of `AUTHORS = "..."` in the notebook's first code cell, or ""."""
    code = next((cell.source for cell in nb.cells if cell.cell_type == "code"), "")
    for line in code.splitlines():
        if re.match(r"AUTHORS\s*=", line):
            try:
                value = ast.literal_eval(ast.parse(line).body[0].value)
            except (SyntaxError, ValueError):
                return ""
            return value if isinstance(value, str) else ", ".join(value)
    return ""


def to_markdown(executed: Path, tmp_dir: Path) -> tuple[str, dict]:
    """The executed notebook as Markdown without code, and its metadata for the title block.
    Images among the outputs are written to tmp_dir, which the Markdown refers to."""
    import nbformat
    from nbconvert import MarkdownExporter

    nb = nbformat.read(executed, as_version=4)
    today = datetime.date.today()
    exporter = MarkdownExporter(exclude_input=True, exclude_input_prompt=True,
                                exclude_output_prompt=True)
    body, resources = exporter.from_notebook_node(
        nb, resources={"output_files_dir": tmp_dir.name})
    for name, data in resources.get("outputs", {}).items():
        (executed.parent / name).write_bytes(data)
    meta = {"title": nb.metadata.get("title", ""), "author": authors(nb),
            "date": f"{today.day} {today:%B %Y}"}
    return body, {key: value for key, value in meta.items() if value}


def fix_math(tex: str) -> str:
    r"""Norm bars that Typst sets right: pandoc turns `\|w\|^2` into `parallel w parallel^2`,
    which puts the exponent on the last bar; `\lVert w \rVert^2` becomes a delimited pair."""
    tex = re.sub(r"\\(?:\||Vert\b)(.*?)\\(?:\||Vert\b)", r"\\lVert \1\\rVert ", tex)
    return re.sub(r"\\\|", r"\\Vert ", tex)


def plain_text(inlines: list) -> str:
    """The text of a list of pandoc inline elements (enough to recognise a caption)."""
    parts = []
    for node in inlines:
        if node["t"] == "Str":
            parts.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak"):
            parts.append(" ")
    return "".join(parts)


def fix_tree(node):
    """Walk pandoc's JSON tree: fix the math, and make an emphasised paragraph
    "*Table N: ...*" right after a table that table's caption, with "Table N:" in bold as
    in the figures' captions (the report numbers its figures and tables itself)."""
    if isinstance(node, list):
        out = []
        for item in node:
            item = fix_tree(item)
            if (out and isinstance(item, dict) and item.get("t") == "Para"
                    and out[-1].get("t") == "Table" and len(item["c"]) == 1
                    and item["c"][0]["t"] == "Emph"
                    and re.match(r"Table \d+:", plain_text(item["c"][0]["c"]))):
                words = item["c"][0]["c"]  # "Table", space, "N:", the rest
                caption = [{"t": "Strong", "c": words[:3]}, *words[3:]]
                out[-1]["c"][1] = [None, [{"t": "Plain", "c": caption}]]
                continue
            out.append(item)
        return out
    if isinstance(node, dict):
        if node.get("t") == "Math":
            node["c"][1] = fix_math(node["c"][1])
        return {key: fix_tree(value) for key, value in node.items()}
    return node


def pandoc(args: list[str], text: str) -> str:
    """Run the pandoc binary of the pypandoc-binary wheel on text."""
    try:
        import pypandoc
        binary = Path(pypandoc.__file__).parent / "files" / "pandoc"
    except ImportError:
        binary = None
    if binary is None or not binary.exists():
        raise ExportError("pandoc is missing: install the packages of requirements.txt "
                          "(.venv/bin/pip install -r requirements.txt)")
    result = subprocess.run([str(binary), *args], input=text, capture_output=True,
                            text=True)
    if result.returncode:
        raise ExportError(f"pandoc failed: {result.stderr.strip()}")
    return result.stdout


def to_typst(markdown: str, meta: dict) -> str:
    """Markdown with $-math to a complete Typst document laid out by report_template.typ."""
    tree = json.loads(pandoc(["-f", "markdown+tex_math_dollars", "-t", "json"], markdown))
    tree["blocks"] = fix_tree(tree["blocks"])
    tree["meta"].update({key: {"t": "MetaString", "c": value} for key, value in meta.items()})
    return pandoc(["-f", "json", "-t", "typst", f"--template={TEMPLATE}"], json.dumps(tree))


def compile_pdf(source: str, folder: Path, pdf: Path) -> None:
    """Compile the Typst source with figure paths relative to folder into pdf, using only
    the fonts built into Typst."""
    try:
        import typst
    except ImportError:
        raise ExportError("typst is missing: install the packages of requirements.txt "
                          "(.venv/bin/pip install -r requirements.txt)") from None
    compiler = typst.Compiler(root=str(folder), ignore_system_fonts=True)
    try:
        data, warnings = compiler.compile_with_warnings(source.encode(), format="pdf")
    except typst.TypstError as error:
        raise ExportError(f"Typst failed:\n{error.diagnostic or error.message}") from None
    for warning in warnings:
        print(f"Typst warning: {warning.message}", file=sys.stderr)
    with atomic_path(pdf) as tmp:
        tmp.write_bytes(data)


def export(executed: Path, pdf: Path) -> None:
    """The executed notebook, without its code, as the PDF."""
    if not TEMPLATE.is_file():
        raise ExportError(f"{TEMPLATE} is missing")
    with tempfile.TemporaryDirectory(dir=executed.parent, prefix=".report-") as tmp_dir:
        markdown, meta = to_markdown(executed, Path(tmp_dir))
        compile_pdf(to_typst(markdown, meta), executed.parent, pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__
                                     .split("\n\n", 1)[1], formatter_class=argparse
                                     .RawDescriptionHelpFormatter)
    parser.add_argument("notebook", nargs="?", type=Path, default=REPORT,
                        help="the notebook (default: the project's report.ipynb)")
    stage = parser.add_mutually_exclusive_group()
    stage.add_argument("--no-execute", action="store_true",
                       help="export <name>.executed.ipynb as it is")
    stage.add_argument("--execute-only", action="store_true",
                       help="only write <name>.executed.ipynb")
    args = parser.parse_args()
    notebook = args.notebook.resolve()
    executed = notebook.with_suffix(".executed.ipynb")
    pdf = notebook.with_suffix(".pdf")
    try:
        if not args.no_execute:
            if not notebook.is_file():
                raise ExportError(f"{notebook} does not exist")
            execute(notebook, executed)
            print(f"wrote {executed.name}")
        if not args.execute_only:
            if not executed.is_file():
                raise ExportError(f"{executed} does not exist; run without --no-execute")
            export(executed, pdf)
            print(f"wrote {pdf.name}")
    except ExportError as error:
        sys.exit(f"error: {error}")
    except ImportError as error:
        sys.exit(f"error: {error.name} is missing: install the packages of "
                 f"requirements.txt (.venv/bin/pip install -r requirements.txt)")
    except KeyboardInterrupt:
        sys.exit("interrupted; nothing half-written was left")


if __name__ == "__main__":
    main()
