"""The year's data-entry workbook (``data/returns/<year>.xlsx``): its format, and reading it into tidy rows.

This module owns the format: which sheet and row each figure goes on (:func:`workbook_rows`,
:func:`row_locations`), the columns, and the reader. The writer (:mod:`cswo.tools.workbook`) lays
out and styles what it is given here, and validation locates a missing figure with the same rows.

The workbook has one sheet per service. Each sheet has a line of instructions, a header row, and
one row per figure: its label, unit and last year's value (locked), the value, status, source
and notes (one for members, one for reviewers) to type, and hidden columns naming the table,
measure, breakdown, year and unit. This
module turns those rows back into each table's tidy rows, keeping every row's sheet and row
number, so a problem is reported where the service typed it. An older workbook with one sheet
per table (named as the table, tidy columns) is still read.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from cswo.data.cells import read_workbook
from cswo.data.schemas import COLUMNS
from cswo.errors import Problem
from cswo.project.catalogue import TOTAL, Measure, Table
from cswo.project.paths import Project

# visible headings of a service sheet, then the hidden columns the loader reads
LABEL, UNIT_SHOWN, LAST_YEAR = "Figure", "Unit (what to type)", "Last year"
CODES = ["table", "measure", "breakdown", "year", "unit"]
QA_NOTE = "QA note"  # read as qa_note: headings are matched in lower case, spaces as underscores
QUERY = "Query"  # read as query: a question on the figure, an open item until it is answered (data/queries.py)
# the headings of the columns a service types in (the writer unlocks them, the updater keeps them)
TYPED_HEADINGS = ("Value", "Status", "Source", "Note", QA_NOTE, QUERY)
TYPED = [heading.lower().replace(" ", "_") for heading in TYPED_HEADINGS]  # as the loader reads them
HEADER_ROW = 2  # as Excel numbers rows: row 1 holds the sheet's instructions
FIRST_ROW = HEADER_ROW + 1  # the first figure's row
INSTRUCTIONS_SHEET = "Instructions"
MEASURES_SHEET = "Measures"
RESERVED_SHEETS = GUIDE_SHEETS = (INSTRUCTIONS_SHEET, MEASURES_SHEET)  # for people, never read back
SHEET_NAME_LIMIT = 31  # Excel refuses longer sheet names


def service_sheet(section: str) -> str:
    """The sheet a service fills in: its section, as words ('mental_health' -> 'Mental health')."""
    return section.replace("_", " ").capitalize()[:SHEET_NAME_LIMIT]


def service_columns(last_year: str) -> list[str]:
    shown = [LABEL, UNIT_SHOWN, f"{LAST_YEAR} ({last_year})", *TYPED_HEADINGS]
    return [*shown, *CODES]


@dataclass
class Block:
    """Rows of one table from one sheet; the frame's index is the Excel row minus 2."""

    table: str
    label: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Row:
    """One figure to fill in: where it goes in the data, and what the service sees."""

    service: str
    table: str
    measure: Measure
    breakdown: str
    last_year: str  # last year's value as the report printed it, or "" when there was none

    @property
    def label(self) -> str:
        if self.breakdown == TOTAL:
            return self.measure.label
        return f"{self.measure.label}: {self.measure.breakdown_label(self.breakdown)}"


