"""Small counts are suppressed and no suppressed figure can be worked back from totals."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cswo.errors import DisclosureError
from cswo.safeguards.disclosure import NOT_PUBLISHED, fewer_than, recoverable, suppress

C = "[c]"


def with_totals(rows: dict[str, list[float]], columns: list[str]) -> pd.DataFrame:
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table


def suppressed_cells(display: pd.DataFrame) -> set[tuple[object, object]]:
    return {(row, column) for row in display.index for column in display.columns if display.at[row, column] == C}


def test_small_counts_are_suppressed_and_zeros_and_gaps_are_left_alone():
    table = pd.DataFrame(
        {"2020-21": [3, 0, 12], "2021-22": [float("nan"), 7, 4]},
        index=["Kinship care", "Foster care", "Residential"],
    )
    result = suppress(table, 5)
    assert result.primary == [("Kinship care", "2020-21"), ("Residential", "2021-22")]
    assert result.secondary == []
    assert result.table.to_dict() == {
        "2020-21": {"Kinship care": C, "Foster care": 0, "Residential": 12},
        "2021-22": {"Kinship care": result.table.at["Kinship care", "2021-22"],
                    "Foster care": 7, "Residential": C},
    }  # fmt: skip
    assert math.isnan(result.table.at["Kinship care", "2021-22"])
    assert result.note == "[c] = figure suppressed to protect confidentiality (fewer than 5)."
    assert table.at["Kinship care", "2020-21"] == 3  # the input is not changed


def test_nothing_to_suppress_gives_no_note():
    result = suppress(pd.DataFrame({"a": [10, 0]}), 5)
    assert (result.primary, result.secondary, result.note) == ([], [], "")


def test_a_lone_small_count_in_a_row_with_a_total_takes_a_second_cell_with_it():
    table = pd.DataFrame({"Male": [3, 40], "Female": [20, 35], "Total": [23, 75]}, index=["Under 16", "16 plus"])
    result = suppress(table, 5, total_column="Total")
    assert result.primary == [("Under 16", "Male")]
    assert result.secondary == [("Under 16", "Female")]
    assert result.table.at["Under 16", "Total"] == 23
    assert recoverable(result.table, table, total_column="Total") == []
    assert result.note.endswith("or to stop it being worked out from totals.")


def test_primary_only_suppression_would_be_recoverable():
    table = with_totals({"a": [3, 20], "b": [10, 30]}, ["x", "y"])
    naive = table.astype(object)
    naive.at["a", "x"] = C
    assert recoverable(naive, table, total_row="Total", total_column="Total") == [("a", "x")]


def test_secondary_suppression_across_rows_and_columns_with_grand_total():
    table = with_totals({"a": [3, 20], "b": [10, 30]}, ["x", "y"])
    result = suppress(table, 5, total_row="Total", total_column="Total")
    assert result.primary == [("a", "x")]
    assert suppressed_cells(result.table) == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    assert recoverable(result.table, table, "Total", "Total") == []


def test_total_is_suppressed_when_it_is_the_only_other_figure_in_its_line():
    # Row b has one non-zero part; once that part is hidden, only its total is left to hide.
    table = with_totals({"a": [2, 6], "b": [9, 0]}, ["x", "y"])
    result = suppress(table, 5, total_row="Total", total_column="Total")
    assert ("b", "Total") in result.secondary
    assert ("b", "y") not in suppressed_cells(result.table)  # a true zero still shows
    assert recoverable(result.table, table, "Total", "Total") == []


def test_recoverable_follows_subtraction_across_several_lines():
    # Each row and column has two or more hidden cells, yet the cell joining the two hidden
    # blocks can be worked out: (rows a + b) minus (columns w + x) leaves it alone.
    table = with_totals(
        {
            "a": [10, 11, 12, 13],
            "b": [14, 15, 16, 17],
            "c": [18, 19, 20, 21],
            "d": [22, 23, 24, 25],
        },
        ["w", "x", "y", "z"],
    )
    display = table.astype(object)
    block = [("a", "w"), ("a", "x"), ("b", "w"), ("b", "x"),
             ("c", "y"), ("c", "z"), ("d", "y"), ("d", "z"), ("b", "y")]  # fmt: skip
    for cell in block:
        display.at[cell] = C
    assert recoverable(display, table, "Total", "Total") == [("b", "y")]


def test_suppress_protects_a_pattern_that_line_by_line_checks_miss():
    table = with_totals(
        {"a": [1, 2, 30, 30], "b": [3, 4, 1, 30], "c": [30, 30, 2, 3], "d": [30, 30, 4, 1]},
        ["w", "x", "y", "z"],
    )
    result = suppress(table, 5, total_row="Total", total_column="Total")
    assert recoverable(result.table, table, "Total", "Total") == []
    assert set(result.primary) <= suppressed_cells(result.table)


def test_lines_that_do_not_add_up_are_not_used_for_subtraction():
    # The total includes an unpublished category, so 3 cannot be worked out from it.
    table = pd.DataFrame({"x": [3, 20], "y": [10, 30], "Total": [50, 50]}, index=["a", "b"])
    result = suppress(table, 5, total_column="Total")
    assert result.secondary == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, NOT_PUBLISHED), (1, NOT_PUBLISHED), (0, None), (5, None), (12, None),
     (float("nan"), None), (None, None)],
)  # fmt: skip
def test_fewer_than(value, expected):
    assert fewer_than(value, 5) == expected


def test_bad_tables_are_refused_with_a_plain_message():
    table = pd.DataFrame({"x": [3, "n/a"]}, index=["a", "b"])
    with pytest.raises(DisclosureError, match="row 'b', column 'x' is 'n/a', not a count"):
        suppress(table, 5)
    with pytest.raises(DisclosureError, match="The total 'All' is not in the table"):
        suppress(pd.DataFrame({"x": [3]}), 5, total_row="All")
    with pytest.raises(DisclosureError, match="threshold must be a whole number"):
        suppress(pd.DataFrame({"x": [3]}), 0)
    with pytest.raises(DisclosureError, match="negative"):
        suppress(pd.DataFrame({"x": [-3]}), 5)


@st.composite
def count_tables(draw):
    n_rows = draw(st.integers(1, 5))
    n_columns = draw(st.integers(1, 5))
    small_or_large = st.one_of(st.integers(0, 6), st.integers(0, 60))
    rows = {f"r{i}": [draw(small_or_large) for _ in range(n_columns)] for i in range(n_rows)}
    return with_totals(rows, [f"c{j}" for j in range(n_columns)]), draw(st.integers(2, 10))


@settings(max_examples=300, deadline=None)
@given(count_tables())
def test_random_tables_leave_nothing_recoverable(case):
    table, threshold = case
    result = suppress(table, threshold, total_row="Total", total_column="Total")
    hidden = suppressed_cells(result.table)
    assert recoverable(result.table, table, "Total", "Total") == []
    for row in table.index:
        for column in table.columns:
            value = table.at[row, column]
            if 0 < value < threshold:
                assert (row, column) in hidden
            if value == 0:
                assert result.table.at[row, column] == 0
            if (row, column) not in hidden:
                assert result.table.at[row, column] == value
    assert hidden == set(result.primary) | set(result.secondary)
