"""Data rows under query: read from any table's query column, located, and marked where printed."""

from __future__ import annotations

import pandas as pd

from cswo.compose.section import _with_markers, queried_names
from cswo.data.load import validate_tables
from cswo.data.queries import Query, queried, rows_under_query
from cswo.data.returns import TYPED, service_columns
from cswo.pipeline.openitems import query_items

YEAR = "2021-22"


def _ask(project, table: str, year: str, measure: str, question: str) -> int:
    """Put ``question`` in the query column of the row for ``measure`` in ``year``; its file row."""
    path = project.data_dir / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "query" not in frame.columns:
        frame["query"] = ""
    rows = frame.index[(frame["year"] == year) & (frame["measure"] == measure) & (frame["breakdown"] == "total")]
    frame.loc[rows[0], "query"] = question
    frame.to_csv(path, index=False)
    return int(rows[0]) + 2


def test_a_row_under_query_is_located_by_file_and_row(project_copy):
    row = _ask(project_copy, "complaints", YEAR, "complaints_received", "check with the complaints team")
    dataset, problems = validate_tables(project_copy, YEAR)
    assert problems == []
    [query] = dataset.queries
    assert (query.file, query.row, query.question) == ("data/complaints.csv", row, "check with the complaints team")
    assert str(query).startswith(f"data/complaints.csv, row {row}: complaints.complaints_received for {YEAR}")
    [item] = query_items(dataset.queries)
    assert (item.kind, item.file, item.where) == ("query", "data/complaints.csv", f"row {row}")


def test_a_table_without_a_query_column_has_no_queries(project_copy):
    dataset, _ = validate_tables(project_copy, YEAR)
    assert dataset.queries == []  # the reference's own query (SDS Option 2) is resolved in its data


def test_the_workbook_asks_for_a_query_beside_the_notes():
    assert "query" in TYPED and "Query" in service_columns(YEAR)


def test_an_empty_query_is_no_query():
    frame = pd.DataFrame(
        {
            "year": [YEAR, YEAR],
            "measure": ["a", "b"],
            "breakdown": ["total"] * 2,
            "query": ["", " "],
            "file": ["data/t.csv"] * 2,
            "row": [2, 3],
        }  # fmt: skip
    )
    assert rows_under_query(frame, "t") == []


def test_a_draft_marks_the_queried_figure_in_its_sentence_and_nothing_else():
    bundle = {"figures": [{"name": "sds", "table": "t", "measure": "m", "breakdown": "total", "year": YEAR}]}
    names = queried_names(bundle, queried([Query("data/t.csv", 5, "check", "t", "m", "total", YEAR)]))
    assert names == {"sds"}
    placeholders = {"sds.value": "£1.7 million", "other.value": "93"}
    text = _with_markers(
        "Spending was {eval}`sds.value`; complaints {eval}`other.value`.", placeholders, "s", 3, [], names
    )
    assert text == "Spending was £1.7 million **[query]**; complaints 93."
