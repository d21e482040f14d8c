"""Statistical disclosure control: the one place a year's figures are protected.

:func:`protect_dataset` is the choke point. A section's dataset passes through it once, when
the section starts and before anything is drawn, so every table, chart, alt text, phrase and
the public figures file read the same protected values: a suppressed cell has no number (its
status is ``c``), and what it was is kept only in the private QA record.

Small counts (at least 1 but below the threshold) are suppressed (primary
suppression). Where rows or columns add up to a published total, further cells
are suppressed (secondary suppression) so that no suppressed figure can be worked
back by subtraction. True zeros are shown, as in Government Statistical Service
practice; note that a zero can itself be disclosive (e.g. "no girls were
excluded"), which is a judgement for the analyst, not this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cswo.errors import DisclosureError
from cswo.project.catalogue import DERIVED_RULES, TOTAL
from cswo.project.paths import previous_year

Cell = tuple[object, object]


@dataclass
class SuppressionResult:
    """The table as it should be published, and what was suppressed and why."""

    table: pd.DataFrame
    primary: list[Cell] = field(default_factory=list)
    secondary: list[Cell] = field(default_factory=list)
    note: str = ""


def fewer_than(value: float | None, threshold: int) -> str | None:
    """How prose reads a small count (at least 1, below the threshold): :data:`NOT_PUBLISHED`, as every
    suppressed figure reads; None for any other value."""
    if is_missing(value):
        return None
    return NOT_PUBLISHED if 0 < value < threshold else None


def is_missing(value) -> bool:
    """No figure: None, an empty cell or NaN (the one rule; disclosure, formatting and phrases share it)."""
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _counts(table: pd.DataFrame) -> pd.DataFrame:
    """The table as floats, or DisclosureError naming the first cell that is not a count."""
    if not table.index.is_unique or not table.columns.is_unique:
        raise DisclosureError("Row labels and column names must be unique to check disclosure.")
    for row in table.index:
        for column in table.columns:
            value = table.at[row, column]
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise DisclosureError(f"Cell in row '{row}', column '{column}' is {value!r}, not a count.")
            if value < 0:
                raise DisclosureError(
                    f"Cell in row '{row}', column '{column}' is negative ({value}); disclosure control expects counts."
                )
    return table.astype(float)


def _lines(
    counts: pd.DataFrame, total_row: object | None, total_column: object | None
) -> list[tuple[list[Cell], Cell]]:
    """Every row or column whose parts add up exactly to its total: (parts, total cell).

    Lines with an unavailable (NaN) figure, or that do not add up (e.g. a total
    that includes an unpublished category), are left out: subtraction cannot give
    an exact figure from them.
    """
    for label, axis in ((total_row, counts.index), (total_column, counts.columns)):
        if label is not None and label not in axis:
            raise DisclosureError(f"The total '{label}' is not in the table.")
    lines: list[tuple[list[Cell], Cell]] = []
    if total_column is not None:
        for row in counts.index:
            parts = [(row, column) for column in counts.columns if column != total_column]
            lines.append((parts, (row, total_column)))
    if total_row is not None:
        for column in counts.columns:
            parts = [(row, column) for row in counts.index if row != total_row]
            lines.append((parts, (total_row, column)))
    additive = []
    for parts, total in lines:
        values = [counts.at[cell] for cell in parts]
        if any(map(math.isnan, values)) or math.isnan(counts.at[total]):
            continue
        if math.isclose(sum(values), counts.at[total], rel_tol=1e-9, abs_tol=1e-6):
            additive.append((parts, total))
    return additive


def _determined(lines: list[tuple[list[Cell], Cell]], hidden: set[Cell]) -> list[Cell]:
    """Hidden cells whose value follows from the published totals by linear algebra."""
    equations = [{**dict.fromkeys(parts, 1.0), total: -1.0} for parts, total in lines]
    return determined(equations, hidden)


def determined(equations: list[dict], hidden: set) -> list:
    """Hidden cells whose value follows exactly from published linear facts.

    Each equation maps cells to coefficients: something published equals that sum (a total, a
    difference, a mean, a table cell). Published cells are known, so only hidden ones matter. A
    hidden cell is determined exactly when its unit vector lies in the row space of the equations
    restricted to the hidden cells, i.e. when every null-space vector is zero there. This catches
    chains of subtraction across tables, prose and charts, not only one line at a time.
    """
    unknowns = sorted(hidden, key=repr)
    position = {cell: i for i, cell in enumerate(unknowns)}
    rows = []
    for equation in equations:
        row = np.zeros(len(unknowns))
        for cell, coefficient in equation.items():
            if cell in position:
                row[position[cell]] += coefficient
        if row.any():
            rows.append(row)
    if not unknowns or not rows:
        return []
    _, singular, vt = np.linalg.svd(np.array(rows))
    rank = int((singular > 1e-9).sum())
    null_space = vt[rank:]
    return [cell for cell, i in position.items() if np.all(np.abs(null_space[:, i]) < 1e-9)]


def recoverable(
    display_table: pd.DataFrame,
    original: pd.DataFrame,
    total_row: object | None = None,
    total_column: object | None = None,
) -> list[Cell]:
    """Suppressed cells (strings in display_table) that can be worked out from totals.

    Only exact recovery is checked; ranges implied by counts being non-negative
    are not. Raises DisclosureError if the original is not a table of counts.
    """
    counts = _counts(original)
    hidden = {
        (row, column)
        for row in display_table.index
        for column in display_table.columns
        if isinstance(display_table.at[row, column], str)
    }
    return _determined(_lines(counts, total_row, total_column), hidden)


def _next_secondary(counts: pd.DataFrame, line: list[Cell], hidden: set[Cell], totals: set[Cell]) -> Cell | None:
    """The smallest shown non-zero cell in the line, preferring cells that are not totals."""
    shown = [c for c in line if c not in hidden and counts.at[c] > 0]
    if not shown:
        return None
    return min(shown, key=lambda cell: (cell in totals, counts.at[cell], repr(cell)))


def suppress(
    table: pd.DataFrame,
    threshold: int,
    symbol: str = "[c]",
    total_row: object | None = None,
    total_column: object | None = None,
) -> SuppressionResult:
    """Suppress small counts, then enough other cells that none can be worked back.

    Primary: cells with 0 < value < threshold (totals included). Secondary: in
    every row or column that adds up to its total and has exactly one suppressed
    cell, the next smallest shown non-zero cell is also suppressed (the total only
    if nothing else is left), repeated until stable; then any cell still
    recoverable across several lines gets a further neighbour suppressed. Zeros
    are never suppressed; NaN (unavailable) cells are left as they are.
    Raises DisclosureError for a threshold below 1, a total label missing from the
    table, or a cell that is not a non-negative number.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise DisclosureError(f"The suppression threshold must be a whole number of 1 or more, not {threshold!r}.")
    counts = _counts(table)
    lines = _lines(counts, total_row, total_column)
    totals = {total for _, total in lines}
    primary = [
        (row, column) for row in counts.index for column in counts.columns if 0 < counts.at[row, column] < threshold
    ]
    hidden = set(primary)
    secondary: list[Cell] = []

    def hide(cell: Cell) -> None:
        hidden.add(cell)
        secondary.append(cell)

    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            line = [*parts, total]
            if sum(cell in hidden for cell in line) == 1:
                if (cell := _next_secondary(counts, line, hidden, totals)) is not None:
                    hide(cell)
                    changed = True
    # One line at a time is not enough when subtraction chains across rows and columns.
    while exposed := _determined(lines, hidden):
        target = exposed[0]
        neighbours = [cell for parts, total in lines if target in [*parts, total] for cell in [*parts, total]]
        cell = _next_secondary(counts, neighbours, hidden, totals)
        if cell is None:
            anywhere = [c for parts, total in lines for c in [*parts, total]]
            cell = _next_secondary(counts, anywhere, hidden, totals)
        if cell is None:  # cannot happen: with every non-zero cell hidden none is determined
            raise DisclosureError(
                f"Could not protect the cell in row '{target[0]}', column '{target[1]}' from being worked out."
            )
        hide(cell)

    display = _displayed(table, counts, hidden, symbol)
    return SuppressionResult(display, primary, secondary, _note(symbol, threshold, primary, secondary))


