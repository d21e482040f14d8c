"""Reading a year's data-entry workbook (``data/returns/<year>.xlsx``) into tidy rows.

The workbook has one sheet per service. Each sheet has a line of instructions, a header row, and
one row per figure: its label, unit and last year's value (locked), the value, status, source
and notes (one for members, one for reviewers) to type, and hidden columns naming the table,
measure, breakdown, year and unit. This
module turns those rows back into each table's tidy rows, keeping every row's sheet and row
number, so a problem is reported where the service typed it. An older workbook with one sheet
per table (named as the table, tidy columns) is still read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cswo.data.schemas import COLUMNS

# visible headings of a service sheet, then the hidden columns the loader reads
LABEL, UNIT_SHOWN, LAST_YEAR = "Figure", "Unit (what to type)", "Last year"
TYPED = ["value", "status", "source", "note", "qa_note"]
CODES = ["table", "measure", "breakdown", "year", "unit"]
QA_NOTE = "QA note"  # read as qa_note: headings are matched in lower case, spaces as underscores
HEADER_ROW = 2  # as Excel numbers rows: row 1 holds the sheet's instructions


def service_columns(last_year: str) -> list[str]:
    return [LABEL, UNIT_SHOWN, f"{LAST_YEAR} ({last_year})", "Value", "Status", "Source", "Note", QA_NOTE, *CODES]


@dataclass
class Block:
    """Rows of one table from one sheet; the frame's index is the Excel row minus 2."""

    table: str
    label: str
    frame: pd.DataFrame


def _header_at(raw: pd.DataFrame) -> int | None:
    for position in range(min(5, len(raw))):
        cells = [str(c).strip().lower() for c in raw.iloc[position]]
        if {"table", "measure", "value"} <= set(cells):
            return position
    return None


def read_blocks(sheets: dict[str, pd.DataFrame], workbook_label: str, known: set[str]) -> list[Block]:
    """Tidy blocks from every sheet read with ``header=None``: service sheets and table sheets."""
    blocks: list[Block] = []
    for sheet, raw in sheets.items():
        label = f"{workbook_label}, sheet '{sheet}'"
        header = _header_at(raw)
        if header is None:
            if sheet in known and len(raw):
                frame = raw.iloc[1:].copy()
                frame.columns = [str(c) for c in raw.iloc[0]]
                frame.index = range(len(frame))
                blocks.append(Block(sheet, label, frame))
            continue
        frame = raw.iloc[header + 1 :].copy()
        frame.columns = [str(c).strip().lower().replace(" ", "_") for c in raw.iloc[header]]
        # index + 2 is the Excel row, as for a table whose header is row 1
        frame.index = [position - 1 for position in range(header + 1, header + 1 + len(frame))]
        frame = frame[[c for c in [*CODES, *TYPED] if c in frame.columns]]
        frame = frame[frame.apply(lambda r: any(str(v).strip() for v in r), axis=1)]
        for table, rows in frame.groupby("table", sort=False):
            tidy = rows[[c for c in COLUMNS if c in rows.columns]]
            blocks.append(Block(str(table).strip(), label, tidy))
    return blocks
