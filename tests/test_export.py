"""workshop/export_report.py on a small stand-in notebook: executed, converted without LaTeX and
compiled by Typst into an A4 PDF with the title, every heading, the kernel's Markdown, the
figure and no raw LaTeX. And report.ipynb hides all its code cells."""
import json
import struct
import subprocess
import sys
import zlib

import nbformat
import pytest
from pypdf import PdfReader

from conftest import ROOT, WORKSHOP

TITLE = "Stand-in: a report"
HEADINGS = ("Task 1: Derivations", "Task 1.a: the gradient", "Task 2.c: computed")
MARKDOWN = r"""# Task 1: Derivations

## Task 1.a: the gradient

Inline $\frac{1}{1 + e^{-z}}$ and the norm $\|w\|^2$.

$$R(w) = \|w\|^2 = \sum_{k,j} w_{kj}^2, \qquad \frac{\partial R}{\partial w_{kj}} = 2 w_{kj}$$

![**Figure 1:** a stand-in figure of $\|w\|^2$.](fig.png)

| $\lambda$ | accuracy |
| --- | --- |
| 0 | 91.2 % |

*Table 1: the stand-in models.*
"""
OUTPUT = r'display(Markdown("## Task 2.c: computed\n\nThe kernel says **forty-two**."))'


def png(width, height):
    """A grey ramp as PNG bytes."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\0" + bytes(x * 255 // width for x in range(width))
                    for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8,
                                                              0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def export(*args):
    return subprocess.run([sys.executable, str(WORKSHOP / "export_report.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    """The stand-in notebook exported, and the result of the run."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "fig.png").write_bytes(png(64, 48))
    notebook = nbformat.v4.new_notebook(metadata={
        "title": TITLE, "kernelspec": {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}})
    notebook.cells = [
        nbformat.v4.new_code_cell('AUTHORS = "Ada Lovelace"\n'
                                  "from IPython.display import Markdown, display"),
        nbformat.v4.new_markdown_cell(MARKDOWN),
        nbformat.v4.new_code_cell(OUTPUT)]
    nbformat.write(notebook, folder / "stand.ipynb")
    result = export(folder / "stand.ipynb")
    return folder / "stand.pdf", result


def text_of(path):
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_export_writes_both_files_and_nothing_else(pdf):
    path, result = pdf
    assert result.returncode == 0, result.stderr
    assert "wrote stand.pdf" in result.stdout
    assert "warning" not in result.stderr.lower()  # e.g. Typst's missing fonts
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "fig.png", "stand.executed.ipynb", "stand.ipynb", "stand.pdf"]


def test_the_pdf_has_title_authors_headings_and_the_kernels_markdown(pdf):
    text = text_of(pdf[0])
    for words in (TITLE, "Ada Lovelace", *HEADINGS, "forty-two", "Figure 1:", "Table 1:"):
        assert words in text


def test_the_pdf_has_no_raw_latex_and_no_code(pdf):
    text = text_of(pdf[0])
    for raw in ("\\frac", "\\|", "$", "AUTHORS", "display("):
        assert raw not in text
    assert text.count("Table 1") == 1 and text.count("Figure 1") == 1  # no second numbering


def test_the_pdf_is_a4_and_embeds_the_figure(pdf):
    pages = PdfReader(pdf[0]).pages
    for page in pages:
        assert [round(float(x)) for x in page.mediabox[2:]] == [595, 842]
    assert sum(len(page.images) for page in pages) == 1


def test_a_missing_notebook_is_one_line_not_a_traceback(tmp_path):
    result = export(tmp_path / "absent.ipynb")
    assert result.returncode == 1
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
    result = export("--no-execute", tmp_path / "absent.ipynb")
    assert "absent.executed.ipynb does not exist" in result.stderr


def test_every_code_cell_of_the_report_is_hidden():
    cells = json.loads((ROOT / "report.ipynb").read_text())["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True
        assert "remove_input" in cell["metadata"].get("tags", [])