def _displayed(table: pd.DataFrame, counts: pd.DataFrame, hidden: set[Cell], symbol: str) -> pd.DataFrame:
    """The table as published: each hidden cell shows ``symbol``, a whole number shows without decimals."""
    display = table.astype(object).copy()
    for row in counts.index:
        for column in counts.columns:
            value = counts.at[row, column]
            if (row, column) in hidden:
                display.at[row, column] = symbol
            elif not math.isnan(value) and value.is_integer():
                display.at[row, column] = int(value)
    return display


def _note(symbol: str, threshold: int, primary: list[Cell], secondary: list[Cell]) -> str:
    return suppression_note(symbol, threshold, bool(secondary)) if primary or secondary else ""


def suppression_note(symbol: str, threshold: int | None, secondary: bool = True) -> str:
    """The note under a table that shows ``symbol``: why its cells are suppressed. ``threshold`` is
    None where the data came suppressed at source (no rule of the project's hid them)."""
    note = f"{symbol} = figure suppressed to protect confidentiality"
    if threshold:
        note += f" (fewer than {threshold})"
        if secondary:
            note += ", or to stop it being worked out from totals"
    return note + "."


PRIMARY, SECONDARY, DERIVED = "primary", "secondary", "derived"
SUPPRESSED_STATUS = "c"


