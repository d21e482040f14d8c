"""Placeholder text: words that stand where the council's own are still to come.

``[TO COMPLETE: what]`` is the marker the suite writes itself (a committee's meeting date and
report number after ``cswo new-year``); it prints as it stands, so a paper never shows a carried
value as fact. The neutral defaults' "Describe here" and **DESCRIBE**, and "To be confirmed", are
placeholders too. Each found is an open item: the year's papers are DRAFT until it is gone.
"""

from __future__ import annotations

import re

MARKER = "TO COMPLETE"
MARKER_PATTERN = re.compile(r"\[TO COMPLETE:[^\]\n]*\]")
WORDS = re.compile(r"\bDescribe here\b|\bTo be confirmed\b|\bDESCRIBE\b", re.IGNORECASE)
_UPPER_DESCRIBE = re.compile(r"\bDESCRIBE\b")  # "describe" in prose is a verb; only the capitals mark a gap


def to_complete(what: str) -> str:
    """The marker for a value still to be given: ``[TO COMPLETE: what]``."""
    return f"[{MARKER}: {what}]"


def is_placeholder(value: object) -> bool:
    """Whether a whole value is a ``[TO COMPLETE: …]`` marker."""
    return isinstance(value, str) and MARKER_PATTERN.fullmatch(value.strip()) is not None


def found_in(text: str) -> list[str]:
    """Every placeholder in ``text``, as written (a marker, or the placeholder words)."""
    found = [m.group(0) for m in MARKER_PATTERN.finditer(text)]
    for match in WORDS.finditer(text):
        word = match.group(0)
        if word.lower() == "describe" and not _UPPER_DESCRIBE.fullmatch(word):
            continue
        found.append(word)
    return found
