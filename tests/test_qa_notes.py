"""Notes for members and notes for reviewers: a data row's ``qa_note`` reaches the reviewers'
QA record (outputs/.private/<year>/figures-qa.csv) and nothing public: no paper, no figures.csv."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from cswo.pipeline.build import BuildOptions, build
from cswo.project.paths import Project
from cswo.publish.audit import FIGURE_COLUMNS, qa_notes, write_figures_csv, write_qa_csv
from support import ROOT

YEAR = "2024-25"
PRIVATE = "Quokkaverify: the total is being checked with finance"
PUBLIC = "Includes complaints made through elected members."


def squashed(text: str) -> str:
    """Lower case without spaces, so a line or word break in a PDF cannot hide a match."""
    return re.sub(r"\s+", "", text).lower()


def readable_text(path: Path) -> str:
    """What a reader of a published file can see: every part of a Word file, a PDF's text, any other file."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            parts = [archive.read(n).decode("utf-8", "ignore") for n in archive.namelist() if n.endswith(".xml")]
        return re.sub(r"<[^>]+>", "", "".join(parts))
    if path.suffix == ".pdf":
        reader = PdfReader(str(path))
        return "\n".join(page.extract_text() for page in reader.pages) + str(reader.metadata)
    return path.read_bytes().decode("utf-8", "ignore")


def test_the_qa_record_carries_reviewers_notes_and_the_public_file_has_no_column_for_them(tmp_path):
    frame = pd.DataFrame(
        {
            "year": ["2024-25", "2024-25"],
            "measure": ["complaints_received", "complaints_received"],
            "breakdown": ["total", "community_justice"],
            "value": ["77", ""],
            "status": ["", "x"],
            "note": [PUBLIC, ""],
            "qa_note": [PRIVATE, ""],
        }
    )
    notes = qa_notes({"complaints": frame})
    assert notes == [
        {
            "table": "complaints",
            "measure": "complaints_received",
            "breakdown": "total",
            "year": "2024-25",
            "value": "77",
            "reason": "reviewers' note",
            "qa_note": PRIVATE,
        }
    ]
    write_qa_csv({}, tmp_path / "qa.csv", notes)
    assert PRIVATE in (tmp_path / "qa.csv").read_text(encoding="utf-8")
    figure = {"section": "s", "table": "complaints", "measure": "complaints_received", "qa_note": PRIVATE}
    write_figures_csv({"s": {"figures": [figure]}}, tmp_path / "figures.csv")
    with (tmp_path / "figures.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == FIGURE_COLUMNS
    assert "qa_note" not in FIGURE_COLUMNS
    assert "Quokkaverify" not in (tmp_path / "figures.csv").read_text(encoding="utf-8")


def test_a_known_slips_reason_goes_to_the_qa_record_only():
    reason = "the services add up to 72; the total is kept as published"
    frame = pd.DataFrame(
        {
            "year": ["2024-25"],
            "measure": ["complaints_received"],
            "breakdown": ["total"],
            "value": ["77"],
            "status": [""],
            "note": [""],
            "qa_note": [""],
            "known_slip": [reason],
        }
    )
    (row,) = qa_notes({"complaints": frame})
    assert row["qa_note"] == reason and row["reason"] == "kept as published (known slip)"


@pytest.mark.e2e
def test_a_private_note_reaches_the_qa_record_and_no_public_output(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "projects" / "strathbrae", root)
    (root / "outputs").mkdir()
    data = root / "data" / "complaints.csv"
    frame = pd.read_csv(data, dtype=str, keep_default_na=False)
    shown = (frame["year"] == YEAR) & (frame["breakdown"] == "total")  # in tables, prose and charts
    assert shown.sum() >= 2
    frame.insert(frame.columns.get_loc("note") + 1, "qa_note", "")
    frame.loc[shown, "qa_note"] = PRIVATE
    frame.loc[shown, "note"] = PUBLIC
    frame.to_csv(data, index=False)
    project = Project(root)

    build(project, BuildOptions(year=YEAR, formats=["docx", "pdf"]))

    published = [p for p in project.year_outputs(YEAR).rglob("*") if p.is_file()]
    kinds = {p.suffix for p in published}
    assert {".docx", ".pdf", ".csv"} <= kinds, kinds
    assert any(p.name == "figures.csv" for p in published)
    leaks = [str(p.relative_to(root)) for p in published if squashed("Quokkaverify") in squashed(readable_text(p))]
    assert leaks == []
    qa = project.private_dir(YEAR) / "figures-qa.csv"
    with qa.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["reason"] == "reviewers' note"]
    assert {(r["table"], r["measure"], r["breakdown"], r["year"], r["qa_note"]) for r in rows} == {
        ("complaints", m, "total", YEAR, PRIVATE) for m in frame.loc[shown, "measure"]
    }
