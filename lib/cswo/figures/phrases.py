"""The report's comparison language, produced from data.

Each helper takes values (``None``/NaN for missing) and returns a phrase in
plain English: "93, compared with 67 the year before", "an increase of 39%",
"the same as in 2019-20", "an average of 98 a year over the last 5 years",
"the highest since 2017-18". Missing data gives the standard phrase, never
0, nan or a blank.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cswo.figures.formatting import MISSING_PHRASE, format_value, is_missing, number


def compared(
    current, previous, unit: str = "count", previous_label: str = "the year before", decimals: int | None = None
) -> str:
    """'93, compared with 67 the year before'; ``decimals`` is the paper's number style for the unit.

    With no figure the year before there is nothing to compare: the value alone ('21'), so the
    phrase still reads wherever a number does."""
    if is_missing(current):
        return MISSING_PHRASE
    if is_missing(previous):
        return format_value(current, unit, decimals)
    return (
        f"{format_value(current, unit, decimals)}, compared with {format_value(previous, unit, decimals)} "
        f"{previous_label}"
    )


def _shown_equal(current, previous, unit: str, decimals: int | None) -> bool:
    """True if the two values print the same: a change too small to show is no change on the page."""
    return current == previous or format_value(current, unit, decimals) == format_value(previous, unit, decimals)


def change(
    current, previous, unit: str = "count", decimals: int | None = None, percent_decimals: int | None = None
) -> str:
    """'an increase of 39%', 'a decrease of 5%', 'no change'; percentages change in points, shown in
    the unit's style (``decimals``); a relative change is a percentage, in the paper's percentage
    style (``percent_decimals``, whole numbers where none is declared). A change that rounds to
    nothing says so ('an increase of less than 1%'), never 'of 0%'."""
    if is_missing(current) or is_missing(previous):
        return MISSING_PHRASE
    if _shown_equal(current, previous, unit, decimals):
        return "no change"
    direction = "an increase" if current > previous else "a decrease"
    if unit == "percent":
        points = abs(current - previous)
        places = decimals if decimals is not None else (1 if points != int(points) else 0)
        return f"{direction} of {_at_least(points, places)} percentage point{'' if points == 1 else 's'}"
    if previous == 0:
        return f"{direction} from none"
    relative = abs(current - previous) / abs(previous) * 100
    return f"{direction} of {_at_least(relative, percent_decimals or 0)}%"


def _at_least(amount: float, places: int) -> str:
    """``amount`` at ``places`` decimals, or 'less than 1' (0.1 ...) where it would round to 0."""
    shown = number(amount, places)
    if float(shown.replace(",", "")) == 0:
        return f"less than {number(10**-places, places)}"
    return shown


def direction(current, previous, unit: str = "count", decimals: int | None = None) -> str:
    """'increased', 'decreased' or 'stayed the same' (as the values print: a change too small to
    show is none)."""
    if is_missing(current) or is_missing(previous):
        return MISSING_PHRASE
    if _shown_equal(current, previous, unit, decimals):
        return "stayed the same"
    return "increased" if current > previous else "decreased"


def trend(current, previous, unit: str = "count", decimals: int | None = None) -> str:
    """A whole movement: 'increased from 67 to 93', 'decreased from 8.5% to 7.9%', 'stayed at 22'
    (never 'stayed the same from 22 to 22')."""
    if is_missing(current) or is_missing(previous):
        return MISSING_PHRASE
    now, before = format_value(current, unit, decimals), format_value(previous, unit, decimals)
    if now == before:
        return f"stayed at {now}"
    return f"{'increased' if current > previous else 'decreased'} from {before} to {now}"


def same_as(current, history: Mapping[str, float], label: Callable[[str], str] = str) -> str | None:
    """'the same as in 2019-20' for the latest earlier year with the same value, else None.

    ``label`` writes a year in the council's style (2019-20 or 2019/20).
    """
    if is_missing(current):
        return None
    for year in sorted(history, reverse=True):
        if not is_missing(history[year]) and history[year] == current:
            return f"the same as in {label(year)}"
    return None


def same_or_nearest(current, history: Mapping[str, float], label: Callable[[str], str] = str) -> str:
    """'the same as in 2019-20'; else against the latest earlier year with a figure: 'higher than in
    2020-21', 'lower than in 2020-21'; else 'the first year with a figure'."""
    if is_missing(current):
        return MISSING_PHRASE
    same = same_as(current, history, label)
    if same:
        return same
    earlier = [y for y in sorted(history) if not is_missing(history[y])]
    if not earlier:
        return "the first year with a figure"
    latest = earlier[-1]
    return f"{'higher' if current > history[latest] else 'lower'} than in {label(latest)}"


