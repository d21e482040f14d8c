"""The data layer: every rule, broken once, is reported where the analyst will look for it.

Each test builds a small project in a temporary folder, breaks one cell and checks
the Problem names the file, the row as Excel shows it (header row 1, first data
row 2), the column and the rule. The rules are tested against a small catalogue of
their own so that edits to the shipped catalogue cannot make them pass or fail;
the last test checks the shipped data against the shipped catalogue.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
import yaml

import cswo.data.load
from cswo.data.load import load_dataset, validate_tables
from cswo.data.schemas import COLUMNS, TEXT_TABLE_COLUMNS
from cswo.errors import CSWOError, DataValidationError, Problem
from cswo.project.catalogue import parse_catalogue
from cswo.project.parameters import load_parameters
from cswo.project.paths import Project

REPO = Path(__file__).resolve().parents[1]

RULES_CATALOGUE = yaml.safe_load(
    """
tables:
  complaints:
    title: Complaints
    sections: [complaints]
    measures:
      complaints_received:
        label: Social work complaints received
        unit: count
        breakdowns:
          childrens_services: Children's Services
          community_justice: Community Justice
        required: [total, childrens_services, community_justice]
        rules: [parts_sum_to_total]
      complaint_outcome_share:
        label: Complaints by outcome
        unit: percent
        breakdowns: {upheld: Upheld, partially_upheld: Partially upheld, not_upheld: Not upheld, resolved: Resolved}
        required: [upheld, not_upheld]
        rules: [shares_sum_to_100]
  workforce:
    title: Workforce
    sections: [workforce]
    measures:
      headcount: {label: Social work headcount, unit: count, required: true}
      leavers: {label: Leavers, unit: count, required: true}
      leavers_share:
        label: Leavers as a share of headcount
        unit: percent
        rules: [{share_of: {count: leavers, denominator: headcount}}]
      leavers_per_1000:
        label: Leavers per 1,000 staff
        unit: rate_per_1000
        rules: [{rate_of: {count: leavers, population: headcount, per: 1000}}]
      absence_days_per_fte: {label: Days lost per FTE, unit: days_per_fte}
      women_share: {label: Women in the workforce, unit: percent}
      house_grade: {label: Care home grade, unit: number, breakdowns: any}
"""
)
SOURCE = "CSWO Annual Report 2021-22"


def complaints_rows() -> list[dict[str, str]]:
    """Valid rows; the comment gives each one's Excel row."""
    return [
        row("2020-21", "complaints_received", "total", "9"),  # row 2
        row("2021-22", "complaints_received", "total", "10"),  # row 3
        row("2021-22", "complaints_received", "childrens_services", "6"),  # row 4
        row("2021-22", "complaints_received", "community_justice", "4"),  # row 5
        row("2021-22", "complaint_outcome_share", "upheld", "40", unit="percent"),  # row 6
        row("2021-22", "complaint_outcome_share", "not_upheld", "60", unit="percent"),  # row 7
    ]


def workforce_rows() -> list[dict[str, str]]:
    return [
        row("2021-22", "headcount", "total", "800"),  # row 2
        row("2021-22", "leavers", "total", "80"),  # row 3
        row("2021-22", "leavers_share", "total", "10", unit="percent"),  # row 4
        row("2021-22", "leavers_per_1000", "total", "100", unit="rate_per_1000"),  # row 5
        row("2021-22", "absence_days_per_fte", "total", "12.5", unit="days_per_fte"),  # row 6
        row("2021-22", "women_share", "total", "78", unit="percent"),  # row 7
        row("2021-22", "house_grade", "Harbour House", "5", unit="number"),  # row 8
    ]


def row(year, measure, breakdown, value, unit="count", status="", source=SOURCE, note=""):
    return dict(
        year=year,
        measure=measure,
        breakdown=breakdown,
        value=value,
        unit=unit,
        status=status,
        source=source,
        note=note,
    )


def changed(rows: list[dict], excel_row: int, **cells) -> list[dict]:
    """A copy of ``rows`` with cells of one row changed, the row given as Excel shows it."""
    rows = [dict(r) for r in rows]
    rows[excel_row - 2].update(cells)
    return rows


def csv_text(rows: list[dict], columns: list[str] | None = None) -> str:
    columns = columns or list(COLUMNS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_xlsx(path: Path, sheets: dict[str, list[dict]]) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(COLUMNS))
        for r in rows:
            sheet.append([r.get(c, "") or None for c in COLUMNS])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


