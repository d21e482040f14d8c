"""A figure: one measure (and breakdown) across years, and the words it gives narrative."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cswo.data.queries import QUERY_MARK
from cswo.figures import phrases as narrative
from cswo.figures.formatting import (
    MISSING_PHRASE,
    NOT_AVAILABLE,
    SYMBOL_FOR_STATUS,
    approximately,
    format_cell,
    format_exact,
    format_value,
    is_missing,
    ranked,
)
from cswo.figures.phrases import Phrase
from cswo.figures.vocabulary import EXACT, FIGURE_ATTRIBUTES, year_attribute
from cswo.project.catalogue import TOTAL, Measure
from cswo.project.paths import previous_year, year_label
from cswo.safeguards.disclosure import NOT_PUBLISHED, fewer_than, withheld


@dataclass(repr=False)
class Figure:
    """A measure's values by year, seen from the report year.

    Narrative reaches its phrases as attributes, ``complaints.value``, ``complaints.compared`` and
    so on (see :meth:`placeholders`); each is a :class:`Phrase` reading exactly as the paper will.
    """

    name: str
    measure: Measure
    breakdown: str
    year: str
    history: dict[str, float]
    status: dict[str, str]
    sources: dict[str, str]
    breakdowns: dict[str, float] = field(default_factory=dict)
    threshold: int | None = None  # disclosure: counts below this print as "fewer than N"
    year_style: str = "hyphen"  # how prose writes a year: hyphen (2021-22) or slash (2021/22)
    symbol: str = "[c]"  # disclosure: how a table shows a suppressed cell
    hidden: dict[str, str] = field(default_factory=dict)  # year -> why suppressed (primary/secondary)
    breakdowns_hidden: dict[str, str] = field(default_factory=dict)  # this year's breakdown -> why
    percent_decimals: int | None = None  # the paper's percentage style, for relative changes
    approximate: dict[str, str] = field(default_factory=dict)  # year -> "just under" (given in words)
    breakdowns_approximate: dict[str, str] = field(default_factory=dict)  # this year's breakdown -> qualifier
    queries: dict[str, str] = field(default_factory=dict)  # year -> the question its row is under (an open item)
    period: str | None = None  # financial or calendar: the period of the year's own rows (None: the measure's)

    @classmethod
    def from_table(
        cls,
        name: str,
        frame: pd.DataFrame,
        measure: Measure,
        year: str,
        breakdown: str = TOTAL,
        threshold: int | None = None,
        year_style: str = "hyphen",
        symbol: str = "[c]",
        percent_decimals: int | None = None,
    ) -> Figure:
        rows, period = period_rows(frame[frame["measure"] == measure.name], measure, year)
        # each frame's rows are walked once: itertuples costs about a millisecond a call on Arrow columns
        mine = list(rows[rows["breakdown"] == breakdown].itertuples())
        this_year = list(rows[(rows["year"] == year) & (rows["breakdown"] != breakdown)].itertuples())
        return cls(
            name=name,
            measure=measure,
            breakdown=breakdown,
            year=year,
            history={r.year: r.number for r in mine},
            status={r.year: r.status for r in mine},
            sources={r.year: r.source for r in mine},
            breakdowns={r.breakdown: r.number for r in this_year},
            threshold=threshold if measure.unit == "count" else None,
            year_style=year_style,
            symbol=symbol,
            percent_decimals=percent_decimals,
            hidden=_why(mine, "year"),
            breakdowns_hidden=_why(this_year, "breakdown"),
            approximate=_qualifiers(mine, "year"),
            breakdowns_approximate=_qualifiers(this_year, "breakdown"),
            queries={r.year: r.query for r in mine if getattr(r, "query", "")},
            period=period,
        )

    @property
    def current(self) -> float | None:
        value = self.history.get(self.year)
        return None if is_missing(value) else value

    @property
    def previous(self) -> float | None:
        value = self.history.get(previous_year(self.year))
        return None if is_missing(value) else value

    @property
    def unit(self) -> str:
        return self.measure.unit

    @property
    def decimals(self) -> int | None:
        """The paper's number style for this figure's unit (None: as the data gives it)."""
        return self.measure.decimals

    def _shown(self, value, year: str | None = None, why: str | None = None, qualifier: str | None = None) -> str:
        why = why if why is not None else self.hidden.get(year or self.year)
        if why:  # suppressed by the disclosure policy before anything was drawn
            return withheld(why, self.threshold)
        if is_missing(value):
            status = self.status.get(year or self.year, "")
            return MISSING_PHRASE if status in ("", "x") else SYMBOL_FOR_STATUS[status]
        small = fewer_than(value, self.threshold) if self.threshold else None
        if small:
            return small
        qualifier = self.approximate.get(year or self.year, "") if qualifier is None else qualifier
        if qualifier:
            return approximately(value, self.unit, qualifier)
        return format_value(value, self.unit, self.decimals)

    def shown_value(self, year: str) -> str:
        """The year's value as a table cell or chart label shows it: in the paper's number style,
        in words where the source gives it only in words, or the symbol saying why there is none."""
        value = self.history.get(year)
        if is_missing(value):
            return SYMBOL_FOR_STATUS.get(self.status.get(year, ""), NOT_AVAILABLE)
        if self.approximate.get(year):
            shown = approximately(value, self.unit, self.approximate[year])
        else:
            shown = format_cell(value, self.unit, self.decimals)
        return f"{shown} {QUERY_MARK}" if year in self.queries else shown  # a draft marks a figure under query

    def is_approximate(self, year: str) -> bool:
        return bool(self.approximate.get(year))

    def year_text(self, year: str) -> str:
        """A year as the council writes it (2021-22 or 2021/22)."""
        return year_label(year, self.year_style)

    def _exact(self, value, year: str | None = None, why: str | None = None, qualifier: str | None = None) -> str:
        """The value in full (prose rounds £000 to '£4.7 million'); small counts stay hidden, and a
        figure given only in words stays in words."""
        if qualifier is None:
            qualifier = self.approximate.get(year or self.year, "")
        if is_missing(value) or self.suppressed(value) or why or qualifier:
            return self._shown(value, year, why, qualifier)
        return format_exact(value, self.unit)

    def suppressed(self, value) -> bool:
        return bool(self.threshold and not is_missing(value) and 0 < value < self.threshold)

    def is_hidden(self, year: str) -> bool:
        """True if the disclosure policy suppressed this year's figure."""
        return bool(self.hidden.get(year))

    @property
    def any_breakdown_hidden(self) -> bool:
        return bool(self.breakdowns_hidden)

    @property
    def label(self) -> Phrase:
        return Phrase(self.measure.label)

    def __getattr__(self, attribute: str) -> Phrase:
        # only reached for names that are not fields: the phrases narrative may use
        if attribute.startswith("_") or attribute in self.__dataclass_fields__:
            raise AttributeError(attribute)
        phrases = self.placeholders()
        key = f"{self.name}.{attribute}"
        if key in phrases:
            return Phrase(phrases[key])
        close = [k.split(".", 1)[1] for k in phrases if k.startswith(f"{self.name}.")]
        from difflib import get_close_matches

        hint = get_close_matches(attribute, close, n=1)
        raise AttributeError(
            f"figure '{self.name}' has no '{attribute}'" + (f"; did you mean '{hint[0]}'?" if hint else "")
        )

    def __repr__(self) -> str:
        phrases = self.placeholders()
        return f"{self.name}: {phrases[f'{self.name}.value']} ({phrases[f'{self.name}.compared']})"

    def placeholders(self) -> dict[str, str]:
        """Every ``name.*`` this figure offers narrative, with the text it reads: the attributes the
        vocabulary lists, then the value in each year and each breakdown (each also ``_exact``)."""
        texts = self.attribute_texts()
        out = {f"{self.name}.{attribute}": texts[attribute] for attribute in FIGURE_ATTRIBUTES}
        for year, value in self.history.items():
            out[f"{self.name}.{year_attribute(year)}"] = self._shown(value, year)
            out[f"{self.name}.{year_attribute(year)}{EXACT}"] = self._exact(value, year)
        for breakdown, value in self.breakdowns.items():
            why, rough = self.breakdowns_hidden.get(breakdown, ""), self.breakdowns_approximate.get(breakdown, "")
            out[f"{self.name}.{breakdown}"] = self._shown(value, why=why, qualifier=rough)
            out[f"{self.name}.{breakdown}{EXACT}"] = self._exact(value, why=why, qualifier=rough)
        return out

    def attribute_texts(self) -> dict[str, str]:
        """The text of each attribute in the vocabulary (:mod:`cswo.figures.vocabulary`), by attribute."""
        unit, cur, prev, last = self.unit, self.current, self.previous, previous_year(self.year)
        hidden = self.suppressed(cur) or self.suppressed(prev) or self.is_hidden(self.year) or self.is_hidden(last)
        out = {
            "value": self._shown(cur),
            "last_year": self._shown(prev, last),
            "exact": self._exact(cur),
            "last_year_exact": self._exact(prev, last),
            "year": self.year_text(self.year),
            "last_year_label": self.year_text(last),
            "label": self.measure.label,
            "ranked": self._shown(cur) if cur is None or self.is_hidden(self.year) else ranked(cur),
            **self._comparisons(hidden),
        }
        earlier = {y: v for y, v in self.history.items() if y < self.year}
        out["same_as"] = narrative.same_or_nearest(cur, earlier, self.year_text)
        average = narrative.average_value(self.history, 5)
        out["average_5y"] = narrative.average(self.history, 5, unit, self.average_decimals)
        out["average_5y_value"] = (
            MISSING_PHRASE if average is None else format_value(average, unit, self.average_decimals)
        )
        out["record"] = narrative.standing(self._up_to_year(), self.year_text) if cur is not None else MISSING_PHRASE
        if self.is_hidden(self.year):  # "the same as in 2019-20" or "the lowest on record" would tell
            out["same_as"] = out["record"] = NOT_PUBLISHED
        if any(self.is_hidden(y) for y in sorted(self.history)[-5:]):  # a mean gives away a missing term
            out["average_5y"] = out["average_5y_value"] = NOT_PUBLISHED
        return out

    @property
    def average_decimals(self) -> int:
        """An average is shown in the unit's style; one with no declared style to one decimal place."""
        return 0 if self.unit == "count" else (self.decimals if self.decimals is not None else 1)

    def _comparisons(self, hidden: bool) -> dict[str, str]:
        """``compared``, ``change`` and ``direction``: in words where a figure is hidden or approximate."""
        unit, cur, prev, last = self.unit, self.current, self.previous, previous_year(self.year)
        both = f"{self._shown(cur)}, compared with {self._shown(prev, last)} the year before"
        if hidden:
            return {"compared": both, "change": NOT_PUBLISHED, "direction": NOT_PUBLISHED, "trend": NOT_PUBLISHED}
        if self.is_approximate(self.year) or self.is_approximate(last):
            compared = narrative.compared(cur, prev, unit) if cur is None or prev is None else both
            if cur is not None and prev is None:
                compared = self._shown(cur)
            rough = "not measured exactly (the figures are approximate)"
            return {"compared": compared, "change": rough, "direction": rough, "trend": rough}
        return {
            "compared": narrative.compared(cur, prev, unit, decimals=self.decimals),
            "change": narrative.change(cur, prev, unit, self.decimals, self.percent_decimals),
            "direction": narrative.direction(cur, prev, unit, self.decimals),
            "trend": narrative.trend(cur, prev, unit, self.decimals),
        }

    def _up_to_year(self) -> dict[str, float]:
        """The history up to the report year: a later year in the data is not on record yet."""
        return {y: v for y, v in self.history.items() if y <= self.year}

    def audit_rows(self, section: str) -> list[dict]:
        return [
            {
                "section": section,
                "name": self.name,
                "table": self.measure.table,
                "measure": self.measure.name,
                "breakdown": self.breakdown,
                "year": year,
                "value": "" if is_missing(value) else value,
                "shown": self._shown(value, year),
                "unit": self.unit,
                "source": self.sources.get(year, ""),
            }
            for year, value in sorted(self.history.items())
            if year in self.audit_years
        ]

    @property
    def audit_years(self) -> set[str]:
        """The years a published figure is listed for in figures.csv: the report year and the four
        before it, the window its phrases read. An earlier year added to the data for another
        report leaves this year's list as it was."""
        years, year = set(), self.year
        for _ in range(5):
            years.add(year)
            year = previous_year(year)
        return years


