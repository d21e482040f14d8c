"""Validation schemas for the data tables, built on pandera.

The *row* schema checks every cell as the analyst typed it (text), so a value like ``abc`` is
reported where it stands; the text tables have a schema of their own. The rules across rows
(parts add up to totals, shares to 100) are :mod:`cswo.data.consistency`. Every failure becomes
a :class:`~cswo.errors.Problem` naming file, row, column, value and rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from cswo.data.cells import parse_number
from cswo.project.catalogue import APPROXIMATIONS, UNITS, WHOLE_NUMBER_UNITS, YEAR_BASES, Measure, Table
from cswo.project.paths import is_financial_year, year_start

if TYPE_CHECKING:
    import pandera.pandas as pa

# ``note`` is for members and may be shown with the figure; ``qa_note`` is for reviewers only and
# reaches nothing but the private QA record (outputs/.private/<year>/figures-qa.csv). ``approximate``
# words a figure the source gives only approximately ("just under"). ``query`` is an open question
# on the row ("check with finance"), e.g. a reviewer's change to the figure (data/queries.py).
# ``period`` is the period the row's figure covers (financial or calendar year; blank: the measure's
# own year_basis), so one report's calendar-year rows never mix with another's financial-year ones.
COLUMNS = [
    "year", "measure", "breakdown", "value", "unit", "status", "source", "note", "qa_note", "known_slip", "approximate",
    "query", "period",
]  # fmt: skip
OPTIONAL_COLUMNS = ["note", "qa_note", "known_slip", "approximate", "query", "period"]
REQUIRED_COLUMNS = [c for c in COLUMNS if c not in OPTIONAL_COLUMNS]
FIGURE_KEY = ["year", "measure", "breakdown"]  # what names one figure: one row for each in a file
STATUS_MEANING = {
    "x": "not available",
    "z": "not applicable",
    "c": "confidential (suppressed at source)",
}


# Plausible sizes per unit: a value beyond these is a typing slip (an extra digit, a pasted ID), not a figure.
LARGEST = {
    "count": 10_000_000,
    "percent": 100,
    "gbp": 100_000_000_000,
    "gbp_thousand": 100_000_000,
    "rate_per_100": 10_000,
    "rate_per_1000": 100_000,
    "days": 10_000_000,
    "days_per_fte": 10_000,
    "hours": 100_000_000,
    "years": 150,
    "number": 1_000_000_000,
}


def _rowwise(fn: Callable[[pd.Series], bool]) -> Callable[[pd.DataFrame], pd.Series]:
    def check(frame: pd.DataFrame) -> pd.Series:
        return frame.apply(fn, axis=1).astype(bool)

    return check


# Each dataframe-level check names the column a failure is reported against.
ROW_CHECK_COLUMN: dict[str, str] = {}


def _frame_check(error: str, column: str, fn: Callable[[pd.Series], bool]) -> pa.Check:
    import pandera.pandas as pa  # here, not at the top: a kernel reads validated data and never needs it

    ROW_CHECK_COLUMN[error] = column
    return pa.Check(_rowwise(fn), element_wise=False, error=error)


def row_schema(table: Table) -> pa.DataFrameSchema:
    """The schema for one table's rows, as text exactly as they appear in the file."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        _columns(pa, table.measures),
        checks=_row_checks(table.measures),
        unique=FIGURE_KEY,
        report_duplicates="exclude_first",
        strict=True,
        ordered=False,
    )


