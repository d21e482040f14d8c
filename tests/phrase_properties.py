"""Generated series and what each comparison phrase must say about them, read back from its words.

Shared by the sample in ``make test`` (tests/test_phrases.py) and the long sweep in ``make soak``.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

from cswo.figures import phrases as narrative
from cswo.figures.formatting import MISSING_PHRASE, format_value

FIRST = 2012
UNITS = ("count", "percent", "number")
EMPTY = [re.compile(p) for p in (r"different from every", r"\bnan\b", r"\bNone\b", r"  ", r"from (\S+) to \1(?!\S)")]


def label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


@st.composite
def series(draw):
    """A unit, its decimals and a history: one to nine years, with gaps, ties, negatives and records."""
    unit = draw(st.sampled_from(UNITS))
    if unit == "count":
        values = st.integers(0, 30) | st.integers(0, 3000)
    elif unit == "percent":
        values = st.integers(0, 100).map(float) | st.integers(0, 1000).map(lambda v: v / 10)
    else:
        values = st.integers(-50, 50).map(float) | st.integers(-500, 500).map(lambda v: v / 10)
    count = draw(st.integers(1, 9))
    history = {label(FIRST + i): draw(st.none() | values) for i in range(count)}
    decimals = None if unit == "count" else draw(st.sampled_from([None, 0, 1]))
    return unit, decimals, history


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").replace("£", ""))


def check(unit: str, decimals, history: dict[str, float | None]) -> None:
    """Every phrase for the latest year of ``history`` agrees with the numbers it stands for."""
    years = sorted(history)
    current, previous = history[years[-1]], history[years[-2]] if len(years) > 1 else None
    shown = lambda v: format_value(v, unit, decimals)  # noqa: E731
    earlier = {y: history[y] for y in years[:-1]}
    phrases = {
        "compared": narrative.compared(current, previous, unit, decimals=decimals),
        "change": narrative.change(current, previous, unit, decimals),
        "direction": narrative.direction(current, previous, unit, decimals),
        "trend": narrative.trend(current, previous, unit, decimals),
        "same_as": narrative.same_or_nearest(current, earlier),
        "standing": narrative.standing(history) if current is not None else MISSING_PHRASE,
    }
    for name, phrase in phrases.items():
        assert phrase and not any(p.search(phrase) for p in EMPTY), (name, phrase)
        assert phrase.count("(") == phrase.count(")") and not phrase.rstrip().endswith("."), (name, phrase)
    if current is None:
        assert set(phrases.values()) == {MISSING_PHRASE}
        return
    _compared(phrases["compared"], shown(current), None if previous is None else shown(previous))
    if previous is None:
        assert {phrases[k] for k in ("change", "direction", "trend")} == {MISSING_PHRASE}
    else:
        _movement(phrases, current, previous, shown, unit, decimals)
    _same_as(phrases["same_as"], current, earlier)
    _standing(phrases["standing"], history)


def _compared(phrase: str, now: str, before: str | None) -> None:
    assert "(" not in phrase, phrase  # it sits where a number does: "In 2024-25, 21 orders were granted"
    assert phrase == (now if before is None else f"{now}, compared with {before} the year before")


def _movement(phrases, current, previous, shown, unit, decimals) -> None:
    same = shown(current) == shown(previous)
    up = current > previous
    assert phrases["direction"] == ("stayed the same" if same else "increased" if up else "decreased")
    assert phrases["trend"] == (
        f"stayed at {shown(current)}"
        if same
        else f"{'increased' if up else 'decreased'} from {shown(previous)} to {shown(current)}"
    )
    change = phrases["change"]
    if same:
        assert change == "no change"
        return
    assert change.startswith("an increase" if up else "a decrease"), change
    if previous == 0 and unit != "percent":
        assert change.endswith("from none")
        return
    amount = re.search(r"of (less than )?([\d,.]+)( percentage points?|%)$", change)
    assert amount, change
    said = _number(amount.group(2))
    exact = abs(current - previous) if unit == "percent" else abs(current - previous) / abs(previous) * 100
    if amount.group(1):
        assert exact < said
    else:
        assert said > 0 and abs(said - exact) <= 0.5 + 1e-9, (change, exact)


def _same_as(phrase: str, current, earlier: dict) -> None:
    given = [y for y in sorted(earlier) if earlier[y] is not None]
    if match := re.fullmatch(r"the same as in (\S+)", phrase):
        year = match.group(1)
        assert earlier[year] == current and not any(earlier[y] == current for y in given if y > year)
    elif match := re.fullmatch(r"(higher|lower) than in (\S+)", phrase):
        assert match.group(2) == given[-1] and current not in [earlier[y] for y in given]
        assert (current > earlier[given[-1]]) == (match.group(1) == "higher")
    else:
        assert phrase == "the first year with a figure" and not given


def _standing(phrase: str, history: dict) -> None:
    given = [y for y in sorted(history) if history[y] is not None]
    value, earlier = history[given[-1]], [history[y] for y in given[:-1]]
    if len(given) < 3:
        assert phrase == "fewer than three years of figures to compare"
    elif match := re.fullmatch(r"the (highest|lowest) on record \(since (\S+)\)", phrase):
        assert match.group(2) == given[0]
        assert all(value > v if match.group(1) == "highest" else value < v for v in earlier)
    elif match := re.fullmatch(r"the (highest|lowest) since (\S+)", phrase):
        high, year = match.group(1) == "highest", match.group(2)
        later = [history[y] for y in given[:-1] if y > year]
        assert (history[year] >= value if high else history[year] <= value) and len(later) >= 2
        assert all(value > v if high else value < v for v in later)
    elif match := re.fullmatch(r"the joint (highest|lowest) on record \(with (\S+)\)", phrase):
        assert value == (max if match.group(1) == "highest" else min)(earlier) == history[match.group(2)]
    else:
        assert phrase == f"within the range of earlier years (since {given[0]})", phrase
        assert min(earlier) < value < max(earlier)