@pytest.fixture
def rules_catalogue(monkeypatch):
    catalogue = parse_catalogue(RULES_CATALOGUE)
    monkeypatch.setattr(cswo.data.load, "load_catalogue", lambda project: catalogue)
    return catalogue


@pytest.fixture
def project(tmp_path, rules_catalogue) -> Project:
    """A project whose data passes every rule; tests overwrite one file to break one."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "complaints.csv").write_text(csv_text(complaints_rows()), "utf-8")
    (tmp_path / "data" / "workforce.csv").write_text(csv_text(workforce_rows()), "utf-8")
    return Project(tmp_path)


def write(project: Project, name: str, content: str | bytes) -> None:
    path = project.data_dir / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def problems(project: Project, year: str = "2021-22", sections=None) -> list[Problem]:
    _dataset, found = validate_tables(project, year, sections)
    return found


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, "expected exactly one problem, got:\n" + "\n".join(map(str, found))
    return found[0]


def assert_problem(problem: Problem, file: str, row: int | None, column: str | None, phrase: str):
    assert (problem.file, problem.row, problem.column) == (file, row, column), str(problem)
    assert phrase in problem.rule, str(problem)


# --- the valid starting point -------------------------------------------------------


def test_valid_project_has_no_problems(project):
    dataset, found = validate_tables(project, "2021-22", ["complaints", "workforce"])
    assert found == []
    complaints = dataset.table("complaints")
    assert len(complaints) == 6
    assert complaints.loc[complaints["row"] == 3, "number"].item() == 10.0
    assert set(complaints["file"]) == {"data/complaints.csv"}


def test_report_year_sees_no_later_years(project):
    rows = [*complaints_rows(), row("2022-23", "complaints_received", "total", "12")]
    write(project, "complaints.csv", csv_text(rows))
    dataset, found = validate_tables(project, "2021-22")
    assert found == []
    assert "2022-23" not in set(dataset.table("complaints")["year"])


# --- one rule per test ---------------------------------------------------------------


@pytest.mark.parametrize("year", ["2021/22", "2021-2022", "2021-23", "21-22", "2021"])
def test_year_not_written_like_2021_22(project, year):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 2, year=year)))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 2, "year", "financial year written like 2021-22")
    assert problem.value == year


def test_unknown_measure(project):
    write(
        project,
        "complaints.csv",
        csv_text(changed(complaints_rows(), 4, measure="complaints_recieved")),
    )
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 4, "measure", "not one of this table's measures")
    assert problem.value == "complaints_recieved"
    assert "declared in the project's catalogue.yml" in problem.rule


def test_breakdown_not_allowed_for_measure(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, breakdown="children")))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 4, "breakdown", "not one the catalogue lists")


def test_empty_breakdown(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 3, breakdown="")))
    found = problems(project)
    assert any((p.row, p.column) == (3, "breakdown") and "use 'total'" in p.rule for p in found), found


def test_any_breakdown_accepts_free_text(project):
    rows = changed(workforce_rows(), 8, breakdown="Another House, Dundee")
    write(project, "workforce.csv", csv_text(rows))
    assert problems(project) == []


@pytest.mark.parametrize("value", ["abc", "1O", "12 people", "n/a", "-", "1.2.3"])
def test_value_not_a_number(project, value):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, value=value)))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 4, "value", "not a number")
    assert problem.value == value


@pytest.mark.parametrize(("excel_row", "value"), [(6, "1,377.5"), (6, "£1,377"), (6, " 12.5 "), (7, "78%")])
def test_value_as_published_is_a_number(project, excel_row, value):
    write(project, "workforce.csv", csv_text(changed(workforce_rows(), excel_row, value=value)))
    assert problems(project) == []


def test_unit_differs_from_catalogue(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, unit="percent")))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 4, "unit", "does not match the catalogue's unit")


def test_unit_not_a_unit(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, unit="people")))
    found = problems(project)
    assert {(p.file, p.row, p.column) for p in found} == {("data/complaints.csv", 4, "unit")}
    assert any("the unit is not one of count" in p.rule for p in found), found


@pytest.mark.parametrize("status", ["n", "X", "na", "suppressed"])
def test_status_not_a_code(project, status):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, value="", status=status)))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 4, "status", "x (not available)")


def test_value_and_status_both_given(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, status="x")))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 4, "value", "either a value or a status")


def test_neither_value_nor_status(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, value="")))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 4, "value", "either a value or a status")


@pytest.mark.parametrize("status", ["x", "z", "c"])
def test_status_instead_of_value_is_accepted(project, status):
    rows = changed(complaints_rows(), 4, value="", status=status, note="not collected")
    write(project, "complaints.csv", csv_text(rows))
    assert problems(project, sections=["complaints"]) == []


def test_empty_source(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, source="")))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 4, "source", "the source is empty")


def test_negative_value(project):
    write(project, "workforce.csv", csv_text(changed(workforce_rows(), 6, value="-1")))
    problem = only(problems(project))
    assert_problem(problem, "data/workforce.csv", 6, "value", "no figure may be negative")


@pytest.mark.parametrize("value", ["100.1", "101", "250"])
def test_percent_over_100(project, value):
    write(project, "workforce.csv", csv_text(changed(workforce_rows(), 7, value=value)))
    problem = only(problems(project))
    assert_problem(problem, "data/workforce.csv", 7, "value", "percentages 0 to 100")


def test_percent_of_exactly_100_is_accepted(project):
    write(project, "workforce.csv", csv_text(changed(workforce_rows(), 7, value="100")))
    assert problems(project) == []


def test_fractional_count(project):
    write(project, "workforce.csv", csv_text(changed(workforce_rows(), 2, value="800.5")))
    problem = only(problems(project))
    assert_problem(problem, "data/workforce.csv", 2, "value", "counts are whole numbers")


def test_duplicate_row(project):
    rows = complaints_rows()
    write(project, "complaints.csv", csv_text([*rows, rows[2]]))  # row 4 again, as row 8
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 8, "measure", "already appear in an earlier row")


def test_missing_required_column(project):
    columns = [c for c in COLUMNS if c != "source"]
    write(project, "complaints.csv", csv_text(complaints_rows(), columns))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 1, "source", "required column is missing")


def test_note_column_is_optional(project):
    columns = [c for c in COLUMNS if c != "note"]
    write(project, "complaints.csv", csv_text(complaints_rows(), columns))
    assert problems(project) == []


def test_unknown_extra_column(project):
    rows = [dict(r, comment="checked") for r in complaints_rows()]
    write(project, "complaints.csv", csv_text(rows, [*COLUMNS, "comment"]))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 1, "comment", "this column is not expected")


def test_header_case_and_spaces_are_forgiven(project):
    text = csv_text(complaints_rows())
    header, rest = text.split("\n", 1)
    header = ",".join(f" {name.title()} " for name in header.split(","))
    write(project, "complaints.csv", header + "\n" + rest)
    assert problems(project) == []


def test_parts_do_not_add_up_to_total(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 3, value="11")))
    problem = only(problems(project))
    assert_problem(
        problem,
        "data/complaints.csv",
        3,
        "value",
        "the breakdowns add up to 10 but the total is 11",
    )
    assert "give the reason in this row's known_slip column" in problem.rule


def test_a_part_not_reported_that_year_never_switches_the_sum_off(project):
    """A breakdown with no row that year was not reported: the parts that were must still add up."""
    rows = [r for i, r in enumerate(complaints_rows(), start=2) if i != 5]
    write(project, "complaints.csv", csv_text(changed(rows, 3, value="11")))
    problem = only(problems(project))
    assert problem.row == 3 and "add up to 6 but the total is 11" in problem.rule


def test_a_part_with_no_value_leaves_the_sum_unchecked(project):
    rows = changed(complaints_rows(), 4, value="", status="x")
    write(project, "complaints.csv", csv_text(changed(rows, 3, value="11")))
    assert problems(project) == []


def test_shares_do_not_add_up_to_100(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 6, value="45")))
    problem = only(problems(project))
    # No total row for shares, so the problem sits on the measure's first row that year.
    assert_problem(problem, "data/complaints.csv", 6, "value", "the shares add up to 105%")


def test_rounded_shares_within_tolerance_pass(project):
    """Whole-number shares may be out by half a point each: 40 + 61 is fine."""
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 7, value="61")))
    assert problems(project) == []


def test_share_tolerance_follows_the_digits_shown(project):
    """28.5 + 17 + 55.5 = 101: the tolerance is 0.05 + 0.5 + 0.05, so 101 is reported."""
    rows = changed(complaints_rows(), 6, value="28.5")
    rows = changed(rows, 7, value="17")
    rows.append(row("2021-22", "complaint_outcome_share", "partially_upheld", "55.5", unit="percent"))
    write(project, "complaints.csv", csv_text(rows))
    problem = only(problems(project))
    assert "add up to 101%" in problem.rule and "±0.6" in problem.rule


def test_a_share_marked_not_applicable_does_not_switch_the_rule_off(project):
    rows = changed(complaints_rows(), 6, value="28.5")
    rows = changed(rows, 7, value="84")
    rows.append(row("2021-22", "complaint_outcome_share", "resolved", "", unit="percent", status="z"))
    write(project, "complaints.csv", csv_text(rows))
    assert "add up to 112.5%" in only(problems(project)).rule


def test_a_share_of_exactly_0_is_exact(project):
    rows = changed(complaints_rows(), 6, value="28.5")
    rows = changed(rows, 7, value="17")
    rows.append(row("2021-22", "complaint_outcome_share", "partially_upheld", "55.5", unit="percent"))
    rows.append(row("2021-22", "complaint_outcome_share", "resolved", "0", unit="percent"))
    write(project, "complaints.csv", csv_text(rows))
    assert "add up to 101%" in only(problems(project)).rule


def test_a_known_slip_is_kept_as_published_with_a_warning(project):
    rows = changed(complaints_rows(), 3, value="11", known_slip="the published total is 11; the parts add up to 10")
    write(project, "complaints.csv", csv_text(rows))
    dataset, found = validate_tables(project, "2021-22")
    assert found == []
    (slip,) = dataset.slips
    assert slip["measure"] == "complaints_received" and slip["year"] == "2021-22" and slip["row"] == 3
    assert "the published total is 11" in dataset.slip_warnings()[0]


def test_a_known_slip_in_one_year_leaves_other_years_checked(project):
    rows = changed(complaints_rows(), 3, value="11", known_slip="kept as published")
    rows += [
        row("2020-21", "complaints_received", "childrens_services", "5"),
        row("2020-21", "complaints_received", "community_justice", "5"),
    ]
    write(project, "complaints.csv", csv_text(rows))
    problem = only(problems(project))
    assert problem.row == 2 and "2020-21" in problem.rule
    dataset, _ = validate_tables(project, "2020-21")
    assert dataset.slips == []  # a later year's slip is not this year's


def test_share_disagrees_with_count_and_denominator(project):
    write(project, "workforce.csv", csv_text(changed(workforce_rows(), 4, value="15")))
    problem = only(problems(project))
    assert_problem(problem, "data/workforce.csv", 4, "value", "does not agree with leavers 80")
    assert "headcount 800" in problem.rule


def test_rate_disagrees_with_count_and_population(project):
    write(project, "workforce.csv", csv_text(changed(workforce_rows(), 5, value="90")))
    problem = only(problems(project))
    assert_problem(problem, "data/workforce.csv", 5, "value", "the rate 90 does not agree")


def test_missing_figure_for_report_year(project):
    rows = [r for i, r in enumerate(complaints_rows(), start=2) if i != 5]
    write(project, "complaints.csv", csv_text(rows))
    problem = only(problems(project, sections=["complaints"]))
    assert_problem(problem, "data/complaints.csv", None, "value", "for 2021-22 is missing")
    assert "Community Justice" in problem.rule and "community_justice" in problem.rule


def test_missing_figures_only_for_sections_built(project):
    (project.data_dir / "workforce.csv").unlink()
    assert problems(project, sections=["complaints"]) == []
    found = problems(project, sections=["workforce"])
    assert {p.rule.split(" for ")[0] for p in found} == {"Social work headcount", "Leavers"}
    assert all(p.file == "data/workforce.csv" and p.row is None for p in found)


def test_figures_missing_for_a_new_year(project):
    found = problems(project, year="2022-23", sections=["complaints"])
    assert len(found) == 5
    assert all("for 2022-23 is missing" in p.rule for p in found)


def test_unknown_data_file(project):
    write(project, "complains.csv", csv_text(complaints_rows()))
    problem = only(problems(project))
    assert_problem(problem, "data/complains.csv", None, None, "not a known table")


def test_csv_and_xlsx_both_present(project):
    write_xlsx(project.data_dir / "complaints.xlsx", {"complaints": complaints_rows()})
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.xlsx", None, None, "keep one")
    assert "data/complaints.csv" in problem.rule


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\r\n"])
def test_empty_file(project, content):
    write(project, "complaints.csv", content)
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", None, None, "the file is empty")


def test_not_utf8(project):
    rows = changed(complaints_rows(), 5, note="Café Project referrals")
    write(project, "complaints.csv", csv_text(rows).encode("latin-1"))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 5, None, "not UTF-8")


def test_utf8_with_byte_order_mark_is_accepted(project):
    rows = changed(complaints_rows(), 5, note="Café Project referrals")
    write(project, "complaints.csv", csv_text(rows).encode("utf-8-sig"))
    assert problems(project) == []


def test_unreadable_csv(project):
    write(project, "complaints.csv", csv_text(complaints_rows()) + '2021-22,"unclosed\n')
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 8, None, "a quoted field is never closed")


def test_xlsx_table_is_read_like_csv(project):
    from_csv, _ = validate_tables(project, "2021-22")
    (project.data_dir / "complaints.csv").unlink()
    write_xlsx(project.data_dir / "complaints.xlsx", {"complaints": complaints_rows()})
    from_xlsx, found = validate_tables(project, "2021-22", ["complaints"])
    assert found == []
    columns = [*COLUMNS, "number", "row"]
    assert from_xlsx.table("complaints")[columns].equals(from_csv.table("complaints")[columns])
    assert set(from_xlsx.table("complaints")["file"]) == {"data/complaints.xlsx"}


def test_xlsx_table_problems_are_located_like_csv(project):
    (project.data_dir / "complaints.csv").unlink()
    rows = changed(complaints_rows(), 4, value="abc")
    write_xlsx(project.data_dir / "complaints.xlsx", {"complaints": rows})
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.xlsx", 4, "value", "not a number")


def test_xlsx_cells_are_read_by_their_number_format(project):
    (project.data_dir / "complaints.csv").unlink()
    write_xlsx(project.data_dir / "complaints.xlsx", {"complaints": complaints_rows()})
    path = project.data_dir / "complaints.xlsx"
    workbook = openpyxl.load_workbook(path)
    value = workbook.active.cell(row=6, column=COLUMNS.index("value") + 1)  # upheld share, shown as 40%
    value.value, value.number_format = 0.4, "0%"
    workbook.active.cell(row=3, column=COLUMNS.index("value") + 1).value = 10  # a number, not text
    workbook.save(path)
    dataset, found = validate_tables(project, "2021-22")
    assert found == []
    table = dataset.table("complaints")
    assert list(table.loc[table["row"].isin([3, 6]), "value"]) == ["10", "40"]


def test_damaged_xlsx(project):
    (project.data_dir / "complaints.csv").unlink()
    write(project, "complaints.xlsx", b"PK\x03\x04 not really a workbook")
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.xlsx", None, None, "cannot be read")


# --- the returns workbook beside the tables -------------------------------------------


def returns_label(project: Project, year: str, table: str) -> str:
    return f"data/returns/{project.returns_workbook(year).name}, sheet '{table}'"


def test_returns_workbook_rows_join_the_table(project):
    new_rows = [
        row("2022-23", "complaints_received", "total", "12"),
        row("2022-23", "complaints_received", "childrens_services", "7"),
        row("2022-23", "complaints_received", "community_justice", "5"),
        row("2022-23", "complaint_outcome_share", "upheld", "50", unit="percent"),
        row("2022-23", "complaint_outcome_share", "not_upheld", "50", unit="percent"),
    ]
    write_xlsx(project.returns_workbook("2022-23"), {"complaints": new_rows})
    dataset, found = validate_tables(project, "2022-23", ["complaints"])
    assert found == []
    table = dataset.table("complaints")
    assert set(table["year"]) == {"2020-21", "2021-22", "2022-23"}
    label = returns_label(project, "2022-23", "complaints")
    assert list(table.loc[table["file"] == label, "row"]) == [2, 3, 4, 5, 6]


def test_returns_workbook_problems_name_workbook_and_sheet(project):
    new_rows = [
        row("2022-23", "complaints_received", "total", "12"),
        row("2022-23", "complaints_received", "childrens_services", "seven"),
    ]
    write_xlsx(project.returns_workbook("2022-23"), {"complaints": new_rows})
    problem = only(problems(project, year="2022-23"))
    label = returns_label(project, "2022-23", "complaints")
    assert_problem(problem, label, 3, "value", "not a number")


def test_row_given_in_csv_and_returns_workbook(project):
    write_xlsx(project.returns_workbook("2022-23"), {"complaints": [complaints_rows()[1]]})
    problem = only(problems(project, year="2022-23"))
    label = returns_label(project, "2022-23", "complaints")
    assert_problem(problem, label, 2, "measure", "already given in data/complaints.csv")


def test_row_numbers_survive_a_line_of_empty_cells(project):
    text = csv_text(changed(complaints_rows(), 7, value="abc"))
    lines = text.split("\n")
    write(project, "complaints.csv", "\n".join([*lines[:3], ",,,,,,,", *lines[3:]]))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 8, "value", "not a number")


def test_row_numbers_survive_an_empty_sheet_row(project):
    new_rows = [
        row("2022-23", "complaints_received", "total", "12"),  # row 2
        {},  # row 3, left empty
        row("2022-23", "complaints_received", "childrens_services", "seven"),  # row 4
    ]
    write_xlsx(project.returns_workbook("2022-23"), {"complaints": new_rows})
    problem = only(problems(project, year="2022-23"))
    assert_problem(problem, returns_label(project, "2022-23", "complaints"), 4, "value", "number")


@pytest.mark.parametrize("sheet, hint", [("complaint", "did you mean 'complaints'?"), ("my notes", "")])
def test_a_returns_sheet_the_suite_does_not_read_is_reported(project, sheet, hint):
    new_rows = [row("2022-23", "complaints_received", "total", "12")]
    write_xlsx(project.returns_workbook("2022-23"), {sheet: new_rows})
    problem = only(problems(project, year="2022-23"))
    assert_problem(problem, returns_label(project, "2022-23", sheet), None, None, "its figures would be ignored")
    assert hint in problem.rule and ("did you mean" in problem.rule) == bool(hint)


def test_a_header_only_returns_sheet_is_reported(project):
    write_xlsx(project.returns_workbook("2022-23"), {"complaints": []})
    problem = only(problems(project, year="2022-23"))
    assert_problem(problem, returns_label(project, "2022-23", "complaints"), None, None, "no data rows")


def test_load_dataset_raises_every_problem_at_once(project):
    rows = changed(complaints_rows(), 4, value="abc")
    write(project, "complaints.csv", csv_text(changed(rows, 5, source="")))
    with pytest.raises(DataValidationError) as raised:
        load_dataset(project, "2021-22")
    assert isinstance(raised.value, CSWOError)
    assert len(raised.value.problems) == 2
    message = str(raised.value)
    assert "data/complaints.csv, row 4, column 'value': the value is not a number" in message
    assert "data/complaints.csv, row 5, column 'source'" in message


# --- faults found in data.py by these tests, now fixed ---------------------------------


def test_row_numbers_survive_a_blank_csv_line(project):
    text = csv_text(changed(complaints_rows(), 7, value="abc"))
    lines = text.split("\n")
    write(project, "complaints.csv", "\n".join([*lines[:3], "", *lines[3:]]))
    problem = only(problems(project))
    assert_problem(problem, "data/complaints.csv", 8, "value", "not a number")


def test_a_nul_character_makes_the_file_unreadable_with_a_way_to_resave_it(project):
    write(project, "complaints.csv", csv_text(complaints_rows()).replace(",10,", ",1\x000,", 1))
    problem = only(problems(project))
    assert problem.file == "data/complaints.csv" and "NUL characters" in problem.rule and "UTF-8" in problem.rule


def test_header_only_table(project):
    write(project, "complaints.csv", csv_text([]))
    found = problems(project, sections=["complaints"])
    assert "header row but no data rows" in found[0].rule and found[0].file == "data/complaints.csv"
    assert found[1:] and all("is missing" in p.rule for p in found[1:])


def test_header_only_text_table_is_reported(project, rules_catalogue):
    rules_catalogue.text_tables["agreed_actions"] = {"action": "What was agreed", "lead": "Who leads it"}
    write(project, "agreed_actions.csv", ",".join([*TEXT_TABLE_COLUMNS, "action", "lead"]) + "\n")
    problem = only(problems(project))
    assert_problem(problem, "data/agreed_actions.csv", None, None, "header row but no data rows")


def test_a_row_with_a_stray_comma_is_located_not_shifted(project):
    lines = csv_text(complaints_rows()).split("\n")
    lines[3] += ",oops"  # the data row Excel shows as row 4
    write(project, "complaints.csv", "\n".join(lines))
    found = problems(project)
    rule = f"this row has {len(COLUMNS) + 1} fields but the header has {len(COLUMNS)}"
    assert_problem(found[0], "data/complaints.csv", 4, None, rule)
    assert found[0].value == "oops"


@pytest.mark.parametrize("typed", ["9_3", "\uff19\uff13", "1e300", "1e3", "4 5", "--4", "1,00", "nan", "inf"])
def test_numbers_are_read_strictly_as_typed(project, typed):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 4, value=typed)))
    found = problems(project)
    assert any(p.row == 4 and p.column == "value" and "not a number" in p.rule for p in found), found


@pytest.mark.parametrize("typed, number", [("1,377", 1377), ("£4,716", 4716), ("6", 6), ("6.0", 6)])
def test_numbers_typed_as_analysts_type_them_are_read(project, typed, number):
    rows = changed(complaints_rows(), 4, value=typed)
    rows = changed(rows, 3, value=str(number + 4))  # the total still adds up
    rows = changed(rows, 2, value=str(number + 2))  # and is not a thousand times last year's (a unit slip)
    write(project, "complaints.csv", csv_text(rows))
    dataset, found = validate_tables(project, "2021-22")
    assert found == []
    table = dataset.table("complaints")
    assert table.loc[table["row"] == 4, "number"].item() == number


def test_an_implausibly_large_count_is_refused(project):
    rows = changed(complaints_rows(), 4, value="60000000000")
    rows = changed(rows, 3, value="60000000004")
    write(project, "complaints.csv", csv_text(rows))
    found = problems(project)
    assert any(p.row == 4 and "implausibly large" in p.rule for p in found), found


def test_header_given_twice(project):
    text = csv_text(complaints_rows())
    header, rest = text.split("\n", 1)
    lines = [line + ",1" for line in rest.strip().split("\n")]
    write(project, "complaints.csv", header + ",Value\n" + "\n".join(lines) + "\n")
    found = problems(project)
    assert any(p.row == 1 and p.column == "value" for p in found), found


def test_returns_sheet_without_year_column(project):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "complaints"
    sheet.append([c for c in COLUMNS if c != "year"])
    sheet.append(["complaints_received", "total", 12, "count", None, SOURCE])
    project.returns_workbook("2022-23").parent.mkdir(parents=True)
    workbook.save(project.returns_workbook("2022-23"))
    problem = only(problems(project, year="2022-23"))
    label = returns_label(project, "2022-23", "complaints")
    assert_problem(problem, label, 1, "year", "required column is missing")


def test_duplicate_in_one_file_reported_once_beside_a_returns_workbook(project):
    rows = complaints_rows()
    write(project, "complaints.csv", csv_text([*rows, rows[2]]))
    write_xlsx(
        project.returns_workbook("2022-23"),
        {"complaints": [row("2022-23", "complaints_received", "total", "12")]},
    )
    problem = only(problems(project, year="2022-23"))
    assert_problem(problem, "data/complaints.csv", 8, "measure", "already appear in an earlier row")


# --- the shipped data ------------------------------------------------------------------


def test_shipped_data_passes_for_2021_22():
    """The real acceptance test: the data in data/ builds the 2021-22 report."""
    parameters = load_parameters(REPO / "parameters" / "2021-22.yml")
    _dataset, found = validate_tables(Project(REPO), "2021-22", parameters.sections)
    assert found == [], "\n".join(map(str, found))


# --- figures the source gives only in words -------------------------------------------


def test_approximate_figure_is_accepted_with_its_value(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 6, approximate="just under")))
    assert problems(project, sections=["complaints"]) == []


def test_approximate_must_use_a_known_wording(project):
    write(project, "complaints.csv", csv_text(changed(complaints_rows(), 6, approximate="roughly-ish")))
    problem = only(problems(project, sections=["complaints"]))
    assert_problem(problem, "data/complaints.csv", 6, "approximate", "just under")


def test_approximate_figure_needs_a_value(project):
    rows = changed(complaints_rows(), 4, value="", status="x", approximate="almost")
    write(project, "complaints.csv", csv_text(rows))
    problem = only(problems(project, sections=["complaints"]))
    assert_problem(problem, "data/complaints.csv", 4, "approximate", "needs its value")
