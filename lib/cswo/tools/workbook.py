"""The data-entry workbook that services fill in for a new year.

``write_template`` makes ``data/returns/<year>.xlsx``: one sheet per catalogue
table, named exactly as the table, because the loader reads the returns
workbook sheet by sheet under those names. A table sheet holds only the tidy
columns and only the new year's rows, pre-filled with every figure the report
needs, so a filled workbook is valid exactly as the services send it back.
Guidance, last year's figures and the catalogue live on sheets the loader never
reads.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cswo.data.schemas import COLUMNS, STATUS_MEANING
from cswo.errors import CSWOError
from cswo.figures.formatting import neutralise_workbook
from cswo.project.catalogue import TOTAL, UNITS, Measure, Table, load_catalogue
from cswo.project.paths import Project, is_financial_year, previous_year

INSTRUCTIONS_SHEET = "Instructions"
EXAMPLES_SHEET = "Examples"
MEASURES_SHEET = "Measures"
LISTS_SHEET = "Lists"
RESERVED_SHEETS = (INSTRUCTIONS_SHEET, EXAMPLES_SHEET, MEASURES_SHEET, LISTS_SHEET)
SHEET_NAME_LIMIT = 31  # Excel refuses longer sheet names
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
SPARE_ROWS = 200  # room below the pre-filled rows for optional figures

COLUMN_HELP = {
    "year": "Financial year, already filled in. Do not change it.",
    "measure": "Which figure this row is. Pick from the list; the Measures sheet explains each.",
    "breakdown": "'total', or the part of the total this row gives (e.g. a service).",
    "value": "The figure as a plain number: 1377, 45 for 45%, 4716 for £4,716. Leave blank only if you give a status.",
    "unit": "Already filled in; it must match the Measures sheet.",
    "status": "Leave blank when you give a value. Otherwise x (not available), z (not applicable) or c (confidential).",
    "source": "Where the figure comes from, e.g. 'Care Inspectorate return, March 2023'.",
    "note": "Optional: anything a reader of the report should know.",
    "known_slip": "Leave blank. Only for a published figure known not to add up, kept as published: say why.",
}
COLUMN_WIDTHS = {"year": 10, "value": 14, "unit": 14, "status": 9, "source": 48, "note": 40, "known_slip": 30}

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
FILLED_FILL = PatternFill("solid", fgColor="F2F2F2")  # cells the template filled in
TO_FILL_FILL = PatternFill("solid", fgColor="FFF2CC")  # cells the service must fill in
EXAMPLE_FONT = Font(italic=True, color="808080")
TITLE_FONT = Font(bold=True, size=14)
HEADING_FONT = Font(bold=True, size=12)
TEXT = "@"  # keep what is typed as typed: Excel would turn 45% into 0.45


class TemplateError(CSWOError):
    """The data-entry workbook cannot be made."""


class TemplateExistsError(TemplateError):
    """A workbook is already where the template would go; it may hold a service's work."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(
            f"{path} already exists, so a new template was not written over it: it may "
            "already hold figures a service has typed. Move or rename it first, or give "
            "another path."
        )


def write_template(project: Project, year: str, path: Path | None = None) -> Path:
    """Write the data-entry workbook for ``year`` and return where it went.

    The default place is ``data/returns/<year>.xlsx``, where the loader reads it.
    Raises TemplateExistsError if a file is already there, and TemplateError for a
    year not written like 2022-23 or a catalogue table that cannot be a sheet name.
    """
    if not is_financial_year(year):
        raise TemplateError(f"'{year}' is not a financial year written like 2022-23.")
    target = Path(path) if path is not None else project.returns_workbook(year)
    if target.exists():
        raise TemplateExistsError(target)
    catalogue = load_catalogue(project)
    workbook = build_template(catalogue, year, previous_year_rows(project, year))
    target.parent.mkdir(parents=True, exist_ok=True)
    _save_atomically(workbook, target)
    return target


def previous_year_rows(project: Project, year: str) -> dict[str, pd.DataFrame]:
    """Last year's rows of each table, shown to services as worked examples.

    Problems in them are not fatal here: the examples only show the shape of a
    filled row, and validating the data reports the problems in its own right.
    """
    from cswo.data.load import validate_tables  # the loader is only needed for the examples

    last_year = previous_year(year)
    dataset, _problems = validate_tables(project, last_year)
    rows = {}
    for name, frame in dataset.tables.items():
        those = frame[frame["year"] == last_year]
        if len(those):
            rows[name] = those[[c for c in COLUMNS if c in those.columns]].reset_index(drop=True)
    return rows