def _columns(pa, measures: dict[str, Measure]) -> dict:
    """Each column's own rule (the row-wide rules are :func:`_row_checks`')."""
    text = {"dtype": str, "nullable": False, "coerce": True}
    return {
        "year": pa.Column(
            checks=pa.Check(
                lambda s: s.map(is_financial_year),
                error="the year must be a financial year written like 2021-22",
            ),
            **text,
        ),
        "measure": pa.Column(
            checks=pa.Check.isin(
                sorted(measures),
                error=(
                    f"the measure is not one of this table's measures ({', '.join(sorted(measures))}); "
                    "a new measure is declared in the project's catalogue.yml"
                ),
            ),
            **text,
        ),
        "breakdown": pa.Column(
            checks=pa.Check(
                lambda s: s.str.len() > 0,
                error="the breakdown is empty; use 'total' for a figure with no breakdown",
            ),
            **text,
        ),
        "value": pa.Column(
            checks=pa.Check(
                lambda s: s.map(lambda v: v == "" or parse_number(v) is not None),
                error="the value is not a number (type digits only, like 1,377 or 95% or £4,716)",
            ),
            **text,
        ),
        "unit": pa.Column(
            checks=pa.Check.isin(sorted(UNITS), error=f"the unit is not one of {', '.join(sorted(UNITS))}"),
            **text,
        ),
        "status": pa.Column(
            checks=pa.Check.isin(
                ["", *STATUS_MEANING],
                error="the status must be blank, x (not available), z (not applicable) or c (confidential)",
            ),
            **text,
        ),
        "source": pa.Column(
            checks=pa.Check(lambda s: s.str.len() > 0, error="the source is empty; say where the figure comes from"),
            **text,
        ),
        **_optional_columns(pa, text),
    }


def _optional_columns(pa, text: dict) -> dict:
    """The columns a table may leave out: notes, queries, known slips, approximations and periods."""
    approximate = pa.Check.isin(
        ["", *APPROXIMATIONS], error=f"approximate must be blank or one of: {', '.join(APPROXIMATIONS)}"
    )
    period = pa.Check.isin(
        ["", *YEAR_BASES],
        error="the period must be blank (the measure's year_basis in the catalogue) or one of: "
        + ", ".join(YEAR_BASES),
    )
    return {
        **{name: pa.Column(required=False, **text) for name in ("note", "qa_note", "query", "known_slip")},
        "approximate": pa.Column(required=False, checks=approximate, **text),
        "period": pa.Column(required=False, checks=period, **text),
    }


def _row_checks(measures: dict[str, Measure]) -> list:
    """The rules that read a row across its columns (against the measure the catalogue declares)."""
    return _RowRules(measures).checks()


class _RowRules:
    """Each rule over one row, given the table's measures (a row of an unknown measure passes them:
    the measure column's own check reports it)."""

    def __init__(self, measures: dict[str, Measure]):
        self.measures = measures

    def measure_of(self, row) -> Measure | None:
        return self.measures.get(row["measure"])

    def breakdown_allowed(self, row) -> bool:
        m = self.measure_of(row)
        return m is None or m.allows(row["breakdown"])

    def unit_matches(self, row) -> bool:
        m = self.measure_of(row)
        return m is None or row["unit"] == m.unit

    def plausible(self, row) -> bool:
        m = self.measure_of(row)
        number = parse_number(row["value"])
        if m is None or number is None or m.unit == "percent":  # percentages: the range check says 0 to 100
            return True
        return abs(number) <= LARGEST.get(m.unit, LARGEST["number"])

    @staticmethod
    def value_or_status(row) -> bool:
        return (row["value"] == "") != (row["status"] == "")

    def in_range(self, row) -> bool:
        m = self.measure_of(row)
        number = parse_number(row["value"])
        if m is None or number is None:
            return True
        if number < 0:
            return False
        if m.unit == "percent" and number > 100:
            return False
        return not (m.unit in WHOLE_NUMBER_UNITS and number != int(number))

    def on_scale(self, row) -> bool:
        m = self.measure_of(row)
        number = parse_number(row["value"])
        if m is None or m.scale is None or number is None:
            return True
        return number == int(number) and m.scale[0] <= number <= m.scale[1]

    def checks(self) -> list:
        return [
            _frame_check(
                "the breakdown is not one the catalogue lists for this measure",
                "breakdown",
                self.breakdown_allowed,
            ),
            _frame_check("the unit does not match the catalogue's unit for this measure", "unit", self.unit_matches),
            _frame_check(
                "give either a value or a status (x, z or c) saying why there is none, not both",
                "value",
                self.value_or_status,
            ),
            _frame_check(
                "an approximate figure needs its value (e.g. 10 for 'just under 10%')",
                "approximate",
                lambda row: row.get("approximate", "") == "" or row["value"] != "",
            ),
            _frame_check(
                "the value is implausibly large for its unit (at most "
                + "; ".join(f"{unit} {limit:,}" for unit, limit in LARGEST.items() if unit != "percent")
                + "): check for an extra digit",
                "value",
                self.plausible,
            ),
            _frame_check(
                "the value is out of range: counts are whole numbers of 0 or more, percentages 0 to 100, "
                "and no figure may be negative",
                "value",
                self.in_range,
            ),
            _frame_check(
                "the value is not on this measure's scale: a whole number from its lowest to its highest "
                "grade (the measure's `scale` in catalogue.yml), e.g. 4 for Good on the Care Inspectorate's 1 to 6",
                "value",
                self.on_scale,
            ),
        ]


