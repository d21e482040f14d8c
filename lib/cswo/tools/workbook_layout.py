"""How the data-entry workbook's sheets look: columns, colours, Excel's own checks, printing.

:mod:`cswo.tools.workbook` decides which rows a year's workbook holds; this module lays them
out: the instructions sheet, one sheet per service (locked labels, yellow cells to type in,
values checked as typed), the measures sheet, and a print set-up that never overprints.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cswo.data.returns import (
    FIRST_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    MEASURES_SHEET,
    QA_NOTE,
    QUERY,
    TYPED_HEADINGS,
    Row,
    service_columns,
)
from cswo.data.schemas import STATUS_MEANING
from cswo.project.catalogue import TOTAL, UNITS, WHOLE_NUMBER_UNITS, Measure, Table
from cswo.project.paths import previous_year

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")  # cells not to be typed in
TO_FILL_FILL = PatternFill("solid", fgColor="FFF2CC")  # cells the service types in
TITLE_FONT = Font(bold=True, size=14)
HEADING_FONT = Font(bold=True, size=12)
WIDTHS = [60, 30, 18, 16, 9, 44, 36, 36, 36]
QUERY_HELP = (
    f"{QUERY}: a question still open on the figure (for example 'check with finance'). While any row has one, "
    "the report is a DRAFT: the figure is marked where it is printed and no final paper is made. Delete the "
    "question once it is answered."
)
MEASURES_WIDTHS = [24, 44, 44, 14, 40, 30, 70]


def value_check(measure: Measure) -> DataValidation:
    """What Excel accepts in a value cell: numbers only, percentages 0-100, counts whole."""
    if measure.scale is not None:
        low, high = measure.scale
        check = DataValidation(
            type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True
        )
        check.error = f"Type a grade as a whole number from {low} to {high}, such as {(low + high) // 2 + 1}."
    elif measure.unit in WHOLE_NUMBER_UNITS:
        check = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        check.error = "Type a whole number (a count of people, cases or events), such as 93."
    elif measure.unit == "percent":
        check = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
        check.error = "Type a percentage as a number from 0 to 100, such as 45 for 45%."
    else:
        check = DataValidation(
            type="decimal", operator="between", formula1="-1000000000000", formula2="1000000000000", allow_blank=True
        )
        check.error = "Type a number only: no words, and no £ or % signs."
    check.errorTitle, check.errorStyle = "Not a number this row accepts", "stop"
    check.prompt, check.promptTitle = f"Unit: {UNITS.get(measure.unit, measure.unit)}"[:250], "Value"
    check.showErrorMessage = check.showInputMessage = True
    return check


def _status_check() -> DataValidation:
    check = DataValidation(type="list", formula1='"' + ",".join(STATUS_MEANING) + '"', allow_blank=True)
    check.error = "Use x (not available), z (not applicable) or c (confidential), or leave it blank."
    check.errorTitle, check.errorStyle = "Not a status code", "stop"
    check.prompt = "Blank when you give a value; else x not available, z not applicable, c confidential."
    check.promptTitle = "Status"
    check.showErrorMessage = check.showInputMessage = True
    return check


def service_sheet_layout(sheet: Worksheet, year: str, rows: list[Row]) -> None:
    last = previous_year(year)
    names = service_columns(last)
    typed = set(TYPED_HEADINGS)
    instructions = sheet.cell(
        row=1,
        column=1,
        value=(
            f"{sheet.title}: figures for {year}. Type each figure in the yellow Value column as a plain "
            "number (45 for 45%, 4716 for £4,716), and say where it comes from under Source. No figure? "
            "Leave Value empty and put x in Status. Grey cells are locked."
        ),
    )
    instructions.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(WIDTHS))
    sheet.row_dimensions[1].height = 48
    for index, name in enumerate(names, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[HEADER_ROW].height = _height(names, WIDTHS)
    status = _status_check()
    sheet.add_data_validation(status)
    checks: dict[str, DataValidation] = {}
    for excel_row, row in enumerate(rows, start=FIRST_ROW):
        shown = [row.label, UNITS.get(row.measure.unit, row.measure.unit), row.last_year or "none"]
        to_type = [None] * 6  # value, status, source, note, QA note, query
        values = [*shown, *to_type, row.table, row.measure.name, row.breakdown, year, row.measure.unit]
        for index, (name, value) in enumerate(zip(names, values, strict=True), start=1):
            cell = sheet.cell(row=excel_row, column=index, value=value)
            if name in typed:
                cell.protection = Protection(locked=False)
                cell.fill = TO_FILL_FILL
            else:
                cell.fill = LOCKED_FILL
            cell.alignment = Alignment(wrap_text=index <= len(WIDTHS), vertical="top")
        sheet.row_dimensions[excel_row].height = _height(shown, WIDTHS)
        check = checks.get(row.measure.unit)
        if check is None:
            check = checks[row.measure.unit] = value_check(row.measure)
            sheet.add_data_validation(check)
        check.add(f"D{excel_row}")
        status.add(f"E{excel_row}")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index in range(len(WIDTHS) + 1, len(names) + 1):
        sheet.column_dimensions[get_column_letter(index)].hidden = True  # the codes the loader reads
    sheet.freeze_panes = f"A{FIRST_ROW}"
    _print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    sheet.print_area = f"A1:{get_column_letter(len(WIDTHS))}{max(HEADER_ROW, FIRST_ROW + len(rows) - 1)}"
    sheet.protection.sheet = True  # grey cells cannot be changed; no password, so nothing is lost
    sheet.protection.formatColumns = False


def _height(texts: list[str], widths: list[int]) -> float:
    """A row's height in points, tall enough for its longest wrapped text (Excel and LibreOffice
    keep a row one line high unless told, and wrapped text then prints over the next row)."""
    lines = max(1 + len(str(text)) * 11 // (10 * max(width - 2, 1)) for text, width in zip(texts, widths, strict=False))
    return 15.0 * lines


def _print_setup(sheet: Worksheet, title_rows: str | None) -> None:
    """Printed, a sheet is landscape, one page wide, its header repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    if title_rows:
        sheet.print_title_rows = title_rows


