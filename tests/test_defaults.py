"""The package's defaults for a new section: the 'not yet reviewed' banner is written with the
notebook and its twin, and removed from both when the section is signed off, never losing an edit."""

from __future__ import annotations

import jupytext
import nbformat
from typer.testing import CliRunner

from cswo.cli import app
from cswo.compose.section import UNREVIEWED_TAG
from cswo.project.paths import Project
from cswo.project.twins import cells_of
from cswo.tools import defaults
from cswo.tools.sync import sync
from support import section_notebook

YEAR = "2021-22"


def carried_forward(tmp_path) -> tuple[Project, object]:
    project = Project(tmp_path)
    notebook = project.notebook(YEAR, "complaints")
    nb = section_notebook("complaints", ["Complaints were answered on time.", "A second paragraph."])
    nb.metadata["jupytext"] = {"formats": "ipynb,md:myst"}  # paired, as every section notebook is
    defaults.write_unreviewed(nb, notebook, YEAR, "**Carried forward from 2020-21: not yet reviewed.** Read it")
    sync(project, YEAR)  # the pair is recorded in step, as after new-year
    return project, notebook


def banners(path) -> list[str]:
    nb = jupytext.read(path, fmt="md:myst") if path.suffix == ".md" else nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if UNREVIEWED_TAG in c.metadata.get("tags", [])]


def test_the_banner_says_how_to_sign_the_section_off(tmp_path):
    _, notebook = carried_forward(tmp_path)
    (banner,) = banners(notebook)
    assert f"cswo review sign complaints --year {YEAR} --by NAME" in banner
    assert banners(notebook.with_suffix(".md")) == [banner]


def test_signing_off_removes_the_banner_from_the_notebook_and_its_twin_and_nothing_else(tmp_path):
    project, notebook = carried_forward(tmp_path)
    before = [cell for cell in cells_of(notebook) if "not yet reviewed" not in cell[1]]
    assert defaults.drop_unreviewed(project, notebook) == ""
    assert banners(notebook) == [] and banners(notebook.with_suffix(".md")) == []
    assert cells_of(notebook) == before == cells_of(notebook.with_suffix(".md"))
    assert sync(project, YEAR).written == []  # still in step: nothing for `cswo sync` to do


def test_an_edit_in_the_twin_alone_is_paired_first_and_kept(tmp_path):
    project, notebook = carried_forward(tmp_path)
    twin = notebook.with_suffix(".md")
    twin.write_text(twin.read_text().replace("A second paragraph.", "A second paragraph, edited."))
    assert defaults.drop_unreviewed(project, notebook) == ""
    assert banners(notebook) == [] and banners(twin) == []
    assert "A second paragraph, edited." in notebook.read_text()


def test_twins_edited_apart_keep_the_banner_and_both_edits(tmp_path):
    project, notebook = carried_forward(tmp_path)
    twin = notebook.with_suffix(".md")
    twin.write_text(twin.read_text().replace("A second paragraph.", "Edited in the twin."))
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[2].source = "Edited in the notebook."
    nbformat.write(nb, notebook)
    note = defaults.drop_unreviewed(project, notebook)
    assert "complaints.ipynb" in note and "complaints.md" in note
    assert banners(notebook) and banners(twin)
    assert "Edited in the notebook." in notebook.read_text() and "Edited in the twin." in twin.read_text()


def test_new_year_writes_the_banner_and_the_build_does_not_warn_about_it(tmp_path):
    from cswo.tools.newyear import roll_forward
    from support import copy_project

    project = copy_project(tmp_path / "project")
    roll_forward(project, "2022-23")
    notebook = project.notebook("2022-23", "complaints")
    (banner,) = banners(notebook)
    assert "cswo review sign complaints --year 2022-23 --by NAME" in banner
    result = CliRunner().invoke(app, ["--project", str(project.root), "validate", "--year", "2022-23"])
    assert "section 'complaints' has not been reviewed" in result.output
    assert "delete the 'unreviewed' cell" not in result.output


def test_a_pair_jupytext_cannot_sync_is_named_and_no_edit_is_lost(tmp_path):
    project, notebook = carried_forward(tmp_path)
    nb = nbformat.read(notebook, as_version=4)
    del nb.metadata["jupytext"]
    nbformat.write(nb, notebook)
    twin = notebook.with_suffix(".md")
    twin.write_text(twin.read_text().replace("A second paragraph.", "Edited in the twin."))
    note = defaults.drop_unreviewed(project, notebook)
    assert "still not in step" in note and "formats 'ipynb,md:myst'" in note
    assert banners(notebook) and "Edited in the twin." in twin.read_text()