# --- the text tables (e.g. a governance framework, a recommendations tracker) --
#
# A text table is taken from another paper, so every row carries the year it is for, the date
# its content is as at and the paper it comes from; the project's catalogue declares the rest
# (``text_tables:``, the first column a row number). A year shows its own rows, or the latest
# earlier year's with their older date: content never passes for newer than it is.

TEXT_TABLE_COLUMNS: dict[str, str] = {
    "year": "The report year these rows are for (e.g. 2021-22); a later year gives its own rows",
    "as_at": "The date the row's content is as at (YYYY-MM-DD), shown with the table",
    "source": "The paper the row comes from (committee, date, report number), shown with the table",
}


def _iso_date(text: str) -> bool:
    try:
        pd.Timestamp.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


ONE_DATE_A_YEAR = "a year's rows must share one as_at date and one source (the table shows them once)"
ROW_CHECK_COLUMN[ONE_DATE_A_YEAR] = "as_at"


def _one_date_and_source_a_year(frame: pd.DataFrame) -> pd.Series:
    first = frame.groupby("year")[["as_at", "source"]].transform("first")
    return (frame[["as_at", "source"]] == first).all(axis=1)


def text_schema(columns: dict[str, str]) -> pa.DataFrameSchema:
    """The schema for a text table whose own columns (after year, as_at, source) are ``columns``."""
    import pandera.pandas as pa

    number_column = next(iter(columns))

    checks = {
        "year": pa.Check(lambda s: s.map(is_financial_year), error="the year must be a financial year like 2021-22"),
        "as_at": pa.Check(lambda s: s.map(_iso_date), error="the as_at date must be a date like 2022-03-31"),
        "source": pa.Check(lambda s: s.str.strip().str.len() > 0, error="the source is empty; name the paper"),
        number_column: pa.Check(lambda s: s.str.fullmatch(r"\d+"), error="must be a whole number"),
    }
    return pa.DataFrameSchema(
        {
            column: pa.Column(
                str,
                checks=checks.get(column)
                or pa.Check(lambda s: s.str.strip().str.len() > 0, error=f"the {column} is empty"),
                coerce=True,
            )
            for column in [*TEXT_TABLE_COLUMNS, *columns]
        },
        checks=[pa.Check(_one_date_and_source_a_year, element_wise=False, error=ONE_DATE_A_YEAR)],
        unique=["year", number_column],
        report_duplicates="exclude_first",
        strict=True,
    )


def text_rows_for_year(frame: pd.DataFrame, year: str) -> pd.DataFrame:
    """The rows a report year shows: its own, or else the latest earlier year's."""
    years = sorted({y for y in frame["year"] if is_financial_year(y) and year_start(y) <= year_start(year)})
    if not years:
        return frame.iloc[0:0]
    return frame[frame["year"] == years[-1]].reset_index(drop=True)
