"""Everything still open in a year: while anything is, every paper of the year is a DRAFT.

An open item is one located sentence (:class:`OpenItem`: kind, file, where, message). The kinds:

- ``review``: a section never signed off, or changed (text or figures) since it was;
- ``to confirm``: an entry of the parameters' ``review_required``;
- ``query``: a data row under query (:mod:`cswo.data.queries`);
- ``missing figure``: a figure the narrative needs that the data lacks (a --draft marks it);
- ``placeholder``: ``[TO COMPLETE: …]``, "DESCRIBE", "Describe here" or "To be confirmed" in a
  notebook, a template or the parameters;
- ``comment``: a review comment not yet resolved (``reviews/<year>.yml``);
- ``stale year``: a typed year or date that moves with the report year or is out of step with the
  figures beside it, or future tense about a time the report year has reached
  (:func:`cswo.narrative.stale.stale_years`);
- ``comparison``: a typed comparison ("up from", "lower than") that the year's figures contradict, or
  generated phrases that repeat each other in one sentence.

A final build (``cswo build --final``) refuses while any is open and lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from cswo.cache import keys, store
from cswo.compose import anchors
from cswo.compose.section import HIDDEN_TAGS, MissingFigure, SectionText
from cswo.data.queries import QUERY_MARK, Query
from cswo.errors import YearOpenError
from cswo.narrative.stale import stale_years
from cswo.project import placeholders
from cswo.project.parameters import Parameters
from cswo.project.paths import Project
from cswo.project.reading import read_text
from cswo.project.reviews import Reviews, read_record

TEMPLATE_SUFFIXES = (".j2", ".md", ".typ")


@dataclass(frozen=True)
class OpenItem:
    kind: str
    file: str  # relative to the project, as the analyst finds it
    where: str  # section, cell, row, line or key within the file
    message: str

    def __str__(self) -> str:
        return f"{self.file}, {self.where}: {self.message}"


BOOKMARK = re.compile(r"\[\]\{#" + anchors.NAME.pattern + r"\}")


def fingerprint(text: SectionText) -> str:
    """What a sign-off records for a section: its text as printed, its highlights as the cover report
    prints them, and the figures it shows. A draft's query marks and the paragraphs' invisible
    bookmarks are not part of it: answering a query alone, or a bookmark renamed, does not re-open
    the section."""

    def printed(markdown: str) -> str:
        return BOOKMARK.sub("", markdown.replace(f" **{QUERY_MARK}**", "").replace(f" {QUERY_MARK}", ""))

    return keys.review_fingerprint(
        printed(text.markdown), text.bundle.get("figures", []), [printed(h) for h in text.highlights]
    )


def fingerprints(texts: dict[str, SectionText]) -> dict[str, str]:
    return {name: fingerprint(text) for name, text in texts.items()}


def review_items(project: Project, year: str, current: dict[str, str], reviews: Reviews) -> list[OpenItem]:
    """Each section (by its current fingerprint) not signed off, or changed since it was."""
    items = []
    for name, now in current.items():
        file = _notebook_label(project, year, name)
        signed = reviews.sections.get(name)
        if signed is None:
            message = f"section '{name}' has not been reviewed: `cswo review sign {name} --year {year} --by NAME`"
        elif signed.fingerprint != now:
            message = (
                f"section '{name}' changed (text or figures) since {signed.reviewed_by} signed it off on "
                f"{signed.reviewed_on}: review it again and sign it off"
            )
        else:
            continue
        items.append(OpenItem("review", file, f"section '{name}'", message))
    return items


def comment_items(year: str, reviews: Reviews) -> list[OpenItem]:
    return [
        OpenItem(
            "comment",
            f"reviews/{year}.yml",
            f"comment {c.get('id', '?')} on '{c.get('section', '?')}'",
            f"{c.get('author', 'a reviewer')} asks: {c.get('comment', '')} (set resolved: true once answered)",
        )
        for c in reviews.open_comments()
    ]


def confirm_items(params: Parameters) -> list[OpenItem]:
    label = f"parameters/{params.year}.yml"
    return [OpenItem("to confirm", label, "review_required", f"to confirm: {item}") for item in params.review_required]


def query_items(queries: list[Query]) -> list[OpenItem]:
    return [OpenItem("query", q.file, f"row {q.row}", f"{q.figure()} is under query: {q.question}") for q in queries]


def missing_items(project: Project, year: str, missing: list[MissingFigure]) -> list[OpenItem]:
    return [
        OpenItem(
            "missing figure",
            _notebook_label(project, year, m.section),
            f"cell {m.cell}",
            f"{m.name} is missing from the data (printed as [MISSING: {m.name}])",
        )
        for m in missing
    ]


def placeholder_items(project: Project, params: Parameters) -> list[OpenItem]:
    """Placeholder text in the year's notebooks (cells readers see), the project's templates and the parameters."""
    items = []
    for name in [*params.sections, *params.appendix_notebooks()]:
        path = project.notebook(params.year, name)
        if path.exists():
            for number, text in _shown_markdown(path):
                items += _found(
                    placeholders.found_in(text), _notebook_label(project, params.year, name), f"cell {number}"
                )
    if project.templates_dir.is_dir():
        for path in sorted(p for p in project.templates_dir.rglob("*") if p.suffix in TEMPLATE_SUFFIXES):
            label = project.shown(path)
            for number, line in enumerate(read_text(path, label).splitlines(), start=1):
                items += _found(placeholders.found_in(line), label, f"line {number}")
    values = params.model_dump(mode="json", exclude={"review_required"})
    for key, value in _leaves(values):
        items += _found(placeholders.found_in(value), f"parameters/{params.year}.yml", key)
    return items


def stale_year_items(project: Project, params: Parameters, dataset=None, findings=None) -> list[OpenItem]:
    """Typed years and dates that move with the report year or are out of step with the figures beside
    them, stale future tense, generated phrases that repeat each other and, with the year's
    ``dataset``, typed comparisons its figures contradict (:func:`cswo.narrative.stale.stale_years`).
    A typed verb of change the data cannot settle is for a reader to judge: the section's sign-off
    covers it, so it is not an item of its own. ``findings``: stale_years' result, when the caller has it."""
    items = []
    for finding in findings if findings is not None else stale_years(project, params.year, dataset):
        if finding.review_only:
            continue
        where = f"cell {finding.cell}" if finding.cell is not None else f"line {finding.line}"
        kind = "comparison" if finding.kind in ("claim", "repeat") else "stale year"
        items.append(OpenItem(kind, finding.file, where, finding.message))
    return items


