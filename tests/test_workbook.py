"""The data-entry workbook: written for a new year, filled in, read back by the loader."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import yaml

import cswo.data.load
import cswo.tools.workbook
from cswo.data.load import load_dataset, validate_tables
from cswo.data.schemas import COLUMNS, STATUS_MEANING
from cswo.errors import CSWOError, DataValidationError
from cswo.project.catalogue import TOTAL, Table, load_catalogue, parse_catalogue
from cswo.project.parameters import load_parameters
from cswo.project.paths import Project
from cswo.tools.workbook import (
    EXAMPLES_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MEASURES_SHEET,
    TemplateError,
    TemplateExistsError,
    build_template,
    required_rows,
    write_template,
)
from support import REFERENCE

REPO = Path(__file__).resolve().parents[1]
NEW_YEAR = "2022-23"
COLUMN = {name: index for index, name in enumerate(COLUMNS, start=1)}


@pytest.fixture
def project(tmp_path) -> Project:
    """A copy of the shipped project's data and 2021-22 parameters."""
    shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("returns"))
    (tmp_path / "parameters").mkdir()
    shutil.copy(REPO / "parameters" / "2021-22.yml", tmp_path / "parameters")
    shutil.copy(REPO / "catalogue.yml", tmp_path / "catalogue.yml")
    return Project(tmp_path)


@pytest.fixture
def sections() -> list[str]:
    return load_parameters(REPO / "parameters" / "2021-22.yml").sections


def table_sheets(workbook) -> Iterator[tuple[Table, openpyxl.worksheet.worksheet.Worksheet]]:
    for name, table in load_catalogue(REFERENCE).items():
        yield table, workbook[name]


