"""Years and dates typed into narrative, read against the report year.

A typed "2020-21" beside a figure is right in the year it was written and wrong the year after,
when the figure beside it has moved on. This module finds every year label and date in a text
(financial years "2021-22" and "2021/22", "31 March 2022", "March 2022", "April 2021 to March
2022", bare calendar years), says where each falls against the report year, and names the section
role that moves with the year instead (the vocabulary's :data:`~cswo.figures.vocabulary.YEAR_NAMES`).
It also finds what a new year makes false: future tense about a year the report has reached, and
verbs of change ("rose", "narrowed") typed beside a figure.

Pure text in, findings out: :mod:`cswo.narrative.stale` locates them in notebooks and templates.
An analyst allows a year that is meant as history with an HTML comment, as for typed numbers:
``<!-- allow-year: 2020-21 -->``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cswo.figures.vocabulary import year_texts
from cswo.narrative import claims, pairing
from cswo.narrative import roles as prose
from cswo.narrative.typed import ALLOW_COMMENT, MONTHS
from cswo.project.paths import year_start

MONTH_NUMBER = {m: i for i, m in enumerate(MONTHS.split("|"), start=1)}
_DASH = r"\s?[-/–]\s?"
PERIOD = re.compile(r"\bApril (\d{4}) to March (\d{4})\b")
DATE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({MONTHS}) (\d{{4}})\b")
MONTH = re.compile(rf"\b({MONTHS}) (\d{{4}})\b")
FINANCIAL = re.compile(rf"(?<![\w/-])((?:19|20)\d{{2}}){_DASH}((?:19|20)?\d{{2}})(?![\w/-])")
CALENDAR = re.compile(r"(?<![\w/.-])((?:19|20)\d{2})(?![\w/-])")
ALLOW_YEAR = re.compile(r"<!--\s*allow-years?:\s*([^>]*?)\s*-->")
# future tense: what was to happen, which a later report has to say did (or did not)
FUTURE = re.compile(
    r"\b(?:will|shall|is to be|are to be|expected to|is due to be|are due to be|"
    r"plans? to|is planned|are planned|intends? to|aims? to|is going to|are going to)\b",
    re.IGNORECASE,
)
# future tense told by the words before the year: "the award that begins later in 2022", "posts to be
# recruited during 2022-23", "priorities to be progressed by Social Work and Social Care services during
# 2022-23" (up to a line's worth of words between the verb and the year's preposition, within the clause)
FUTURE_BEFORE = re.compile(
    r"\b(?:(?:begins?|starts?|commences?|opens?)(?: later)? in"
    r"|to be \w+(?: [^.;:,]{0,80})? (?:during|in|by|before))\s*$",
    re.IGNORECASE,
)
# a year that is where something started, not a figure's year: "since 2015-16", "since it began in 2019"
STARTING_POINT = re.compile(
    r"\b(?:since|began|begun|started|launched|established|introduced)\b(?:\s+\w+){0,3}\s*$", re.IGNORECASE
)
# verbs of change: true for the figures they were typed beside, not necessarily for next year's
CHANGE_VERBS = re.compile(
    r"\b(?:rose|risen|rising|fell|fallen|falling|increased|decreased|narrowed|widened|grew|grown|"
    r"dropped|declined|went up|went down|higher than|lower than)\b",
    re.IGNORECASE,
)
# a typed claim about a figure against its own average (not a comparator's, "the Scottish average"),
# true only of the figures it was typed beside
AVERAGE_CLAIM = re.compile(
    r"\b(?:close to|near|in line with|similar to|above|below|higher than|lower than)\s+(?:its|their)\s+"
    r"(?:\w+\s+)?average\b",
    re.IGNORECASE,
)
# a phrase the vocabulary produces already, so a verb beside it comes from data
FROM_DATA = ("direction", "trend", "change", "compared", "record", "same_as")
# "{eval}`x.direction` from {eval}`x.last_year` to ...": "stayed the same from 22 to 22" when equal
DIRECTION_FROM = re.compile(r"\{eval\}`([A-Za-z_][\w]*)\.direction`\s+from\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[*{])|\n\s*\n|\n(?=\s*[-*] )")


@dataclass(frozen=True)
class Mention:
    """A year or date as typed: where it starts in the text, the financial year it falls in (counted
    from the report year: 0 this year, -1 the year before) and the role that moves with the year."""

    text: str
    start: int
    kind: str  # "year" (2021-22), "date" (31 March 2022), "month" (March 2022), "period", "calendar"
    offset: int  # financial years from the report year (a calendar year: from the year it ends in)
    role: str | None = None  # s.label, s.last_year_end ...: what to write instead, where one fits
    preceded_by: str = ""  # the word before it, lower case ("since", "in")


@dataclass(frozen=True)
class YearFinding:
    """Something typed about a year that the report year makes wrong, or may: ``role`` is the
    ``{eval}`` name to write instead (None where only rewriting will do)."""

    kind: str  # "year" (typed, or beside figures of other years), "stale" (future tense), "trend" (a verb of
    # change, for review), "claim" (a typed comparison the data contradict), "repeat" (phrases saying it twice)
    text: str  # as typed: "2020-21", "will be completed during 2022-23", "rose"
    role: str | None
    message: str
    review_only: bool = False  # True: right or wrong only a reader can tell (closed by review)
    sentence: str = ""  # the sentence it is in, as written (roles and all)


def _financial_start(year: int, month: int) -> int:
    """The first calendar year of the financial year (April to March) a month falls in."""
    return year if month >= 4 else year - 1


def mentions(text: str, year: str) -> list[Mention]:
    """Every year label and date in ``text`` (roles and HTML comments left out), in order."""
    start = year_start(year)
    texts = year_texts(year)
    roles_by_text = {v: f"s.{k}" for k, v in texts.items() if k != "next_label"}
    blank = _blanked(text)
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match, kind: str, offset: int, shown: str | None = None) -> None:
        if any(a < match.end() and match.start() < b for a, b in taken):
            return
        taken.append((match.start(), match.end()))
        typed = match.group(0)
        role = roles_by_text.get(shown or typed)
        word = re.search(r"(\w+)\W*$", blank[: match.start()])
        found.append(Mention(typed, match.start(), kind, offset, role, word.group(1).lower() if word else ""))

    for m in PERIOD.finditer(blank):
        if int(m.group(2)) == int(m.group(1)) + 1:
            add(m, "period", int(m.group(1)) - start)
    for m in DATE.finditer(blank):
        add(m, "date", _financial_start(int(m.group(3)), MONTH_NUMBER[m.group(2)]) - start)
    for m in MONTH.finditer(blank):
        add(m, "month", _financial_start(int(m.group(2)), MONTH_NUMBER[m.group(1)]) - start)
    for m in FINANCIAL.finditer(blank):
        first, second = int(m.group(1)), int(m.group(2))
        if second % 100 == (first + 1) % 100 and (second < 100 or second == first + 1):
            offset = first - start
            add(m, "year", offset, _label_role_key(offset, texts))
    for m in CALENDAR.finditer(blank):
        add(m, "calendar", int(m.group(1)) - (start + 1))
    return sorted(found, key=lambda x: x.start)


def _label_role_key(offset: int, texts: dict[str, str]) -> str | None:
    """A financial year's label in the hyphen style, so either style finds its role."""
    return {0: texts["label"], -1: texts["last_label"]}.get(offset)


