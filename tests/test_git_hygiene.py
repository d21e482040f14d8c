"""`make hooks`: outputs and evaluated {eval} results never reach git; workbooks diff as text."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from openpyxl import Workbook

from support import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None, reason="needs git, make")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "analyst@example.org")
    git(tmp_path, "config", "user.name", "Analyst")
    shutil.copy2(ROOT / ".gitattributes", tmp_path / ".gitattributes")
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "git-filters", f"BIN={bin_dir}"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    return tmp_path


def test_a_notebook_is_stored_without_outputs_or_evaluated_roles(repo):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = nbformat.v4.new_code_cell("complaints", execution_count=3)
    code.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "complaints: 93"}, execution_count=3)]
    prose = nbformat.v4.new_markdown_cell("We received {eval}`complaints.compared`.")
    prose.metadata["user_expressions"] = [
        {"expression": "complaints.compared", "result": {"status": "ok", "data": {"text/plain": "93"}}}
    ]
    nb.cells = [code, prose]
    nbformat.write(nb, repo / "section.ipynb")
    git(repo, "add", "section.ipynb")
    stored = nbformat.reads(git(repo, "show", ":section.ipynb"), as_version=4)
    assert stored.cells[0].outputs == [] and stored.cells[0].execution_count is None
    assert "user_expressions" not in stored.cells[1].metadata
    assert stored.cells[1].source == "We received {eval}`complaints.compared`."  # prose kept
    assert stored.metadata["kernelspec"]["display_name"] == "Python 3"


def test_a_returns_workbook_diffs_as_text(repo):
    path = repo / "data" / "returns" / "2022-23.xlsx"
    path.parent.mkdir(parents=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "complaints"
    sheet.append(["year", "measure", "value"])
    sheet.append(["2022-23", "complaints_received", 93])
    book.save(path)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "returns")
    sheet["C2"] = 95
    book.save(path)
    diff = git(repo, "diff", "--", str(path))
    assert "-2\t2022-23\tcomplaints_received\t93" in diff
    assert "+2\t2022-23\tcomplaints_received\t95" in diff
    assert "Binary files" not in diff
