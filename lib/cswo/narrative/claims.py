"""Comparisons typed into a sentence, judged against the figures beside them.

"up from {eval}`x.last_year`" was true when it was typed. Next year the figures move and the words
do not. Given what each role in a sentence reads from the data (:class:`Reading`), this module reads
the two figures a typed comparison is about and says whether the data agree:

- "from A to B" after a verb of change compares B with A;
- a verb followed by two figures ("fell to A, compared with B") compares the first with the second,
  and a verb with one figure before it and one after compares the later with the earlier;
- a comparative ("up from", "higher than", "below") compares the figure before it in its clause
  (else the sentence's first figure) with the first figure after it.

Only one figure's values compare (``x.value`` with ``x.last_year`` or ``x.in_2019_20``): two
different measures beside one verb are left to a reader.

A comparison it cannot read that way is left to a reader (``None``). It also finds generated
phrases that repeat one another: ``x.same_as`` and ``x.change`` in one sentence both say how x
compares with an earlier year, and read "the same as in 2021-22, and no change on 2021-22".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cswo.figures.formatting import format_value
from cswo.narrative import roles as prose

RISE, FALL = 1, -1
VERBS = {
    RISE: r"rose|risen|rising|increased|increasing|grew|grown|growing|went up|gone up|widened|widening",
    FALL: r"fell|fallen|falling|decreased|decreasing|dropped|declined|declining|went down|gone down|narrowed|"
    r"narrowing|reduced",
}
COMPARATIVES = {
    RISE: r"up from|higher than|greater than|above",
    FALL: r"down from|lower than|below",
}
WORD = re.compile(
    "|".join(
        rf"(?P<{kind}_{'up' if sign == RISE else 'down'}>\b(?:{words})\b)"
        for kind, table in (("verb", VERBS), ("comparative", COMPARATIVES))
        for sign, words in table.items()
    ),
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r";|\b(?:but|while|whereas|although|however)\b", re.IGNORECASE)
FROM, TO = re.compile(r"\bfrom\b", re.IGNORECASE), re.compile(r"\bto\b", re.IGNORECASE)
# generated phrases that each say how a figure compares with an earlier year: two in a sentence repeat
# each other ("the same as in 2021-22, and no change on 2021-22"; "increased, an increase of 39%")
SAYS_THE_MOVEMENT = ("same_as", "change", "direction", "trend")
SAYS_BOTH_FIGURES = ("compared", "trend")  # "93, compared with 67 the year before, increased from 67 to 93"


@dataclass(frozen=True)
class Reading:
    """What a role prints from the data: its unit and (year, value) pairs in the order the phrase
    prints them (``x.compared``: this year's, then last year's; none where the data are not at hand),
    and whether its measure counts calendar years (the catalogue's ``year_basis``)."""

    unit: str
    values: tuple[tuple[str, float], ...] = ()
    calendar: bool = False


@dataclass(frozen=True)
class Figure:
    name: str
    position: int
    year: str
    value: float
    unit: str

    @property
    def measure(self) -> str:
        """The figure a role reads (``x`` of ``x.last_year``): only one figure's years compare."""
        return self.name.split(".", 1)[0]

    def shown(self) -> str:
        return f"{format_value(self.value, self.unit)} ({self.year})"


@dataclass(frozen=True)
class Judgement:
    """One typed comparison: the word, its two figures (the later or compared one first) and
    whether the data agree (None: the figures could not be read)."""

    word: str
    sign: int
    new: Figure | None = None
    old: Figure | None = None

    @property
    def true(self) -> bool | None:
        if self.new is None or self.old is None:
            return None
        difference = self.new.value - self.old.value
        return difference != 0 and (difference > 0) == (self.sign == RISE)


def comparisons(sentence: str, readings: Mapping[str, Reading]) -> list[Judgement]:
    """Each typed comparison in ``sentence`` (prose with roles), judged by ``readings`` (role ->
    :class:`Reading`); roles without a reading are not figures here."""
    blank = prose.EVAL_ROLE.sub(lambda m: " " * len(m.group(0)), sentence)
    figures = [
        Figure(m.group(1).strip(), m.start(), year, value, reading.unit)
        for m in prose.EVAL_ROLE.finditer(sentence)
        if (reading := readings.get(m.group(1).strip()))
        for year, value in reading.values
    ]
    breaks = [0, *(m.start() for m in CLAUSE_BREAK.finditer(blank)), len(blank)]
    out = []
    for match in WORD.finditer(blank):
        kind, direction = match.lastgroup.split("_")
        sign = RISE if direction == "up" else FALL
        start = max(b for b in breaks if b <= match.start())
        end = min(b for b in breaks if b >= match.end())
        before = [f for f in figures if start <= f.position < match.start()]
        after = [f for f in figures if match.end() <= f.position < end]
        read = _verb_pair if kind == "verb" else _comparative_pair
        new, old = read(blank, match, figures, before, after)
        comparable = new is not None and old is not None and new is not old and new.measure == old.measure
        out.append(Judgement(match.group(0), sign, *((new, old) if comparable else (None, None))))
    return out


def _verb_pair(blank: str, match: re.Match, figures: list[Figure], before: list[Figure], after: list[Figure]):
    """(new, old) for a verb of change: "from A to B", "to A, compared with B", or "A … rose to B"."""
    if len(after) == 2 and after[0].position != after[1].position:
        between = blank[match.end() : after[0].position], blank[after[0].position : after[1].position]
        if FROM.search(between[0]) and TO.search(between[1]):
            return after[1], after[0]
    if len(after) == 2:
        return after[0], after[1]
    earlier = [f for f in figures if f.position < match.start()]
    later = [f for f in figures if f.position >= match.end()]
    if len(earlier) == 1 and len(later) == 1:
        return later[0], earlier[0]
    return None, None


def _comparative_pair(blank: str, match: re.Match, figures: list[Figure], before: list[Figure], after: list[Figure]):
    """(subject, object) for a comparative: the figure before it in its clause (else the sentence's
    first figure), and the first figure after it in its clause."""
    if not after:
        return None, None
    subject = before[-1] if before else (figures[0] if figures[0].position < match.start() else None)
    return subject, after[0]


def false_message(judgement: Judgement, sentence: str) -> str:
    """Validate's sentence for a typed comparison the data contradict, quoting it and both values."""
    new, old = judgement.new, judgement.old
    said = "above" if judgement.sign == RISE else "below"
    quoted = " ".join(sentence.split())
    quoted = quoted if len(quoted) <= 160 else quoted[:157] + "..."
    head = new.name.split(".")[0]
    return (
        f"'{judgement.word}' says {prose.role(new.name)} is {said} {prose.role(old.name)}, but the data give "
        f"{new.shown()} and {old.shown()}: let the data say it ({prose.role(head + '.trend')}, "
        f'{prose.role(head + ".compared")}) or rewrite it: "{quoted}"'
    )


def repeated_phrases(sentence: str) -> list[tuple[str, str]]:
    """Pairs of generated phrases of one figure in ``sentence`` that say the same thing twice."""
    used: dict[str, list[str]] = {}
    for name in prose.references(sentence):
        head, _, attribute = name.partition(".")
        if attribute and attribute not in used.setdefault(head, []):
            used[head].append(attribute)
    out = []
    for head, attributes in used.items():
        for group in (SAYS_THE_MOVEMENT, SAYS_BOTH_FIGURES):
            said = [a for a in attributes if a in group]
            out += [(f"{head}.{said[0]}", f"{head}.{other}") for other in said[1:]]
    return list(dict.fromkeys(out))


def repeat_message(first: str, second: str) -> str:
    return (
        f"{prose.role(first)} and {prose.role(second)} in one sentence both say how the figure compares with an "
        f'earlier year, so they repeat each other ("the same as in 2021-22, and no change on 2021-22"): keep one'
    )
