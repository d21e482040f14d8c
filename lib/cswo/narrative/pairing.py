"""Does each year a sentence names belong to one of the figures beside it, in the report being built?

A figure's role says which year it prints: ``x.value`` the report year, ``x.last_year`` the year
before, ``x.in_2019_20`` 2019-20 whatever the report year. A year named beside it, typed ("2021",
"2020-21", "31 March 2022") or through a role (``s.last_year_end``), says which year the reader takes
the figure to be for. Written in one year, the two agree; carried into the next, a figure that
moved beside a year that did not (or the other way round) is a false sentence. This module pairs
them, read against the report year being built: a year that is none of its figures' years is a
finding.

A calendar year is read as the financial year ending in it ("2022" beside a 2021-22 figure), or, for
a measure the catalogue says counts calendar years (``year_basis: calendar``, where 2021-22 holds
2021), the one starting in it. A year after "since" is a starting point, not a figure's year.
"""

from __future__ import annotations

from dataclasses import dataclass

from cswo.figures.vocabulary import EXACT, attribute_year, year_attribute, years_read
from cswo.narrative import roles as prose
from cswo.project.paths import financial_year, year_start

# the financial year each year role of the vocabulary (YEAR_NAMES) names, counted from the report year
YEAR_ROLE_OFFSETS = {
    "label": 0,
    "last_label": -1,
    "next_label": 1,
    "year_end": 0,
    "last_year_end": -1,
    "year_end_month": 0,
    "period": 0,
}
# a figure's own year names: ``x.year`` prints the report year, ``x.last_year_label`` the year before
FIGURE_YEAR_NAMES = {"year": 0, "last_year_label": -1}
PRINTS_BOTH_YEARS = {"compared"}  # "93, compared with 67 the year before"


@dataclass(frozen=True)
class Named:
    """A year a sentence names, as written (typed, or a role): the first calendar year of the
    financial year it names, or the calendar year itself (``calendar``)."""

    text: str
    start: int
    typed: bool = True
    calendar: bool = False
    allowed: bool = False  # typed, and allowed as history in its cell

    def names(self, first: int, calendar_basis: bool | None = False) -> bool:
        """True if this names a figure's year, the financial year starting in ``first``. A calendar
        year names the financial year ending in it, or, for a measure whose years are calendar years
        (``calendar_basis``), the one starting in it; None: either (the basis does not matter)."""
        if not self.calendar:
            return self.start == first
        if calendar_basis is None:
            return first <= self.start <= first + 1
        return self.start == (first if calendar_basis else first + 1)


def figure_years(name: str, year: str) -> set[int] | None:
    """The financial years (by first calendar year) a figure role prints in a report for ``year``;
    None for a role that prints no figure (a section role, a year's label, a figure's label)."""
    head, _, attribute = name.partition(".")
    if head == "s" or not attribute or attribute in FIGURE_YEAR_NAMES or attribute == "label":
        return None
    read = years_read(attribute, year)
    if read is None:  # a breakdown, or a name registered as text: this year's
        read = [year]
    start = year_start(year)
    years = {int(y[:4]) for y in read}
    if attribute.removesuffix(EXACT) in PRINTS_BOTH_YEARS:
        years |= {start - 1}
    return years or None


def role_year(name: str, year: str) -> int | None:
    """The financial year (by first calendar year) a year role names: ``s.last_label`` -> the year
    before; None for any other role."""
    head, _, attribute = name.partition(".")
    offset = YEAR_ROLE_OFFSETS.get(attribute) if head == "s" else FIGURE_YEAR_NAMES.get(attribute)
    return None if offset is None else year_start(year) + offset


def unpaired(
    sentence: str, named: list[Named], year: str, calendar_basis: frozenset[str] = frozenset()
) -> list[tuple[Named, dict[str, set[int]]]]:
    """Each year ``sentence`` names (``named``: its typed years still to judge; its year roles are
    added here) that is out of step with the figures beside it in the report for ``year``, with those
    figures and their years. ``calendar_basis``: the roles whose measure counts calendar years.

    - A typed year must name a fixed figure's year (``x.in_2019_20``: either convention for a
      calendar year, since neither moves), or, where it is not allowed as history, a moving figure's
      year this year (it will not be next year: then it is listed).
    - A year role must name one of the figures' years where the sentence has a fixed figure: a role
      moves, a fixed figure does not.

    A sentence with no figure pairs nothing."""
    names = prose.references(sentence)
    figures = {n: ys for n in names if (ys := figure_years(n, year))}
    if not figures:
        return []
    fixed = {y for n, ys in figures.items() if not moves(n) for y in ys}
    moving = [(y, n in calendar_basis) for n, ys in figures.items() if moves(n) for y in ys]
    out = []
    for one in named:
        if any(one.names(first, None) for first in fixed):
            continue
        if not one.allowed and any(one.names(first, basis) for first, basis in moving):
            continue
        out.append((one, figures))
    if fixed:
        for n in dict.fromkeys(names):
            first = role_year(n, year)
            if first is not None and first not in fixed | {y for y, _ in moving}:
                out.append((Named(prose.role(n), first, typed=False), figures))
    return out


def moves(name: str) -> bool:
    """True if a figure role reads a year counted from the report year (``x.value``, not ``x.in_2019_20``)."""
    return attribute_year(name.partition(".")[2].removesuffix(EXACT)) is None


def message(named: Named, figures: dict[str, set[int]], year: str) -> str:
    """Validate's sentence for a year beside figures that are not for it, with the two ways to fix it."""
    shown = ", ".join(
        f"{prose.role(n)} ({' and '.join(financial_year(y) for y in sorted(ys, reverse=True))})"
        for n, ys in list(figures.items())[:3]
    )
    first = named.start - 1 if named.calendar else named.start
    history = f"x.{year_attribute(financial_year(first))}"
    what = f"the calendar year {named.start}" if named.calendar else financial_year(named.start)
    return (
        f"'{named.text}' names {what}, out of step with the figures beside it in the {year} report: {shown}. "
        f"For history, name that year's figure (e.g. {history}) and allow the typed year (<!-- allow-year: … -->); "
        f"for this year's story, use moving roles for both (s.label with x.value, s.last_label with x.last_year)"
    )
