"""Is the data complete for the narrative? One check, used by ``cswo validate`` and the build.

It compares what the year's notebooks need (:mod:`cswo.narrative.needs`) with the validated data,
and locates each gap where it is to be filled: the data-entry workbook's sheet and row for the
report year, the table's CSV file for an earlier year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cswo.data.dataset import Dataset
from cswo.data.load import validate_tables
from cswo.data.queries import Query
from cswo.data.returns import as_typed, row_locations, workbook_rows
from cswo.errors import ParametersError, Problem
from cswo.figures.formatting import SYMBOL_FOR_STATUS
from cswo.narrative.needs import Key, UnknownName, Use, YearNeeds, year_needs
from cswo.narrative.stale import StaleFinding, stale_years
from cswo.narrative.typed import notebook_typed_numbers
from cswo.project.catalogue import TOTAL, load_catalogue
from cswo.project.parameters import Parameters
from cswo.project.paths import Project, previous_year

USES_SHOWN = 3
COMPARISON_KINDS = ("claim", "repeat")  # stale.StaleFinding kinds about what a sentence compares


@dataclass
class YearCheck:
    """Everything ``cswo validate`` reports, all at once."""

    year: str
    data_problems: list[Problem] = field(default_factory=list)
    gaps: list[Problem] = field(default_factory=list)
    unknown: list[UnknownName] = field(default_factory=list)
    typed_numbers: list[str] = field(default_factory=list)
    typed_years: list[str] = field(default_factory=list)  # typed years and dates, stale future tense
    comparisons: list[str] = field(default_factory=list)  # typed comparisons the data contradict, repeated phrases
    to_review: list[str] = field(default_factory=list)  # typed verbs of change beside figures
    notes: list[str] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)  # rows under query: open items, not problems
    dataset: Dataset | None = None  # the year's validated data, which typed comparisons are judged against
    stale: list[StaleFinding] = field(default_factory=list)  # every finding of stale_years, for the open items

    @property
    def ok(self) -> bool:
        return not self.count()

    def count(self) -> int:
        problems = (self.data_problems, self.gaps, self.unknown, self.typed_numbers, self.typed_years, self.comparisons)
        return sum(len(p) for p in problems)


def _describe(key: Key, catalogue: dict | None) -> str:
    table = (catalogue or {}).get(key.table)
    measure = table.measures.get(key.measure) if table else None
    if measure is None:
        return f"'{key.measure}' of table '{key.table}' (not in the catalogue)"
    if key.breakdown == TOTAL:
        return measure.label
    return f"{measure.label}: {measure.breakdown_label(key.breakdown)}"


def _used(uses: list[Use]) -> str:
    shown = "; ".join(str(u) for u in uses[:USES_SHOWN])
    more = len(uses) - USES_SHOWN
    return shown + (f"; and {more} more place(s)" if more > 0 else "")


def find_gaps(
    needs: YearNeeds,
    dataset: Dataset,
    locations: dict[tuple[str, str, str], tuple[str, int]],
    catalogue: dict | None = None,
) -> list[Problem]:
    """Each needed figure the data lacks, located where it is to be filled in."""
    rows: dict[tuple[str, str, str, str], str] = {}
    for name, frame in dataset.tables.items():
        for r in frame.itertuples():
            rows[(name, r.measure, r.breakdown, r.year)] = "" if r.number == r.number else r.status
    gaps = []
    for key, uses in needs.needs.items():
        found = rows.get((key.table, key.measure, key.breakdown, key.year))
        in_prose = [u for u in uses if u.in_prose]
        if found == "" or (found is not None and not in_prose):
            continue  # a table or chart shows a status ([x]) where there is no figure; prose cannot
        what = f"{_describe(key, catalogue)} for {key.year}"
        slot = (key.table, key.measure, key.breakdown)
        where = dataset.unfilled.get(slot) if key.year == needs.year else None
        if where is None and key.year == needs.year:
            where = locations.get(slot)
        if found is not None:
            rule = (
                f"{what} is marked '{found}' (no figure), but the narrative uses it ({_used(in_prose)}): "
                "give the figure, or rewrite those sentences"
            )
        elif where is not None:
            rule = f"{what} is missing: fill in the value on this row; used in {_used(uses)}"
        else:
            rule = (
                f"{what} is missing: add a row for measure '{key.measure}', breakdown '{key.breakdown}'; "
                f"used in {_used(uses)}"
            )
        file, row = where if where else ((dataset.files.get(key.table) or [f"data/{key.table}.csv"])[0], None)
        gaps.append(Problem(file, row, "value", None, rule))
    gaps.sort(key=lambda p: (p.file, p.row or 0))
    return gaps


def workbook_locations(project: Project, needs: YearNeeds, dataset: Dataset, sections: list[str]):
    """Where the year's data-entry workbook puts each of the report year's figures (none without one:
    a figure is then located in its data file)."""
    if not project.returns_workbook(needs.year).exists():
        return {}
    catalogue = load_catalogue(project)
    last = last_year_values(dataset, needs.year, catalogue)
    rows = workbook_rows(needs.for_year(needs.year), catalogue, sections, last)
    return row_locations(rows, f"data/returns/{project.returns_workbook(needs.year).name}")


def last_year_values(dataset, year: str, catalogue: dict) -> dict[tuple[str, str, str], str]:
    """Last year's value of every figure in the unit its row asks for ('93', '45%', '7,800 (£000)', '[x]')."""
    last = previous_year(year)
    values = {}
    for name, frame in dataset.tables.items() if dataset else []:
        for r in frame[frame["year"] == last].itertuples():
            measure = catalogue[name].measures.get(r.measure)
            if measure is None:
                continue
            if r.number == r.number:
                values[(name, r.measure, r.breakdown)] = as_typed(r.number, measure.unit)
            else:
                values[(name, r.measure, r.breakdown)] = SYMBOL_FOR_STATUS.get(r.status, "")
    return values


