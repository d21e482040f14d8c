"""From a reviewer's text back to the paragraph's source, roles kept.

A paragraph's source is prose with roles (``{eval}`complaints.compared` ``) and a little markdown;
the paper shows it as plain text, each role as its phrase. :func:`plain` renders the source to that
text keeping, for every character, where it came from (a source offset, or the role it is part of).
The reviewer's text is compared with the text as built word by word, and each change is mapped back:
one that touches only prose is made in the source; one that touches a role's phrase changes a
figure and is never typed into the prose. A change the mapping cannot place for certain (text Word
added, such as "Table 1:", or markup it would break) is not made, and says so.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from cswo.compose import anchors
from cswo.narrative import roles as prose

TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
LINK = re.compile(r"\[[^\]]*\]\(")
MARKUP = ("**", "__", "*", "`", "[", "](")
CHAR_FORMS = str.maketrans("‘’“”–—\u00a0…", "''\"\"-- .")  # one for one, so offsets stay
TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " ", "…": "..."})


def normal(text: str) -> str:
    """Text compared as a reader sees it: typographic quotes, dashes and spaces made plain."""
    text = re.sub(r"-{2,}", "-", text.translate(TYPOGRAPHY))
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Plain:
    text: str
    origin: list[int]  # per character: its offset in the source, or -(k + 1) for the k-th role's phrase
    roles: list[str]  # the role names, in order


def plain(source: str, phrases: dict[str, str]) -> Plain:
    """The paragraph's text as the paper shows it (markup dropped, roles as their phrases)."""
    out, origin, names = [], [], []
    at = anchors.lead(source)
    if source.startswith("![", at):
        at += 2
    roles = {m.start(): m for m in prose.EVAL_ROLE.finditer(source)}
    attrs = re.compile(r"\s*\{[.#][^}]*\}\s*$|\]\([^)]*\)\{[^}]*\}|\]\([^)]*\)")
    while at < len(source):
        if at in roles:
            match = roles[at]
            names.append(match.group(1).strip())
            phrase = re.sub(r"\*\*|__", "", phrases.get(names[-1], ""))
            out.append(phrase)
            origin += [-len(names)] * len(phrase)
            at = match.end()
            continue
        dropped = attrs.match(source, at)
        if dropped and dropped.end() > at:
            at = dropped.end()
            continue
        char = source[at]
        if char == "\\" and at + 1 < len(source):
            at += 1
            char = source[at]
        elif char in "*`" or (char == "[" and LINK.match(source, at)) or (char == "_" and _emphasis(source, at)):
            at += 1
            continue
        elif char == "\n":
            char = " "
        out.append(char)
        origin.append(at)
        at += 1
    text = "".join(out)
    stripped = len(text) - len(text.rstrip())
    return Plain(text.rstrip(), origin[: len(origin) - stripped], names)


def _emphasis(source: str, at: int) -> bool:
    before = source[at - 1] if at else " "
    after = source[at + 1] if at + 1 < len(source) else " "
    return not (before.isalnum() and after.isalnum())


@dataclass
class Mapped:
    """A reviewer's paragraph mapped back onto its source."""

    source: str  # the new source ('' with nothing to apply)
    prose_changed: bool = False
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # (role, as built, as the reviewer wrote)
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (as built, as the reviewer wrote)


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def _built_to_plain(shown: Plain, built: str) -> dict[int, int]:
    """Each character of the built text mapped to the same character of the rendering, where one is."""
    mapping = {}
    forms = shown.text.translate(CHAR_FORMS), built.translate(CHAR_FORMS)
    matcher = difflib.SequenceMatcher(None, *forms, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[j1 + k] = i1 + k
    return mapping


def map_back(source: str, phrases: dict[str, str], built: str, reviewed: str) -> Mapped:
    """The paragraph's source with the reviewer's prose changes made; figure changes and changes that
    cannot be placed are listed, never made."""
    shown = plain(source, phrases)
    to_plain = _built_to_plain(shown, built)
    a, b = _tokens(built), _tokens(reviewed)
    words = difflib.SequenceMatcher(None, [built[i:j] for i, j in a], [reviewed[i:j] for i, j in b], autojunk=False)
    result, edits = Mapped(""), []
    for tag, i1, i2, j1, j2 in words.get_opcodes():
        if tag == "equal":
            continue
        start = a[i1][0] if i1 < len(a) else len(built)
        end = a[i2 - 1][1] if i2 > i1 else start
        new = reviewed[b[j1][0] : b[j2 - 1][1]] if j2 > j1 else ""
        old = built[start:end]
        placed = _place(shown, to_plain, start, end, len(built))
        if placed is None:
            result.unplaced.append((old, new))
        elif isinstance(placed, str):
            result.figures.append((placed, _context(built, start, end), _context_new(built, start, end, new)))
        else:
            edits.append((placed[0], placed[1], new))
    if not edits:
        return result
    changed = source
    for s1, s2, new in sorted(edits, reverse=True):
        changed = changed[:s1] + new + changed[s2:]
    if any(changed.count(m) - source.count(m) != sum(new.count(m) for _, _, new in edits) for m in MARKUP):
        result.unplaced += [(source[s1:s2], new) for s1, s2, new in edits]  # it would break the markup
        return result
    if prose.references(changed) != prose.references(source):
        result.unplaced += [(source[s1:s2], new) for s1, s2, new in edits]
        return result
    result.source, result.prose_changed = changed, changed != source
    return result


def _place(shown: Plain, to_plain: dict[int, int], start: int, end: int, length: int):
    """(source start, source end) of a prose change; a role's name for a change to a figure; None
    when the change touches text the source does not hold."""
    if end > start:
        positions = [to_plain.get(k) for k in range(start, end)]
        if any(p is None for p in positions):
            return None
        origins = [shown.origin[p] for p in positions]
        touched = [shown.roles[-o - 1] for o in origins if o < 0]
        if touched:
            return touched[0]
        return origins[0], origins[-1] + 1
    # an insertion: after the character before it, or before the one after it, if prose
    before = to_plain.get(start - 1) if start > 0 else None
    after = to_plain.get(start) if start < length else None
    if before is not None and shown.origin[before] >= 0:
        return shown.origin[before] + 1, shown.origin[before] + 1
    if after is not None and shown.origin[after] >= 0:
        return shown.origin[after], shown.origin[after]
    if before is not None and shown.origin[before] < 0:
        return shown.roles[-shown.origin[before] - 1]
    return None


def _context(text: str, start: int, end: int) -> str:
    """The words around a change, as the draft read."""
    left = text.rfind(" ", 0, max(0, start - 25))
    right = text.find(" ", min(len(text), end + 25))
    return text[left + 1 : right if right > 0 else len(text)].strip()


def _context_new(text: str, start: int, end: int, new: str) -> str:
    left = text.rfind(" ", 0, max(0, start - 25))
    right = text.find(" ", min(len(text), end + 25))
    return (text[left + 1 : start] + new + text[end : right if right > 0 else len(text)]).strip()