def _grid(rows: pd.DataFrame) -> pd.DataFrame:
    """One count measure's rows as breakdowns x years (NaN where a cell is missing)."""
    grid = rows.pivot_table(index="breakdown", columns="year", values="number", aggfunc="first", dropna=False)
    breakdowns = list(dict.fromkeys(rows["breakdown"]))
    years = sorted(dict.fromkeys(rows["year"]))
    return grid.reindex(index=breakdowns, columns=years).astype(float)


def protect_frame(frame: pd.DataFrame, table: str, threshold: int, count_measures: list[str]) -> tuple:
    """A table's rows with small counts (and the cells that would give them away) suppressed.

    Each count measure is checked as one grid of breakdowns by years, whose ``total`` row the
    breakdowns add up to, with :func:`suppress`. Returns (protected frame, QA rows); a
    suppressed row keeps no number or value, gets status ``c`` and says why in ``suppressed``.
    """
    out = frame.copy()
    out["suppressed"] = ""
    record: list[dict] = []
    for measure in count_measures:
        rows = frame[(frame["measure"] == measure) & frame["number"].notna()]
        if rows.empty:
            continue
        grid = _grid(rows)
        total = TOTAL if TOTAL in grid.index and len(grid.index) > 1 else None
        result = suppress(grid, threshold, total_row=total)
        for reason, cells in ((PRIMARY, result.primary), (SECONDARY, result.secondary)):
            for breakdown, year in cells:
                at = (out["measure"] == measure) & (out["breakdown"] == breakdown) & (out["year"] == year)
                raw = float(grid.at[breakdown, year])
                out.loc[at, ["number", "value", "status", "suppressed"]] = [float("nan"), "", "c", reason]
                record.append(
                    {"table": table, "measure": measure, "breakdown": breakdown, "year": year, "value": raw}
                    | {"reason": reason, "threshold": threshold}
                )
    return out, record


