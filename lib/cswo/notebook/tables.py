"""Report tables built from data, formatted to UK conventions, shown in notebooks and documents.

A :class:`ReportTable` displays as HTML in JupyterLab and as a pandoc pipe
table (with caption, identifier and notes) in the rendered report. Cells that
are not available, not applicable or suppressed carry the GSS symbols, and the
notes explain each symbol used.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pandas as pd

from cswo.data.queries import QUERY_MARK
from cswo.figures.figure import Figure, period_rows
from cswo.figures.formatting import (
    GRADE_WORDS,
    MISSING_PHRASE,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SYMBOL_FOR_STATUS,
    SYMBOL_NOTES,
    approximately,
    format_cell,
    grade,
    is_missing,
    join_words,
    number,
    percent,
)
from cswo.figures.markup import literal
from cswo.figures.vocabulary import GRADES_KEYS
from cswo.project.catalogue import APPROXIMATIONS, TOTAL, Measure
from cswo.project.paths import year_label
from cswo.safeguards.disclosure import suppress, suppression_note, suppression_summary

MARKDOWN_MIME = "text/markdown"
# a cell a number column may hold: a number, a GSS symbol, or a figure given in words
NUMERIC_CELL = re.compile(r"(?:(?:" + "|".join(APPROXIMATIONS) + r") )?[£\d,.\-%]+\*?|\[[cxz]\]|fewer than \d+")


def has_values(table: ReportTable) -> bool:
    """False for a table with no values at all (every cell empty, [x] or [z]): it is left out of the report."""
    empty = {"", NOT_AVAILABLE, NOT_APPLICABLE}
    return any(cell not in empty for row in table.rows for cell in row[1:])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


@dataclass
class ReportTable:
    """A finished table: header, rows of display strings, caption and notes."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    id: str = ""
    audit: list[dict] = field(default_factory=list)
    suppressions: list[str] = field(default_factory=list)  # for the build summary
    source: str = ""  # shown as "Source: ..." under the table; by default the data's sources

    def __post_init__(self):
        self.id = self.id or "tbl-" + _slug(self.caption)
        if not self.source:
            self.source = "; ".join(dict.fromkeys(row["source"] for row in self.audit if row.get("source")))
        used = {cell for row in self.rows for cell in row}
        for symbol, note in SYMBOL_NOTES.items():
            if symbol in used and not any(n.startswith(symbol) for n in self.notes):
                self.notes.append(note)

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.columns)

    def cell(self, row_label: str, column: str) -> str:
        for row in self.rows:
            if row[0] == row_label:
                return row[self.columns.index(column)]
        raise KeyError(f"no row '{row_label}' in table '{self.caption}'")

    def _numeric(self, index: int) -> bool:
        cells = [row[index] for row in self.rows]
        return index > 0 and all(NUMERIC_CELL.fullmatch(c) for c in cells)

    def _repr_markdown_(self) -> str:
        # pandoc sizes wrapped columns by the dashes under the header: give long text more room
        lengths = [
            max(
                4,
                len(self.columns[i]) // 2 + 2,
                min(200, sum(len(str(row[i])) for row in self.rows) // max(1, len(self.rows))),
            )
            for i in range(len(self.columns))
        ]
        total = sum(lengths)
        dashes = [max(3, round(72 * n / total)) for n in lengths]
        align = [("-" * d + ":") if self._numeric(i) else (":" + "-" * d) for i, d in enumerate(dashes)]
        lines = [
            "| " + " | ".join(literal(c) for c in self.columns) + " |",
            "|" + "|".join(align) + "|",
            *("| " + " | ".join(literal(c) for c in row) + " |" for row in self.rows),
            "",
            f": {literal(self.caption)} {{#{self.id}}}",
        ]
        shown = ([f"Source: {self.source.rstrip('.')}."] if self.source else []) + self.notes
        if shown:
            # every cell, caption, source and note is text from the data or the catalogue, never markup
            lines += ["", '::: {.table-notes custom-style="Table Note"}', *[f"{literal(n)}  " for n in shown], ":::"]
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in self.rows)
        shown = ([f"Source: {self.source.rstrip('.')}."] if self.source else []) + self.notes
        notes = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in shown)
        return (
            f"<table><caption>{html.escape(self.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{notes}"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {MARKDOWN_MIME: self._repr_markdown_(), "text/html": self._repr_html_()}


def _audit(caption: str, row: str, column: str, value, unit: str, source: str) -> dict:
    return {
        "table": caption,
        "row": row,
        "column": column,
        "value": "" if is_missing(value) else value,
        "unit": unit,
        "source": source,
    }


def years_table(
    caption: str,
    figures: list[Figure],
    years: list[str],
    average_years: int | None = None,
    first_column: str = "Measure",
    published_averages: dict[str, Figure] | None = None,
    labels: list[str] | None = None,
    notes: list[str] | None = None,
    year_style: str = "hyphen",
) -> ReportTable:
    """One row per figure, one column per year (headed in the council's year style), optionally an average.

    The average is computed from data when every year is present; otherwise a
    published average (``published_averages[name]``) is shown, and a note says so.
    Year headings follow ``year_style`` (2021-22 or 2021/22).
    """
    columns = [first_column, *(year_label(y, year_style) for y in years)]
    if average_years:
        columns.append(f"{average_years}-year average")
    rows, notes, audit, suppressed = [], list(notes or []), [], []
    for position, fig in enumerate(figures):
        row = [labels[position] if labels else _row_label(fig)]
        for year in years:
            value = fig.history.get(year)
            if fig.suppressed(value) or fig.is_hidden(year):
                row.append(fig.symbol)
                suppressed.append(f"{caption}: {row[0]}, {year_label(year, year_style)}")
            else:
                row.append(fig.shown_value(year))
            audit.append(
                _audit(caption, row[0], year_label(year, year_style), value, fig.unit, fig.sources.get(year, ""))
            )
        if average_years:
            row.append(_average_cell(fig, average_years, (published_averages or {}).get(fig.name), notes))
        rows.append(row)
    if suppressed:
        fig = next((f for f in figures if f.threshold), figures[0])
        notes.append(suppression_note(fig.symbol, fig.threshold))
    summary = [f"{s} shown as {figures[0].symbol} (below the threshold)" for s in suppressed]
    return ReportTable(caption, columns, rows, notes, audit=audit, suppressions=summary)


def _row_label(fig: Figure) -> str:
    if fig.breakdown == TOTAL:
        return fig.measure.label
    return f"{fig.measure.label}: {fig.measure.breakdown_label(fig.breakdown)}"


def _average_cell(fig: Figure, years: int, published: Figure | None, notes: list[str]) -> str:
    """The mean of the last ``years`` years when the data has each of them, else the published average
    (noted, once, in ``notes``), else not available."""
    history = {y: v for y, v in fig.history.items() if y <= fig.year}
    latest = sorted(history)[-years:]
    values = [history[y] for y in latest]
    if any(fig.is_hidden(y) for y in latest):  # the mean would give the hidden year away
        return fig.symbol
    if len(values) == years and not any(is_missing(v) for v in values):
        return format_cell(sum(values) / years, fig.unit, fig.average_decimals)
    if published is not None:
        # what members need: the average spans years the table does not show
        note = f"* The average over the last {years} years, including years not shown here."
        if note not in notes:
            notes.append(note)
        return published.shown_value(fig.year) + "*"
    return SYMBOL_FOR_STATUS["x"]


def breakdown_table(
    caption: str,
    frame: pd.DataFrame,
    measure: Measure,
    years: list[str],
    shares: bool = True,
    share_decimals: int | None = None,
    first_column: str | None = None,
    include_total: bool = True,
    value_heading: str | None = None,
    threshold: int | None = None,
    notes: list[str] | None = None,
    year_style: str = "hyphen",
    symbol: str = "[c]",
    report_year: str | None = None,
) -> ReportTable:
    """Rows are the measure's breakdowns reported in the years shown; per year a count and, if asked, its share.
    Only rows of the period the report year's rows cover are read (the last year shown, by default).

    Shares are always computed from the counts and the total, never typed, and shown to
    ``share_decimals`` places (the paper's percentage style; one place if none is given). Year headings
    follow ``year_style`` (2021-22 or 2021/22). A breakdown reported only in other
    years is not a row: it was not reported then.
    """
    rows_of, _ = period_rows(frame[frame["measure"] == measure.name], measure, report_year or years[-1])
    breakdowns = _breakdowns_shown(rows_of, measure, years) + ([TOTAL] if include_total else [])
    lookup = {(r.year, r.breakdown): r for r in rows_of.itertuples()}
    heading = value_heading or ("£000" if measure.unit == "gbp_thousand" else "Number")
    columns = [first_column or measure.label]
    for year in years:
        columns.append(f"{year_label(year, year_style)} {heading}")
        if shares:
            columns.append(f"{year_label(year, year_style)} %")
    values = {(y, b): (lookup[(y, b)].number if (y, b) in lookup else None) for y in years for b in breakdowns}
    hidden, suppressions = set(), []
    if threshold:
        hidden, suppressions = _protected(caption, values, lookup, years, breakdowns, threshold, include_total, symbol)
    rows, audit, used_threshold = [], [], False
    for b in breakdowns:
        row = [measure.breakdown_label(b)]
        for year in years:
            r = lookup.get((year, b))
            value = values[(year, b)]
            status = r.status if r is not None else "x"
            suppressed = (year, b) in hidden or status == "c"
            row.append(symbol if suppressed else _count_cell(r, value, measure, status))
            used_threshold = used_threshold or suppressed
            source = r.source if r is not None else ""
            audit.append(_audit(caption, row[0], year_label(year, year_style), value, measure.unit, source))
            if shares:
                row.append(symbol if suppressed else _share(value, values.get((year, TOTAL)), share_decimals))
        rows.append(row)
    notes = list(notes or [])
    if shares:
        notes.append("Percentages are calculated from the numbers and may not add to 100 because of rounding.")
    if used_threshold:
        notes.append(suppression_note(symbol, threshold))
    return ReportTable(caption, columns, rows, notes, audit=audit, suppressions=suppressions)


def _breakdowns_shown(rows_of: pd.DataFrame, measure: Measure, years: list[str]) -> list[str]:
    """The measure's breakdowns reported in ``years`` (in the catalogue's order), else all it lists."""
    parts = rows_of["breakdown"] != TOTAL
    reported = set(rows_of["breakdown"][rows_of["year"].isin(years) & parts])
    listed = list(measure.breakdowns or dict.fromkeys(rows_of["breakdown"][parts]))
    return [b for b in listed if b in reported] or listed


def _protected(caption, values, lookup, years, breakdowns, threshold, include_total, symbol):
    """The cells (year, breakdown) the threshold hides, and the build summary's line for them.

    Cells the dataset's disclosure control already suppressed carry no number; this pass only
    protects a table made from data that did not come through it."""
    grid = pd.DataFrame({y: [values[(y, b)] for b in breakdowns] for y in years}, index=breakdowns, dtype="float64")
    result = suppress(grid, threshold, total_row=TOTAL if include_total else None)
    hidden = {(col, row) for row, col in [*result.primary, *result.secondary]}
    why = {(r.year, r.breakdown): getattr(r, "suppressed", "") for r in lookup.values() if r.year in years}
    primary = len(result.primary) + sum(w == "primary" for k, w in why.items() if k[1] in breakdowns)
    secondary = len(result.secondary) + sum(w == "secondary" for k, w in why.items() if k[1] in breakdowns)
    summary = suppression_summary(caption, primary, secondary, threshold, symbol)
    return hidden, [summary] if summary else []


def _count_cell(r, value, measure: Measure, status: str) -> str:
    """A count as the table shows it: in words where the data gives it approximately, marked under query."""
    if r is not None and getattr(r, "approximate", ""):
        shown = approximately(value, measure.unit, r.approximate)
    else:
        shown = format_cell(value, measure.unit, measure.decimals, status=status)
    if r is not None and getattr(r, "query", ""):
        shown += f" {QUERY_MARK}"  # a draft marks a figure under query
    return shown


def _share(value, total, decimals: int | None) -> str:
    """A count's share of its total, computed (never typed); not available without both."""
    if is_missing(value) or is_missing(total) or not total:
        return SYMBOL_FOR_STATUS["x"]
    return percent(value / total * 100, 1 if decimals is None else decimals)


def list_table(
    caption: str, columns: list[str], rows: list[list[str]], notes: list[str] | None = None, source: str = ""
) -> ReportTable:
    """A table of text (e.g. the governance framework)."""
    return ReportTable(caption, columns, [[str(c) for c in row] for row in rows], list(notes or []), source=source)


def frame_source(frame: pd.DataFrame) -> str:
    """The sources a text table's rows name in their ``source`` column, each once."""
    if "source" not in frame:
        return ""
    return "; ".join(dict.fromkeys(str(s) for s in frame["source"] if isinstance(s, str) and s.strip()))


def graded_rows(frame: pd.DataFrame, measures: dict[str, Measure], year: str) -> pd.DataFrame:
    """This year's grades (unit 'number' measures with a free-text breakdown such as a house)."""
    grades = [name for name, m in measures.items() if m.unit == "number" and m.breakdowns is None]
    rows = frame[(frame["year"] == year) & frame["measure"].isin(grades) & frame["number"].notna()]
    return rows


def grades_table(
    caption: str,
    frame: pd.DataFrame,
    measures: dict[str, Measure],
    year: str,
    first_column: str = "Service",
    notes: list[str] | None = None,
) -> ReportTable:
    """One row per service and key question graded in the year, the grade as '4 - Good'."""
    rows = graded_rows(frame, measures, year)
    order = list(measures)
    body = [
        [r.breakdown, measures[r.measure].label, grade(r.number)]
        for r in sorted(rows.itertuples(), key=lambda r: (r.breakdown, order.index(r.measure)))
    ]
    audit = [
        _audit(caption, r.breakdown, measures[r.measure].label, r.number, "number", r.source) for r in rows.itertuples()
    ]
    notes = list(notes or ["Grades run from 1 (Unsatisfactory) to 6 (Excellent)."])
    return ReportTable(caption, [first_column, "Key question", "Grade"], body, notes, audit=audit)


def grades_summary(frame: pd.DataFrame, measures: dict[str, Measure], year: str) -> dict[str, str]:
    """Words for narrative: how many grades, at how many services, and how they fell ('8 Good and 1 Adequate')."""
    rows = graded_rows(frame, measures, year)
    if rows.empty:  # no grades this year: say so in words the build catches, never "0 grades"
        return dict.fromkeys(GRADES_KEYS, MISSING_PHRASE)
    counts = rows["number"].astype(int).value_counts()
    parts = [f"{counts[g]} {GRADE_WORDS[g]}" for g in sorted(counts.index, key=lambda g: (-counts[g], -g))]
    return {
        "awarded": number(len(rows), 0),
        "services": number(rows["breakdown"].nunique(), 0),
        "counts": join_words(parts) or "no grades",
    }


def _parts(items: str) -> list[str]:
    """'x; y' -> ['x', 'y']: a framework cell lists its mechanisms (or their leads, or frequencies) in order."""
    return [p.strip() for p in str(items).split("; ") if p.strip()]


def framework_table(caption: str, frame: pd.DataFrame, notes: list[str] | None = None, source: str = "") -> ReportTable:
    """The CSWO governance framework, one row per assurance mechanism (as the framework itself sets it
    out): the function's number on every row, its wording on its first, then the mechanism, its lead
    and its frequency."""
    rows = []
    for r in frame.itertuples():
        mechanisms, leads, frequencies = (_parts(c) for c in (r.assurance_mechanisms, r.lead, r.frequency))
        for position, mechanism in enumerate(mechanisms):
            lead = leads[position] if position < len(leads) else ""
            frequency = frequencies[position] if position < len(frequencies) else ""
            rows.append([str(r.function_number), r.function if position == 0 else "", mechanism, lead, frequency])
    return ReportTable(
        caption,
        ["No.", "Function", "Assurance mechanism", "Lead", "Frequency"],
        rows,
        list(notes or []),
        source=source or frame_source(frame),
    )


def recommendations_table(caption: str, frame: pd.DataFrame, actions_heading: str, source: str = "") -> ReportTable:
    """A recommendations tracker: recommendation, who it is for, local actions."""
    rows = [[r["number"], r["recommendation"], r["for"], r["local_actions"]] for _, r in frame.iterrows()]
    return ReportTable(
        caption, ["No.", "Recommendation", "For", actions_heading], rows, source=source or frame_source(frame)
    )
