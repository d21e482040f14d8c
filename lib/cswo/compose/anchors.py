"""Anchors: each paragraph of a paper names where it came from, invisibly.

Every paragraph, heading, list item and caption the composed markdown holds starts with an empty
pandoc span, ``[]{#cswo_1a2b3c4d5e}``, which the Word writer turns into an empty bookmark at the
start of the paragraph (and the Lua filter drops for the PDF). The bookmark's name is a short hash
of where the paragraph came from: the section, the cell (by its id) and the paragraph's place in
the cell, or, on the cover report, the committee's template and the paragraph's place in it. An
:class:`Anchor` keeps what the paragraph was made from (its source with roles, the phrases those
roles read), so a reviewer's edit to it can be taken home (:mod:`cswo.review`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

PREFIX = "cswo_"
NAME = re.compile(r"cswo_[0-9a-f]{10}c?")  # not the Lua filter's cswo_appendix_N bookmarks
SPAN = re.compile(r"\[\]\{#(" + NAME.pattern + r")\}")
COVER_COPY = "c"  # a section paragraph shown again on the cover (highlights, priorities) is a copy

# where a paragraph's text starts: after a heading's #s, a list marker, a quote's > or a caption's :
LEAD = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?|:\s+)*)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
FENCE = re.compile(r"^\s*(```|~~~)")
DIV_FENCE = re.compile(r"^\s*:::")
TABLE_ROW = re.compile(r"^\s*\|")
NOT_TEXT = re.compile(r"^\s*(<!--|\\newpage|\{=)")


@dataclass(frozen=True)
class Anchor:
    """One anchored paragraph and what it was made from."""

    name: str
    kind: str  # "prose" (a markdown cell), "output" (a table, chart or note a code cell shows), "cover"
    section: str  # the section notebook's stem, or "cover"
    cell: str  # the cell's id (cover: the committee's key)
    number: int  # the cell's number as the analyst counts them (cover: 0)
    paragraph: int  # the paragraph's place in the cell (or in the cover report), from 0
    source: str  # the paragraph as written, roles and markup included
    roles: dict[str, str] = field(default_factory=dict)  # each role the paragraph uses -> the phrase it read
    figures: dict[str, dict] = field(default_factory=dict)  # role -> the figure's data row (table, measure, ...)
    key: str = ""  # cover: the parameters key whose value the paragraph shows, if one

    def where(self) -> str:
        if self.kind == "cover":
            place = f"cover report ({self.cell}), paragraph {self.paragraph + 1}"
            return place + (f", parameters key '{self.key}'" if self.key else "")
        return f"section '{self.section}', cell {self.number}, paragraph {self.paragraph + 1}"

    def as_dict(self) -> dict:
        return asdict(self)


def anchor_name(*parts: object) -> str:
    """A bookmark name for a place: short enough for Word (40 characters), stable from build to build."""
    return PREFIX + hashlib.sha1("/".join(str(p) for p in parts).encode()).hexdigest()[:10]


def span(name: str) -> str:
    return "[]{#" + name + "}"


def strip(text: str) -> str:
    """``text`` without its anchor spans (a heading's title as the contents list shows it)."""
    return SPAN.sub("", text)


def names(text: str) -> list[str]:
    return SPAN.findall(text)


def as_cover_copies(text: str) -> str:
    """A section paragraph copied to the cover: its anchor renamed, since a bookmark name is unique."""
    return SPAN.sub(lambda m: span(m.group(1) + COVER_COPY), text)


def paragraphs(source: str) -> list[tuple[int, int]]:
    """The (start, end) of each paragraph of markdown ``source``: blocks between blank lines, each list
    item on its own; fenced code, table rows, div fences and comments are not paragraphs."""
    spans, start, fenced = [], None, False
    offset = 0
    for line in source.splitlines(keepends=True):
        text = line.rstrip("\n")
        ends_block = text.strip() in ("", ">") or FENCE.match(text) or DIV_FENCE.match(text) or TABLE_ROW.match(text)
        if FENCE.match(text):
            fenced = not fenced
        if fenced or ends_block or NOT_TEXT.match(text) or text.lstrip().startswith("#") or LIST_ITEM.match(text):
            if start is not None:
                spans.append((start, _trimmed_end(source, offset)))
                start = None
        if fenced or ends_block or NOT_TEXT.match(text) or FENCE.match(text):
            offset += len(line)
            continue
        if start is None:
            start = offset
        if text.lstrip().startswith("#"):
            spans.append((start, offset + len(text)))
            start = None
        offset += len(line)
    if start is not None:
        spans.append((start, _trimmed_end(source, offset)))
    return spans


def _trimmed_end(source: str, end: int) -> int:
    while end > 0 and source[end - 1] in "\n\r ":
        end -= 1
    return end


def lead(text: str) -> int:
    """Where a paragraph's own text starts (after its heading, list, quote or caption marker)."""
    return len(LEAD.match(text).group(1))


def anchored(
    source: str,
    name_of: Callable[[int], str],
    fill: Callable[[str], str] = lambda text: text,
) -> tuple[str, list[tuple[int, str, str]]]:
    """``source`` filled, each paragraph led by its anchor; and (paragraph, name, source) of each.

    A paragraph that carries an anchor already (a highlight on the cover) is left as it is.
    """
    out, found, last = [], [], 0
    for index, (start, end) in enumerate(paragraphs(source)):
        text = source[start:end]
        out.append(fill(source[last:start]))
        if names(text):
            out.append(text)
        else:
            at = lead(text)
            at += 2 if text.startswith("![", at) else 0  # inside a figure's caption: the image stays alone
            name = name_of(index)
            out.append(text[:at] + span(name) + fill(text[at:]))
            found.append((index, name, text))
        last = end
    out.append(fill(source[last:]))
    return "".join(out), found
