"""UK number formatting: thousands separators, £ and £000, percentages, GSS symbols."""

from __future__ import annotations

import re

from cswo.safeguards.disclosure import is_missing

NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"
SUPPRESSED = "[c]"
SYMBOL_FOR_STATUS = {"x": NOT_AVAILABLE, "z": NOT_APPLICABLE, "c": SUPPRESSED}
SYMBOL_NOTES = {
    NOT_AVAILABLE: "[x] = not available",
    NOT_APPLICABLE: "[z] = not applicable",
    SUPPRESSED: "[c] = confidential: suppressed so that individuals cannot be identified",
}
MISSING_PHRASE = "figures are not yet available"


def decimals_of(value: float, most: int = 2) -> int:
    """How many decimals a stored value carries (95 -> 0, 87.7 -> 1), at most ``most``."""
    for places in range(most + 1):
        if abs(round(value, places) - value) < 1e-9:
            return places
    return most


def number(value: float, decimals: int | None = None) -> str:
    """'1,377', '79.9', '4.43'."""
    if decimals is None:
        decimals = decimals_of(value)
    return f"{value:,.{decimals}f}"


def percent(value: float, decimals: int | None = None) -> str:
    return number(value, decimals) + "%"


def pounds(value: float) -> str:
    """Whole pounds: '£1,522,411' (a published '£731423.7344' becomes '£731,424')."""
    return f"£{value:,.0f}"


def pounds_thousands(value: float) -> str:
    """A £000 figure as prose: £122,739k -> '£122.7 million', £1,000k -> '£1 million', £194k -> '£194,000'."""
    if abs(value) >= 1000:  # whole millions without a '.0': '£1 million'
        return f"£{value / 1000:,.1f}".removesuffix(".0") + " million"
    return f"£{value * 1000:,.0f}"


def format_value(value, unit: str, decimals: int | None = None, status: str = "") -> str:
    """A value as it reads in narrative, with its unit where the unit is a symbol.

    ``decimals`` is the paper's number style for the unit (the catalogue's ``number_style``);
    None shows the value as the data gives it."""
    if is_missing(value):
        return SYMBOL_FOR_STATUS.get(status, NOT_AVAILABLE)
    if unit == "percent":
        return percent(value, decimals)
    if unit == "gbp":
        return pounds(value)
    if unit == "gbp_thousand":
        return pounds_thousands(value)
    if unit == "count":
        return number(value, 0)
    return number(value, decimals)


def approximately(value, unit: str, qualifier: str) -> str:
    """A figure the source gives only in words, in those words: 'just under 10%'.

    Shown at the precision it was given, never the unit's style: '10.0%' would claim an accuracy
    the source does not have."""
    return f"{qualifier} {format_value(value, unit, decimals_of(value))}"


# words that say a figure is not exact: what follows them never claims a decimal place it lacks
QUALIFIERS = re.compile(
    r"\b(?:around|about|approximately|roughly|nearly|almost|over|under|more than|less than)\s*$", re.I
)
_TRAILING_ZEROS = re.compile(r"^(£?-?[\d,]+)\.0+(?=%|\b)")


def without_false_precision(phrase: str, before: str) -> str:
    """``phrase`` as it reads after ``before``: after "around" or "over", '70.0%' reads '70%'."""
    return _TRAILING_ZEROS.sub(r"\1", phrase) if QUALIFIERS.search(before) else phrase


def format_exact(value, unit: str, status: str = "") -> str:
    """A value in full, for prose that also rounds it: £4,716 thousand reads '£4,716,000', not '£4.7 million'."""
    if is_missing(value):
        return SYMBOL_FOR_STATUS.get(status, NOT_AVAILABLE)
    if unit == "gbp_thousand":
        return pounds_exact(value * 1000)
    if unit == "gbp":
        return pounds_exact(value)
    if unit == "percent":
        return percent(value, decimals_of(value, 4))
    return number(value, decimals_of(value, 4))


def pounds_exact(value: float) -> str:
    """Pounds with pence only where there are pence: '£4,716,000', '£731,423.73'."""
    return f"£{value:,.0f}" if decimals_of(value) == 0 else f"£{value:,.2f}"


def format_cell(value, unit: str, decimals: int | None = None, status: str = "") -> str:
    """A value as it reads in a table cell: £000 tables show '35,158' under a '£000' header."""
    if is_missing(value):
        return SYMBOL_FOR_STATUS.get(status, NOT_AVAILABLE)
    if unit == "gbp_thousand":
        return number(value, 0)
    return format_value(value, unit, decimals)


ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def ranked(value) -> str:
    """A place in a ranking as prose puts it before a superlative: 1 -> 'the' ('the poorest'),
    3 -> 'the third', 13 -> 'the 13th' (words to ninth, then figures)."""
    place = int(value)
    if place == 1:
        return "the"
    if 1 < place <= len(ORDINAL_WORDS):
        return f"the {ORDINAL_WORDS[place - 1]}"
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"the {place:,}{suffix}"


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """'1 complaint', '93 complaints', '1 person', '2 people' (pass plural_form for irregulars)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{number(count, decimals_of(count))} {word}"


GRADE_WORDS = {1: "Unsatisfactory", 2: "Weak", 3: "Adequate", 4: "Good", 5: "Very Good", 6: "Excellent"}


def grade(value: float) -> str:
    """A Care Inspectorate grade as it is usually written: '4 - Good'."""
    return f"{value:.0f} - {GRADE_WORDS[int(value)]}"


def join_words(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")


def spreadsheet_text(value):
    """A text cell made safe for a CSV a spreadsheet will open: one starting with =, +, - or @
    (a formula to Excel, e.g. ``=HYPERLINK(...)``) is written with a leading apostrophe.
    Numbers, and text that is only a signed number, are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_workbook(workbook) -> None:
    """Every text cell in an openpyxl workbook that would be read as a formula is stored as text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"  # a shared string: shown as typed, never evaluated