def _blanked(text: str) -> str:
    """``text`` with roles, HTML comments and links blanked to spaces of the same length, so that
    positions still point into the text as typed."""
    spaces = lambda m: " " * len(m.group(0))  # noqa: E731
    out = prose.EVAL_ROLE.sub(spaces, text)
    out = re.sub(r"<!--.*?-->", spaces, out, flags=re.DOTALL)
    out = re.sub(r"\]\([^)]*\)|https?://\S+", spaces, out)
    out = re.sub(r"\b(?:Act|Regulations|Order)\s+\d{4}\b", spaces, out)
    return out


def allowed_years(text: str) -> set[str]:
    """The years and dates a cell allows as history: ``<!-- allow-year: 2020-21; March 2020 -->``
    (an ``allow-number`` comment naming the year allows it too)."""
    out = set()
    for pattern in (ALLOW_YEAR, ALLOW_COMMENT):
        for m in pattern.finditer(text):
            out.update(n.strip() for n in re.split(r";|,\s+", m.group(1)) if n.strip())
    return out


def sentences(text: str) -> list[tuple[int, str]]:
    """The sentences (and list items) of a text, each with where it starts."""
    out, position = [], 0
    for piece in SENTENCE.split(text):
        found = text.find(piece, position)
        out.append((found, piece))
        position = found + len(piece)
    return out