def build_template(catalogue: dict[str, Table], year: str, examples: dict[str, pd.DataFrame] | None = None) -> Workbook:
    """The workbook for ``year`` in memory. Raises TemplateError for an unusable table name."""
    _check_sheet_names(catalogue)
    workbook = Workbook()
    _instructions_sheet(workbook.active, catalogue, year)
    lists = _Lists()
    for table in catalogue.values():
        _table_sheet(workbook.create_sheet(table.name), table, year, lists)
    _examples_sheet(workbook.create_sheet(EXAMPLES_SHEET), catalogue, year, examples or {})
    _measures_sheet(workbook.create_sheet(MEASURES_SHEET), catalogue)
    lists.write(workbook.create_sheet(LISTS_SHEET))
    return workbook


def _check_sheet_names(catalogue: dict[str, Table]) -> None:
    reserved = {name.lower() for name in RESERVED_SHEETS}
    for name in catalogue:
        if len(name) > SHEET_NAME_LIMIT:
            raise TemplateError(
                f"The catalogue table '{name}' has {len(name)} characters but an Excel sheet "
                f"name can have at most {SHEET_NAME_LIMIT}; shorten the table name in "
                "catalogue.yml."
            )
        if SHEET_NAME_FORBIDDEN & set(name):
            raise TemplateError(
                f"The catalogue table '{name}' contains a character Excel does not allow in a "
                "sheet name ([ ] : * ? / \\); rename it in catalogue.yml."
            )
        if name.lower() in reserved:
            raise TemplateError(
                f"The catalogue table '{name}' has the same name as the template's own "
                f"'{name}' sheet; rename the table in catalogue.yml."
            )


def required_rows(table: Table) -> list[tuple[Measure, str]]:
    """(measure, breakdown) for every figure the report year must have, in catalogue order."""
    return [(measure, breakdown) for measure in table.measures.values() for breakdown in measure.required]


class _Lists:
    """Drop-down choices, kept on a hidden sheet: an inline list may only have 255 characters."""

    def __init__(self):
        self.columns: list[tuple[str, list[str]]] = []

    def add(self, title: str, values: list[str]) -> str:
        """Keep a list and return the range a drop-down reads it from."""
        self.columns.append((title, values))
        letter = get_column_letter(len(self.columns))
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"

    def write(self, sheet: Worksheet) -> None:
        for column, (title, values) in enumerate(self.columns, start=1):
            sheet.cell(row=1, column=column, value=title).font = Font(bold=True)
            for row, value in enumerate(values, start=2):
                sheet.cell(row=row, column=column, value=value)
        sheet.sheet_state = "hidden"


def _drop_down(source: str, prompt: str, error: str, *, strict: bool = True) -> DataValidation:
    validation = DataValidation(type="list", formula1=source, allow_blank=True)
    validation.prompt, validation.promptTitle = prompt, "Choose from the list"
    validation.error, validation.errorTitle = error, "Not in the list"
    validation.errorStyle = "stop" if strict else "warning"
    validation.showInputMessage = validation.showErrorMessage = True
    return validation


