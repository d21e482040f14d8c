"""Starting a new year: parameters, notebooks and workbook, without touching the last year."""

from __future__ import annotations

import hashlib

import nbformat
import pytest
from typer.testing import CliRunner

from cswo.cli import app
from cswo.errors import YearExistsError
from cswo.narrative.completeness import check_year
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from cswo.tools.newyear import roll_forward


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_new_year_creates_files_that_validate_apart_from_missing_figures(project_copy):
    before = digest(project_copy.year_notebooks("2021-22"))
    made = roll_forward(project_copy, "2022-23")
    assert project_copy.parameters_file("2022-23") in made
    params = load_year(project_copy, "2022-23")
    assert params.year == "2022-23"
    # the clerk's details are never carried forward as fact: visible placeholders until set
    assert params.committees["ijb"].meeting_date == "[TO COMPLETE: meeting date (from the clerk)]"
    assert params.committees["ijb"].report_number == "[TO COMPLETE: report number (from the clerk)]"
    assert "DIJB83" not in project_copy.parameters_file("2022-23").read_text(encoding="utf-8")
    assert params.committees["ijb"].appendices[0].title.endswith("2022-23")
    nb = nbformat.read(project_copy.notebook("2022-23", "complaints"), as_version=4)
    assert "unreviewed" in nb.cells[0].metadata["tags"]
    assert any('year = "2022-23"' in c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert project_copy.notebook("2022-23", "complaints").with_suffix(".md").exists()
    assert project_copy.returns_workbook("2022-23").exists()
    assert digest(project_copy.year_notebooks("2021-22")) == before  # last year's narrative is untouched
    check = check_year(project_copy, params)
    assert not check.data_problems and not check.unknown and not check.typed_numbers
    assert check.gaps and all("2022-23 is missing" in p.rule for p in check.gaps)
    workbook = "data/returns/2022-23.xlsx, sheet '{}'"
    assert {p.file for p in check.gaps} >= {workbook.format("Complaints"), workbook.format("Mental health")}
    assert all(p.row for p in check.gaps), "each unfilled figure is located on its sheet and row"


def test_validate_lists_missing_figures_by_table_without_a_traceback(project_copy):
    roll_forward(project_copy, "2022-23")
    result = CliRunner().invoke(app, ["--project", str(project_copy.root), "validate", "--year", "2022-23"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "data/returns/2022-23.xlsx, sheet 'Complaints'" in result.output and "is missing" in result.output
    assert "row 3, column 'value'" in result.output


def test_new_year_refuses_to_overwrite(project_copy):
    roll_forward(project_copy, "2022-23")
    parameters = project_copy.parameters_file("2022-23")
    parameters.write_text(parameters.read_text() + "# an analyst's edit\n")
    with pytest.raises(YearExistsError, match="already exists"):
        roll_forward(project_copy, "2022-23")
    assert parameters.read_text().endswith("# an analyst's edit\n")


def test_backfill_starts_an_earlier_year_from_the_earliest_later_one(project_copy):
    before = digest(project_copy.year_notebooks("2021-22"))
    roll_forward(project_copy, "2016-17")
    params = load_year(project_copy, "2016-17")
    assert params.report_date.year == 2017  # 2022-11-09 moved back five years
    assert params.committees["ijb"].meeting_date.startswith("[TO COMPLETE:")
    assert params.committees["ijb"].appendices[0].title.endswith("2016-17")
    assert any("moved from 2021-22" in item for item in params.review_required)
    nb = nbformat.read(project_copy.notebook("2016-17", "complaints"), as_version=4)
    assert nb.cells[0].source.startswith("**Copied back from 2021-22")
    assert any('year = "2016-17"' in c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert digest(project_copy.year_notebooks("2021-22")) == before


def test_a_year_between_two_starts_from_the_one_before(project_copy):
    roll_forward(project_copy, "2016-17")
    roll_forward(project_copy, "2018-19")
    nb = nbformat.read(project_copy.notebook("2018-19", "complaints"), as_version=4)
    assert nb.cells[0].source.startswith("**Carried forward from 2016-17")


def test_a_project_with_no_year_starts_from_the_defaults(tmp_path):
    project = Project(tmp_path)
    (tmp_path / "data").mkdir()
    made = roll_forward(project, "2024-25", template=False, council="Example Council", year_style="slash")
    params = load_year(project, "2024-25")
    assert params.council.name == "Example Council"
    assert params.label == "2024/25"
    assert params.committees["ijb"].appendices[0].title.endswith("2024/25")
    assert params.report_date.year == 2025 and params.review_required
    names = {p.stem for p in made if p.suffix == ".ipynb"}
    assert names == set(params.sections), "every section in the default chapters has its notebook"
    nb = nbformat.read(project.notebook("2024-25", "complaints"), as_version=4)
    assert "unreviewed" in nb.cells[0].metadata["tags"]
    assert any('year = "2024-25"' in c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert project.notebook("2024-25", "complaints").with_suffix(".md").exists()


def test_new_year_cli_says_where_it_started_from(project_copy):
    result = CliRunner().invoke(app, ["--project", str(project_copy.root), "new-year", "2016-17"])
    assert result.exit_code == 0, result.output
    assert "Started 2016-17 from 2021-22" in result.output


@pytest.mark.e2e
def test_the_default_sections_build_in_slash_style(tmp_path):
    """The defaults' notebooks run against real data and every year reads 2021/22, never 2021-22."""
    import shutil

    from docx import Document

    from cswo.pipeline.build import BuildOptions, build
    from support import copy_project

    project = copy_project(tmp_path / "project")
    shutil.rmtree(project.parameters_dir)
    shutil.rmtree(project.notebooks_dir)
    roll_forward(project, "2021-22", template=False, council="Example Council", year_style="slash")
    result = build(project, BuildOptions(year="2021-22", committees=["ijb"], formats=["docx"]))
    paper = next(d.path for d in result.documents if d.kind == "committee paper")
    document = Document(str(paper))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "2021/22" in text and "2020/21" in text
    assert "2021-22" not in text and "2020-21" not in text
    assert "Example Council" in text
    assert any(item.kind == "review" for item in result.open_items)  # every section is open until signed off


def test_new_year_moves_typed_years_beside_figures_and_lists_the_rest(project_copy):
    from cswo.narrative.stale import stale_years

    source = project_copy.notebook("2021-22", "complaints")
    nb = nbformat.read(source, as_version=4)
    typed = "There were {eval}`complaints.value` in 2021-22, against {eval}`complaints.last_year` in 2020-21."
    nb.cells.insert(-1, nbformat.v4.new_markdown_cell(typed + "\n\nWe moved office in 2021-22."))
    nbformat.write(nb, source)
    source.with_suffix(".md").unlink()
    roll_forward(project_copy, "2022-23", template=False)
    cells = nbformat.read(project_copy.notebook("2022-23", "complaints"), as_version=4).cells
    assert cells[-2].source == (
        "There were {eval}`complaints.value` in {eval}`s.label`, against {eval}`complaints.last_year` in "
        "{eval}`s.last_label`.\n\nWe moved office in 2021-22."
    )
    left = [f for f in stale_years(project_copy, "2022-23") if not f.review_only]
    assert any(f.section == "complaints" and f.text == "2021-22" and f.role == "{eval}`s.last_label`" for f in left)
    assert any(f.section == "justice" and f.kind == "stale" and f.text == "October 2022" for f in left)
    assert any(f.section == "statutory" and f.kind == "stale" and f.text == "December 2022" for f in left)
    assert not any(f.cell == 1 for f in left), "the carried-forward banner never reaches the papers"
