"""One root for every error the suite raises, each carrying its context.

A council analyst sees ``str(error)``: one plain-English sentence (or a list of
them for validation). Tracebacks are only shown with ``--debug``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class CSWOError(Exception):
    """Root of every error the suite raises on purpose."""

    exit_code = 1


def _listing(heading: str, items: list) -> str:
    """'<heading> 3 problem(s):' and one indented line per item."""
    return f"{heading}:\n" + "\n".join(f"  - {item}" for item in items)


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file, in words an analyst understands."""

    file: str
    row: int | None  # as the analyst sees it: header is row 1, first data row is row 2
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        shown = "" if self.value is None else f" (value: {self.value!r})"
        return f"{where}: {self.rule}{shown}"


class ParametersError(CSWOError):
    """The year's parameters file is missing, unreadable or has wrong keys."""

    exit_code = 2

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(_listing(f"{self.path} has {len(problems)} problem(s)", problems))


class CatalogueError(ParametersError):
    """The project's catalogue.yml (or the base catalogue) cannot be read or lacks a key."""


class DataValidationError(CSWOError):
    """One or more data files break the rules. Carries every problem at once."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(_listing(f"The data has {len(problems)} problem(s)", problems))


class MissingFigureError(CSWOError):
    """Narrative names a figure the section does not provide, or puts code in a role."""

    def __init__(
        self,
        section: str,
        names: list[str],
        known: list[str] | None = None,
        suggestions: dict[str, str] | None = None,
        refused: list[str] | None = None,
    ):
        self.section = section
        self.names = names
        self.suggestions = suggestions or {}
        self.refused = refused or []
        unknown = [n for n in names if n not in self.refused]
        parts = []
        if unknown:
            listed = ", ".join(
                f"{{eval}}`{n}`" + (f" (did you mean {self.suggestions[n]}?)" if n in self.suggestions else "")
                for n in unknown
            )
            parts.append(f"Section '{section}' uses unknown figure(s) in its narrative: {listed}.")
        if self.refused:
            listed = ", ".join(f"{{eval}}`{n}`" for n in self.refused)
            parts.append(
                f"Section '{section}' has roles that are not figure names: {listed}; prose may only name "
                "a registered figure or one of its documented attributes, never code."
            )
        if known and not self.suggestions:
            parts.append("Known figures include: " + ", ".join(sorted(known)[:12]) + ".")
        super().__init__(" ".join(parts))


@dataclass
class SectionFailure:
    section: str
    cell: int | None
    error: str
    notebook: Path | None = None


class SectionExecutionError(CSWOError):
    """A section notebook raised while it ran."""

    def __init__(self, failures: list[SectionFailure]):
        self.failures = failures
        parts = []
        for f in failures:
            cell = f"cell {f.cell}" if f.cell is not None else "a cell"
            nb = f"; see {f.notebook}" if f.notebook else ""
            parts.append(f"Section '{f.section}' failed in {cell}: {f.error}{nb}")
        super().__init__("\n".join(parts))


class RenderError(CSWOError):
    """pandoc or Typst could not turn the report into a document."""


class PublishCheckError(CSWOError):
    """A safeguard (identifiers, disclosure, accessibility, figures) refused to publish."""

    exit_code = 3

    def __init__(self, findings: list[str]):
        self.findings = findings
        super().__init__(_listing(f"Publishing stopped by {len(findings)} check failure(s)", findings))


@dataclass
class Warnings:
    """Non-fatal messages collected during a build, shown in the summary."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.messages.append(message)
