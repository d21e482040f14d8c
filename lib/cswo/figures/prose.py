"""Figures in prose: the one place that knows the syntax narrative cells use to name a figure.

Every other module asks this one which names a text uses (:func:`references`) and to fill them
(:func:`fill`). Prose may only name registered figures and their documented attributes; it never
runs code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cswo.errors import MissingFigureError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}")


def fill(text: str, figures: Mapping[str, str], section: str) -> str:
    """Replace every {{ name }} in ``text`` from ``figures``.

    Raises MissingFigureError naming the section and every unknown name at once.
    """
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1) not in figures})
    if unknown:
        raise MissingFigureError(section, unknown, list(figures))
    return PLACEHOLDER.sub(lambda m: figures[m.group(1)], text)


def references(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]