def _table_sheet(sheet: Worksheet, table: Table, year: str, lists: _Lists) -> None:
    letter = {name: get_column_letter(i) for i, name in enumerate(COLUMNS, start=1)}
    _header(sheet, COLUMNS, COLUMN_HELP)
    rows = required_rows(table)
    last_row = 1 + len(rows) + SPARE_ROWS
    for row, (measure, breakdown) in enumerate(rows, start=2):
        filled = {
            "year": year,
            "measure": measure.name,
            "breakdown": breakdown,
            "unit": measure.unit,
        }
        for index, name in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=row, column=index, value=filled.get(name))
            if name in filled:
                cell.fill = FILLED_FILL
            elif name in ("value", "source"):
                cell.fill = TO_FILL_FILL
            cell.number_format = TEXT
    for name in COLUMNS:
        sheet.column_dimensions[letter[name]].number_format = TEXT  # for rows the service adds

    def whole(name: str) -> str:
        return f"{letter[name]}2:{letter[name]}{last_row}"

    validations = {
        "year": _drop_down(f'"{year}"', f"This workbook is for {year} only.", f"Only {year} rows belong here."),
        "measure": _drop_down(
            lists.add(f"{table.name} measures", list(table.measures)),
            "Pick the measure; the Measures sheet says what each one means.",
            f"Pick one of the measures of the '{table.name}' table (see the Measures sheet).",
        ),
        "unit": _drop_down(
            lists.add(f"{table.name} units", sorted({m.unit for m in table.measures.values()})),
            "The unit of the measure, as on the Measures sheet.",
            "Pick the measure's unit, as on the Measures sheet.",
        ),
        "status": _drop_down(
            '"' + ",".join(STATUS_MEANING) + '"',
            "Blank if you give a value; else x not available, z not applicable, c confidential.",
            "Use x (not available), z (not applicable) or c (confidential), or leave it blank.",
        ),
    }
    for name, validation in validations.items():
        validation.add(whole(name))
        sheet.add_data_validation(validation)
    for validation in _breakdown_lists(table, rows, last_row, letter["breakdown"], lists):
        sheet.add_data_validation(validation)

    widths = {
        "measure": max(len(name) for name in ["measure", *table.measures]) + 2,
        "breakdown": max(len(name) for name in ["breakdown", *(b for _, b in rows)]) + 4,
    }
    for name in COLUMNS:
        sheet.column_dimensions[letter[name]].width = widths.get(name) or COLUMN_WIDTHS[name]


def _breakdown_lists(
    table: Table, rows: list[tuple[Measure, str]], last_row: int, letter: str, lists: _Lists
) -> list[DataValidation]:
    """A list per measure for its pre-filled rows, and the table's list for the spare rows."""
    validations = []
    for measure in table.measures.values():
        if measure.breakdowns is None:
            continue  # free text, such as a house name
        cells = [f"{letter}{row}" for row, (m, _) in enumerate(rows, start=2) if m.name == measure.name]
        if not cells:
            continue
        source = lists.add(f"{measure.name} breakdowns", [TOTAL, *measure.breakdowns])
        validation = _drop_down(
            source,
            f"'total', or one of the breakdowns of {measure.name}.",
            f"Pick 'total' or one of the breakdowns the catalogue lists for {measure.name}.",
        )
        for cell in cells:
            validation.add(cell)
        validations.append(validation)
    names = [TOTAL]
    for measure in table.measures.values():
        names += [b for b in measure.breakdowns or () if b not in names]
    free_text = any(m.breakdowns is None for m in table.measures.values())
    spare = lists.add(f"{table.name} breakdowns", names)
    validation = _drop_down(
        spare,
        "'total', or a breakdown listed on the Measures sheet.",
        "This breakdown is not one the catalogue lists for this table. Check the Measures sheet.",
        strict=not free_text,  # a free-text measure must still accept any name
    )
    validation.add(f"{letter}{2 + len(rows)}:{letter}{last_row}")
    validations.append(validation)
    return validations