def instructions_sheet(sheet: Worksheet, year: str, services: list[str]) -> None:
    sheet.title = INSTRUCTIONS_SHEET
    last_year = previous_year(year)
    paragraphs: list[tuple[str, str]] = [
        ("title", f"Chief Social Work Officer annual report {year}: data return"),
        (
            "text",
            f"This workbook asks for every figure the {year} report uses, and nothing else. Please fill it "
            f"in and return it to the CSWO report team as .xlsx; they keep it as data/returns/{year}.xlsx.",
        ),
        ("heading", "What to fill in"),
        ("text", "Each service has its own sheet, holding only its figures. Fill in the yellow cells."),
        (
            "text",
            f"Value: the figure for {year} as a plain number: 1377, 45 for 45%, 4716 for £4,716. Counts of "
            "people or cases are whole numbers; percentages are from 0 to 100. Excel refuses anything else.",
        ),
        (
            "text",
            f"Last year ({last_year}): the figure the report printed last year, beside each row, to check "
            "yours against. Grey cells are locked: they say what each row is.",
        ),
        ("text", "Source: where the figure comes from, e.g. 'Care Inspectorate return, March 2023'."),
        (
            "text",
            "No figure? Leave the value empty and put a status code in Status. Never type 0 for a figure "
            "you do not have. The report team will rewrite any sentence that needed it.",
        ),
        ("text", "Note: optional, anything a reader of the report should know; it may be printed with the figure."),
        (
            "text",
            f"{QA_NOTE}: optional, anything the report team should check or know (for example 'being checked "
            "with finance'). It is never published: only the reviewers' QA record shows it.",
        ),
        ("text", QUERY_HELP),
        ("heading", "Status codes"),
        *[("pair", f"{code}\t{meaning}") for code, meaning in STATUS_MEANING.items()],
        ("heading", "Sheets"),
        *[("pair", f"{service}\tFigures for {service.lower()}.") for service in services],
        ("pair", f"{MEASURES_SHEET}\tWhat every figure means, for reference. That sheet is not read."),
    ]
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    _print_setup(sheet, None)
    for row, (kind, text) in enumerate(paragraphs, start=1):
        if kind == "pair":
            key, meaning = text.split("\t", 1)
            sheet.cell(row=row, column=1, value=key).font = Font(bold=True)
            cell = sheet.cell(row=row, column=2, value=meaning)
        else:
            cell = sheet.cell(row=row, column=1, value=text)
            if kind == "text":
                sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
                sheet.row_dimensions[row].height = 15 * (1 + len(text) // 115)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind == "title":
            cell.font = TITLE_FONT
        elif kind == "heading":
            cell.font = HEADING_FONT


def _header(sheet: Worksheet, names: list[str]) -> None:
    for index, name in enumerate(names, start=1):
        cell = sheet.cell(row=1, column=index, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    sheet.freeze_panes = "A2"


def measures_sheet(sheet: Worksheet, catalogue: dict[str, Table]) -> None:
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
            sheet.row_dimensions[row].height = _height(values, MEASURES_WIDTHS)
            row += 1
    for index, width in enumerate(MEASURES_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.auto_filter.ref = f"A1:G{max(row - 1, 1)}"
    _print_setup(sheet, "1:1")
