"""Figures in prose: the one place that knows the syntax narrative cells use to name a figure.

Narrative names a figure with MyST's inline ``{eval}`` role, e.g. ``{eval}`complaints.compared```.
JupyterLab (with jupyterlab-myst) evaluates the same role in the kernel as the analyst writes, so
the sentence reads the same in the lab as on the page; the build fills it from the section's
recorded figures without a kernel.

Every other module asks this one which names a text uses (:func:`references`), to fill them
(:func:`fill`), or for the text with them taken out (:func:`without_references`). Prose may only
name registered figures and their documented attributes: a role whose content is anything but
a dotted name (a call, an operator, an index) is refused, so text never runs code.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from cswo.errors import MissingFigureError
from cswo.figures.formatting import without_false_precision

ROLE = "eval"
# ``{eval}`anything` `` -- the content is checked separately, so a bad one is reported, not ignored
EVAL_ROLE = re.compile(r"\{eval\}`([^`]*)`")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# the syntax before MyST roles, read only by ``cswo migrate``
LEGACY = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}")


def role(name: str) -> str:
    """How prose writes ``name``: ``{eval}`name` ``."""
    return "{" + ROLE + "}`" + name + "`"


def references(text: str) -> list[str]:
    """Every name ``text`` uses, in order (repeats kept), including malformed ones (as written)."""
    return [m.group(1).strip() for m in EVAL_ROLE.finditer(text)]


def without_references(text: str, replacement: str = " ") -> str:
    """``text`` with every role replaced (e.g. so a check for typed numbers ignores them)."""
    return EVAL_ROLE.sub(replacement, text)


def is_name(expression: str) -> bool:
    """True if ``expression`` is a dotted name (the only thing prose may evaluate)."""
    return NAME.fullmatch(expression) is not None


def suggestion(name: str, known: Mapping[str, str] | list[str]) -> str | None:
    """The closest known name, for 'did you mean'."""
    names = list(known)
    if f"{name}.value" in names:
        return f"{name}.value"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return close[0] if close else None


def fill(text: str, figures: Mapping[str, str], section: str) -> str:
    """Replace every ``{eval}`name` `` in ``text`` with its phrase from ``figures``.

    Raises MissingFigureError naming the section and every unknown or refused name at once,
    each with the closest known name where there is one.
    """
    problems = sorted({n for n in references(text) if not is_name(n) or n not in figures})
    if problems:
        hints = {n: suggestion(n, figures) for n in problems if is_name(n)}
        refused = [n for n in problems if not is_name(n)]
        raise MissingFigureError(
            section,
            [n for n in problems if is_name(n)] + refused,
            list(figures),
            suggestions={k: v for k, v in hints.items() if v},
            refused=refused,
        )
    return EVAL_ROLE.sub(lambda m: without_false_precision(figures[m.group(1).strip()], text[: m.start()]), text)


def migrate(text: str, renames: Mapping[str, str] | None = None) -> str:
    """The older ``{{ name }}`` placeholders as roles, each name renamed through ``renames``."""
    renames = renames or {}
    return LEGACY.sub(lambda m: role(renames.get(m.group(1), m.group(1))), text)


def legacy_references(text: str) -> list[str]:
    return [m.group(1) for m in LEGACY.finditer(text)]