def workbook_rows(keys, catalogue: dict[str, Table], sections: list[str], last_values: dict | None = None) -> list[Row]:
    """The rows for ``keys`` (needed figures of the year), by service sheet, in catalogue order.

    A table belongs to the first section the catalogue lists for it (the service that supplies it).
    """
    last_values = last_values or {}
    order = {name: index for index, name in enumerate(catalogue)}
    rows = []
    for key in keys:
        table = catalogue.get(key.table)
        if table is None or key.measure not in table.measures:
            continue  # a name the catalogue lacks is reported by validation, not given a row
        owner = next((s for s in table.sections if s in sections), table.sections[0] if table.sections else "")
        measure = table.measures[key.measure]
        listed = list(measure.breakdowns or ())
        rank = (
            sections.index(owner) if owner in sections else len(sections),
            order[key.table],
            list(table.measures).index(key.measure),
            -1 if key.breakdown == TOTAL else (listed.index(key.breakdown) if key.breakdown in listed else 999),
        )
        last = last_values.get((key.table, key.measure, key.breakdown), "")
        rows.append((rank, Row(service_sheet(owner or "other"), key.table, measure, key.breakdown, last)))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def row_locations(rows: list[Row], workbook_label: str) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(table, measure, breakdown) -> (sheet label, Excel row): where each figure is typed."""
    found, next_row = {}, {}
    for row in rows:
        excel_row = next_row.get(row.service, FIRST_ROW)
        next_row[row.service] = excel_row + 1
        found[(row.table, row.measure.name, row.breakdown)] = (f"{workbook_label}, sheet '{row.service}'", excel_row)
    return found


def as_typed(number: float, unit: str) -> str:
    """A value as the Value cell asks for it, in the same unit: 7,800 for £7.8 million in a £000 row."""
    shown = f"{number:,.0f}" if number == int(number) else f"{number:,.10g}"
    return {"gbp": f"£{shown}", "gbp_thousand": f"{shown} (£000)", "percent": f"{shown}%"}.get(unit, shown)


def _header_at(raw: pd.DataFrame) -> int | None:
    for position in range(min(5, len(raw))):
        cells = [str(c).strip().lower() for c in raw.iloc[position]]
        if {"table", "measure", "value"} <= set(cells):
            return position
    return None


def read_blocks(
    sheets: dict[str, pd.DataFrame],
    workbook_label: str,
    known: set[str],
    problems: list[Problem] | None = None,
    sections_of: dict[str, tuple[str, ...]] | None = None,
) -> list[Block]:
    """Tidy blocks from every sheet read with no header: service sheets and table sheets.

    A sheet that is neither (a misnamed table sheet, someone's notes) and a sheet with a header
    but no rows are added to ``problems``: their figures would otherwise be silently ignored. So is
    a figure on the sheet of a service whose sections do not read its table (``sections_of``:
    table -> the sections that read it), where that service would not be asked for it."""
    problems = [] if problems is None else problems
    blocks: list[Block] = []
    for sheet, raw in sheets.items():
        label = f"{workbook_label}, sheet '{sheet}'"
        header = _header_at(raw)
        if header is None:
            if sheet in known and len(raw) > 1:
                frame = raw.iloc[1:].copy()
                frame.columns = [str(c) for c in raw.iloc[0]]
                frame.index = range(len(frame))
                blocks.append(Block(sheet, label, frame))
            elif sheet in known and len(raw):
                problems.append(Problem(label, None, None, None, "the sheet has a header row but no data rows"))
            elif sheet not in GUIDE_SHEETS and _holds_anything(raw):
                problems.append(_unknown_sheet(label, sheet, known))
            continue
        found = _service_blocks(raw, header, label)
        if not found:
            problems.append(Problem(label, None, None, None, "the sheet has a header row but no figures under it"))
        for block in found:
            problems.extend(_on_wrong_sheet(block, sheet, (sections_of or {}).get(block.table)))
        blocks.extend(found)
    return blocks


def _on_wrong_sheet(block: Block, sheet: str, sections: tuple[str, ...] | None) -> list[Problem]:
    """A row on a service's sheet whose table that service's section does not read."""
    if not sections or sheet in {service_sheet(s) for s in sections}:
        return []
    owners = " or ".join(f"'{service_sheet(s)}'" for s in sections)
    return [
        Problem(
            block.label,
            int(index) + 2,
            "measure",
            row.get("measure", ""),
            f"this figure belongs to the {owners} sheet (its table, {block.table}, is read by that section only): "
            "type it there",
        )
        for index, row in block.frame.iterrows()
    ]


def _service_blocks(raw: pd.DataFrame, header: int, label: str) -> list[Block]:
    frame = raw.iloc[header + 1 :].copy()
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in raw.iloc[header]]  # "QA note" -> qa_note
    # index + 2 is the Excel row, as for a table whose header is row 1
    frame.index = [position - 1 for position in range(header + 1, header + 1 + len(frame))]
    frame = frame[[c for c in [*CODES, *TYPED] if c in frame.columns]]
    frame = frame[frame.apply(lambda r: any(str(v).strip() for v in r), axis=1)]
    return [
        Block(str(table).strip(), label, rows[[c for c in COLUMNS if c in rows.columns]])
        for table, rows in frame.groupby("table", sort=False)
    ]


def _holds_anything(frame: pd.DataFrame) -> bool:
    return bool(frame.map(lambda v: str(v).strip() != "").to_numpy().any()) if len(frame) else False


def _unknown_sheet(label: str, sheet: str, known: set[str]) -> Problem:
    close = difflib.get_close_matches(sheet, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return Problem(
        label,
        None,
        None,
        None,
        "this sheet is neither a service's sheet (with the Figure, Value and hidden table columns) nor named "
        f"as a table, so its figures would be ignored: {hint}see data/README.md for the table names",
    )


def read_returns(
    project: Project,
    year: str,
    known: set[str],
    problems: list[Problem],
    sections_of: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, list[Block]]:
    """The year's returns workbook, read once, as blocks of rows by table (empty when there is none).
    Cells are read by their number format, so 0.64 in a percentage cell is 64."""
    workbook = project.returns_workbook(year)
    if not workbook.exists():
        return {}
    label = f"data/returns/{workbook.name}"
    try:
        sheets = read_workbook(workbook)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        problems.append(Problem(label, None, None, None, f"cannot be read ({type(exc).__name__})"))
        return {}
    by_table: dict[str, list[Block]] = {}
    for block in read_blocks(sheets, label, known, problems, sections_of):
        by_table.setdefault(block.table, []).append(block)
    return by_table