def list_values(workbook, formula: str) -> list[str]:
    """The choices a drop-down offers: inline ("x,z,c") or a range on the lists sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet, column, first, _, last = match.groups()
    cells = workbook[sheet][f"{column}{first}:{column}{last}"]
    return [row[0].value for row in cells]


def drop_down_for(sheet, cell: str):
    found = [v for v in sheet.data_validations.dataValidation if cell in v.sqref]
    assert len(found) == 1, f"{sheet.title}!{cell} has {len(found)} drop-downs"
    return found[0]


# --- the workbook as written ------------------------------------------------------------


def test_template_sheets_headers_and_prefilled_rows(project):
    path = write_template(project, NEW_YEAR)
    assert path == project.returns_workbook(NEW_YEAR)
    workbook = openpyxl.load_workbook(path)
    catalogue = load_catalogue(REFERENCE)
    assert workbook.sheetnames[0] == INSTRUCTIONS_SHEET
    assert workbook.sheetnames[1 : 1 + len(catalogue)] == list(catalogue)
    assert {EXAMPLES_SHEET, MEASURES_SHEET, LISTS_SHEET} <= set(workbook.sheetnames)
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    assert not list(path.parent.glob(".*partial"))
    for table, sheet in table_sheets(workbook):
        assert [c.value for c in sheet[1]] == COLUMNS
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        prefilled = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2) if row[0].value]
        expected = [
            [NEW_YEAR, m.name, breakdown, None, m.unit, None, None, None, None] for m, breakdown in required_rows(table)
        ]
        assert prefilled == expected, table.name


def test_template_drop_downs(project):
    workbook = openpyxl.load_workbook(write_template(project, NEW_YEAR))
    with_breakdown_list = 0
    for table, sheet in table_sheets(workbook):
        spare = f"{len(required_rows(table)) + 2}"  # the first row below the pre-filled ones
        for row in ("2", spare):
            measure = drop_down_for(sheet, f"B{row}")
            assert measure.type == "list" and measure.errorStyle == "stop"
            assert list_values(workbook, measure.formula1) == list(table.measures)
            unit = drop_down_for(sheet, f"E{row}")
            units = {m.unit for m in table.measures.values()}
            assert set(list_values(workbook, unit.formula1)) == units
            status = drop_down_for(sheet, f"F{row}")
            assert list_values(workbook, status.formula1) == list(STATUS_MEANING)
            assert status.allow_blank
        for row, (measure, _breakdown) in enumerate(required_rows(table), start=2):
            if measure.breakdowns is None:
                assert not [v for v in sheet.data_validations.dataValidation if f"C{row}" in v.sqref]
                continue
            choices = list_values(workbook, drop_down_for(sheet, f"C{row}").formula1)
            assert choices == [TOTAL, *measure.breakdowns]
            with_breakdown_list += 1
        spare_choices = list_values(workbook, drop_down_for(sheet, f"C{spare}").formula1)
        for measure in table.measures.values():
            assert set(measure.breakdowns or ()) <= set(spare_choices)
    assert with_breakdown_list > 0


def test_template_drop_downs_fit_excel_limits(project):
    """Excel 'repairs' (strips) a workbook whose drop-down texts or inline lists are too long."""
    workbook = openpyxl.load_workbook(write_template(project, NEW_YEAR))
    for sheet in workbook.worksheets:
        for validation in sheet.data_validations.dataValidation:
            assert len(validation.prompt or "") <= 255, validation.prompt
            assert len(validation.error or "") <= 225, validation.error
            assert len(validation.promptTitle or "") <= 32
            assert len(validation.errorTitle or "") <= 32
            if validation.formula1.startswith('"'):
                assert len(validation.formula1) <= 257


def test_template_instructions_explain_status_codes_and_examples(project):
    workbook = openpyxl.load_workbook(write_template(project, NEW_YEAR))
    text = "\n".join(str(cell.value) for row in workbook[INSTRUCTIONS_SHEET].iter_rows() for cell in row)
    for code, meaning in STATUS_MEANING.items():
        assert code in text and meaning in text
    assert NEW_YEAR in text and "2021-22" in text
    assert EXAMPLES_SHEET in text and "not read" in text
    for name in load_catalogue(REFERENCE):
        assert name in text


def test_template_shows_last_years_rows_as_examples(tmp_path, monkeypatch):
    catalogue = parse_catalogue(
        yaml.safe_load(
            """
            tables:
              complaints:
                title: Complaints
                measures:
                  complaints_received:
                    label: Complaints received
                    unit: count
                    required: true
            """
        )
    )
    monkeypatch.setattr(cswo.data.load, "load_catalogue", lambda project: catalogue)
    monkeypatch.setattr(cswo.tools.workbook, "load_catalogue", lambda project: catalogue)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "complaints.csv").write_text(
        "year,measure,breakdown,value,unit,status,source,note\n"
        "2020-21,complaints_received,total,9,count,,Report 2020-21,\n"
        "2021-22,complaints_received,total,10,count,,Report 2021-22,checked\n"
    )
    workbook = openpyxl.load_workbook(write_template(Project(tmp_path), NEW_YEAR))
    examples = workbook[EXAMPLES_SHEET]
    rows = [[c.value for c in row] for row in examples.iter_rows(min_row=2)]
    assert [c.value for c in examples[1]] == ["table", *COLUMNS]
    assert rows == [
        ["complaints", "2021-22", "complaints_received", "total", "10", "count", None]
        + ["Report 2021-22", "checked", None]
    ]
    assert examples["E2"].font.italic and examples["E2"].font.color.rgb.endswith("808080")


def test_template_refuses_to_overwrite(project):
    path = write_template(project, NEW_YEAR)
    before = path.read_bytes()
    with pytest.raises(TemplateExistsError) as raised:
        write_template(project, NEW_YEAR)
    assert isinstance(raised.value, CSWOError)
    assert str(path) in str(raised.value) and "already exists" in str(raised.value)
    assert path.read_bytes() == before


def test_template_to_another_path(project, tmp_path):
    elsewhere = tmp_path / "to send" / "returns 2022-23.xlsx"
    assert write_template(project, NEW_YEAR, elsewhere) == elsewhere
    assert elsewhere.is_file()
    assert not project.returns_workbook(NEW_YEAR).exists()


def test_template_year_must_be_a_financial_year(project):
    with pytest.raises(TemplateError, match="2022-23"):
        write_template(project, "2022/23")
    assert not project.returns_workbook("2022/23").parent.exists()


@pytest.mark.parametrize(
    "name",
    ["a_table_name_far_too_long_for_a_sheet", "grades[children]", "instructions", "Lists"],
)
def test_template_refuses_a_table_that_cannot_be_a_sheet(name):
    catalogue = parse_catalogue({"tables": {name: {"title": "T", "measures": {"m": {"label": "M", "unit": "count"}}}}})
    with pytest.raises(TemplateError, match=re.escape(name)):
        build_template(catalogue, NEW_YEAR)


# --- filled in and read back -------------------------------------------------------------

BASE = {
    "count": 12,
    "percent": 40,
    "gbp": 1500,
    "gbp_thousand": 250.5,
    "rate_per_100": 3.5,
    "rate_per_1000": 12.5,
    "days": 7,
    "days_per_fte": 11.2,
    "hours": 3400,
    "years": 78.4,
    "number": 4.5,
}


def plausible_values(table: Table, rows: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """A value for each (measure, breakdown) that keeps every consistency rule of the table."""
    values: dict[tuple[str, str], float] = {}
    for offset, (measure, breakdown) in enumerate(rows):
        unit = table.measures[measure].unit
        values[(measure, breakdown)] = BASE[unit] + (offset if unit == "count" else 0)
    for measure in table.measures.values():
        parts = [key for key in values if key[0] == measure.name and key[1] != TOTAL]
        for rule in measure.rules:
            if rule.kind == "shares_sum_to_100" and parts:
                share, remainder = divmod(100, len(parts))
                for index, key in enumerate(parts):
                    values[key] = share + (remainder if index == 0 else 0)
            elif rule.kind == "parts_sum_to_total" and (measure.name, TOTAL) in values:
                values[(measure.name, TOTAL)] = sum(values[key] for key in parts)
    for measure in table.measures.values():
        for rule in measure.rules:
            count = values.get((rule.count, TOTAL))
            denominator = values.get((rule.denominator, TOTAL))
            if rule.kind in ("share_of", "rate_of") and count and denominator:
                per = 100 if rule.kind == "share_of" else (rule.per or 1000)
                values[(measure.name, TOTAL)] = round(count / denominator * per, 1)
    return values


def fill(path: Path, *, status_for=lambda table, measure: None) -> int:
    """Type a value (or a status) and a source on every pre-filled row, as a service would."""
    workbook = openpyxl.load_workbook(path)
    filled = 0
    for table, sheet in table_sheets(workbook):
        rows = [r for r in sheet.iter_rows(min_row=2) if r[0].value]
        keys = [(r[COLUMN["measure"] - 1].value, r[COLUMN["breakdown"] - 1].value) for r in rows]
        values = plausible_values(table, keys)
        for cells, key in zip(rows, keys, strict=True):
            status = status_for(table, table.measures[key[0]])
            if status:
                cells[COLUMN["status"] - 1].value = status
                cells[COLUMN["note"] - 1].value = "Not collected this year"
            else:
                value = values[key]
                # Services type numbers, or text such as "1,500" into the text-formatted cells.
                cells[COLUMN["value"] - 1].value = value if filled % 2 else f"{value:,}"
            cells[COLUMN["source"] - 1].value = f"{table.title} return, May 2023"
            filled += 1
    workbook.save(path)
    return filled


def test_filled_template_validates(project, sections):
    path = write_template(project, NEW_YEAR)
    assert fill(path) > 0
    dataset, found = validate_tables(project, NEW_YEAR, sections)
    assert found == [], "\n".join(map(str, found))
    label = f"data/returns/{path.name}, sheet 'complaints'"
    complaints = dataset.table("complaints")
    assert (complaints.loc[complaints["file"] == label, "year"] == NEW_YEAR).all()
    assert len(complaints[complaints["file"] == label]) == len(required_rows(load_catalogue(REFERENCE)["complaints"]))


def test_filled_template_with_statuses_validates(project, sections):
    def not_available(table, measure):
        return "x" if not measure.rules else None

    path = write_template(project, NEW_YEAR)
    fill(path, status_for=not_available)
    dataset = load_dataset(project, NEW_YEAR, sections)
    assert any(dataset.table(name)["status"].eq("x").any() for name in dataset.tables)


def unfilled_figures(catalogue, sections):
    """(table, measure, breakdown, pre-filled row) for each figure the report must have."""
    for table in catalogue.values():
        if set(table.sections) & set(sections):
            for row, (measure, breakdown) in enumerate(required_rows(table), start=2):
                yield table.name, measure.name, breakdown, row


def reported(problem, label: str, measure: str, breakdown: str, row: int) -> bool:
    """The problem is about this figure: on its row of the sheet, or naming it as missing."""
    on_row = problem.file == label and problem.row == row
    names_it = f"measure '{measure}', breakdown '{breakdown}'" in problem.rule
    return on_row or names_it


def test_unfilled_template_reports_every_figure(project, sections):
    path = write_template(project, NEW_YEAR)
    _dataset, found = validate_tables(project, NEW_YEAR, sections)
    figures = list(unfilled_figures(load_catalogue(REFERENCE), sections))
    assert figures
    for table, measure, breakdown, row in figures:
        label = f"data/returns/{path.name}, sheet '{table}'"
        assert any(reported(p, label, measure, breakdown, row) for p in found), (table, measure)
    with pytest.raises(DataValidationError) as raised:
        load_dataset(project, NEW_YEAR, sections)
    assert "2022-23" in str(raised.value)


def test_unfilled_template_problems_point_at_sheet_and_row(project, sections):
    path = write_template(project, NEW_YEAR)
    _dataset, found = validate_tables(project, NEW_YEAR, sections)
    for table, measure, breakdown, row in unfilled_figures(load_catalogue(REFERENCE), sections):
        label = f"data/returns/{path.name}, sheet '{table}'"
        about = [p for p in found if reported(p, label, measure, breakdown, row)]
        assert about and all((p.file, p.row) == (label, row) for p in about), about


def test_unfilled_template_in_a_project_with_no_tables_yet(tmp_path, sections):
    (tmp_path / "data").mkdir()
    project = Project(tmp_path)
    write_template(project, NEW_YEAR)
    _dataset, found = validate_tables(project, NEW_YEAR, sections)
    assert len(found) >= len(list(unfilled_figures(load_catalogue(project), sections)))
