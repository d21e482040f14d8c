"""Council projects in the states a real one passes through, for the malformed-input sweep.

Each state is made in a fresh folder from the reference project (or from `cswo init`): notebooks
half-migrated, a catalogue extended after its notebooks, notebooks naming what the catalogue
lacks, a figure given both in a data CSV and in the returns workbook, and a new council part-way
through filling what init listed. ``said`` is what `cswo validate` must say of the state itself,
beside whatever else is wrong, so a bad input never hides the state's own problems.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import jupytext
import nbformat
import yaml

from cswo.project.paths import Project
from malformed import _xlsx
from support import REFERENCE_YEAR, copy_project, fill_what_is_listed, listed_figures

NEW_COUNCIL_YEAR = "2024-25"


class State(NamedTuple):
    name: str
    year: str
    make: Callable[[Path], Project]
    # what validate must say of the state whatever else is wrong ({}: the state validates): for the
    # files a problem of the state is read from (prefixes of their paths), words its messages hold
    said: dict[tuple[str, ...], tuple[str, ...]]


def _edit_notebook(project: Project, year: str, section: str, edit: Callable[[nbformat.NotebookNode], None]) -> None:
    """Edit a section notebook and write its .md twin to match, as the lab saves a pair."""
    path = project.notebook(year, section)
    nb = nbformat.read(path, as_version=4)
    edit(nb)
    nbformat.write(nb, path)
    jupytext.write(nb, path.with_suffix(".md"), fmt="md:myst")


def _first(nb, kind: str, text: str):
    return next(cell for cell in nb.cells if cell.cell_type == kind and text in cell.source)


def half_migrated(folder: Path) -> Project:
    """Two sections still in an older version's words: one imports `cswo.section`, one has `{{ }}` prose."""
    project = copy_project(folder)

    def old_import(nb):
        cell = _first(nb, "code", "cswo.notebook.start")
        cell.source = cell.source.replace("cswo.notebook", "cswo.section")

    def old_placeholders(nb):
        cell = _first(nb, "markdown", "{eval}`s.label`")
        cell.source = cell.source.replace("{eval}`s.label`", "{{ year }}")

    _edit_notebook(project, REFERENCE_YEAR, "complaints", old_import)
    _edit_notebook(project, REFERENCE_YEAR, "mental_health", old_placeholders)
    return project


EXTENDED = """
complaints:
  measures:
    complaints_withdrawn:
      label: Complaints withdrawn
      unit: count
      breakdowns: {}
      description: Complaints withdrawn by the person who made them before a response.
    complaints_received:
      breakdowns: {education_services: Education Services}
"""


def catalogue_ahead(folder: Path) -> Project:
    """The catalogue names a measure and a breakdown that no notebook uses and no row gives."""
    project = copy_project(folder)
    raw = yaml.safe_load(project.catalogue_file.read_text(encoding="utf-8"))
    measures = raw["tables"].setdefault("complaints", {}).setdefault("measures", {})
    for name, spec in yaml.safe_load(EXTENDED)["complaints"]["measures"].items():
        measures.setdefault(name, {}).update(spec)
    project.catalogue_file.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return project


def notebooks_ahead(folder: Path) -> Project:
    """A notebook names a breakdown and a measure the catalogue does not have (yet)."""
    project = copy_project(folder)

    def ahead(nb):
        cell = _first(nb, "code", "cswo.notebook.start")
        cell.source += (
            '\neducation = s.figure("education", "complaints", "complaints_received", "education_services")'
            '\nwithdrawn = s.figure("withdrawn", "complaints", "complaints_withdrawn")'
        )

    _edit_notebook(project, REFERENCE_YEAR, "complaints", ahead)
    return project


def csv_and_workbook_overlap(folder: Path) -> Project:
    """The returns workbook gives a figure data/complaints.csv gives too."""
    project = copy_project(folder)
    rows = list(csv.reader(io.StringIO((project.data_dir / "complaints.csv").read_text(encoding="utf-8"))))
    project.returns_workbook(REFERENCE_YEAR).parent.mkdir(parents=True, exist_ok=True)
    project.returns_workbook(REFERENCE_YEAR).write_bytes(_xlsx({"complaints": rows[:2]}))
    return project


def new_council_part_filled(folder: Path) -> Project:
    """`cswo init`, then every listed figure typed in but those of two files."""
    from cswo.tools.init import init_project

    made = init_project(folder, council="Example Council", year=NEW_COUNCIL_YEAR)
    leave = ("data/complaints.csv", "data/mental_health.csv")
    fill_what_is_listed(made.project, listed_figures(made.to_fill), NEW_COUNCIL_YEAR, leave=leave)
    return made.project


MIGRATE = "run `cswo migrate`"
STATES = [
    State(
        "half-migrated notebooks",
        REFERENCE_YEAR,
        half_migrated,
        {
            (f"notebooks/{REFERENCE_YEAR}/complaints.",): (
                f"notebooks/{REFERENCE_YEAR}/complaints.",
                "`cswo.section`",
                MIGRATE,
            ),
            (f"notebooks/{REFERENCE_YEAR}/mental_health.",): (f"notebooks/{REFERENCE_YEAR}/mental_health.", MIGRATE),
        },
    ),
    State("catalogue extended after its notebooks", REFERENCE_YEAR, catalogue_ahead, {}),
    State(
        "notebooks naming what the catalogue lacks",
        REFERENCE_YEAR,
        notebooks_ahead,
        {
            (f"notebooks/{REFERENCE_YEAR}/complaints.",): (
                "has no breakdown 'education_services'",
                "has no measure 'complaints_withdrawn'",
                "catalogue.yml",
            )
        },
    ),
    State(
        "a figure in both a CSV and the returns workbook",
        REFERENCE_YEAR,
        csv_and_workbook_overlap,
        {
            (f"data/returns/{REFERENCE_YEAR}.xlsx", "data/complaints."): (
                f"data/returns/{REFERENCE_YEAR}.xlsx, sheet 'complaints', row 2",
                "already given in data/complaints.csv",
            )
        },
    ),
    State(
        "a new council part-filled",
        NEW_COUNCIL_YEAR,
        new_council_part_filled,
        {
            ("data/complaints.", f"notebooks/{NEW_COUNCIL_YEAR}/complaints."): (
                "data/complaints.csv, column 'value': Social work complaints received",
            ),
            ("data/mental_health.", f"notebooks/{NEW_COUNCIL_YEAR}/mental_health."): (
                "data/mental_health.csv, column 'value': Emergency detentions",
            ),
        },
    ),
]
