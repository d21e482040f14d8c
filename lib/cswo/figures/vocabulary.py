"""The prose vocabulary: every name narrative may use, and the years of data each one reads.

One list, asked by everything that reads or writes prose: :class:`cswo.figures.figure.Figure`
offers exactly these attributes, :mod:`cswo.narrative.needs` works out from them which figures
``cswo validate``, the completeness check and the data-entry workbook ask for, and the section
(what the lab shows) lists the names of ``s`` from here.

A figure ``f`` offers ``{eval}`f.<attribute>` `` for each attribute below, plus three families
named from the data: ``f.in_2019_20`` (the value in a given year), ``f.<breakdown>`` (a breakdown
this year) and ``<any of those>_exact`` (the value in full, where prose rounds it).
"""

from __future__ import annotations

from cswo.project.paths import financial_year, year_label, year_start

# which years an attribute reads, counted back from the report year (0 = the report year)
CURRENT, PREVIOUS, BOTH, FIVE_YEARS, NO_DATA = (0,), (1,), (0, 1), (0, 1, 2, 3, 4), ()

FIGURE_ATTRIBUTES: dict[str, tuple[int, ...]] = {
    "value": CURRENT,
    "exact": CURRENT,
    "compared": CURRENT,  # says so in words when the year before has no figure
    "change": BOTH,
    "direction": BOTH,
    "trend": BOTH,  # "increased from 67 to 93", "stayed at 22": the whole movement, never "from 22 to 22"
    "last_year": PREVIOUS,
    "last_year_exact": PREVIOUS,
    "same_as": CURRENT,  # compared with every earlier year the data has, which need not all be there
    "record": CURRENT,  # likewise; "within the range of earlier years" when it is neither
    "average_5y": FIVE_YEARS,
    "average_5y_value": FIVE_YEARS,
    "year": NO_DATA,
    "last_year_label": NO_DATA,
    "label": NO_DATA,
    "ranked": CURRENT,  # a place in a ranking, before a superlative: "the 13th (poorest)", "the (poorest)"
}
EXACT = "_exact"  # suffix: the value in full
IN_YEAR = "in_"  # prefix: in_2019_20, the value in that year

# the years and dates prose names through the section, ``{eval}`s.year_end` ``, so that they move
# with the report year; each with what it reads in a 2021-22 report (see :func:`year_texts`)
YEAR_NAMES = {
    "label": "2021-22",  # the report year
    "last_label": "2020-21",  # the year before
    "next_label": "2022-23",  # the year after
    "year_end": "31 March 2022",  # the report year's last day
    "last_year_end": "31 March 2021",  # the year before's last day
    "year_end_month": "March 2022",  # the report year's last month
    "period": "April 2021 to March 2022",  # the report year as months
}
# what prose reaches through the section, ``{eval}`s.council` ``, besides figures and phrases
SECTION_NAMES = (*YEAR_NAMES, "council", "area", "partnership")
# what ``s.grades_summary(name, table)`` registers: ``{eval}`name.awarded` `` and so on
GRADES_KEYS = ("awarded", "services", "counts")


def year_texts(year: str, style: str = "hyphen") -> dict[str, str]:
    """What each of :data:`YEAR_NAMES` reads in a report for ``year`` ('2022-23'), in the council's
    style for year labels (hyphen 2022-23, slash 2022/23)."""
    start = year_start(year)

    def label(first: int) -> str:
        return year_label(financial_year(first), style)

    return {
        "label": label(start),
        "last_label": label(start - 1),
        "next_label": label(start + 1),
        "year_end": f"31 March {start + 1}",
        "last_year_end": f"31 March {start}",
        "year_end_month": f"March {start + 1}",
        "period": f"April {start} to March {start + 1}",
    }


def year_attribute(year: str) -> str:
    """The attribute for a figure's value in ``year``: '2019-20' -> 'in_2019_20'."""
    return IN_YEAR + year.replace("-", "_")


def attribute_year(attribute: str) -> str | None:
    """The year an ``in_YYYY_YY`` attribute names, else None."""
    rest = attribute.removeprefix(IN_YEAR)
    if attribute.startswith(IN_YEAR) and len(rest) == 7 and rest[:4].isdigit() and rest[5:].isdigit():
        return rest.replace("_", "-")
    return None


def years_read(attribute: str, year: str) -> list[str] | None:
    """The years of data a figure's ``attribute`` reads in a report for ``year`` (most recent first);
    None when it is not in the vocabulary (it may still be a breakdown, which reads ``year``)."""
    if attribute in FIGURE_ATTRIBUTES:
        start = year_start(year)
        return [financial_year(start - back) for back in FIGURE_ATTRIBUTES[attribute]]
    named = attribute_year(attribute.removesuffix(EXACT))
    return [named] if named else None


def figure_names(name: str, years: list[str] = (), breakdowns=()) -> list[str]:
    """Every name a figure called ``name`` offers prose, given the years and breakdowns it has."""
    names = [f"{name}.{a}" for a in FIGURE_ATTRIBUTES]
    for family in ([year_attribute(y) for y in years], list(breakdowns)):
        names += [f"{name}.{a}{suffix}" for a in family for suffix in ("", EXACT)]
    return names
