"""Every section notebook runs with its own default parameters, and stays thin and in step with its twin."""

from __future__ import annotations

import ast
import subprocess
import sys

import jupytext
import nbformat
import pytest

from cswo.narrative.typed import notebook_typed_numbers
from support import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
IDS = [f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS]


@pytest.mark.e2e
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_top_to_bottom_under_nbval_as_the_lab_runs_it(path):
    """What `cswo lab` gives an analyst: a fresh kernel in the notebook's own folder, its own parameters
    cell (no injection, so the section runs as in the lab: charts drawn in their cells), every cell
    without an error (nbval's lax mode: outputs are not compared, as none are committed)."""
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--nbval-lax", "--nbval-cell-timeout=600", "-p", "no:cacheprovider",
         "-p", "no:randomly", "-p", "no:xdist", "--rootdir", str(path.parent), path.name],
        cwd=path.parent, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    assert " passed" in ran.stdout.splitlines()[-1] and "failed" not in ran.stdout.splitlines()[-1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_thin_and_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert "parameters" in nb.cells[0].metadata.get("tags", []), "first cell is the parameters cell"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs"), "committed notebooks carry no outputs"
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
        assert "open(" not in cell.source and "read_csv" not in cell.source and "read_excel" not in cell.source
        tags = set(cell.metadata.get("tags", []))
        assert tags & {"remove-cell", "remove-input"}, "code is hidden in the documents"
    assert notebook_typed_numbers(path, path.stem) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_and_myst_twin_agree(path):
    twin = path.with_suffix(".md")
    assert twin.exists(), f"{twin.name} is missing: run `cswo sync`"
    a = nbformat.read(path, as_version=4)
    b = jupytext.read(twin)
    strip = lambda nb: [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]  # noqa: E731
    assert strip(a) == strip(b), f"{path.name} and {twin.name} differ: run `cswo sync`"


def test_typed_number_check_catches_hand_typed_figures(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("There were 93 complaints, compared with {eval}`x.last_year`.")]
    path = tmp_path / "complaints.ipynb"
    nbformat.write(nb, path)
    messages = notebook_typed_numbers(path, "complaints")
    assert len(messages) == 1 and "(93)" in messages[0] and "Section 'complaints', markdown cell 1" in messages[0]
