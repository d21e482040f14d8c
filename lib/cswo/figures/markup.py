"""Text from the data, the catalogue, the parameters or the workbook, made literal for pandoc markdown.

The papers are written as pandoc markdown, where a backquote can open raw Typst or OpenXML, a
bracket a link or an image, ``@`` a citation and ``$`` mathematics. Markup belongs only to the
notebooks' own markdown and the council's templates; every string that comes from a file the
services or the council fill in goes through :func:`literal` on its way into a paper, so both
papers show exactly the characters typed and nothing in it is ever run or fetched.
"""

from __future__ import annotations

import re

# every character that can start or end pandoc markup in running text (pandoc lets any ASCII
# punctuation be escaped with a backslash, so escaping one more than needed is harmless)
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#$@!^~|&])")
# what only means something at the start of a line: a list item, a blockquote, a definition,
# a fenced div, a heading underline or a numbered item ("1. ", "2) ")
_LINE_START = re.compile(r"^([-+:=%])(?=[\s=-]|$)|^(\d+)([.)])(?=\s|$)")
_BREAKS = re.compile(r"[\r\n\t\v\f\u0085\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def literal(text: object) -> str:
    """``text`` as pandoc markdown that reads back as exactly these characters, on one line.

    Line breaks become spaces (a data cell never starts a new block) and control characters are
    dropped; everything that could be markup is escaped: raw code, links, images, citations, maths,
    emphasis, attributes, entities, and a list or heading marker at the start."""
    flat = _CONTROL.sub("", _BREAKS.sub(" ", str(text))).strip()
    escaped = _MARKUP.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), escaped)


def literal_attribute(text: object) -> str:
    """``text`` for a quoted attribute value (``fig-alt="…"``): one line, no double quotes or backslashes."""
    return _CONTROL.sub("", _BREAKS.sub(" ", str(text))).replace("\\", "/").replace('"', "'")
