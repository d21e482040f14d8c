"""A notebook and its .md twin never lose an edit: validate and build refuse when both changed,
and `cswo sync` writes only over a file with no edit of its own (cswo.project.twins, cswo sync)."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from typer.testing import CliRunner

from cswo.cache.instep import InStep
from cswo.cli import app
from cswo.errors import TwinConflictError
from cswo.narrative.completeness import check_year
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from cswo.project.twins import section_source
from support import ROOT

YEAR = "2024-25"
FIRST = "In {eval}`s.label` we received {eval}`complaints.compared`"
NOTEBOOK_EDIT = "Frontline resolution is a priority."
TWIN_EDIT = "The befriending scheme grew."


@pytest.fixture
def council(tmp_path) -> Project:
    """The fictional council's project (no Makefile), its pair seen in step once."""
    root = tmp_path / "strathbrae"
    shutil.copytree(ROOT / "tests" / "projects" / "strathbrae", root)
    project = Project(root)
    assert not (root / "Makefile").exists()
    source = section_source(notebook(project), "performance", InStep(project))
    assert source.path == notebook(project) and not source.note
    return project


def notebook(project: Project):
    return project.notebook(YEAR, "performance")


def edit_notebook(project: Project, sentence: str) -> None:
    nb = nbformat.read(notebook(project), as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and FIRST in c.source)
    cell.source += " " + sentence
    nbformat.write(nb, notebook(project))


def edit_twin(project: Project, sentence: str) -> None:
    twin = notebook(project).with_suffix(".md")
    text = twin.read_text(encoding="utf-8")
    twin.write_text(
        text.replace(
            "The befriending scheme made {eval}`matches.compared`.",
            "The befriending scheme made {eval}`matches.compared`. " + sentence,
        ),
        encoding="utf-8",
    )


def test_the_in_step_record_is_kept_in_the_cache(council):
    record = json.loads(council.twins_record.read_text(encoding="utf-8"))
    assert list(record) == [f"notebooks/{YEAR}/performance.ipynb"]
    assert council.twins_record == council.root / "outputs" / ".cache" / "twins.json"


def test_an_edit_in_one_twin_is_read_and_sync_is_named(council):
    edit_twin(council, TWIN_EDIT)
    source = section_source(notebook(council), "performance", InStep(council))
    assert source.from_twin and "`cswo sync`" in source.note and "make sync" not in source.note


def test_an_edit_in_each_twin_is_refused_naming_both_files_and_paragraphs(council):
    edit_notebook(council, NOTEBOOK_EDIT)
    edit_twin(council, TWIN_EDIT)
    with pytest.raises(TwinConflictError) as error:
        check_year(council, load_year(council, YEAR))
    message = str(error.value)
    assert "performance.ipynb and performance.md were both edited" in message
    assert NOTEBOOK_EDIT in message and TWIN_EDIT in message and "`cswo sync --keep" in message
    result = CliRunner().invoke(app, ["--project", str(council.root), "validate", "--year", YEAR])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "performance.ipynb and performance.md were both edited" in result.output


def test_sync_never_writes_over_an_edit_and_keep_saves_the_file_it_replaces(council):
    edit_notebook(council, NOTEBOOK_EDIT)
    edit_twin(council, TWIN_EDIT)
    before = {p: p.read_bytes() for p in (notebook(council), notebook(council).with_suffix(".md"))}
    runner = CliRunner()
    refused = runner.invoke(app, ["--project", str(council.root), "sync"])
    assert refused.exit_code == 2 and "not paired" in refused.output and NOTEBOOK_EDIT in refused.output
    assert {p: p.read_bytes() for p in before} == before, "nothing was written"
    kept = runner.invoke(app, ["--project", str(council.root), "sync", "--keep", "md"])
    assert kept.exit_code == 0, kept.output
    assert TWIN_EDIT in notebook(council).read_text(encoding="utf-8")
    copies = list((council.twins_kept_dir / YEAR).glob("performance.*.ipynb"))
    assert len(copies) == 1 and NOTEBOOK_EDIT in copies[0].read_text(encoding="utf-8")


def test_sync_writes_the_edited_twin_over_the_other_in_a_project_with_no_makefile(council):
    edit_twin(council, TWIN_EDIT)
    result = CliRunner().invoke(app, ["--project", str(council.root), "sync"])
    assert result.exit_code == 0, result.output
    assert TWIN_EDIT in notebook(council).read_text(encoding="utf-8")
    edit_notebook(council, NOTEBOOK_EDIT)  # now only the notebook moves on: the twin follows it
    assert CliRunner().invoke(app, ["--project", str(council.root), "sync"]).exit_code == 0
    twin = notebook(council).with_suffix(".md").read_text(encoding="utf-8")
    assert NOTEBOOK_EDIT in twin and TWIN_EDIT in twin
    assert "Every notebook is in step" in CliRunner().invoke(app, ["--project", str(council.root), "sync"]).output
