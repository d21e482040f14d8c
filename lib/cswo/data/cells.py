"""Cells as the analyst typed them: CSV rows checked field by field, Excel cells read by number format.

A CSV row with more fields than the header (a stray comma) is a located problem, not
silently shifted or cut. An Excel cell is read the way Excel shows it: 0.64 in a
cell formatted as a percentage is 64, dates are 2022-10-01, and whole numbers have
no ".0".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from cswo.errors import Problem, UnreadableTextError
from cswo.project.reading import decode

# Strictly what an analyst types: digits (ASCII only: no full-width ９３), optional thousands commas,
# a decimal point, a £ in front or a % behind. No underscores (9_3), no exponents (1e300), no spaces inside.
NUMBER = re.compile(r"^-?£?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$", re.ASCII)


def parse_number(text: str) -> float | None:
    """A number as an analyst types it ('1,377', '£4,716', '95%'), or None if it is not one."""
    cleaned = text.strip()
    if not NUMBER.match(cleaned):
        return None
    return float(cleaned.replace(",", "").replace("£", "").replace("%", ""))


def read_csv_text(text: str, label: str, problems: list[Problem]) -> pd.DataFrame | None:
    """The rows of a CSV text as strings; a row with more fields than the header is reported and left
    out. None (with the problem added) when the text cannot be read as CSV at all."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        why = "a quoted field is never closed" if "end of data" in str(exc) else str(exc)
        row = len(rows) + 1  # the record that failed, counted as the other rows are
        problems.append(
            Problem(label, row, None, None, f"the file cannot be read as CSV ({why}): check the quotes on this row")
        )
        return None
    if not rows:
        return pd.DataFrame(dtype=str)
    header, body = rows[0], rows[1:]
    width = len(header)
    kept: list[list[str]] = []
    index: list[int] = []
    for number, row in enumerate(body, start=2):
        extra = [field for field in row[width:] if field.strip()]
        if extra:
            problems.append(
                Problem(
                    label,
                    number,
                    None,
                    ",".join(extra)[:60],
                    f"this row has {len(row)} fields but the header has {width}: is there a stray comma? "
                    "Put text that contains commas in double quotes",
                )
            )
            continue
        kept.append((row + [""] * width)[:width])
        index.append(number - 2)
    return pd.DataFrame(kept, columns=header, index=index, dtype=str)


def cell_text(value: object, number_format: str | None) -> str:
    """One Excel cell as the text the analyst sees (a percentage-formatted 0.64 is '64')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        number = float(value)
        if number_format and "%" in number_format:
            number *= 100
        return str(int(round(number))) if abs(number - round(number)) < 1e-9 else f"{number:.10g}"
    return str(value)


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as text frames with no header (position 0 is Excel row 1),
    cells read by number format. Trailing blank rows are dropped; blank rows inside are kept,
    so a row's position still gives its Excel row number."""
    from openpyxl import load_workbook

    # not read_only: its rows start wherever the file's dimension tag says, which may not be row 1
    book = load_workbook(path, data_only=True)
    try:
        sheets = {}
        for sheet in book.worksheets:
            rows = [[cell_text(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
            while rows and not any(v.strip() for v in rows[-1]):
                rows.pop()
            width = max((len(r) for r in rows), default=0)
            sheets[sheet.title] = pd.DataFrame([(r + [""] * width)[:width] for r in rows], dtype=str)
        return sheets
    finally:
        book.close()


def with_header(raw: pd.DataFrame) -> pd.DataFrame:
    """A sheet read by :func:`read_workbook` with its first row as the header (index 0 is Excel row 2)."""
    if not len(raw):
        return pd.DataFrame(dtype=str)
    names = [h if str(h).strip() else f"unnamed: {i}" for i, h in enumerate(raw.iloc[0])]
    frame = raw.iloc[1:].copy()
    frame.columns = names
    frame.index = range(len(frame))
    return frame


def read_text_table(path: Path, label: str, problems: list[Problem]) -> pd.DataFrame | None:
    """A CSV file's rows as text, or None with the problems added (empty, not UTF-8, no data rows)."""
    raw = path.read_bytes()
    if not raw.strip():
        problems.append(Problem(label, None, None, None, "the file is empty: it needs a header row and data rows"))
        return None
    try:
        text = decode(raw, label)
    except UnreadableTextError as exc:
        problems.append(Problem(label, exc.line, None, None, exc.rule))
        return None
    frame = read_csv_text(text, label, problems)
    return None if frame is None else _with_rows(frame, label, problems)


def _with_rows(frame: pd.DataFrame, label: str, problems: list[Problem]) -> pd.DataFrame | None:
    """The frame, or None with a problem when it has a header row and nothing under it."""
    if len(frame.columns) and not len(tidy(frame)):
        problems.append(Problem(label, None, None, None, "the table has a header row but no data rows"))
        return None
    return frame


def read_first_sheet(path: Path, label: str, problems: list[Problem]) -> pd.DataFrame | None:
    """A one-table workbook's first sheet as text, or None with the problems added."""
    try:
        sheets = read_workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        problems.append(Problem(label, None, None, None, f"the workbook cannot be read ({type(exc).__name__})"))
        return None
    if not sheets:
        problems.append(Problem(label, None, None, None, "the workbook has no sheets"))
        return None
    return _with_rows(with_header(next(iter(sheets.values()))), label, problems)


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case stripped headers and cells, no unnamed columns, no blank rows."""
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    frame = frame.loc[:, [not str(c).startswith("unnamed:") for c in frame.columns]]
    frame = frame.apply(lambda s: s.astype(str).str.strip())
    empty = (frame == "").all(axis=1)
    return frame.loc[~empty]
