"""The prose vocabulary has one owner: a figure, validate, the workbook and the lab all agree on it."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cswo.data.returns import workbook_rows
from cswo.figures.vocabulary import (
    FIGURE_ATTRIBUTES,
    GRADES_KEYS,
    SECTION_NAMES,
    YEAR_NAMES,
    figure_names,
    years_read,
)
from cswo.narrative.needs import year_needs
from cswo.notebook.section import start
from cswo.notebook.tables import grades_summary
from cswo.project.catalogue import load_catalogue
from cswo.project.paths import Project
from support import ROOT

YEAR = "2021-22"
NAME, TABLE, MEASURE = "complaints", "complaints", "complaints_received"
SETUP = f's = cswo.notebook.start("complaints", year=year)\n{NAME} = s.figure("{NAME}", "{TABLE}", "{MEASURE}")'


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    """The reference year's complaints section, opened as the lab opens it, with one figure."""
    opened = start("complaints", year=YEAR, project_root=str(ROOT), output_dir=str(tmp_path_factory.mktemp("out")))
    return opened, opened.figure(NAME, TABLE, MEASURE)


def needs_of(tmp_path, prose: str):
    project = Project(tmp_path)
    project.year_notebooks(YEAR).mkdir(parents=True)
    cells = [new_code_cell(SETUP), new_markdown_cell(prose)]
    nbformat.write(new_notebook(cells=cells), project.notebook(YEAR, "complaints"))
    return project, year_needs(project, YEAR, ["complaints"])


def test_a_figure_offers_exactly_the_attributes_the_vocabulary_lists(section):
    _, figure = section
    assert sorted(figure.attribute_texts()) == sorted(FIGURE_ATTRIBUTES)


def test_the_lab_shows_every_name_the_vocabulary_gives_and_no_other(section):
    opened, figure = section
    names = opened.placeholders()
    expected = figure_names(NAME, years=list(figure.history), breakdowns=list(figure.breakdowns))
    assert sorted(n for n in names if n.startswith(f"{NAME}.")) == sorted(expected)
    assert {f"s.{n}" for n in SECTION_NAMES} <= set(names)
    assert {n: names[f"s.{n}"] for n in YEAR_NAMES} == YEAR_NAMES  # each reads as the vocabulary says (2021-22)
    assert names[f"{NAME}.compared"].endswith("the year before")  # a name read as the paper reads it


@pytest.mark.parametrize("attribute", sorted(FIGURE_ATTRIBUTES))
def test_validate_and_the_workbook_ask_for_the_years_each_attribute_reads(attribute, tmp_path):
    project, needs = needs_of(tmp_path, f"We had {{eval}}`{NAME}.{attribute}` this year.")
    assert needs.unknown == []
    years = years_read(attribute, YEAR)
    assert sorted({k.year for k in needs.needs}, reverse=True) == years
    assert {(k.table, k.measure, k.breakdown) for k in needs.needs} <= {(TABLE, MEASURE, "total")}
    rows = workbook_rows(needs.for_year(YEAR), load_catalogue(project), ["complaints"])
    assert [(r.measure.name, r.breakdown) for r in rows] == ([(MEASURE, "total")] if YEAR in years else [])


@pytest.mark.parametrize(
    "attribute, year, breakdown",
    [
        ("in_2019_20", "2019-20", "total"),
        ("in_2019_20_exact", "2019-20", "total"),
        ("childrens_services", YEAR, "childrens_services"),
        ("childrens_services_exact", YEAR, "childrens_services"),
    ],
)
def test_the_families_named_from_the_data_read_their_year_and_breakdown(attribute, year, breakdown, tmp_path):
    _, needs = needs_of(tmp_path, f"We had {{eval}}`{NAME}.{attribute}`.")
    assert needs.unknown == []
    assert [(k.breakdown, k.year) for k in needs.needs] == [(breakdown, year)]


def test_a_name_outside_the_vocabulary_is_unknown_to_validate(tmp_path):
    _, needs = needs_of(tmp_path, f"We had {{eval}}`{NAME}.valeu`.")
    assert [(u.name, u.suggestion) for u in needs.unknown] == [(f"{NAME}.valeu", f"{NAME}.value")]


def test_a_grades_summary_offers_the_vocabularys_keys():
    frame = pd.DataFrame(columns=["year", "measure", "breakdown", "number", "status"])
    assert tuple(grades_summary(frame, {}, YEAR)) == GRADES_KEYS