def check_year(project: Project, params: Parameters) -> YearCheck:
    """Data problems, figures the narrative needs and lacks, unknown names, typed numbers and typed
    years (with verbs of change to review), at once."""
    year = params.year
    sections = [*params.sections, *params.appendix_notebooks()]
    dataset, problems = validate_tables(project, year)
    needs = year_needs(project, year, sections, dataset)
    result = YearCheck(
        year, data_problems=problems, unknown=needs.unknown, notes=needs.notes, queries=dataset.queries, dataset=dataset
    )
    result.notes += dropped_since_last_year(project, params, needs)
    locations = workbook_locations(project, needs, dataset, sections)
    result.gaps = find_gaps(needs, dataset, locations, load_catalogue(project))
    for section in sections:
        notebook = project.notebook(year, section)
        if notebook.exists():
            result.typed_numbers += notebook_typed_numbers(notebook, section)
    result.stale = stale_years(project, year, dataset, needs)
    for finding in result.stale:
        if finding.review_only:
            result.to_review.append(str(finding))
        else:
            (result.comparisons if finding.kind in COMPARISON_KINDS else result.typed_years).append(str(finding))
    return result


def narrative_problems(
    project: Project, year: str, sections: list[str], dataset: Dataset | None = None, gaps: bool = True
) -> list[Problem]:
    """Every name the notebooks use that no section registers or the catalogue lacks, located in its
    notebook, and (with ``gaps`` and a dataset) every figure they need that the data lacks: listed
    beside problems found first elsewhere, so a refused run says everything at once."""
    try:
        needs = year_needs(project, year, sections, dataset)
        catalogue = load_catalogue(project)
    except ParametersError:  # the catalogue cannot be read: that is reported where it is read
        return []
    found = []
    if gaps and dataset is not None:
        found += find_gaps(needs, dataset, workbook_locations(project, needs, dataset, sections), catalogue)
    folder = project.shown(project.year_notebooks(year))
    return found + [Problem(f"{folder}/{u.section}.ipynb", None, None, None, str(u)) for u in needs.unknown]


def narrative_gaps(project: Project, params: Parameters, dataset: Dataset) -> tuple[list[Problem], YearNeeds]:
    """The build's completeness check: the gaps, and the needs they came from."""
    sections = [*params.sections, *params.appendix_notebooks()]
    needs = year_needs(project, params.year, sections, dataset)
    locations = workbook_locations(project, needs, dataset, sections)
    return find_gaps(needs, dataset, locations, load_catalogue(project)), needs


def dropped_since_last_year(project: Project, params: Parameters, needs: YearNeeds) -> list[str]:
    """A note for each table or chart last year's notebooks drew that this year's no longer draw, so
    a deleted cell is never silent (the tables and charts after it are numbered one lower)."""
    last = previous_year(params.year)
    if not project.year_notebooks(last).is_dir():
        return []
    before = year_needs(project, last, [*params.sections, *params.appendix_notebooks()]).shown
    notes = []
    for section, items in before.items():
        now = {_yearless(item) for item in needs.shown.get(section, [])}
        notes += [
            f"Section '{section}': the {item} that {last}'s notebook drew is not drawn for {params.year}; "
            "if that was not meant, restore its cell (the tables and charts after it are numbered one lower)"
            for item in items
            if _yearless(item) not in now
        ]
    return notes


def _yearless(caption: str) -> str:
    return re.sub(r"(?:19|20)\d{2}(?:[-/]\d{2})?", "YEAR", caption)
