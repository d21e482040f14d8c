"""Likely unit slips: a value about a thousand times (or a thousandth of) last year's.

The returns workbook asks for money in £000 and services type pounds; a count is typed in
hundreds. A figure that moved by a factor near 1,000 from one year to the next is almost always
such a slip, so it is reported at its file (or sheet) and row, with last year's figure in the
unit asked for. A real jump of that size can be kept, with the reason in ``known_slip``.
"""

from __future__ import annotations

import pandas as pd

from cswo.errors import Problem
from cswo.project.catalogue import UNITS, Table
from cswo.project.paths import previous_year

SLIP_FACTOR = 500  # x1,000, allowing the real figure to have halved or doubled; no real yearly change is this big


def unit_slips(frame: pd.DataFrame, table: Table, year: str) -> list[Problem]:
    """Rows of ``year`` whose value is about 1,000 times, or 1/1,000 of, the year before's."""
    last_year = previous_year(year)
    before = frame[(frame["year"] == last_year) & frame["number"].notna()]
    last_numbers = {(r.measure, r.breakdown): r.number for r in before.itertuples()}
    problems = []
    for row in frame[frame["year"] == year].itertuples():
        measure = table.measures.get(row.measure)
        if measure is None or measure.unit == "percent" or getattr(row, "known_slip", ""):
            continue
        last, now = last_numbers.get((row.measure, row.breakdown)), row.number
        if last is None or now != now:
            continue
        if not (now > 0 and last > 0) or not (now / last >= SLIP_FACTOR or last / now >= SLIP_FACTOR):
            continue
        factor = now / last if now > last else last / now
        times = "times" if now > last else "times smaller than"
        problems.append(
            Problem(
                row.file,
                int(row.row),
                "value",
                row.value,
                f"{measure.label} for {year} is about {factor:,.0f} {times} last year's {last:,.10g}: is it in the "
                f"unit this row asks for ({UNITS.get(measure.unit, measure.unit)})? Correct it, or give the reason "
                "in this row's known_slip column",
            )
        )
    return problems
