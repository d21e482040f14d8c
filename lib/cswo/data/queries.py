"""Data queries: an open question on a figure's row, in the ``query`` column of its data table.

A non-empty query is an open item until it is answered and cleared. ``cswo review import`` raises
one, in the reviewer's words, when a reviewer changes a figure in the Word draft: a figure is never
typed into the prose, so the change goes to whoever owns the data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from cswo.project.paths import Project
from cswo.project.reading import read_text

QUERY = "query"
FORMULA_START = ("=", "+", "-", "@")  # a spreadsheet would run these: written with a leading '


@dataclass(frozen=True)
class Row:
    """Where a figure's value is kept: its table, measure, breakdown and year."""

    table: str
    measure: str
    breakdown: str
    year: str

    def __str__(self) -> str:
        return f"{self.table}: {self.measure} ({self.breakdown}) for {self.year}"


def table_file(project: Project, table: str) -> Path:
    return project.data_dir / f"{table}.csv"


def find_row(project: Project, row: Row) -> int | None:
    """The row's line number in its CSV as a spreadsheet shows it (header = 1), or None."""
    path = table_file(project, row.table)
    if not path.exists():
        return None
    records = list(csv.DictReader(io.StringIO(read_text(path))))
    for number, record in enumerate(records, start=2):
        if (record.get("year"), record.get("measure"), record.get("breakdown") or "total") == (
            row.year,
            row.measure,
            row.breakdown or "total",
        ):
            return number
    return None


def raise_query(project: Project, row: Row, text: str, dry_run: bool = False) -> str | None:
    """Add ``text`` to the row's ``query`` (after any query already there); the place it was raised,
    as 'data/<table>.csv, row N', or None when the figure has no row in a CSV table (e.g. it comes from
    the returns workbook, whose Query column the analyst fills instead)."""
    number = find_row(project, row)
    path = table_file(project, row.table)
    if number is None:
        return None
    where = f"{path.relative_to(project.root).as_posix()}, row {number}"
    if dry_run:
        return where
    reader = csv.reader(io.StringIO(read_text(path)))
    lines = list(reader)
    header = lines[0]
    if QUERY not in header:
        header.append(QUERY)
        for line in lines[1:]:
            line.extend([""] * (len(header) - len(line)))
    column = header.index(QUERY)
    line = lines[number - 1]
    line.extend([""] * (len(header) - len(line)))
    safe = "'" + text if text.startswith(FORMULA_START) else text
    line[column] = f"{line[column]} | {safe}" if line[column].strip() else safe
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(lines)
    path.write_text(out.getvalue(), encoding="utf-8")
    return where


def open_queries(project: Project) -> list[str]:
    """Every non-empty query in the data tables, located."""
    found = []
    for path in sorted(project.data_dir.glob("*.csv")):
        for number, record in enumerate(csv.DictReader(io.StringIO(read_text(path))), start=2):
            if (record.get(QUERY) or "").strip():
                found.append(f"{path.relative_to(project.root).as_posix()}, row {number}: {record[QUERY].strip()}")
    return found


def query_of(project: Project, row: Row) -> str:
    """The query on the figure's row now ('' when none, or when the row is not in a CSV table)."""
    number = find_row(project, row)
    if number is None:
        return ""
    records = list(csv.DictReader(io.StringIO(read_text(table_file(project, row.table)))))
    return (records[number - 2].get(QUERY) or "").strip()
