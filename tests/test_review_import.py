"""`cswo review import` on a built IJB draft reviewed as Word and LibreOffice write it: prose edits
applied to the notebook and its twin, a changed figure raised as a data query, a conflict listed with
its three texts, comments opened, a pasted-over paragraph reported, and the rebuilt paper reading as
the reviewer left it."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from cswo.pipeline.build import BuildOptions, build
from cswo.project.paths import Project
from cswo.project.reading import read_yaml
from cswo.project.reviews import load_reviews
from cswo.review import manifest, wordfile
from cswo.review.importing import import_review
from cswo.review.mapping import normal
from reviewing import Reviewer, text_of
from support import REFERENCE_YEAR, copy_project

pytestmark = [pytest.mark.e2e]

PAPER = "outputs/2021-22/ijb/cswo-annual-report-2021-22-ijb-paper.docx"
INTRO = "notebooks/2021-22/introduction"
LIBREOFFICE_EDIT = Path(__file__).with_name("libreoffice_review.py")


def ijb_draft(project: Project) -> None:
    build(project, BuildOptions(year=REFERENCE_YEAR, committees=["ijb"], formats=["docx"], annual_report=False))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The IJB paper built once for this module (Word only)."""
    project = copy_project(tmp_path_factory.mktemp("review") / "project")
    ijb_draft(project)
    return project.root


@pytest.fixture
def project(reference, tmp_path) -> Project:
    """A copy of the built project of this test's own."""
    target = tmp_path / "project"
    shutil.copytree(reference, target, symlinks=True)
    return Project(target)


