"""Where a year's text says something about years that the report year makes wrong, located.

:func:`stale_years` reads (never runs) the year's section notebooks, as the build reads them, the
project's own cover templates and its parameters, and returns every finding of
:func:`cswo.narrative.years.year_findings` with the file, section and cell (or line) it is in:
``cswo validate`` lists them, ``cswo new-year`` lists those it could not rewrite, and the open
items of a year include them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cswo.cache import keys
from cswo.cache.instep import InStep
from cswo.cache.memo import remembered
from cswo.narrative.needs import year_needs
from cswo.narrative.readings import section_readings
from cswo.narrative.years import year_findings
from cswo.project.catalogue import load_catalogue
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from cswo.project.reading import read_text, string_values
from cswo.project.twins import SectionSource, section_source

# cells that never reach the documents: the carried-forward banner (compose.section.UNREVIEWED_TAG)
# and cells the build removes
UNPUBLISHED_TAGS = {"unreviewed", "remove-cell"}


@dataclass(frozen=True)
class StaleFinding:
    """One typed year, date, future tense or verb of change, where it is.

    ``kind`` is "year" (typed where a role belongs, ``role`` naming it, or beside figures of other
    years), "stale" (future tense about a time the report year has reached), "claim" (a typed
    comparison the figures beside it contradict), "repeat" (generated phrases saying the same thing
    twice) or "trend" (a verb of change typed beside a figure that the data cannot settle:
    ``review_only``, since only a reader can tell whether it is still true)."""

    file: str  # relative to the project folder
    section: str  # the section notebook's stem, "cover" (a cover template) or "parameters"
    cell: int | None  # markdown cell, 1-based as the lab numbers them (None in a template)
    cell_id: str | None
    line: int | None  # the line, in a template or the parameters (None in a notebook)
    text: str  # as typed: "2020-21", "rose"
    role: str | None  # what to write instead, e.g. {eval}`s.last_label` (None: rewrite it)
    message: str
    kind: str
    review_only: bool = False
    sentence: str = ""  # the sentence it is in, as written

    @property
    def where(self) -> str:
        if self.cell is not None:
            return f"{self.file}, section '{self.section}', cell {self.cell}"
        return f"{self.file}, line {self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def stale_years(project: Project, year: str, dataset=None, needs=None) -> list[StaleFinding]:
    """Every typed year, date, stale future tense and typed verb of change in the year's narrative,
    cover templates and parameters, located. With the year's validated ``dataset``, a typed
    comparison is judged against the figures beside it (:mod:`cswo.narrative.claims`); without it,
    it is listed for review. ``needs``: the year's :func:`year_needs`, when the caller has them.
    Raises what loading the parameters raises."""
    params = load_year(project, year)
    sections = [*params.sections, *params.appendix_notebooks()]
    needs = needs if needs is not None else year_needs(project, year, sections, dataset)
    readings = section_readings(needs, dataset, load_catalogue(project))
    found: list[StaleFinding] = []
    for section in sections:
        notebook = project.notebook(year, section)
        if notebook.exists() or notebook.with_suffix(".md").exists():
            found += notebook_findings(project, notebook, section, year, readings.get(section, {}))
    for template in sorted(project.templates_dir.glob("cover*.md.j2")):
        found += text_findings(project, template, "cover", year, template=True)
    parameters = project.parameters_file(year)
    found += [f for f in text_findings(project, parameters, "parameters", year) if f.kind == "stale"]
    return found


def notebook_findings(project: Project, notebook, section: str, year: str, readings=None) -> list[StaleFinding]:
    """The findings in a section's markdown cells (read from its .md twin where the build would);
    ``readings``: what the section's roles read from the data (:mod:`cswo.narrative.readings`).
    A running preview finds them once while the file and its readings are unchanged (cache/memo.py)."""
    source = section_source(notebook, section, InStep(project))
    key = keys.findings_key(source.path, project.root, section, year, readings)
    return list(remembered(key, lambda: _source_findings(project, source, section, year, readings)))


def _source_findings(project: Project, source: SectionSource, section: str, year: str, readings) -> list[StaleFinding]:
    file = project.shown(source.path)
    out = []
    for index, cell in enumerate(source.read().cells, start=1):
        if cell.cell_type != "markdown" or UNPUBLISHED_TAGS & set(cell.metadata.get("tags", [])):
            continue
        for f in year_findings(cell.source, year, readings=readings):
            out.append(
                StaleFinding(
                    file,
                    section,
                    index,
                    cell.get("id"),
                    None,
                    f.text,
                    f.role,
                    f.message,
                    f.kind,
                    f.review_only,
                    f.sentence,
                )
            )
    return out


def text_findings(project: Project, path, section: str, year: str, template: bool = False) -> list[StaleFinding]:
    """The findings in a text file: a YAML file by its string values (a folded paragraph is one text over
    several lines; comments and keys left out), located at the line each starts on; other text line by line."""
    if not path.exists():
        return []
    out = []
    whole = read_text(path)
    values = string_values(whole) if path.suffix in (".yml", ".yaml") else enumerate(whole.splitlines(), start=1)
    for number, text in values:
        for f in year_findings(text, year, template=template):
            if f.kind != "trend":
                out.append(
                    StaleFinding(
                        project.shown(path),
                        section,
                        None,
                        None,
                        number,
                        f.text,
                        f.role,
                        f.message,
                        f.kind,
                        sentence=f.sentence,
                    )
                )
    return out
