"""Data rows under query: the ``query`` column of any data table, and the workbook's "Query" column.

A service manager or analyst who doubts a figure writes the question in the row's ``query`` cell
(e.g. "check with finance"). The figure stays in the data, but it is an *open item*: the year's
papers are DRAFT while it is there, the draft marks the figure where it is printed, and a final
build refuses. Answering it is deleting the question (and correcting the value, or keeping it
with a note saying how it was settled).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

QUERY_COLUMN = "query"
QUERY_MARK = "[query]"  # printed after a queried figure in a draft


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
