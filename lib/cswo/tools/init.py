"""`cswo init`: a new council's project, from the package's defaults.

It holds everything a council owns, ready to restyle and fill in: parameters for
one year, a catalogue of its own laid over the base, the data tables with a row
for every figure the year needs, this year's and last year's (marked ``x``, not yet
collected: the list of what to fill names each one, and once they are given the project validates
and builds), the national template's section notebooks
with neutral narrative, and the templates (cover report, Word and PDF house style,
chart colours). Nothing is overwritten: the folder must be new or empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from cswo.data.schemas import COLUMNS
from cswo.errors import CSWOError
from cswo.narrative.needs import Key, year_needs
from cswo.project import templates
from cswo.project.catalogue import load_catalogue
from cswo.project.parameters import load_year
from cswo.project.paths import TEMPLATES_DIR, Project, financial_year, is_financial_year
from cswo.tools import defaults
from cswo.tools.datadocs import render_data_readme

CATALOGUE_TEXT = """\
# This council's own measures, laid over the package's base catalogue of the
# national CSWO template (lib/cswo/project/catalogue.yml, never edited).
# Add a table, a measure or a breakdown here; change a base label by giving
# only that key. See docs/project.md in the suite. For example:
#
# tables:
#   complaints:
#     measures:
#       complaints_resolved_at_frontline:
#         label: Complaints resolved at the frontline stage
#         unit: count
#         breakdowns: {}
#         required: true
#         description: Resolved at stage 1 of the complaints procedure.
tables: {}
"""
GITIGNORE = "outputs/*\n.ipynb_checkpoints/\n"
NOT_COLLECTED = "not yet collected: replace with the figure and its source"


@dataclass
class NewProject:
    project: Project
    year: str
    to_fill: list[str] = field(default_factory=list)


def last_financial_year(today: dt.date | None = None) -> str:
    """The latest year that has ended: reports are written in the autumn after it."""
    today = today or dt.date.today()
    start = today.year - 1 if today.month >= 4 else today.year - 2
    return financial_year(start)


def _check_target(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise CSWOError(f"{path} already exists and is not empty: `cswo init` only makes a new project")


def _write_templates(project: Project) -> None:
    folder = project.templates_dir
    folder.mkdir(parents=True, exist_ok=True)
    for name in (templates.COVER, templates.TYPST, templates.STYLE, templates.REFERENCE_DOCX):
        shutil.copy2(TEMPLATES_DIR / name, folder / name)


def _placeholder_keys(project: Project, year: str, sections: list[str]) -> list[Key]:
    """Every figure the year needs: those its sections' narrative, tables and charts read (last
    year's included), and those the catalogue requires of the report year."""
    needed = list(year_needs(project, year, sections).needs)
    for name, table in load_catalogue(project).items():
        if set(table.sections) & set(sections):
            needed += [Key(name, m.name, b, year) for m in table.measures.values() for b in m.required]
    return sorted(set(needed), key=lambda k: (k.table, k.year != year, k.year, k.measure, k.breakdown))


def _write_placeholder_data(project: Project, year: str, sections: list[str]) -> list[Key]:
    """A row marked x (not yet collected) for every figure the year needs, in its table's file."""
    project.data_dir.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue(project)
    keys = _placeholder_keys(project, year, sections)
    for name in sorted({k.table for k in keys}):
        rows = [
            {"year": k.year, "measure": k.measure, "breakdown": k.breakdown, "value": "", "status": "x"}
            | {"unit": catalogue[name].measures[k.measure].unit, "source": NOT_COLLECTED}
            for k in keys
            if k.table == name
        ]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerows(rows)
        project.table_file(name).write_text(out.getvalue(), encoding="utf-8")
    return keys


def _figures_to_fill(keys: list[Key], year: str) -> list[str]:
    """One line per data file: the figures to give there, by year, measure and breakdown."""
    lines = []
    for table in sorted({k.table for k in keys}):
        mine = [k for k in keys if k.table == table]
        named = "; ".join(
            f"{k.year} {k.measure}" + ("" if k.breakdown == "total" else f" ({k.breakdown})") for k in mine
        )
        lines.append(f"data/{table}.csv: {len(mine)} figure(s) marked x, to replace with the value and source: {named}")
    lines.append(
        f"(the {year} figures may instead come back in the returns workbook, `cswo data-template --year {year}`: "
        "a value typed there replaces its x row here; earlier years' figures go in the CSV files only)"
    )
    return lines


def init_project(
    path: Path, council: str, year: str | None = None, year_style: str = "hyphen", area: str | None = None
) -> NewProject:
    """Create a council's project at ``path``. Raises CSWOError if it exists or the year is malformed."""
    year = year or last_financial_year()
    if not is_financial_year(year):
        raise CSWOError(f"'{year}' is not a financial year written like 2024-25")
    path = path.resolve()
    _check_target(path)
    project = Project(path)
    project.parameters_dir.mkdir(parents=True)
    project.parameters_file(year).write_text(
        defaults.parameters_text(year, council=council, area=area, year_style=year_style), encoding="utf-8"
    )
    project.catalogue_file.write_text(CATALOGUE_TEXT, encoding="utf-8")
    (path / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    project.outputs_dir.mkdir()
    params = load_year(project, year)
    _write_templates(project)
    for source in defaults.notebook_files():
        if source.stem in params.sections or source.stem in params.appendix_notebooks():
            defaults.write_notebook(source, project.notebook(year, source.stem), year)
    keys = _write_placeholder_data(project, year, [*params.sections, *params.appendix_notebooks()])
    (project.data_dir / "README.md").write_text(render_data_readme(project), encoding="utf-8")
    result = NewProject(project, year)
    result.to_fill += _figures_to_fill(keys, year)
    result.to_fill.append(f"parameters/{year}.yml: the council, the CSWO, each committee's meeting and wording")
    result.to_fill.append(
        f"notebooks/{year}/: the narrative of every section: replace each 'Describe here' and DESCRIBE with your "
        "own text (they are open items: the papers are marked DRAFT until they are gone)"
    )
    result.to_fill.append("templates/: the cover report, reference.docx (Word styles), report.typ and style.yml")
    result.to_fill += [f"to confirm: {item}" for item in params.review_required]
    return result