def _figure_roles(sentence: str) -> list[str]:
    """The roles in a sentence that name a figure's value (not the section's years or words)."""
    return [n for n in prose.references(sentence) if not n.startswith("s.") and "." in n]


def year_findings(
    text: str, year: str, template: bool = False, readings: Mapping[str, claims.Reading] | None = None
) -> list[YearFinding]:
    """What in ``text`` the report year ``year`` makes wrong, or may: typed years and dates that
    move with the year (with the role to use), years beside figures that are not for them, future
    tense about a time the year has reached, generated phrases that repeat each other, and
    comparisons typed beside figures: judged against ``readings`` (role -> what it reads from the
    data) where given, else listed for review. ``template``: the text is a cover template (Jinja),
    so the role is written the Jinja way."""
    allowed = allowed_years(text)
    findings: list[YearFinding] = []
    for _, sentence in sentences(text):
        here = _sentence_findings(sentence, year, allowed, template, readings)
        findings += [dataclasses.replace(f, sentence=sentence.strip()) for f in here]
    return findings


def _sentence_findings(
    sentence: str, year: str, allowed: set[str], template: bool, readings: Mapping[str, claims.Reading] | None
) -> list[YearFinding]:
    start = year_start(year)
    found = [m for m in mentions(sentence, year) if m.text not in allowed]
    blank = _blanked(sentence)
    future = FUTURE.search(prose.without_references(sentence))
    findings, judged = [], []
    for mention in found:
        finding = _year_finding(mention, year, future or FUTURE_BEFORE.search(blank[: mention.start]), template)
        if finding:
            findings.append(finding)
        else:
            judged.append(mention)
    mentioned = [*judged, *(m for m in mentions(sentence, year) if m.text in allowed)]
    typed = [_named(m, start, m.text in allowed) for m in mentioned if not STARTING_POINT.search(blank[: m.start])]
    calendar_basis = frozenset(name for name, reading in (readings or {}).items() if reading.calendar)
    findings += [
        YearFinding("year", named.text, None, pairing.message(named, figures, year))
        for named, figures in pairing.unpaired(sentence, typed, year, calendar_basis)
    ]
    findings += _direction_from(sentence) + _repeats(sentence) + _typed_comparisons(sentence, readings)
    return findings + _average_claim(sentence, year)


def _named(mention: Mention, start: int, allowed: bool) -> pairing.Named:
    """A typed year as :mod:`cswo.narrative.pairing` reads it (a calendar year: the year itself)."""
    calendar = mention.kind == "calendar"
    return pairing.Named(mention.text, start + mention.offset + (1 if calendar else 0), True, calendar, allowed)


def _repeats(sentence: str) -> list[YearFinding]:
    return [
        YearFinding("repeat", prose.role(second), None, claims.repeat_message(first, second))
        for first, second in claims.repeated_phrases(sentence)
    ]


def _typed_comparisons(sentence: str, readings: Mapping[str, claims.Reading] | None) -> list[YearFinding]:
    """A typed comparison the data contradict (counted), or, where the data cannot tell, a verb of
    change typed beside a figure (for review, unless a generated phrase says the movement)."""
    judged = claims.comparisons(sentence, readings) if readings is not None else []
    false = [j for j in judged if j.true is False]
    if false:
        return [YearFinding("claim", j.word, None, claims.false_message(j, sentence)) for j in false]
    verbs = CHANGE_VERBS.findall(prose.without_references(sentence))
    settled = {j.word.lower() for j in judged if j.true}
    verbs = [v for v in verbs if v.lower() not in settled]
    figures = _figure_roles(sentence)
    if not verbs or not figures or any(n.split(".", 1)[1] in FROM_DATA for n in figures):
        return []
    names = ", ".join(prose.role(n) for n in figures[:2])
    trend = prose.role(f"{figures[0].split('.')[0]}.trend")
    return [
        YearFinding(
            "trend",
            verbs[0],
            trend,
            f"'{verbs[0]}' is typed beside {names}: check it is still true of this year's figures, "
            f"or let the data say it with {trend}",
            review_only=True,
        )
    ]


