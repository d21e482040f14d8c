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

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("year_two_sentences")]
YEAR, LAST = "2022-23", "2021-22"
SCALED = {"count", "hours"}  # doubling keeps every sum, share and rate rule (money keeps a slip of £1)


def invoke(project, *args):
    return CliRunner().invoke(app, ["--project", str(project.root), *args])


def last_year(project, table: str, measure: str, breakdown: str = "total", year: str = LAST) -> float:
    dataset, _ = validate_tables(project, LAST)
    frame = dataset.tables[table]
    row = frame[(frame["measure"] == measure) & (frame["breakdown"] == breakdown) & (frame["year"] == year)]
    return float(row["number"].iloc[0])


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="session")  # session: in a random order another module's test may come between this one's
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
    count = lambda value: format_value(value, "count")  # noqa: E731
    expected = [
        f"At 31 March 2023, there were {count(offenders * 2)} registered sex offenders",
        f"In the year to March 2023, it made {count(visits * 2)} visits",
        f"{count(hours * 2)} hours of unpaid work in 2022-23, compared with {count(hours)} in 2021-22",
    ]
    # "..., up from 353 in 2021-22 but still below the high of 532 in 2019-20" is false once the orders
    # double (706): validate counts it and it is rewritten, so it is not expected here (see the test below)
    missing = [sentence for sentence in expected if sentence not in text]
    assert not missing, f"{fmt} lacks {missing}"
    for stale in ("At 31 March 2022, there were", "In the year to March 2022", "will be completed during 2022-23"):
        assert stale not in text, f"{fmt} still says '{stale}'"


@pytest.mark.parametrize("fmt", ["Word", "PDF"])
def test_history_reads_as_history_and_no_comparison_the_figures_contradict_is_printed(year_two, fmt):
    """The sentences a new year made false (typed comparisons, years beside figures that moved,
    phrases repeating each other, stale future tense) are history, or were listed and rewritten."""
    project, *_, texts = year_two
    text = texts[fmt]
    count = lambda value: format_value(value, "count")  # noqa: E731
    value = lambda table, measure, year=LAST: last_year(project, table, measure, year=year)  # noqa: E731
    history = [
        f"comparing the first five months of 2021 and 2022, the number of people referred by the Crown Office and "
        f"Procurator Fiscal Service for a Diversion from Prosecution scheme increased from "
        f"{count(value('community_justice', 'diversion_referrals', '2020-21'))} to "
        f"{count(value('community_justice', 'diversion_referrals'))}.",
        f"The number of drug related deaths in Dundee fell again in 2021, to "
        f"{count(value('adult_health', 'drug_related_deaths'))}, compared with "
        f"{count(value('adult_health', 'drug_related_deaths', '2020-21'))} the year before.",
        f"In total, {count(value('care_experienced', 'children_on_permanence_orders', '2020-21'))} children and young "
        f"people were on Permanence Orders on 31 March 2021,",
    ]
    missing = [sentence for sentence in history if sentence not in text]
    assert not missing, f"{fmt} lacks {missing}"
    share = format_value(value("child_protection", "cp_deregistered_within_12_months_share"), "percent")
    assert f"This is no change on {LAST}, when it was {share}." in text  # the percentage did not move
    assert "and no change on" not in text and "The increase in the proportion de-registered" not in text
    orders, pandemic = (
        value("child_protection", "child_protection_orders"),
        value("child_protection", "child_protection_orders", "2020-21"),
    )
    assert orders * 2 > pandemic and "lower than at the height of the pandemic" not in text
    payback = value("community_justice", "community_payback_orders_imposed")
    assert payback * 2 > value("community_justice", "community_payback_orders_imposed", "2019-20")
    assert f"{count(payback * 2)} Community Payback Orders were imposed" not in text  # "still below the high of"
    for stale in ("begins later in 2022", "to be recruited during 2022-23", "on 31 March 2022, 27%"):
        assert stale not in text, f"{fmt} still says '{stale}'"
