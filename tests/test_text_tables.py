"""Text tables (tables of text taken from other papers): the project declares them, every row
carries its year, as-at date and source, and a year shows its own rows or the latest earlier ones."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cswo.data.load import validate_tables
from cswo.data.schemas import TEXT_TABLE_COLUMNS, text_rows_for_year
from cswo.project.catalogue import load_catalogue
from cswo.project.paths import BASE_CATALOGUE_FILE, Project

REPO = Path(__file__).resolve().parents[1]
HEADER = "year,as_at,source,number,action\n"
TRACKER = {"text_tables": {"tracker": {"number": "Row number", "action": "What was done"}}}


def project(tmp_path: Path, rows: str, catalogue: dict | None = TRACKER) -> Project:
    (tmp_path / "data").mkdir()
    if catalogue is not None:
        (tmp_path / "catalogue.yml").write_text(yaml.safe_dump(catalogue, sort_keys=False), encoding="utf-8")
    (tmp_path / "data" / "tracker.csv").write_text(HEADER + rows, encoding="utf-8")
    return Project(tmp_path)


def test_the_package_declares_no_text_table_and_the_reference_project_declares_its_own():
    assert "text_tables" not in (yaml.safe_load(BASE_CATALOGUE_FILE.read_text(encoding="utf-8")) or {})
    declared = load_catalogue(Project(REPO)).text_tables
    assert set(declared) == {"governance_framework", "audit_recommendations"}
    assert list(declared["governance_framework"])[0] == "function_number"


def test_a_text_table_the_project_does_not_declare_is_an_unknown_file(tmp_path):
    _, problems = validate_tables(project(tmp_path, "2021-22,2022-03-31,Paper 1,1,Done\n", catalogue=None), "2021-22")
    assert [(p.file, p.rule) for p in problems] == [
        ("data/tracker.csv", "this file is not a known table; see data/README.md")
    ]


def test_every_row_carries_its_year_date_and_source(tmp_path):
    rows = (
        "2021-22,2022-03-31,Paper 1,1,Done\n"
        "2021-22,2022-04-31,Paper 1,2,Started\n"  # no such day
        "2021-22,2022-03-31,Paper 2,3,Planned\n"  # another source in the same year
        "2021,2021-03-31,Paper 1,1,Done\n"  # not a financial year
        "2020-21,2021-03-31,,1,Done\n"  # no source
    )
    _, problems = validate_tables(project(tmp_path, rows), "2021-22")
    found = {(p.row, p.column, p.rule.split(" (")[0].split(";")[0]) for p in problems}
    assert (3, "as_at", "the as_at date must be a date like 2022-03-31") in found
    assert (4, "as_at", "a year's rows must share one as_at date and one source") in found
    assert (5, "year", "the year must be a financial year like 2021-22") in found
    assert (6, "source", "the source is empty") in found
    assert not [p for p in problems if p.row == 2]


def test_a_missing_year_column_is_named(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "catalogue.yml").write_text(yaml.safe_dump(TRACKER, sort_keys=False), encoding="utf-8")
    (tmp_path / "data" / "tracker.csv").write_text("number,action\n1,Done\n", encoding="utf-8")
    _, problems = validate_tables(Project(tmp_path), "2021-22")
    assert {(p.column, p.rule) for p in problems} >= {
        (column, "this required column is missing from the header row") for column in TEXT_TABLE_COLUMNS
    }


@pytest.mark.parametrize(
    ("year", "shown"),
    [("2019-20", []), ("2020-21", ["Planned"]), ("2021-22", ["Planned"]), ("2022-23", ["Done", "Started"])],
)
def test_a_year_shows_its_own_rows_or_the_latest_earlier_years(tmp_path, year, shown):
    rows = (
        "2022-23,2023-03-31,Paper 2,1,Done\n"
        "2020-21,2021-03-31,Paper 1,1,Planned\n"
        "2022-23,2023-03-31,Paper 2,2,Started\n"
    )
    dataset, problems = validate_tables(project(tmp_path, rows), "2022-23")
    assert problems == []
    assert list(text_rows_for_year(dataset.text_tables["tracker"], year)["action"]) == shown


def test_the_reference_frameworks_leads_are_this_years_and_follow_from_the_2018_framework():
    from cswo.project.parameters import load_year

    year = "2021-22"
    reference = yaml.safe_load((REPO / "tests" / "reference" / "governance_framework_2018_leads.yml").read_text())
    dataset, problems = validate_tables(Project(REPO), year)
    assert problems == []
    framework = text_rows_for_year(dataset.text_tables["governance_framework"], year)
    assert set(framework["year"]) == {year}, "the leads shown are this year's, not carried from another year"
    cswo = load_year(Project(REPO), year).cswo.name
    named, roles = set(reference["named_in_the_2021_22_report"]), set(reference["roles"])
    wrong = []
    for row in framework.itertuples():
        slots = [[n.strip() for n in slot.split("/")] for slot in row.lead.split("; ")]
        before = reference["leads_2018"][int(row.function_number)]
        assert len(slots) == len(before) == len(row.assurance_mechanisms.split("; ")) == len(row.frequency.split("; "))
        for mechanism, (now, then) in enumerate(zip(slots, before, strict=True), start=1):
            expected = {cswo if n == reference["cswo_2018"] else n for n in then if n in named | roles} | (
                {cswo} if reference["cswo_2018"] in then else set()
            )
            shown = set(now) - {"To be confirmed"}
            if shown != expected or ("To be confirmed" in now) != (not expected):
                wrong.append(f"function {row.function_number}, mechanism {mechanism}: {now} (2018: {then})")
    assert wrong == []