def collect(
    project: Project,
    params: Parameters,
    current: dict[str, str],
    queries: list[Query],
    missing: list[MissingFigure] = (),
    dataset=None,
    findings=None,
) -> list[OpenItem]:
    """Every open item of the year, in the order a reviewer would close them. ``current``: each
    section's fingerprint now (:func:`fingerprints`); ``dataset``: the year's validated data, which
    typed comparisons are judged against."""
    reviews = read_record(project, params.year)
    return [
        *review_items(project, params.year, current, reviews),
        *comment_items(params.year, reviews),
        *confirm_items(params),
        *placeholder_items(project, params),
        *query_items(queries),
        *missing_items(project, params.year, list(missing)),
        *stale_year_items(project, params, dataset, findings),
    ]


def for_build(
    project: Project, params: Parameters, texts: dict[str, SectionText], queries: list[Query], final: bool, dataset=None
) -> list[OpenItem]:
    """The build's open items; each section's fingerprint is kept for `cswo validate`. Raises
    YearOpenError, listing them all, when ``final`` and anything is open."""
    current = fingerprints(texts)
    store.write_manifest(project.review_fingerprints_file(params.year), current)
    missing = [m for text in texts.values() for m in text.missing]
    items = collect(project, params, current, queries, missing, dataset)
    if final and items:
        raise YearOpenError(params.year, items)
    return items


def validate_items(
    project: Project, params: Parameters, queries: list[Query], dataset=None, findings=None
) -> list[OpenItem]:
    """The open items `cswo validate` lists (it runs no notebook, so sections are judged by their
    fingerprints at the last build; missing figures it lists as problems of their own)."""
    recorded = store.read_manifest(project.review_fingerprints_file(params.year)) or {}
    names = [*params.sections, *params.appendix_notebooks()]
    reviews = read_record(project, params.year)
    unbuilt = [name for name in names if name not in recorded and name in reviews.sections]
    current = {name: recorded.get(name, "") for name in names if name not in unbuilt}
    items = review_items(project, params.year, current, reviews)
    if unbuilt:
        message = "build the year to check these sections still read as signed off: " + ", ".join(unbuilt)
        items.append(OpenItem("review", f"reviews/{params.year}.yml", "sections", message))
    rest = collect(project, params, {}, queries, dataset=dataset, findings=findings)
    return items + rest


def _found(found: list[str], file: str, where: str) -> list[OpenItem]:
    return [
        OpenItem("placeholder", file, where, f"placeholder text '{text}' is still to be replaced") for text in found
    ]


def _notebook_label(project: Project, year: str, name: str) -> str:
    return project.shown(project.notebook(year, name))


def _shown_markdown(path: Path) -> Iterator[tuple[int, str]]:
    """(cell number, text) of each markdown cell readers see (not the banner, not hidden cells)."""
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown" and not set(cell.get("metadata", {}).get("tags", [])) & HIDDEN_TAGS:
            yield number, cell.source


def _leaves(value, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{key}[{i}]")
    elif isinstance(value, str):
        yield key, value
