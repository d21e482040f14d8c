"""`cswo preview`: a bounded watch that rebuilds on each save, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import shutil

import nbformat
import pytest

from cswo.errors import CSWOError
from cswo.pipeline.build import build
from cswo.project.paths import Project
from cswo.safeguards.pdftext import page_texts
from cswo.tools.preview import preview_options, watch
from support import REFERENCE_YEAR


def test_rebuilds_after_each_save_and_says_what_changed(project_copy):
    notebook = project_copy.notebook(REFERENCE_YEAR, "complaints")
    lines, builds = [], []

    def rebuild() -> str:
        builds.append(1)
        return f"build {len(builds)}"

    def save_between_polls(_seconds: float) -> None:
        if len(builds) == 1:  # the analyst saves once after the first build
            notebook.write_text(notebook.read_text().replace("Complaints and Compliments", "Complaints"))

    count = watch(
        project_copy, REFERENCE_YEAR, rebuild, say=lines.append, interval=0, max_builds=2, sleep=save_between_polls
    )
    assert count == 2
    assert lines == ["changed: first build", "build 1", "changed: edited complaints.ipynb", "build 2"]


def test_a_failed_build_is_reported_and_watching_goes_on_until_ctrl_c(project_copy):
    lines = []

    def rebuild() -> str:
        raise CSWOError("Section 'complaints' uses unknown figure(s)")

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    count = watch(project_copy, REFERENCE_YEAR, rebuild, say=lines.append, interval=0, sleep=interrupt)
    assert count == 1
    assert lines[1].startswith("Error: Section 'complaints' uses unknown figure(s)") and "still watching" in lines[1]
    assert lines[-1] == "Stopped watching."


@pytest.mark.e2e
@pytest.mark.xdist_group("reference")
def test_a_preview_after_a_prose_edit_runs_no_kernel_and_writes_one_draft_pdf(built, tmp_path):
    reference, _ = built
    project = Project(tmp_path / "project")
    shutil.copytree(reference.root, project.root, symlinks=True)  # with the build's cache
    published = os.readlink(project.year_outputs(REFERENCE_YEAR))
    notebook = project.notebook(REFERENCE_YEAR, "complaints")
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and not c.metadata.get("tags"))
    cell.source += " Previewed sentence for the tribunal of Lossiemouth."
    nbformat.write(nb, notebook)

    result = build(project, preview_options(project, REFERENCE_YEAR))
    assert [j.name for j in result.jobs if not j.reused] == []  # prose only: no kernel ran
    written = [d for d in result.documents if d.rendered]
    assert [(d.kind, d.path.suffix) for d in written] == [("committee paper", ".pdf")]
    assert written[0].path.is_relative_to(project.draft_outputs(REFERENCE_YEAR))
    text = " ".join(" ".join(page_texts(written[0].path)).split())
    assert "Previewed sentence for the tribunal of Lossiemouth." in text
    assert os.readlink(project.year_outputs(REFERENCE_YEAR)) == published  # the published set is untouched