def _header(sheet: Worksheet, names: list[str], help_text: dict[str, str] | None = None) -> None:
    for index, name in enumerate(names, start=1):
        cell = sheet.cell(row=1, column=index, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        if help_text and name in help_text:
            cell.comment = Comment(help_text[name], "CSWO report")
    sheet.freeze_panes = "A2"


def _instructions_sheet(sheet: Worksheet, catalogue: dict[str, Table], year: str) -> None:
    sheet.title = INSTRUCTIONS_SHEET
    last_year = previous_year(year)
    paragraphs: list[tuple[str, str]] = [
        ("title", f"Chief Social Work Officer annual report {year}: data return"),
        (
            "text",
            f"This workbook collects the figures for {year}. Please fill it in and return it "
            "to the CSWO report team as .xlsx; they keep it as "
            f"data/returns/{year}.xlsx, where the report reads it.",
        ),
        ("heading", "What to fill in"),
        (
            "text",
            "Each table has its own sheet, named after the table. Do not rename, reorder or "
            "add columns, and do not rename the sheets: the report reads them by name.",
        ),
        (
            "text",
            f"Every figure the report needs for {year} already has a row. The year, measure, "
            "breakdown and unit are filled in (grey). Type the value and the source "
            "(yellow) on each row.",
        ),
        (
            "text",
            "Value: a plain number as published, without commas, £ or % signs if you can: "
            "1377, 45 for 45%, 4716 for £4,716. Counts of people or cases are whole numbers.",
        ),
        (
            "text",
            "Source: where the figure comes from, so that it can be checked, e.g. "
            "'Care Inspectorate return, March 2023' or 'SWIFT extract 3 May 2023'.",
        ),
        (
            "text",
            "No figure? Leave the value blank and put a status code in the status column "
            "(see below). Never type 0 for a figure you do not have.",
        ),
        (
            "text",
            "You may add rows below the pre-filled ones for other breakdowns listed on the "
            "Measures sheet. Leave a row completely empty rather than half filled.",
        ),
        (
            "text",
            "Note: optional, for anything a reader of the report should know, e.g. "
            "'published as a rounded share; no count given'.",
        ),
        ("heading", "Status codes"),
        *[("pair", f"{code}\t{meaning}") for code, meaning in STATUS_MEANING.items()],
        ("heading", "Units"),
        *[("pair", f"{unit}\t{meaning}") for unit, meaning in UNITS.items()],
        ("heading", "Other sheets"),
        (
            "pair",
            f"{EXAMPLES_SHEET}\tLast year's ({last_year}) figures, in grey italics, as worked "
            "examples of filled rows. That sheet is not read: change nothing there.",
        ),
        (
            "pair",
            f"{MEASURES_SHEET}\tEvery table and measure: what it means, its unit, its "
            "breakdowns and whether the report needs it.",
        ),
        ("heading", "Tables in this workbook"),
        *[("pair", f"{table.name}\t{table.title}. {table.description}".strip()) for table in catalogue.values()],
    ]
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    for row, (kind, text) in enumerate(paragraphs, start=1):
        if kind == "pair":
            key, meaning = text.split("\t", 1)
            sheet.cell(row=row, column=1, value=key).font = Font(bold=True)
            cell = sheet.cell(row=row, column=2, value=meaning)
        else:
            cell = sheet.cell(row=row, column=1, value=text)
            if kind == "text":
                sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind == "title":
            cell.font = TITLE_FONT
        elif kind == "heading":
            cell.font = HEADING_FONT
        if kind == "text":
            sheet.row_dimensions[row].height = 15 * (1 + len(text) // 115)


def _examples_sheet(
    sheet: Worksheet, catalogue: dict[str, Table], year: str, examples: dict[str, pd.DataFrame]
) -> None:
    names = ["table", *COLUMNS]
    _header(sheet, names)
    row = 2
    for table in catalogue:
        frame = examples.get(table)
        for record in [] if frame is None else frame.to_dict("records"):
            for index, name in enumerate(names, start=1):
                value = table if name == "table" else record.get(name, "")
                sheet.cell(row=row, column=index, value=value).font = EXAMPLE_FONT
            row += 1
    if row == 2:
        sheet.cell(row=2, column=1, value=f"No figures for {previous_year(year)} were found in data/.")
    widths = {"table": 26, "measure": 40, "breakdown": 30, **COLUMN_WIDTHS}
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 14)


def _measures_sheet(sheet: Worksheet, catalogue: dict[str, Table]) -> None:
    names = [
        "table",
        "measure",
        "label",
        "unit",
        "breakdowns",
        "required for the report",
        "description",
    ]
    _header(sheet, names)
    row = 2
    for table in catalogue.values():
        for measure in table.measures.values():
            if measure.breakdowns is None:
                breakdowns = "total, or any name (free text)"
            else:
                breakdowns = ", ".join([TOTAL, *measure.breakdowns])
            values = [
                table.name,
                measure.name,
                measure.label,
                measure.unit,
                breakdowns,
                ", ".join(measure.required) or "no",
                measure.description,
            ]
            for index, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=index, value=value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    for index, width in enumerate([24, 44, 44, 14, 40, 30, 70], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.auto_filter.ref = f"A1:G{max(row - 1, 1)}"


def _save_atomically(workbook: Workbook, target: Path) -> None:
    # A half-written workbook must never sit where the loader reads it.
    partial = target.with_name(f".{target.name}.partial")
    neutralise_workbook(workbook)  # a source cell like =HYPERLINK(...) is copied as text, never a formula
    try:
        workbook.save(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
