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
from pathlib import Path

from openpyxl import Workbook

from cswo.data.load import validate_tables
from cswo.data.returns import FIRST_ROW, HEADER_ROW, RESERVED_SHEETS, TYPED_HEADINGS, Row, workbook_rows
from cswo.errors import TemplateError, TemplateExistsError
from cswo.figures.formatting import neutralise_workbook
from cswo.narrative.completeness import last_year_values
from cswo.narrative.needs import Key, year_needs
from cswo.project.catalogue import Table, load_catalogue
from cswo.project.parameters import load_year
from cswo.project.paths import Project, is_financial_year
from cswo.tools.workbook_layout import (
    MEASURES_SHEET,
    instructions_sheet,
    measures_sheet,
    service_sheet_layout,
)

SHEET_NAME_FORBIDDEN = set("[]:*?/\\")


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


def typed_cells(path: Path) -> dict[tuple[str, str, str], dict[str, object]]:
    """(table, measure, breakdown) -> what was typed on its row (heading -> value), for every row
    of a workbook's service sheets where anything was typed."""
    import openpyxl

    typed = {}
    for header, row, key in _figure_rows(openpyxl.load_workbook(path)):
        cells = {h: row[header.index(h)].value for h in TYPED_HEADINGS if h in header}
        if all(key) and any(v not in (None, "") for v in cells.values()):
            typed[key] = cells
    return typed


def _figure_rows(workbook: Workbook):
    """Each figure's row of the service sheets: (the sheet's headings, the row's cells, its
    (table, measure, breakdown))."""
    for sheet in workbook.worksheets:
        header = [c.value for c in sheet[HEADER_ROW]]
        if "Value" not in header or "table" not in header:
            continue
        for row in sheet.iter_rows(min_row=FIRST_ROW):
            yield header, row, tuple(row[header.index(name)].value for name in ("table", "measure", "breakdown"))


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
    for header, row, key in _figure_rows(workbook):
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
