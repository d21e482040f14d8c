"""One root for every error the suite raises, each carrying its context.

A council analyst sees :func:`message` of an error: one plain-English sentence
(or a list of them, all problems at once). Tracebacks are only shown with
``--debug``. Every message the CLI prints goes through :func:`message`, so a
filter added with :func:`add_message_filter` (identifier masking) sees them all.

Errors cross process boundaries (the section pool, the check pool), so each
pickles by its fields, not by re-calling ``__init__`` with the rendered text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Exit codes by class of problem, so scripts can tell them apart.
EXIT_FAILED = 1  # a build step failed (a section, a renderer)
EXIT_INPUT = 2  # the analyst's inputs (parameters, data, notebooks, _quarto.yml, the year asked for)
EXIT_REFUSED = 3  # a safeguard refused to publish
EXIT_INTERNAL = 70  # a fault in the suite itself (a bug to report)
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM


def _restore(cls: type, args: tuple, state: dict) -> CSWOError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class CSWOError(Exception):
    """Root of every error the suite raises on purpose."""

    exit_code = EXIT_FAILED

    def details(self) -> str:
        """What ``--debug`` shows beyond the message and the traceback (e.g. a failing cell's own)."""
        return ""

    def __reduce__(self):
        # Rebuild from the fields, never by calling __init__ with the rendered message: a subclass
        # whose __init__ takes a list would otherwise be rebuilt from the characters of its text.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class InputError(CSWOError):
    """One of the analyst's inputs is wrong; the message names the file, key or row and the rule."""

    exit_code = EXIT_INPUT


class UnreadableTextError(InputError):
    """A text file is not UTF-8; ``rule`` says how to re-save it, ``line`` where reading stopped."""

    def __init__(self, label: str, rule: str, line: int | None = None):
        self.label, self.rule, self.line = label, rule, line
        super().__init__(f"{label}{f', line {line}' if line else ''}: {rule}")


class YAMLProblems(InputError):
    """What is wrong with a YAML text, one located sentence each (without the file name: the reader
    that knows the file adds it)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class Interrupted(CSWOError):
    """The build was stopped by Ctrl-C or SIGTERM."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, signal_name: str = "Ctrl-C", finished: bool = False):
        self.signal_name = signal_name
        self.finished = finished  # the stop came after the build had published: only its summary was cut short
        if finished:
            super().__init__(
                f"The build was stopped ({signal_name}) after it had finished: its papers were published in full; "
                "only the summary was cut short."
            )
            return
        super().__init__(
            f"The build was stopped ({signal_name}): running sections were shut down, nothing was published "
            "and the last good outputs were left as they were."
        )


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


class ParametersError(InputError):
    """The year's parameters file is missing, unreadable or has wrong keys."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = list(problems)
        super().__init__(_listing(f"{self.path} has {len(problems)} problem(s)", self.problems))


class CatalogueError(ParametersError):
    """The project's catalogue.yml (or the base catalogue) cannot be read or lacks a key."""


class ProblemsError(InputError):
    """Located problems in one or more input files (notebooks, _quarto.yml), all at once."""

    heading = "The inputs have"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(_grouped(f"{self.heading} {len(self.problems)} problem(s)", self.problems))


def _grouped(heading: str, problems: list[Problem]) -> str:
    """Problems grouped by file, each located line as the analyst reads it."""
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    lines = [f"{heading}:"]
    for file, items in by_file.items():
        lines.append(f"{file} ({len(items)}):")
        lines += [f"  - {item}" for item in items]
    return "\n".join(lines)


class DataValidationError(ProblemsError):
    """One or more data files break the rules. Carries every problem at once."""

    heading = "The data has"


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
    """Where and how a section failed, as papermill reports it, counted as the analyst counts cells."""

    section: str
    cell: int | None  # 1-based position in the analyst's notebook (not the executed copy)
    error: str  # "ename: evalue"
    notebook: Path | None = None  # the executed notebook showing the error
    ename: str = ""
    evalue: str = ""
    source: str = ""  # the failing cell's code, as the analyst wrote it
    traceback: str = ""  # the kernel's traceback (as papermill's PapermillExecutionError keeps it)

    def __str__(self) -> str:
        cell = f"cell {self.cell}" if self.cell is not None else "a cell"
        nb = f"; see {self.notebook}" if self.notebook else ""
        return f"Section '{self.section}' failed in {cell}: {self.error}{nb}"

    def details(self) -> str:
        cell = f"cell {self.cell}" if self.cell is not None else "the failing cell"
        parts = [f"--- section '{self.section}', {cell} ---", self.source.rstrip() or "(its code was not recorded)"]
        if self.traceback:
            parts += ["--- the kernel's traceback ---", self.traceback.rstrip()]
        return "\n".join(parts)


class SectionExecutionError(CSWOError):
    """A section notebook raised (or timed out) while it ran."""

    def __init__(self, failures: list[SectionFailure]):
        self.failures = list(failures)
        super().__init__("\n".join(str(f) for f in self.failures))

    def details(self) -> str:
        return "\n\n".join(f.details() for f in self.failures)


class CellTimedOut(CSWOError):
    """A cell ran past the cell timeout and was stopped; ``cell_index`` is its place in the executed
    notebook (None if unknown), as papermill's PapermillExecutionError keeps it."""

    ename = "TimeoutError"

    def __init__(self, seconds: float | None, cell_index: int | None = None):
        self.seconds, self.cell_index = seconds, cell_index
        self.evalue = f"a cell ran for more than {seconds or 0:g} seconds and was stopped"
        super().__init__(self.evalue)


class RenderError(CSWOError):
    """pandoc or Typst could not turn the report into a document."""


class PublishCheckError(CSWOError):
    """A safeguard (identifiers, disclosure, accessibility, figures) refused to publish."""

    exit_code = EXIT_REFUSED

    def __init__(self, findings: list[str]):
        self.findings = list(findings)
        super().__init__(_listing(f"Publishing stopped by {len(findings)} check failure(s)", self.findings))


# --- errors of particular steps --------------------------------------------------


class ColourError(CSWOError):
    """A colour is not a hex code like '#1F77B4'."""


class DisclosureError(CSWOError):
    """A table given for disclosure control cannot be checked as it stands."""


class IncompleteNarrativeError(InputError):
    """The narrative needs figures the data lacks, or names figures no section registers."""

    def __init__(self, gaps: list, unknown: list):
        self.gaps, self.unknown = gaps, unknown
        lines = [str(g) for g in gaps] + [str(u) for u in unknown]
        needs = [f"needs {len(gaps)} figure(s) the data does not have"] if gaps else []
        needs += [f"names {len(unknown)} figure(s), table(s) or measure(s) that do not exist"] if unknown else []
        advice = ["fill in the figures (or build a --draft, which marks each gap)"] if gaps else []
        advice += ["correct the names (a --draft cannot guess them either)"] if unknown else []
        super().__init__(
            f"The narrative {' and '.join(needs)}; {', and '.join(advice)}:\n"
            + "\n".join(f"  - {line}" for line in lines)
        )


class YearOpenError(InputError):
    """A final build was asked for while the year still has open items (each a located sentence)."""

    def __init__(self, year: str, items: list):
        self.year, self.items = year, list(items)
        super().__init__(
            _grouped(
                f"{year} is still open, so a final build was refused: {len(self.items)} open item(s); "
                "close them (or build without --final for DRAFT papers)",
                self.items,
            )
        )


class TwinConflictError(InputError):
    """A section's notebook and its ``.md`` twin were both edited since they were last in step:
    using either would lose the other's edit. ``differences`` names the paragraphs, file by file."""

    def __init__(self, notebook: str, twin: str, differences: list[str]):
        self.notebook, self.twin, self.differences = notebook, twin, differences
        super().__init__(
            f"{notebook} and {twin} were both edited since they were last in step, so neither is used "
            f"(that would lose the other's edit). Copy each edit into one file, then run "
            f"`cswo sync --keep ipynb` or `cswo sync --keep md` (the other file is kept in outputs/.cache/twins). "
            "They differ in:\n" + "\n".join(f"  - {d}" for d in differences)
        )


class UnknownNameError(InputError):
    """A notebook's code names a table, measure or breakdown the catalogue does not have."""


class YearExistsError(InputError):
    """The year asked for is already set up: starting it again would overwrite an analyst's work."""


class TemplateError(CSWOError):
    """The data-entry workbook cannot be made."""


class TemplateExistsError(TemplateError):
    """A workbook is already where the template would go; it may hold a service's work."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(
            f"{path} already exists, so a new template was not written over it: it may "
            "already hold figures a service has typed. To bring it up to date with the notebooks "
            "and keep everything typed in it, run `cswo data-template --update`; or give another path."
        )


# --- the one way a message reaches the analyst ----------------------------------

_filters: list[Callable[[str], str]] = []


def add_message_filter(apply: Callable[[str], str]) -> None:
    """Run ``apply`` over every message before it is shown (identifier masking plugs in here)."""
    if apply not in _filters:
        _filters.append(apply)


def message(item: BaseException | str) -> str:
    """The text an analyst sees for an error or a note: every CLI message passes through here."""
    if isinstance(item, CSWOError) or isinstance(item, str):
        text = str(item)
    else:
        text = internal_sentence(item)
    for apply in _filters:
        text = apply(text)
    return text


def internal_sentence(error: BaseException) -> str:
    """One sentence for a fault the suite did not foresee (its traceback is shown with --debug)."""
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    detail = f": {detail}" if detail else ""
    return (
        f"Unexpected {type(error).__name__}{detail}. This is a fault in the suite, not in your files; "
        "run the same command with --debug and report what it prints."
    )


def is_interrupt(error: BaseException | None) -> bool:
    """Ctrl-C or SIGTERM, also when Python wrapped it on the way up (an interrupt that lands in a class's
    ``__set_name__`` while a module imports comes out as a RuntimeError caused by it)."""
    for _ in range(20):
        if error is None:
            return False
        if isinstance(error, (KeyboardInterrupt, Interrupted)):
            return True
        error = error.__cause__ or error.__context__
    return False


def exit_code(error: BaseException) -> int:
    if isinstance(error, CSWOError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_INTERNAL


@dataclass
class Warnings:
    """Non-fatal messages collected during a build, shown in the summary."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.messages.append(message)
