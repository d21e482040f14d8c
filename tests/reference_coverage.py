"""The published 2021-22 report's chapters 3 and 5, as a checklist (tests/reference/coverage_2021-22.yml).

Each topic is a few distinctive phrases that the section covering it must contain; each quote is
given verbatim. tests/test_reference_build.py checks them all against the built IJB paper.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

CHECKLIST = yaml.safe_load((Path(__file__).parent / "reference" / "coverage_2021-22.yml").read_text(encoding="utf-8"))
PARTS: dict[str, str] = CHECKLIST["parts"]
# (chapter part, topic): phrases that must all appear
TOPICS: dict[tuple[str, str], tuple[str, ...]] = {
    (part, topic): tuple(phrases) for part, topics in CHECKLIST["topics"].items() for topic, phrases in topics.items()
}
QUOTES: tuple[str, ...] = tuple(CHECKLIST["quotes"])


def normalise(text: str) -> str:
    """Lower case, one quotation mark for all (single or double, straight or curly: a quote within
    a quote may take either), '...' for an ellipsis and single spaces, so line breaks and typography
    don't matter."""
    text = re.sub('[\u2018\u2019\u201c\u201d"]', "'", text).replace("\u2011", "-")
    text = re.sub(r"\s*(?:\u2026|\.\.\.)\s*", "... ", text.replace("\u00a0", " "))
    return " ".join(text.split()).lower()


def _quote_words(quote: str) -> str:
    """A quote without its closing punctuation, which the report and the paper place differently."""
    return normalise(quote).rstrip(" .'\"")


def missing(text: str) -> tuple[list[str], list[str]]:
    """The topics (with the phrases not found) and the quotes that ``text`` lacks."""
    body = normalise(text)
    topics = [
        f"{part} {topic}: {', '.join(p for p in phrases if normalise(p) not in body)}"
        for (part, topic), phrases in TOPICS.items()
        if any(normalise(p) not in body for p in phrases)
    ]
    quotes = [q[:60] for q in QUOTES if _quote_words(q) not in body]
    return topics, quotes