def _average_claim(sentence: str, year: str) -> list[YearFinding]:
    """A typed claim about a figure's average ("each close to its average over the last five years")
    beside figures that move: for review, with the role that gives the average from data."""
    claim = AVERAGE_CLAIM.search(prose.without_references(sentence))
    moving = [n for n in _figure_roles(sentence) if pairing.figure_years(n, year) and pairing.moves(n)]
    if not claim or not moving or any(n.split(".", 1)[1].startswith("average_5y") for n in moving):
        return []
    average = prose.role(f"{moving[0].split('.')[0]}.average_5y")
    return [
        YearFinding(
            "trend",
            claim.group(0),
            average,
            f"'{claim.group(0)}' is typed beside {', '.join(prose.role(n) for n in moving[:3])}: check each against "
            f"its average this year, or let the data say it with {average}",
            review_only=True,
        )
    ]


def _direction_from(sentence: str) -> list[YearFinding]:
    """A direction followed by a typed 'from … to …', which reads 'stayed the same from 22 to 22'
    when nothing changed: the trend role says the whole movement."""
    return [
        YearFinding(
            "trend",
            m.group(0),
            prose.role(f"{m.group(1)}.trend"),
            f"{prose.role(m.group(1) + '.direction')} followed by 'from … to …' reads 'stayed the same from 22 "
            f"to 22' when nothing changed: write {prose.role(m.group(1) + '.trend')} for the whole movement",
            review_only=True,
        )
        for m in DIRECTION_FROM.finditer(sentence)
    ]


def _year_finding(mention: Mention, year: str, future: re.Match | None, template: bool) -> YearFinding | None:
    """The finding for one typed year or date in a sentence (future tense about it, or a role that
    writes it), or None: whether it pairs with the figures beside it is :mod:`cswo.narrative.pairing`'s."""
    if _future_of(future, mention) and mention.offset <= 0 and not (mention.kind == "calendar" and mention.offset == 0):
        return YearFinding(
            "stale",
            mention.text,
            None,
            f"future tense about {mention.text}, which the {year} report has reached "
            f'("{future.group(0).strip()} … {mention.text}"): say what happened, or what is planned now',
        )
    if mention.kind == "calendar" or not mention.role:
        return None
    use = _written(mention.role, template)
    return YearFinding(
        "year",
        mention.text,
        use,
        f"'{mention.text}' is typed, so it will not move with the report year: write {use} instead "
        f"(or allow it as history with <!-- allow-year: {mention.text} -->)",
    )


def _future_of(future: re.Match | None, mention: Mention) -> bool:
    """True if the future tense in a sentence is about ``mention``: the sentence has one, and the
    year is not where something started ("since March 2020")."""
    return bool(future) and mention.preceded_by != "since"


def _written(role: str, template: bool) -> str:
    """A section role as prose writes it, or the cover template's Jinja for the same text."""
    if not template:
        return prose.role(role)
    name = role.removeprefix("s.")
    return "{{ params.label }}" if name == "label" else "{{ years." + name + " }}"


def rewrite_moving(text: str, year: str) -> tuple[str, int]:
    """``text`` with each typed year or date that a role writes exactly (this year's label, last
    year's, the year-end dates, the period) replaced by the role, where its sentence names a figure
    as well: safe, since the sentence's figures and its years then move together. Returns the text
    and how many were replaced."""
    allowed = allowed_years(text)
    pieces, count, position = [], 0, 0
    for begin, sentence in sentences(text):
        if not _figure_roles(sentence):
            continue
        for mention in mentions(sentence, year):
            if mention.role and mention.text not in allowed and mention.kind != "calendar":
                at = begin + mention.start
                pieces += [text[position:at], prose.role(mention.role)]
                position, count = at + len(mention.text), count + 1
    pieces.append(text[position:])
    return "".join(pieces), count


__all__ = ["Mention", "YearFinding", "mentions", "year_findings", "rewrite_moving", "allowed_years"]