def average(history: Mapping[str, float], years: int = 5, unit: str = "count", decimals: int = 1) -> str:
    """'an average of 98 a year over the last 5 years' (the latest ``years`` years, all present);
    counts are averaged to whole numbers, anything else to ``decimals`` places."""
    value = average_value(history, years)
    if value is None:
        return MISSING_PHRASE
    shown = format_value(value, unit, 0 if unit == "count" else decimals)
    return f"an average of {shown} a year over the last {years} years"


def average_value(history: Mapping[str, float], years: int = 5) -> float | None:
    latest = sorted(history)[-years:]
    values = [history[y] for y in latest]
    if len(latest) < years or any(is_missing(v) for v in values):
        return None
    return sum(values) / years


def record(history: Mapping[str, float], label: Callable[[str], str] = str) -> str | None:
    """'the highest since 2017-18', 'the lowest on record' for the latest year, or None."""
    years = [y for y in sorted(history) if not is_missing(history[y])]
    if len(years) < 3:
        return None
    value = history[years[-1]]
    earlier = years[:-1]
    for word, beats in (("highest", lambda a, b: a > b), ("lowest", lambda a, b: a < b)):
        if all(beats(value, history[y]) for y in earlier):
            return f"the {word} on record (since {label(earlier[0])})"
        # the latest earlier year that was at least as extreme
        for year in reversed(earlier):
            if not beats(value, history[year]):
                later = earlier[earlier.index(year) + 1 :]
                if later and all(beats(value, history[y]) for y in later) and len(later) >= 2:
                    return f"the {word} since {label(year)}"
                break
    return None


def standing(history: Mapping[str, float], label: Callable[[str], str] = str) -> str:
    """Where the latest year stands among the earlier ones, always true: a record (:func:`record`),
    'the joint highest on record (with 2019-20)', 'within the range of earlier years (since
    2017-18)', or, with fewer than three years, 'fewer than three years of figures to compare'."""
    found = record(history, label)
    if found:
        return found
    years = [y for y in sorted(history) if not is_missing(history[y])]
    if len(years) < 3:
        return "fewer than three years of figures to compare"
    value, earlier = history[years[-1]], years[:-1]
    for word, extreme in (("highest", max), ("lowest", min)):
        if value == extreme(history[y] for y in earlier):
            ties = [y for y in earlier if history[y] == value]
            return f"the joint {word} on record (with {label(ties[-1])})"
    return f"within the range of earlier years (since {label(earlier[0])})"


class Phrase(str):
    """A piece of report text that displays as itself (no quotes), so a notebook shows it as the page will.

    JupyterLab's MyST renderer shows an ``{eval}`` role's plain-text form; a ``str`` would carry
    quotes there (and escapes, for text with both kinds of quote).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str.__str__(self))


class Phrases:
    """Named phrases reached as attributes (``house_grades.awarded``), listed one a line when displayed."""

    def __init__(self, name: str, phrases: Mapping[str, str]):
        self._name = name
        self._phrases = {key: Phrase(value) for key, value in phrases.items()}
        for key, value in self._phrases.items():
            if "." not in key:
                setattr(self, key, value)

    def items(self):
        return self._phrases.items()

    def __repr__(self) -> str:
        prefix = f"{self._name}." if self._name else ""
        return "\n".join(f"{prefix}{key}: {value}" for key, value in self._phrases.items())

    def __getitem__(self, key: str) -> Phrase:
        return self._phrases[key]

    def __contains__(self, key: str) -> bool:
        return key in self._phrases

    def __len__(self) -> int:
        return len(self._phrases)
