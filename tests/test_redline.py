"""`cswo redline`: between the draft a reviewer saw and the current build, exactly the changed
paragraphs as tracked changes, from the reviewed .docx or from a build id, also as LibreOffice reads it."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from cswo.errors import InputError
from cswo.pipeline.build import BuildOptions, build
from cswo.project.paths import Project
from cswo.review import wordfile
from cswo.review.mapping import normal
from cswo.review.redline import redline
from reviewing import libreoffice_round_trip
from support import REFERENCE_YEAR, copy_project

pytestmark = [pytest.mark.e2e]

PAPER = "outputs/2021-22/ijb/cswo-annual-report-2021-22-ijb-paper.docx"
INTRO = "notebooks/2021-22/introduction"
REWORDED = ("had a clear focus on", "had a sharp focus on")
REMOVED = "In mental health and drug and alcohol services"
ADDED = "A new paragraph written after the draft went round."


def ijb_draft(project: Project) -> None:
    build(project, BuildOptions(year=REFERENCE_YEAR, committees=["ijb"], formats=["docx"], annual_report=False))


def edit_introduction(project: Project) -> None:
    """One paragraph reworded, one removed, one added (at the end of the cell), notebook and twin alike."""
    path = project.root / f"{INTRO}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if REMOVED in c.source)
    paragraphs = cell.source.split("\n\n")
    gone = next(p for p in paragraphs if p.startswith(REMOVED))
    cell.source = "\n\n".join(p for p in paragraphs if p != gone).replace(*REWORDED) + "\n\n" + ADDED
    nbformat.write(nb, path)
    path.with_suffix(".md").unlink()  # the notebook alone: no twin to keep paired


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> tuple[Path, Path]:
    """The project with the draft the reviewer saw (copied aside) and, after three edits, the current build."""
    project = copy_project(tmp_path_factory.mktemp("redline") / "project")
    ijb_draft(project)
    seen = project.root / "seen.docx"
    shutil.copy2(project.root / PAPER, seen)
    edit_introduction(project)
    ijb_draft(project)
    return project.root, seen


def tracked(path: Path) -> list[wordfile.Paragraph]:
    return [p for p in wordfile.paragraphs(path) if p.authors or p.removed]


def test_exactly_the_changed_paragraphs_are_tracked_changes(drafts, tmp_path):
    root, seen = drafts
    result = redline(Project(root), REFERENCE_YEAR, old=seen, output=tmp_path / "redline.docx")

    assert (result.changed, result.added, result.removed) == (1, 1, 1)
    changes = tracked(result.path)
    assert len(changes) == 3
    reworded = next(p for p in changes if REWORDED[1] in p.text)
    assert REWORDED[0] in reworded.built and REWORDED[1] not in reworded.built
    assert normal(reworded.built.replace(*REWORDED)) == normal(reworded.text)
    assert next(p for p in changes if p.removed).built.startswith(REMOVED)
    assert next(p for p in changes if ADDED in p.text).built == ""
    untouched = [p for p in wordfile.paragraphs(result.path) if p not in changes]
    assert all(p.built == p.text for p in untouched)


def test_from_a_build_id_gives_the_same_redline_in_the_private_outputs(drafts):
    root, seen = drafts
    project = Project(root)
    result = redline(project, REFERENCE_YEAR, build_id=wordfile.build_id(seen))

    assert result.path.is_relative_to(project.private_dir(REFERENCE_YEAR))
    assert (result.changed, result.added, result.removed) == (1, 1, 1)
    assert result.old_build == wordfile.build_id(seen) != result.new_build


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_redline_with_its_tracked_changes(drafts, tmp_path):
    root, seen = drafts
    result = redline(Project(root), REFERENCE_YEAR, old=seen, output=tmp_path / "redline.docx")
    again = libreoffice_round_trip(result.path, tmp_path / "libreoffice")
    changes = tracked(again)
    assert len(changes) == 3
    assert any(REWORDED[1] in p.text and REWORDED[0] in p.built for p in changes)
    assert any(ADDED in p.text and ADDED not in p.built for p in changes)
    assert any(REMOVED in p.built and REMOVED not in p.text for p in changes)


def test_a_build_with_no_record_is_refused(drafts):
    root, _ = drafts
    with pytest.raises(InputError, match="no record of build 'b0000000000'"):
        redline(Project(root), REFERENCE_YEAR, build_id="b0000000000")
