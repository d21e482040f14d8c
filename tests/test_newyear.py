"""Starting a new year: parameters, notebooks and workbook, without touching the last year."""

from __future__ import annotations

import hashlib

import nbformat
import pytest
from typer.testing import CliRunner

from cswo.cli import app
from cswo.data.load import validate_tables
from cswo.project.parameters import load_year
from cswo.tools.newyear import YearExistsError, roll_forward


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_new_year_creates_files_that_validate_apart_from_missing_figures(project_copy):
    before = digest(project_copy.year_notebooks("2021-22"))
    made = roll_forward(project_copy, "2022-23")
    assert project_copy.parameters_file("2022-23") in made
    params = load_year(project_copy, "2022-23")
    assert params.year == "2022-23"
    assert params.committees["ijb"].meeting_date.year == 2023
    assert any("meeting_date" in item for item in params.review_required)
    assert params.committees["ijb"].appendices[0].title.endswith("2022-23")
    nb = nbformat.read(project_copy.notebook("2022-23", "complaints"), as_version=4)
    assert "unreviewed" in nb.cells[0].metadata["tags"]
    assert any('year = "2022-23"' in c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert project_copy.notebook("2022-23", "complaints").with_suffix(".md").exists()
    assert project_copy.returns_workbook("2022-23").exists()
    assert digest(project_copy.year_notebooks("2021-22")) == before  # last year's narrative is untouched
    _, problems = validate_tables(project_copy, "2022-23", params.sections)
    assert problems and all("2022-23 is missing" in p.rule for p in problems)
    workbook = "data/returns/2022-23.xlsx, sheet '{}'"
    assert {p.file for p in problems} >= {workbook.format("complaints"), workbook.format("mental_health")}
    assert all(p.row for p in problems), "each unfilled figure is located on its sheet and row"


def test_validate_lists_missing_figures_by_table_without_a_traceback(project_copy):
    roll_forward(project_copy, "2022-23")
    result = CliRunner().invoke(app, ["--project", str(project_copy.root), "validate", "--year", "2022-23"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "data/returns/2022-23.xlsx, sheet 'complaints'" in result.output and "is missing" in result.output


def test_new_year_refuses_to_overwrite(project_copy):
    roll_forward(project_copy, "2022-23")
    parameters = project_copy.parameters_file("2022-23")
    parameters.write_text(parameters.read_text() + "# an analyst's edit\n")
    with pytest.raises(YearExistsError, match="already exists"):
        roll_forward(project_copy, "2022-23")
    assert parameters.read_text().endswith("# an analyst's edit\n")