def protect_derived(frame: pd.DataFrame, table: str, measures: dict, threshold: int) -> tuple:
    """A table's rows with every share, rate or average that would give a suppressed figure away
    suppressed too.

    The catalogue's relations say what is worked out from what: ``share_of`` and ``rate_of`` a count
    over a denominator (knowing the share and one of them gives the other), ``average_of`` a measure
    over years (knowing the mean and the other years gives the missing one). Where anything a figure
    is worked out from is suppressed, in the same breakdown and year (for an average, in any year it
    averages), the figure is suppressed with it, repeated until nothing changes. Returns (frame, QA rows).
    """
    out = frame.copy()
    hidden = {(r.measure, r.breakdown, r.year) for r in out.itertuples() if r.status == SUPPRESSED_STATUS}
    record: list[dict] = []
    changed = True
    while changed:
        changed = False
        for name, measure in measures.items():
            for rule in (r for r in measure.rules if r.kind in DERIVED_RULES):
                for row in out[(out["measure"] == name) & (out["status"] != SUPPRESSED_STATUS)].itertuples():
                    if not _gives_away(rule, row.breakdown, row.year, hidden):
                        continue
                    raw = "" if is_missing(row.number) else float(row.number)
                    out.loc[row.Index, ["number", "value", "status", "suppressed"]] = [float("nan"), "", "c", DERIVED]
                    hidden.add((name, row.breakdown, row.year))
                    record.append(
                        {"table": table, "measure": name, "breakdown": row.breakdown, "year": row.year, "value": raw}
                        | {"reason": DERIVED, "threshold": threshold}
                    )
                    changed = True
    return out, record


def _gives_away(rule, breakdown: str, year: str, hidden: set) -> bool:
    """True if a figure under ``rule`` in this breakdown and year would let a suppressed one be worked out."""
    if rule.kind == "average_of":
        years, averaged = [year], year
        for _ in range((rule.years or 5) - 1):
            averaged = previous_year(averaged)
            years.append(averaged)
        return any((rule.of, breakdown, y) in hidden for y in years)
    return any((source, breakdown, year) in hidden for source in rule.sources)


def protect_dataset(dataset, policy, catalogue: dict) -> tuple:
    """The dataset as it may be published, and the private record of what was suppressed.

    ``policy`` is the parameters' ``disclosure`` (``rule_for(table)``). Count measures are protected
    (:func:`protect_frame`), then every share, rate and average worked out from them
    (:func:`protect_derived`). Tables without a rule are returned as they are.
    """
    from dataclasses import replace

    tables, record = {}, []
    for name, frame in dataset.tables.items():
        rule = policy.rule_for(name)
        spec = catalogue.get(name)
        if rule is None or spec is None:
            tables[name] = frame
            continue
        counts = [m for m, measure in spec.measures.items() if measure.unit == "count"]
        protected, found = protect_frame(frame, name, rule.threshold, counts)
        tables[name], derived = protect_derived(protected, name, spec.measures, rule.threshold)
        record += found + derived
    return replace(dataset, tables=tables), record


# How every suppressed figure reads, wherever it is and whatever the reason (a small count, one
# that would let a small count be worked out, a share or average of one): one wording, so the
# words never tell which is which, and it reads in a sentence ("we received [not published]
# complaints", "93, compared with [not published] the year before").
NOT_PUBLISHED = "[not published]"


def withheld(why: str | None = None, threshold: int | None = None) -> str:
    """How prose reads a suppressed figure: always :data:`NOT_PUBLISHED` (the reason is never shown)."""
    return NOT_PUBLISHED


def suppression_summary(caption: str, primary: int, secondary: int, threshold: int, symbol: str) -> str | None:
    """The build summary's line for a table with suppressed cells (None when it has none)."""
    if not primary and not secondary:
        return None
    protect = (
        f"and {secondary} more so they cannot be worked out from totals"
        if secondary
        else "(no total lets them be worked out, so no other cell needed suppressing)"
    )
    return f"{caption}: {primary} cell(s) below {threshold} shown as {symbol} {protect}"
