"""What each figure role in a year's prose reads from the data, worked out without running a notebook.

:mod:`cswo.narrative.needs` knows, from the notebooks' code, which table, measure and breakdown each
figure name registers. With the year's validated data this gives, for every role that prints a
figure (``x.value``, ``x.last_year``, ``x.compared``, ``x.in_2019_20``, a breakdown), the values it
prints and their unit: what :mod:`cswo.narrative.claims` judges a typed comparison against. A role
whose figure is not in the data reads nothing (the completeness check reports the gap).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cswo.figures.figure import Figure
from cswo.figures.formatting import is_missing
from cswo.figures.vocabulary import EXACT, FIGURE_ATTRIBUTES, attribute_year
from cswo.narrative.claims import Reading
from cswo.narrative.needs import YearNeeds
from cswo.project.catalogue import Table
from cswo.project.paths import previous_year

# the attributes that print figures, and which years they print, in order
PRINTED = {"value": (0,), "last_year": (1,), "compared": (0, 1)}


def section_readings(needs: YearNeeds, dataset, catalogue: dict[str, Table]) -> dict[str, dict[str, Reading]]:
    """section -> role -> :class:`Reading`, for every role in the year's prose that reads a figure:
    the values it prints (none for a phrase in words, or where ``dataset`` is None)."""
    registered: dict[tuple[str, str], tuple[str, str, str]] = {}  # (section, figure) -> table, measure, breakdown
    breakdowns: dict[tuple[str, str], tuple[str, str, str]] = {}  # (section, role) -> this year's breakdown
    for key, uses in needs.needs.items():
        for use in (u for u in uses if u.in_prose):
            head, _, attribute = use.name.partition(".")
            plain = _plain(attribute)
            if plain in FIGURE_ATTRIBUTES or attribute_year(plain):
                registered[(use.section, head)] = (key.table, key.measure, key.breakdown)
            else:
                breakdowns[(use.section, use.name)] = (key.table, key.measure, key.breakdown)
    numbers = _numbers(dataset) if dataset is not None else {}
    out: dict[str, dict[str, Reading]] = {}
    for uses in needs.needs.values():
        for use in (u for u in uses if u.in_prose):
            where = breakdowns.get((use.section, use.name))
            head, _, attribute = use.name.partition(".")
            years = [needs.year] if where else _years(attribute, needs.year)
            where = where or registered.get((use.section, head))
            measure = catalogue.get(where[0], Table("", "", "", ())).measures.get(where[1]) if where else None
            if measure is None:
                continue
            values = tuple((y, n) for y in years if not is_missing(n := numbers.get((*where, y))))
            calendar = measure.year_basis == "calendar"
            out.setdefault(use.section, {})[use.name] = Reading(measure.unit, values, calendar)
    return out


def figure_readings(figures: Mapping[str, Figure], names: Iterable[str]) -> dict[str, Reading]:
    """role -> :class:`Reading`, for the roles in ``names`` that print a figure, read from a running
    section's registered ``figures`` (the lab: its data are at hand, as validate's dataset is)."""
    out: dict[str, Reading] = {}
    for name in names:
        head, _, attribute = name.partition(".")
        figure = figures.get(head)
        if figure is None:
            continue
        plain = _plain(attribute)
        if plain in FIGURE_ATTRIBUTES or attribute_year(plain):
            pairs = [(y, figure.history.get(y)) for y in _years(attribute, figure.year)]
        elif attribute in figure.breakdowns:
            pairs = [(figure.year, figure.breakdowns[attribute])]
        else:
            continue
        calendar = (figure.period or figure.measure.year_basis) == "calendar"
        out[name] = Reading(figure.unit, tuple((y, n) for y, n in pairs if not is_missing(n)), calendar)
    return out


def _plain(attribute: str) -> str:
    """The attribute without its ``_exact`` suffix (``exact`` alone is the value in full)."""
    return attribute.removesuffix(EXACT) if attribute != "exact" else "value"


def _years(attribute: str, year: str) -> list[str]:
    """The years a figure attribute prints, in the order it prints them (none: it prints words)."""
    plain = _plain(attribute)
    named = attribute_year(plain)
    if named:
        return [named]
    years = [year, previous_year(year)]
    return [years[back] for back in PRINTED.get(plain, ())]


def _numbers(dataset) -> dict[tuple[str, str, str, str], float]:
    """(table, measure, breakdown, year) -> the number the data give."""
    out = {}
    for table, frame in dataset.tables.items():
        for row in frame[["measure", "breakdown", "year", "number"]].itertuples(index=False):
            out[(table, row.measure, row.breakdown, row.year)] = row.number
    return out
