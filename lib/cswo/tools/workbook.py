"""The data-entry workbook that services fill in for a new year.

``write_template`` makes ``data/returns/<year>.xlsx`` with exactly the rows the year's narrative
needs (:mod:`cswo.narrative.needs`): one sheet per service, holding only that service's figures.
Each row shows the figure's label, its unit and last year's value; the service types the value,
a status if there is none, and the source. Everything else is locked, values are checked as they
are typed (numbers only, percentages 0 to 100, counts whole), and hidden columns tell the loader
(:mod:`cswo.data.returns`) which table, measure and breakdown each row is, so a problem is
reported at the sheet and row where it was typed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from cswo.data.load import validate_tables
from cswo.data.returns import FIRST_ROW, HEADER_ROW, QA_NOTE, service_sheet
from cswo.errors import CSWOError
from cswo.figures.formatting import SYMBOL_FOR_STATUS, neutralise_workbook
from cswo.narrative.needs import Key, year_needs
from cswo.project.catalogue import TOTAL, Measure, Table, load_catalogue
from cswo.project.parameters import load_year
from cswo.project.paths import Project, is_financial_year, previous_year
from cswo.tools.workbook_layout import (
    INSTRUCTIONS_SHEET,
    MEASURES_SHEET,
    instructions_sheet,
    measures_sheet,
    service_sheet_layout,
)

RESERVED_SHEETS = (INSTRUCTIONS_SHEET, MEASURES_SHEET)
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")


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


@dataclass(frozen=True)
class Row:
    """One figure to fill in: where it goes in the data, and what the service sees."""

    service: str
    table: str
    measure: Measure
    breakdown: str
    last_year: str  # last year's value as the report printed it, or "" when there was none

    @property
    def label(self) -> str:
        if self.breakdown == TOTAL:
            return self.measure.label
        return f"{self.measure.label}: {self.measure.breakdown_label(self.breakdown)}"


def workbook_rows(keys, catalogue: dict[str, Table], sections: list[str], last_values: dict | None = None) -> list[Row]:
    """The rows for ``keys`` (needed figures of the year), by service sheet, in catalogue order.

    A table belongs to the first section the catalogue lists for it (the service that supplies it).
    """
    last_values = last_values or {}
    order = {name: index for index, name in enumerate(catalogue)}
    rows = []
    for key in keys:
        table = catalogue.get(key.table)
        if table is None or key.measure not in table.measures:
            continue  # a name the catalogue lacks is reported by validation, not given a row
        owner = next((s for s in table.sections if s in sections), table.sections[0] if table.sections else "")
        measure = table.measures[key.measure]
        listed = list(measure.breakdowns or ())
        rank = (
            sections.index(owner) if owner in sections else len(sections),
            order[key.table],
            list(table.measures).index(key.measure),
            -1 if key.breakdown == TOTAL else (listed.index(key.breakdown) if key.breakdown in listed else 999),
        )
        last = last_values.get((key.table, key.measure, key.breakdown), "")
        rows.append((rank, Row(service_sheet(owner or "other"), key.table, measure, key.breakdown, last)))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def row_locations(rows: list[Row], workbook_label: str) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(table, measure, breakdown) -> (sheet label, Excel row): where each figure is typed."""
    found, next_row = {}, {}
    for row in rows:
        excel_row = next_row.get(row.service, FIRST_ROW)
        next_row[row.service] = excel_row + 1
        found[(row.table, row.measure.name, row.breakdown)] = (f"{workbook_label}, sheet '{row.service}'", excel_row)
    return found


def as_typed(number: float, unit: str) -> str:
    """A value as the Value cell asks for it, in the same unit: 7,800 for £7.8 million in a £000 row."""
    shown = f"{number:,.0f}" if number == int(number) else f"{number:,.10g}"
    return {"gbp": f"£{shown}", "gbp_thousand": f"{shown} (£000)", "percent": f"{shown}%"}.get(unit, shown)


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


def _year_sections(project: Project, year: str) -> list[str]:
    params = load_year(project, year)
    return [*params.sections, *params.appendix_notebooks()]


def year_rows(project: Project, year: str) -> list[Row]:
    """The rows the year's narrative needs, worked out from its notebooks (no build)."""
    dataset, _problems = validate_tables(project, year)  # problems are validation's to report
    sections = _year_sections(project, year)
    needs = year_needs(project, year, sections, dataset)
    catalogue = load_catalogue(project)
    return workbook_rows(needs.for_year(year), catalogue, sections, last_year_values(dataset, year, catalogue))