def sources_digest(project: Project) -> str:
    digest = hashlib.sha256()
    for folder in ("notebooks", "data", "parameters", "reviews"):
        for path in sorted((project.root / folder).rglob("*")):
            if path.is_file():
                digest.update(path.as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def review_the_draft(project: Project, out: Path) -> dict:
    """The issue's scenario: five prose edits (one untracked), a sentence deleted, a sentence inserted,
    a figure changed, an edit to a paragraph the analyst has changed since, two comments (one answered)."""
    reviewer = Reviewer(project.root / PAPER)
    expected = {}
    edits = [
        ("had a clear focus", "had a strong focus", True),
        ("returning to pre-pandemic levels", "returning to the levels seen before the pandemic", True),
        ("which provided strong external validation", "which provided clear external validation", True),  # cover
        ("a focus remained on reducing", "a focus stayed on reducing", False),  # typed with tracking off
        ("there was continued progress", "there was steady progress", True),
    ]
    for old, new, tracked in edits:
        paragraph = reviewer.find(old)
        expected[reviewer.anchor_of(paragraph)] = text_of(paragraph).replace(old, new)
        reviewer.replace(paragraph, old, new, tracked=tracked)
    learning = reviewer.find("continuous learning and improvement.")
    sentence = re.findall(r"\S[^.]*\.(?:\s+|$)", text_of(learning))[1]
    expected[reviewer.anchor_of(learning)] = text_of(learning).replace(sentence, "")
    reviewer.replace(learning, sentence, "")
    carers = reviewer.find("needs of unpaid carers.")
    added = " Carers told us the new short breaks helped them."
    text = text_of(carers)
    expected[reviewer.anchor_of(carers)] = text.replace("unpaid carers.", "unpaid carers." + added, 1)
    reviewer.replace(carers, "unpaid carers.", "unpaid carers." + added)
    reviewer.replace(reviewer.find("complaints received was 93, compared"), "93, compared", "95, compared")
    reviewer.replace(reviewer.find("Finally, I would like to express"), "gratitude and", "thanks and")
    reviewer.comment(
        reviewer.find("very complex and challenging year"),
        "very complex and challenging year",
        "Too negative for the opening?",
        reply=("Alan Analyst", "Kept: it is the CSWO's own assessment."),
    )
    reviewer.comment(reviewer.find("compounded existing inequalities"), "existing inequalities", "Which source?")
    reviewer.save(out)
    return expected


def edit_notebook_since(project: Project, old: str, new: str) -> None:
    """The analyst's own edit after the draft was built, in the notebook and its twin alike."""
    path = project.root / f"{INTRO}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace(old, new)
    nbformat.write(nb, path)
    twin = path.with_suffix(".md")
    twin.write_text(twin.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_the_reviewed_draft_comes_home_and_the_rebuilt_paper_reads_as_the_reviewer_left_it(project, tmp_path):
    expected = review_the_draft(project, tmp_path / "reviewed.docx")
    edit_notebook_since(project, "Finally, I would like", "Lastly, I would like")

    report = import_review(project, REFERENCE_YEAR, tmp_path / "reviewed.docx")

    assert (len(report.applied), len(report.queries), len(report.conflicts), len(report.comments)) == (7, 1, 1, 2)
    assert report.listed == [] and report.notes == []
    assert {e["reviewer"] for e in report.applied} == {"Jane Reviewer"}
    (query,) = report.queries
    assert query.startswith("data/complaints.csv, row ") and "'93, compared" not in query
    assert "93, compared with 67" in query and "95, compared with 67" in query
    rows = (project.root / "data/complaints.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].endswith(",query") and "Jane Reviewer" in rows[int(query.split("row ")[1].split()[0]) - 1]
    (conflict,) = report.conflicts
    assert "gratitude and" in conflict.built and "thanks and" in conflict.reviewed and "Lastly" in conflict.now
    record = load_reviews(project, REFERENCE_YEAR)
    assert len(record["edits"]) == 7 and len(record["comments"]) == 2
    answered = next(c for c in record["comments"] if c["comment"] == "Too negative for the opening?")
    assert answered["section"] == "introduction" and answered["anchored_to"] == "very complex and challenging year"
    assert answered["replies"][0]["author"] == "Alan Analyst" and not answered["resolved"]
    twin = (project.root / f"{INTRO}.md").read_text(encoding="utf-8")
    assert "had a strong focus" in twin and "Carers told us the new short breaks helped them." in twin

    ijb_draft(project)
    rebuilt = {p.anchor: p.text for p in wordfile.paragraphs(project.root / PAPER)}
    for anchor, text in expected.items():
        assert normal(rebuilt[anchor]) == normal(text)
    figure = next(t for t in rebuilt.values() if "social work complaints received was" in t)
    assert "93, compared with 67" in figure  # a query, not typed into the prose
    assert any("Lastly, I would like to express my gratitude and" in t for t in rebuilt.values())


def test_a_dry_run_shows_the_same_report_and_changes_nothing(project, tmp_path):
    review_the_draft(project, tmp_path / "reviewed.docx")
    edit_notebook_since(project, "Finally, I would like", "Lastly, I would like")
    before = sources_digest(project)

    report = import_review(project, REFERENCE_YEAR, tmp_path / "reviewed.docx", dry_run=True)

    assert (len(report.applied), len(report.queries), len(report.conflicts), len(report.comments)) == (7, 1, 1, 2)
    assert sources_digest(project) == before  # the review record included


def test_a_moved_sentence_and_a_deleted_paragraph_are_applied(project, tmp_path):
    reviewer = Reviewer(project.root / PAPER)
    paragraph = reviewer.find("continuous learning and improvement.")
    first, second = re.findall(r"\S[^.]*\.\s+", text_of(paragraph))[:2]
    reviewer.move(paragraph, second, first)
    reviewer.delete_paragraph(reviewer.find("In mental health and drug and alcohol services"))
    reviewer.save(tmp_path / "moved.docx")

    report = import_review(project, REFERENCE_YEAR, tmp_path / "moved.docx")

    assert len(report.applied) == 2 and report.listed == []
    notebook = (project.root / f"{INTRO}.ipynb").read_text(encoding="utf-8")
    assert second + first in notebook
    assert "In mental health and drug and alcohol services" not in notebook


def test_a_pasted_over_paragraph_is_reported_not_guessed(project, tmp_path):
    reviewer = Reviewer(project.root / PAPER)
    reviewer.paste_over(reviewer.find("In mental health and drug and alcohol services"), "A paragraph pasted in.")
    reviewer.add_paragraph_after(reviewer.find("had a clear focus"), "A paragraph typed in.")
    reviewer.save(tmp_path / "pasted.docx")
    before = sources_digest(project)

    report = import_review(project, REFERENCE_YEAR, tmp_path / "pasted.docx")

    assert report.applied == [] and report.queries == []
    assert any("section 'introduction'" in item and "anchor is gone" in item for item in report.listed)
    assert any("no anchor" in item and "A paragraph pasted in." in item for item in report.listed)
    assert any("new paragraph added by Jane Reviewer" in item and "typed in" in item for item in report.listed)
    assert sources_digest(project) == before


def test_cover_text_from_the_parameters_goes_to_its_key_and_template_text_is_listed(project, tmp_path):
    reviewer = Reviewer(project.root / PAPER)
    reviewer.replace(reviewer.find("brings forward for information"), "for information", "for noting")
    reviewer.replace(reviewer.find("REPORT BY:"), "REPORT BY:", "REPORTED BY:")
    reviewer.save(tmp_path / "cover.docx")

    report = import_review(project, REFERENCE_YEAR, tmp_path / "cover.docx")

    (applied,) = report.applied
    assert applied["section"] == "cover" and applied["cell"] == "committees.ijb.purpose"
    purpose = read_yaml(project.parameters_file(REFERENCE_YEAR))["committees"]["ijb"]["purpose"]
    assert "brings forward for noting" in purpose
    (listed,) = report.listed
    assert "cover template" in listed and "REPORTED BY:" in listed


def test_a_paper_with_no_build_record_is_refused(project, tmp_path):
    from cswo.errors import InputError

    stranger = tmp_path / "stranger.docx"
    Reviewer(project.root / PAPER).save(stranger)
    shutil.rmtree(project.built_drafts_dir(REFERENCE_YEAR))
    with pytest.raises(InputError, match="no record of build"):
        import_review(project, REFERENCE_YEAR, stranger)


@pytest.mark.skipif(shutil.which("soffice") is None or not Path("/usr/bin/python3").exists(), reason="no LibreOffice")
def test_a_draft_reviewed_in_libreoffice_with_changes_recorded_comes_home(project, tmp_path):
    paper = project.root / PAPER
    reviewed = tmp_path / "libreoffice.docx"
    built = manifest.for_document(project, REFERENCE_YEAR, paper)
    result = subprocess.run(
        ["/usr/bin/python3", str(LIBREOFFICE_EDIT), str(paper), str(reviewed), str(tmp_path / "lo"),
         "had a clear focus", "had a strong focus"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if "import uno" in result.stderr and "ModuleNotFoundError" in result.stderr:
        pytest.skip("python3-uno is not installed")
    assert result.returncode == 0, result.stderr
    assert wordfile.build_id(reviewed) == built.build_id
    paragraphs = wordfile.paragraphs(reviewed)
    assert any(p.authors and "had a strong focus" in p.text and "had a clear focus" in p.built for p in paragraphs)

    report = import_review(project, REFERENCE_YEAR, reviewed)

    (applied,) = report.applied
    assert applied["section"] == "introduction" and "had a strong focus" in applied["after"]
    assert not [item for item in report.listed if "anchor is gone" in item]


def test_the_command_prints_the_report_and_a_dry_run_says_so(project, tmp_path):
    from typer.testing import CliRunner

    from cswo.cli import app

    review_the_draft(project, tmp_path / "reviewed.docx")
    before = sources_digest(project)
    args = ["review", "import", str(tmp_path / "reviewed.docx"), "--year", REFERENCE_YEAR, "--dry-run"]
    result = CliRunner().invoke(app, ["--project", str(project.root), *args])
    assert result.exit_code == 0, result.output
    assert "dry run: nothing changed" in result.output
    assert "8 edit(s) applied, 1 data query(ies) raised, 0 conflict(s), 2 comment(s) opened" in result.output
    assert sources_digest(project) == before


def test_a_paper_imported_twice_changes_nothing_the_second_time(project, tmp_path):
    review_the_draft(project, tmp_path / "reviewed.docx")
    import_review(project, REFERENCE_YEAR, tmp_path / "reviewed.docx")
    after_first = sources_digest(project)

    again = import_review(project, REFERENCE_YEAR, tmp_path / "reviewed.docx")

    assert (again.applied, again.queries, again.conflicts, again.comments) == ([], [], [], [])
    assert len([n for n in again.notes if "already" in n]) == 8 + 1 + 2  # edits, the query, the comments
    assert sources_digest(project) == after_first


def test_a_section_whose_twin_was_edited_apart_is_listed_not_applied(project, tmp_path):
    twin = project.root / f"{INTRO}.md"
    twin.write_text(twin.read_text(encoding="utf-8").replace("Finally, I would", "At last, I would"), encoding="utf-8")
    reviewer = Reviewer(project.root / PAPER)
    reviewer.replace(reviewer.find("had a clear focus"), "clear", "strong")
    reviewer.save(tmp_path / "reviewed.docx")
    before = sources_digest(project)

    report = import_review(project, REFERENCE_YEAR, tmp_path / "reviewed.docx")

    assert report.applied == [] and report.conflicts == []
    (listed,) = report.listed
    assert "section 'introduction'" in listed and "introduction.md" in listed and "cswo sync" in listed
    assert sources_digest(project) == before
