"""Tables, measures and breakdowns named in code cells, checked against the catalogue.

A notebook names them as strings: ``s.figure("complaints", "complaints", "complaints_received")``,
``s.breakdown_table(caption, "complaints", "complaints_received", ...)``, ``s.table("complaints")``.
A misspelt one is reported in one sentence with the closest name, by ``cswo validate`` and the
build before any section runs (:mod:`cswo.narrative.needs` reads the calls without running them),
and in the lab when the cell runs (:meth:`cswo.notebook.section.Section.figure`), in the same words.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cswo.errors import UnknownNameError
from cswo.project.catalogue import TOTAL


def _closest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def name_problem(catalogue: Mapping, table: str, measure: str | None = None, breakdown: str | None = None):
    """What is wrong with the names, as the end of a sentence, or None when the catalogue has them all.

    E.g. "table 'complaints' has no measure 'complaints_recieved'; did you mean 'complaints_received'?"."""
    spec = catalogue.get(table)
    if spec is None:
        return f"there is no table '{table}' in the catalogue{_closest(table, catalogue)}"
    if measure is None:
        return None
    found = spec.measures.get(measure)
    if found is None:
        return f"table '{table}' has no measure '{measure}'{_closest(measure, spec.measures)}"
    if breakdown in (None, TOTAL) or found.breakdowns is None or breakdown in found.breakdowns:
        return None
    hint = _closest(breakdown, found.breakdowns)
    return f"measure '{measure}' of table '{table}' has no breakdown '{breakdown}'{hint}"


def shown_call(method: str, arguments: list[str]) -> str:
    """A call as a notebook writes it: ``s.figure('complaints', 'complaints', 'complaints_received')``."""
    return f"s.{method}(" + ", ".join(f"'{a}'" for a in arguments) + ")"


@dataclass(frozen=True)
class UnknownCodeName:
    """A code cell names a table, measure or breakdown the catalogue does not have."""

    section: str
    cell: int
    call: str  # e.g. "s.figure('complaints', ...)"
    problem: str  # from :func:`name_problem`

    def __str__(self) -> str:
        return (
            f"Section '{self.section}', cell {self.cell}: {self.call}: {self.problem} "
            "(correct the name in the notebook, or declare it in the project's catalogue.yml)"
        )


def checked_measure(catalogue: Mapping, section: str, call: tuple[str, str], table: str, measure: str, breakdown=TOTAL):
    """The catalogue's measure, for a section's code as it runs; ``call`` is the method and its first
    argument, e.g. ``("figure", "complaints")``.

    Raises UnknownNameError naming the section and the call, with the closest name, as validate says it."""
    problem = name_problem(catalogue, table, measure, breakdown)
    if problem:
        raise UnknownNameError(f"Section '{section}': {shown_call(call[0], [call[1], table, measure])}: {problem}")
    return catalogue[table].measures[measure]


def checked_table(catalogue: Mapping, tables: Mapping, section: str, name: str) -> None:
    """Raises UnknownNameError unless the year's data has table ``name`` (with the closest name if misspelt)."""
    if name not in tables:
        problem = name_problem(catalogue, name) or f"the year's data has no table '{name}'"
        raise UnknownNameError(f"Section '{section}': {shown_call('table', [name])}: {problem}")