def _why(rows: list, key: str) -> dict[str, str]:
    """Which rows (a frame's ``itertuples``) the disclosure policy suppressed, and why (see
    disclosure.protect_frame)."""
    return {getattr(r, key): r.suppressed for r in rows if getattr(r, "suppressed", "")}


def _qualifiers(rows: list, key: str) -> dict[str, str]:
    """Which rows (a frame's ``itertuples``) the source gives only in words, with the words ("just under"):
    column ``approximate``."""
    return {
        getattr(r, key): r.approximate.strip()
        for r in rows
        if isinstance(getattr(r, "approximate", None), str) and r.approximate.strip()
    }


def period_rows(rows: pd.DataFrame, measure: Measure, year: str) -> tuple[pd.DataFrame, str]:
    """A measure's rows of the period the year's own rows cover (financial or calendar year, the
    ``period`` column, blank for the measure's ``year_basis``), and that period: a year reads its own
    period's figures and sources only, so another report's rows of the measure never reach it."""
    if "period" not in rows or not (rows["period"] != "").any():
        return rows, measure.year_basis
    periods = rows["period"].where(rows["period"] != "", measure.year_basis)
    own = periods[rows["year"] == year]
    period = own.iloc[0] if len(own) else measure.year_basis
    return rows[periods == period], period
