"""Data rows under query: an open question on a figure's row, in the ``query`` column of any data
table (the returns workbook's "Query" column).

A service manager or analyst who doubts a figure writes the question in the row's ``query`` cell
(e.g. "check with finance"); ``cswo review import`` raises one, in the reviewer's words, when a
reviewer changes a figure in the Word draft (a figure is never typed into the prose). The figure
stays in the data, but it is an *open item*: the year's papers are DRAFT while it is there, the
draft marks the figure where it is printed ([query]), and a final build refuses. Answering it is
deleting the question (and correcting the value, or keeping it with a note saying how it was settled).

- reading: :func:`rows_under_query` (a validated table's rows, located), :func:`queried`;
- writing: :func:`raise_query` (a reviewer's change to a figure), :func:`open_queries` (a raw scan).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pandas as pd

from cswo.project.paths import Project
from cswo.project.reading import read_text

QUERY = "query"
QUERY_COLUMN = QUERY
QUERY_MARK = "[query]"  # printed after a queried figure in a draft
FORMULA_START = ("=", "+", "-", "@")  # a spreadsheet would run these: written with a leading '


@dataclass(frozen=True)
class Query:
    """One row under query, located as the analyst sees it."""

    file: str
    row: int
    question: str
    table: str
    measure: str = ""
    breakdown: str = ""
    year: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.table, self.measure, self.breakdown, self.year)

    def figure(self) -> str:
        if not self.measure:
            return f"this row of {self.table}"
        breakdown = "" if self.breakdown in ("", "total") else f", {self.breakdown}"
        return f"{self.table}.{self.measure}{breakdown} for {self.year}"

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}: {self.figure()} is under query: {self.question}"


def rows_under_query(frame: pd.DataFrame, table: str) -> list[Query]:
    """Every row of a validated table (with its ``file`` and ``row``) whose query cell is not empty."""
    if QUERY_COLUMN not in frame.columns or frame.empty:
        return []
    asked = frame[frame[QUERY_COLUMN].fillna("").astype(str).str.strip() != ""]
    return [
        Query(
            str(r["file"]),
            int(r["row"]),
            str(r[QUERY_COLUMN]).strip(),
            table,
            str(r.get("measure", "")),
            str(r.get("breakdown", "")),
            str(r.get("year", "")),
        )
        for _, r in asked.iterrows()
    ]


def as_records(queries: list[Query]) -> list[dict]:
    return [vars(q) for q in queries]


def from_records(records: list[dict]) -> list[Query]:
    return [Query(**record) for record in records]


def queried(queries: list[Query]) -> set[tuple[str, str, str, str]]:
    """(table, measure, breakdown, year) of every figure under query."""
    return {q.key for q in queries if q.measure}


@dataclass(frozen=True)
class Row:
    """Where a figure's value is kept: its table, measure, breakdown and year."""

    table: str
    measure: str
    breakdown: str
    year: str

    def __str__(self) -> str:
        return f"{self.table}: {self.measure} ({self.breakdown}) for {self.year}"


def find_row(project: Project, row: Row) -> int | None:
    """The row's line number in its CSV as a spreadsheet shows it (header = 1), or None."""
    path = project.table_file(row.table)
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
    path = project.table_file(row.table)
    if number is None:
        return None
    where = f"{project.shown(path)}, row {number}"
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
                found.append(f"{project.shown(path)}, row {number}: {record[QUERY].strip()}")
    return found


def query_of(project: Project, row: Row) -> str:
    """The query on the figure's row now ('' when none, or when the row is not in a CSV table)."""
    number = find_row(project, row)
    if number is None:
        return ""
    records = list(csv.DictReader(io.StringIO(read_text(project.table_file(row.table)))))
    return (records[number - 2].get(QUERY) or "").strip()