def write_template(project: Project, year: str, path: Path | None = None) -> Path:
    """Write the data-entry workbook for ``year`` and return where it went.

    The default place is ``data/returns/<year>.xlsx``, where the loader reads it. Its rows are the
    figures the year's notebooks need, so the year must have been started (``cswo new-year``).
    Raises TemplateExistsError if a file is already there, and TemplateError for a year not
    written like 2022-23 or not yet started.
    """
    if not is_financial_year(year):
        raise TemplateError(f"'{year}' is not a financial year written like 2022-23.")
    target = Path(path) if path is not None else project.returns_workbook(year)
    if target.exists():
        raise TemplateExistsError(target)
    if not project.parameters_file(year).exists() or not project.year_notebooks(year).is_dir():
        raise TemplateError(
            f"{year} has no parameters or notebooks yet, and the workbook asks for what its notebooks "
            f"use: run `cswo new-year {year}` first."
        )
    workbook = build_template(load_catalogue(project), year, year_rows(project, year))
    target.parent.mkdir(parents=True, exist_ok=True)
    _save_atomically(workbook, target)
    return target


TYPED_HEADINGS = ("Value", "Status", "Source", "Note", QA_NOTE)


def typed_cells(path: Path) -> dict[tuple[str, str, str], dict[str, object]]:
    """(table, measure, breakdown) -> what was typed on its row (heading -> value), for every row
    of a workbook's service sheets where anything was typed."""
    import openpyxl

    typed = {}
    for sheet in openpyxl.load_workbook(path).worksheets:
        header = [c.value for c in sheet[HEADER_ROW]]
        if "Value" not in header or "table" not in header:
            continue
        for row in sheet.iter_rows(min_row=FIRST_ROW):
            key = tuple(row[header.index(name)].value for name in ("table", "measure", "breakdown"))
            cells = {h: row[header.index(h)].value for h in TYPED_HEADINGS if h in header}
            if all(key) and any(v not in (None, "") for v in cells.values()):
                typed[key] = cells
    return typed


def update_template(project: Project, year: str) -> tuple[Path, int, int]:
    """Rewrite the year's workbook for what the notebooks use now, keeping everything typed in it.

    A row still asked for keeps its typed cells; a row no longer asked for but typed in is kept
    too (nothing typed is lost; validation reads it as before). Returns the path, how many typed
    rows were kept, and how many rows are new.
    """
    target = project.returns_workbook(year)
    if not target.exists():
        return write_template(project, year), 0, len(year_rows(project, year))
    typed = typed_cells(target)
    catalogue = load_catalogue(project)
    rows = year_rows(project, year)
    asked = {(r.table, r.measure.name, r.breakdown) for r in rows}
    extra = [Key(t, m, b, year) for (t, m, b) in typed if (t, m, b) not in asked]
    params_sections = _year_sections(project, year)
    rows += workbook_rows(extra, catalogue, params_sections)
    workbook = build_template(catalogue, year, rows)
    for sheet in workbook.worksheets:
        header = [c.value for c in sheet[HEADER_ROW]]
        if "Value" not in header or "table" not in header:
            continue
        for row in sheet.iter_rows(min_row=FIRST_ROW):
            key = tuple(row[header.index(name)].value for name in ("table", "measure", "breakdown"))
            for heading, value in typed.get(key, {}).items():
                row[header.index(heading)].value = value
    _save_atomically(workbook, target)
    return target, len(typed), len(asked - set(typed))


def build_template(catalogue: dict[str, Table], year: str, rows: list[Row] | None = None) -> Workbook:
    """The workbook for ``year`` in memory. Raises TemplateError for an unusable sheet name."""
    rows = rows or []
    _check_sheet_names(catalogue, rows)
    workbook = Workbook()
    services = list(dict.fromkeys(row.service for row in rows))
    instructions_sheet(workbook.active, year, services)
    for service in services:
        service_sheet_layout(workbook.create_sheet(service), year, [r for r in rows if r.service == service])
    measures_sheet(workbook.create_sheet(MEASURES_SHEET), catalogue)
    return workbook


def _check_sheet_names(catalogue: dict[str, Table], rows: list[Row]) -> None:
    reserved = {name.lower() for name in RESERVED_SHEETS}
    for name in dict.fromkeys(row.service for row in rows):
        if SHEET_NAME_FORBIDDEN & set(name):
            raise TemplateError(
                f"The section '{name}' contains a character Excel does not allow in a sheet name "
                "([ ] : * ? / \\); rename the section in the parameters."
            )
        if name.lower() in reserved:
            raise TemplateError(f"A section is called '{name}', like the workbook's own sheet; rename the section.")


def _save_atomically(workbook: Workbook, target: Path) -> None:
    # A half-written workbook must never sit where the loader reads it.
    partial = target.with_name(f".{target.name}.partial")
    neutralise_workbook(workbook)  # a source cell like =HYPERLINK(...) is copied as text, never a formula
    try:
        workbook.save(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
