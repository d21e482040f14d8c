"""Validation schemas for the data tables, built on pandera.

Two stages: the *row* schema checks every cell as the analyst typed it (text),
so a value like ``abc`` is reported where it stands; the *consistency* schema
checks rules across rows (parts add up to totals, shares to 100, a share
agrees with its count and denominator). Every failure becomes a
:class:`~cswo.errors.Problem` naming file, row, column, value and rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa

from cswo.project.catalogue import TOTAL, UNITS, WHOLE_NUMBER_UNITS, Measure, Rule, Table
from cswo.project.paths import is_financial_year

COLUMNS = ["year", "measure", "breakdown", "value", "unit", "status", "source", "note"]
REQUIRED_COLUMNS = COLUMNS[:-1]
STATUS_MEANING = {
    "x": "not available",
    "z": "not applicable",
    "c": "confidential (suppressed at source)",
}
SHARE_TOLERANCE = 0.5  # a published share rounded to a whole number
PERCENT_ROUNDING_PER_PART = 0.5


def parse_number(text: str) -> float | None:
    """A number as an analyst types it ('1,377', '£4,716', '95%'), or None if it is not one."""
    cleaned = text.replace(",", "").replace("£", "").replace("%", "").strip()
    if cleaned == "":
        return None
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _rowwise(fn: Callable[[pd.Series], bool]) -> Callable[[pd.DataFrame], pd.Series]:
    def check(frame: pd.DataFrame) -> pd.Series:
        return frame.apply(fn, axis=1).astype(bool)

    return check


# Each dataframe-level check names the column a failure is reported against.
ROW_CHECK_COLUMN: dict[str, str] = {}


def _frame_check(error: str, column: str, fn: Callable[[pd.Series], bool]) -> pa.Check:
    ROW_CHECK_COLUMN[error] = column
    return pa.Check(_rowwise(fn), element_wise=False, error=error)


def row_schema(table: Table) -> pa.DataFrameSchema:
    """The schema for one table's rows, as text exactly as they appear in the file."""
    measures = table.measures

    def measure_of(row) -> Measure | None:
        return measures.get(row["measure"])

    def breakdown_allowed(row) -> bool:
        m = measure_of(row)
        return m is None or m.allows(row["breakdown"])

    def unit_matches(row) -> bool:
        m = measure_of(row)
        return m is None or row["unit"] == m.unit

    def value_or_status(row) -> bool:
        return (row["value"] == "") != (row["status"] == "")

    def in_range(row) -> bool:
        m = measure_of(row)
        number = parse_number(row["value"])
        if m is None or number is None:
            return True
        if number < 0:
            return False
        if m.unit == "percent" and number > 100:
            return False
        return not (m.unit in WHOLE_NUMBER_UNITS and number != int(number))

    text = {"dtype": str, "nullable": False, "coerce": True}
    return pa.DataFrameSchema(
        {
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
                    error=f"the measure is not one of this table's measures ({', '.join(sorted(measures))})",
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
                    error="the value is not a number",
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
                checks=pa.Check(
                    lambda s: s.str.len() > 0, error="the source is empty; say where the figure comes from"
                ),
                **text,
            ),
            "note": pa.Column(required=False, **text),
        },
        checks=[
            _frame_check(
                "the breakdown is not one the catalogue lists for this measure",
                "breakdown",
                breakdown_allowed,
            ),
            _frame_check("the unit does not match the catalogue's unit for this measure", "unit", unit_matches),
            _frame_check(
                "give either a value or a status (x, z or c) saying why there is none, not both",
                "value",
                value_or_status,
            ),
            _frame_check(
                "the value is out of range: counts are whole numbers of 0 or more, percentages 0 to 100, "
                "and no figure may be negative",
                "value",
                in_range,
            ),
        ],
        unique=["year", "measure", "breakdown"],
        report_duplicates="exclude_first",
        strict=True,
        ordered=False,
    )


# --- consistency across rows -------------------------------------------------


