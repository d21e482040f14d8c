"""The catalogue's rules across rows of a table: parts add up to totals, shares to 100, a share
agrees with its count and denominator.

Rules run year by year over the breakdowns reported that year: a breakdown with
no row in a year was not reported then, and never switches a rule off. A row
whose ``known_slip`` column gives a reason marks a published figure known not
to agree, kept as published: its rule's failure is a warning, never a problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cswo.data.cells import parse_number
from cswo.project.catalogue import TOTAL, Measure, Rule, Table

SHARE_TOLERANCE = 0.5  # a published share rounded to a whole number


@dataclass(frozen=True)
class RuleFailure:
    index: int  # the frame row the failure is reported against
    year: str
    measure: str
    message: str
    slip: str = ""  # the reason, when the figure is a known slip kept as published


def decimals_shown(text: str) -> int:
    """How many decimal places a value was given to ('28.5' -> 1, '17' -> 0)."""
    cleaned = str(text).replace(",", "").replace("%", "").strip()
    return len(cleaned.split(".", 1)[1]) if "." in cleaned else 0


def share_tolerance(values: list[str]) -> float:
    """Half a unit of the last digit shown, per share; a share of exactly 0 is taken as exact."""
    tolerance = 0.0
    for text in values:
        number = parse_number(text)
        if number:
            tolerance += 0.5 * 10 ** -decimals_shown(text)
    return tolerance


def consistency_failures(frame: pd.DataFrame, table: Table) -> list[RuleFailure]:
    """Every cross-row rule broken, year by year. ``frame`` holds the typed rows."""
    failures: list[RuleFailure] = []
    for (year, measure_name), rows in frame.groupby(["year", "measure"], sort=True):
        measure = table.measures.get(measure_name)
        if measure is None:
            continue
        for rule in measure.rules:
            involved = _rule_rows(rule, measure, rows, frame[frame["year"] == year])
            message = _rule_failure(rule, measure, year, involved)
            if not message:
                continue
            slips = [s for s in involved.get("known_slip", pd.Series(dtype=str)) if s]
            anchor = rows[rows["breakdown"] == TOTAL].index
            index = anchor[0] if len(anchor) else rows.index[0]
            reason = "; ".join(dict.fromkeys(slips))
            failures.append(RuleFailure(int(index), year, measure_name, message, reason))
    return failures


def _rule_rows(rule: Rule, measure: Measure, rows: pd.DataFrame, year_rows: pd.DataFrame) -> pd.DataFrame:
    """The rows a rule reads in one year: the measure's rows, and for a share its count and denominator."""
    if rule.kind in ("share_of", "rate_of"):
        wanted = year_rows["measure"].isin([rule.count, rule.denominator]) & (year_rows["breakdown"] == TOTAL)
        return pd.concat([rows[rows["breakdown"] == TOTAL], year_rows[wanted]])
    return rows


def _number(rows: pd.DataFrame, measure: str, breakdown: str) -> float | None:
    found = rows[(rows["measure"] == measure) & (rows["breakdown"] == breakdown) & rows["number"].notna()]
    return float(found["number"].iloc[0]) if len(found) else None


def _parts(measure: Measure, rows: pd.DataFrame, unknown: tuple[str, ...]) -> pd.DataFrame | None:
    """The year's reported parts; None when one's value is unknown, so the sum cannot be checked.

    A part with no row was not reported that year: the rule runs over the others.
    A part whose status is in ``unknown`` has a value nobody can add up.
    """
    parts = rows[(rows["measure"] == measure.name) & (rows["breakdown"] != TOTAL)]
    if measure.breakdowns:
        parts = parts[parts["breakdown"].isin(list(measure.breakdowns))]
    if parts["status"].isin(unknown).any():
        return None
    return parts[parts["number"].notna()]


def _rule_failure(rule: Rule, measure: Measure, year: str, rows: pd.DataFrame) -> str | None:
    if rule.kind == "parts_sum_to_total":
        total = _number(rows, measure.name, TOTAL)
        parts = _parts(measure, rows, unknown=("x", "z", "c"))
        if total is None or parts is None or parts.empty:
            return None
        tolerance = rule.tolerance if rule.tolerance is not None else 1e-9
        added = float(parts["number"].sum())
        if abs(added - total) > tolerance:
            return f"{measure.label} for {year}: the breakdowns add up to {added:,.10g} but the total is {total:,.10g}"
    elif rule.kind == "shares_sum_to_100":
        # a share marked z (not applicable) is none of the whole: the rest must still add to 100
        parts = _parts(measure, rows, unknown=("x", "c"))
        if parts is None or parts.empty:
            return None
        tolerance = rule.tolerance if rule.tolerance is not None else share_tolerance(list(parts["value"]))
        added = float(parts["number"].sum())
        if abs(added - 100) > tolerance + 1e-9:
            return (
                f"{measure.label} for {year}: the shares add up to {added:g}%, not 100% within the rounding "
                f"of the figures as given (±{tolerance:g})"
            )
    elif rule.kind in ("share_of", "rate_of"):
        share = _number(rows, measure.name, TOTAL)
        count = _number(rows, rule.count, TOTAL)
        denominator = _number(rows, rule.denominator, TOTAL)
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
