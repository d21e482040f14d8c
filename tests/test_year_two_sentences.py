"""Year two, end to end, with figures that moved: every sentence pairing a year with a figure is
right once the typed years are replaced as validate asks, read back from the Word and PDF papers."""

from __future__ import annotations

import re
import subprocess

import pytest
from docx import Document
from typer.testing import CliRunner

from cswo.cli import app
from cswo.data.load import validate_tables
from cswo.figures.formatting import format_value
from cswo.pipeline.build import BuildOptions, build
from cswo.tools.newyear import roll_forward
from support import fill_workbook, replace_typed_years

pytestmark = [pytest.mark.e2e]
YEAR, LAST = "2022-23", "2021-22"
SCALED = {"count", "hours"}  # doubling keeps every sum, share and rate rule (money keeps a slip of £1)


def invoke(project, *args):
    return CliRunner().invoke(app, ["--project", str(project.root), *args])


def last_year(project, table: str, measure: str, breakdown: str = "total") -> float:
    dataset, _ = validate_tables(project, LAST)
    frame = dataset.tables[table]
    row = frame[(frame["measure"] == measure) & (frame["breakdown"] == breakdown) & (frame["year"] == LAST)]
    return float(row["number"].iloc[0])


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def year_two(tmp_path_factory):
    from support import copy_project

    project = copy_project(tmp_path_factory.mktemp("year-two") / "project")
    roll_forward(project, YEAR)
    fill_workbook(project, YEAR, value_for=lambda key, value: value * 2 if _unit(project, key) in SCALED else value)
    listed = invoke(project, "validate", "--year", YEAR)
    replaced = replace_typed_years(project, YEAR)
    validated = invoke(project, "validate", "--year", YEAR)
    result = build(project, BuildOptions(year=YEAR, formats=["docx", "pdf"], checks=False))
    paper = next(
        d.path for d in result.documents if d.path.suffix == ".docx" and d.path.name.endswith("ijb-paper.docx")
    )
    docx = words("\n".join(p.text for p in Document(paper).paragraphs))
    pdf = words(
        subprocess.run(["pdftotext", str(paper.with_suffix(".pdf")), "-"], capture_output=True, text=True).stdout
    )
    return project, listed, replaced, validated, {"Word": docx, "PDF": pdf}


def _unit(project, key) -> str:
    from cswo.project.catalogue import load_catalogue

    table, measure, _ = key
    spec = load_catalogue(project).get(table)
    return spec.measures[measure].unit if spec and measure in spec.measures else ""


def test_validate_lists_each_typed_year_with_the_role_to_use(year_two):
    _, listed, replaced, validated, _ = year_two
    assert listed.exit_code == 2
    assert "Years and dates typed into the text" in listed.output
    assert re.search(r"section 'justice', cell \d+: future tense about October 2022", words(listed.output))
    assert "write {eval}`s.label` instead" in words(listed.output) or "write {eval}`s.last_label` instead" in words(
        listed.output
    )
    assert replaced > 0
    assert validated.exit_code == 0, validated.output


@pytest.mark.parametrize("fmt", ["Word", "PDF"])
def test_every_sentence_pairing_a_year_with_a_figure_is_right(year_two, fmt):
    project, *_, texts = year_two
    text = texts[fmt]
    offenders = last_year(project, "community_justice", "registered_sex_offenders_mappa", "mappa_area")
    visits = last_year(project, "out_of_hours", "out_of_hours_visits")
    hours = last_year(project, "community_justice", "unpaid_work_hours_imposed")
    orders = last_year(project, "community_justice", "community_payback_orders_imposed")
    count = lambda value: format_value(value, "count")  # noqa: E731
    expected = [
        f"At 31 March 2023, there were {count(offenders * 2)} registered sex offenders",
        f"In the year to March 2023, it made {count(visits * 2)} visits",
        f"{count(hours * 2)} hours of unpaid work in 2022-23, compared with {count(hours)} in 2021-22",
        f"{count(orders * 2)} Community Payback Orders were imposed, up from {count(orders)} in 2021-22",
    ]
    missing = [sentence for sentence in expected if sentence not in text]
    assert not missing, f"{fmt} lacks {missing}"
    for stale in ("At 31 March 2022, there were", "In the year to March 2022", "will be completed during 2022-23"):
        assert stale not in text, f"{fmt} still says '{stale}'"