def _lookup(frame: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    present = frame[frame["number"].notna()]
    return {
        (r.year, r.measure, r.breakdown): r.number
        for r in present[["year", "measure", "breakdown", "number"]].itertuples()
    }


def consistency_failures(frame: pd.DataFrame, table: Table) -> list[tuple[int, str, str]]:
    """(frame index, column, message) for each row that breaks a cross-row rule.

    ``frame`` holds the typed rows: year, measure, breakdown, number.
    """
    values = _lookup(frame)
    index_of = {(r.year, r.measure, r.breakdown): i for i, r in frame[["year", "measure", "breakdown"]].iterrows()}
    failures: list[tuple[int, str, str]] = []
    years = sorted(frame["year"].unique())
    for measure in table.measures.values():
        for rule in measure.rules:
            for year in years:
                message = _rule_failure(rule, measure, year, values)
                if message:
                    key = (year, measure.name, TOTAL)
                    anchor = index_of.get(key)
                    if anchor is None:
                        anchor = next(i for k, i in index_of.items() if k[0] == year and k[1] == measure.name)
                    failures.append((anchor, "value", message))
    return failures


def _rule_failure(rule: Rule, measure: Measure, year: str, values: dict) -> str | None:
    if year in rule.except_years:
        return None
    parts = {b: v for (y, m, b), v in values.items() if y == year and m == measure.name and b != TOTAL}
    if rule.kind == "parts_sum_to_total":
        total = values.get((year, measure.name, TOTAL))
        expected_parts = set(measure.breakdowns or parts)
        if total is None or not parts or set(parts) != expected_parts:
            return None
        tolerance = rule.tolerance if rule.tolerance is not None else 1e-9
        added = sum(parts.values())
        if abs(added - total) > tolerance:
            return f"{measure.label} for {year}: the breakdowns add up to {added:,.10g} but the total is {total:,.10g}"
    elif rule.kind == "shares_sum_to_100":
        if not parts or (measure.breakdowns and set(parts) != set(measure.breakdowns)):
            return None
        tolerance = rule.tolerance if rule.tolerance is not None else PERCENT_ROUNDING_PER_PART * len(parts)
        added = sum(parts.values())
        if abs(added - 100) > tolerance:
            return f"{measure.label} for {year}: the shares add up to {added:g}%, not 100% within rounding"
    elif rule.kind in ("share_of", "rate_of"):
        share = values.get((year, measure.name, TOTAL))
        count = values.get((year, rule.count, TOTAL))
        denominator = values.get((year, rule.denominator, TOTAL))
        if share is None or count is None or not denominator:
            return None
        per = 100 if rule.kind == "share_of" else (rule.per or 1000)
        expected = count / denominator * per
        tolerance = rule.tolerance if rule.tolerance is not None else SHARE_TOLERANCE
        if abs(expected - share) > tolerance:
            what = "share" if rule.kind == "share_of" else "rate"
            return (
                f"{measure.label} for {year}: the {what} {share:g} does not agree with "
                f"{rule.count} {count:g} over {rule.denominator} {denominator:g} ({expected:.1f})"
            )
    return None


# --- the text tables (governance framework, recommendations tracker) ----------

TEXT_TABLES: dict[str, dict[str, str]] = {
    "governance_framework": {
        "function_number": "Number of the CSWO function (1, 2, ...)",
        "function": "The CSWO function, as in the national guidance",
        "assurance_mechanisms": "How assurance is given, separated by '; '",
        "lead": "Who leads",
        "frequency": "How often",
    },
    "audit_recommendations": {
        "number": "Recommendation number",
        "recommendation": "The Audit Scotland recommendation",
        "for": "Who it is for",
        "local_actions": "What the council has done or will do",
    },
}


def text_schema(name: str) -> pa.DataFrameSchema:
    columns = TEXT_TABLES[name]
    number_column = next(iter(columns))
    return pa.DataFrameSchema(
        {
            column: pa.Column(
                str,
                checks=pa.Check(lambda s: s.str.strip().str.len() > 0, error=f"the {column} is empty")
                if column != number_column
                else pa.Check(lambda s: s.str.fullmatch(r"\d+"), error="must be a whole number"),
                coerce=True,
            )
            for column in columns
        },
        unique=[number_column],
        report_duplicates="exclude_first",
        strict=True,
    )
