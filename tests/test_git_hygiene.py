"""`make hooks`: outputs and evaluated {eval} results never reach git; workbooks diff as text."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from openpyxl import Workbook

from cswo.project.reading import read_yaml
from cswo.tools.labsave import strip_for_saving
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


def ran_in_the_lab(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as JupyterLab holds it after Run All: outputs, counts, {eval} results, language info."""
    ran = nbformat.from_dict(json.loads(json.dumps(notebook)))
    ran.metadata["language_info"] = {"name": "python", "version": "3.12.0"}
    for number, cell in enumerate(ran.cells, start=1):
        if cell.cell_type == "code":
            cell.execution_count = number
            cell.metadata["execution"] = {"iopub.execute_input": "2026-12-03T07:00:00Z"}
            cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
        else:
            cell.metadata["user_expressions"] = [{"expression": "s.label", "result": {"status": "ok"}}]
    return ran


def test_a_notebook_the_lab_saved_unchanged_after_running_it_is_clean_in_git(repo):
    """The lab's save hook writes exactly what git keeps, and the filter keeps the lab's cell ids.

    Both are needed: git reports a file whose size differs from the stored one as modified without
    asking the filter, and a filter that renumbered ids would make even identical bytes differ."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("s = start()"), nbformat.v4.new_markdown_cell("In {eval}`s.label`.")]
    nb.cells[0].id, nb.cells[1].id = "8e99ba6d", "c9a5e571"  # as the lab made them, not 0, 1
    nbformat.write(nb, repo / "section.ipynb")
    git(repo, "add", "section.ipynb")
    git(repo, "commit", "-q", "-m", "section")
    model = {"type": "notebook", "content": ran_in_the_lab(nb)}
    strip_for_saving(model, path="section.ipynb")
    nbformat.write(nbformat.from_dict(model["content"]), repo / "section.ipynb")
    assert git(repo, "status", "--porcelain", "section.ipynb") == ""
    stored = git(repo, "show", "HEAD:section.ipynb")
    assert [cell.id for cell in nbformat.reads(stored, as_version=4).cells] == ["8e99ba6d", "c9a5e571"]
    assert (repo / "section.ipynb").read_text() == stored


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


def hooks() -> list[dict]:
    config = read_yaml(ROOT / ".pre-commit-config.yaml")
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_the_notebook_hook_pairs_twins_with_cswo_sync_which_never_loses_an_edit():
    """jupytext --sync writes the newer file over the other, losing an edit made there since."""
    pairing = [hook for hook in hooks() if re.search(hook.get("files", "^$"), "notebooks/2021-22/adults.md")]
    assert [hook["entry"] for hook in pairing] == [".venv/bin/cswo sync"]
    assert pairing[0]["pass_filenames"] is False  # cswo sync pairs every notebook; it takes no file names
    assert not [hook["id"] for hook in hooks() if "jupytext" in hook["entry"]]


def test_every_hook_limited_to_some_files_matches_a_file_the_repository_has():
    """A hook whose pattern names a moved file never runs, and says nothing."""
    tracked = git(ROOT, "ls-files").splitlines()
    for hook in hooks():
        if "files" in hook:
            assert any(re.search(hook["files"], path) for path in tracked), f"{hook['id']}: {hook['files']}"


def test_the_yaml_hook_refuses_a_duplicate_key_as_the_suite_does_in_one_sentence(tmp_path):
    """yaml.safe_load keeps the last of two keys silently; the build would refuse the file."""
    (hook,) = [hook for hook in hooks() if hook["id"] == "check-yaml"]
    command = shlex.split(hook["entry"])
    assert command[0] == ".venv/bin/python"
    parameters = tmp_path / "2024-25.yml"
    parameters.write_text("year: 2024-25\ncouncil: Glenmorven\nyear: 2025-26\n", encoding="utf-8")
    result = subprocess.run([sys.executable, *command[1:], str(parameters)], capture_output=True, text=True)
    assert result.returncode != 0
    assert result.stdout.strip() == (
        f"{parameters}: line 3: key 'year' appears twice in the same mapping (first on line 1); delete one"
    )
    assert "Traceback" not in result.stdout + result.stderr
