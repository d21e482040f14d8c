"""Numbers typed into the narrative, where a figure named with an ``{eval}`` role belongs.

Dates, years, ages, legislation and section numbers are allowed, and an analyst can allow a
specific number in a cell with an HTML comment: ``<!-- allow-number: 400 -->``. ``cswo validate``
and the build both report what :func:`notebook_typed_numbers` finds, in the same words.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from cswo.narrative import roles as prose

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ALLOWED = [
    r"\b(?:19|20)\d{2}(?:\s?[-/–]\s?(?:19|20)?\d{2})?\b",  # years and financial years
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b",  # dates
    r"\b(?:aged|age|ages|age of|under|over the age of)\s+\d+(?:\s?(?:-|–|to|and)\s?\d+)?\b",  # ages
    r"\b\d+\s?(?:-|–|to)\s?\d+[- ]year[- ]olds?\b",
    r"\b\d+\s?(?:years? old|year-olds?)\b",
    r"\b(?:Act|Regulations|Order)\s+\d{4}\b",
    r"\b(?:[Ss]ections?|[Pp]aragraphs?|s\.|[Aa]ppendix|[Pp]art|[Cc]hapter|[Aa]rticle)\s*\d+(?:\.\d+)*(?:\s*\(\d+\))?(?:\s*(?:to|and|-)\s*\d+)?",
    r"\b(?:Options?|[Ll]evel|Band|[Qq]uestion|KQ|Indicators?|Unit|Phase|Tier|Stage|[Gg]rade|Principle|Standard|Priority|Step|NI)[\s-]?\d+(?:\s?(?:-|–|to|and)\s?\d+)?\b",
    r"\bCOVID-19\b",
    r"\b24/7\b",
    r"^\s*#+\s*\d+(?:\.\d+)*",  # numbered headings
    r"\b\d+(?:st|nd|rd|th)\b",  # ordinals ("13th poorest") are rankings, allowed
]
ALLOW_COMMENT = re.compile(r"<!--\s*allow-number:\s*([^>]*?)\s*-->")
DIGITS = re.compile(r"(?<![\w{.])\d[\d,.]*%?")


def typed_numbers(text: str) -> list[str]:
    """Numbers typed into narrative that are not figure roles and not on the allow-list."""
    allowed_here = {n.strip() for m in ALLOW_COMMENT.finditer(text) for n in re.split(r";|,\s+", m.group(1))}
    cleaned = ALLOW_COMMENT.sub(" ", text)
    cleaned = prose.without_references(cleaned)
    cleaned = re.sub(r"\(https?://[^)]*\)|https?://\S+", " ", cleaned)
    for pattern in ALLOWED:
        cleaned = re.sub(pattern, " ", cleaned, flags=re.MULTILINE)
    found = []
    for match in DIGITS.finditer(cleaned):
        number = match.group(0).rstrip(".,")
        if number and number not in allowed_here:
            found.append(number)
    return found


def typed_numbers_message(source: str, cell: int, section: str) -> str | None:
    """Validate's sentence about the numbers typed into one markdown cell, or None."""
    numbers = typed_numbers(source)
    if not numbers:
        return None
    return (
        f"Section '{section}', markdown cell {cell}: number(s) typed into the narrative "
        f"({', '.join(numbers)}); name a figure from data with {prose.role('name')}, or allow it with "
        f"<!-- allow-number: {numbers[0]} -->"
    )


def notebook_typed_numbers(path: Path, section: str) -> list[str]:
    """One message per markdown cell that carries hand-typed numbers."""
    nb = nbformat.read(path, as_version=4)
    cells = [(index, cell.source) for index, cell in enumerate(nb.cells, 1) if cell.cell_type == "markdown"]
    return [message for index, source in cells if (message := typed_numbers_message(source, index, section))]
