"""No broken sentences: gaps located for filling, markers in drafts, documents a build left behind."""

from __future__ import annotations

import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cswo.compose.section import notebook_to_section
from cswo.data.dataset import Dataset
from cswo.figures.formatting import MISSING_PHRASE
from cswo.narrative.completeness import dropped_since_last_year, find_gaps
from cswo.narrative.needs import Key, Use, YearNeeds, year_needs
from cswo.pipeline.build import Document, out_of_date
from cswo.project.parameters import load_year
from cswo.project.paths import FIGURES_MIME
from support import REFERENCE_YEAR

YEAR = "2022-23"


def executed(tmp_path, placeholders: dict[str, str], *markdown: str):
    finish = new_code_cell("s.finish()")
    finish.outputs = [new_output("display_data", data={FIGURES_MIME: {"placeholders": placeholders}})]
    nb = new_notebook(cells=[*(new_markdown_cell(text) for text in markdown), finish])
    path = tmp_path / "complaints.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_missing_figure_becomes_a_marker_never_the_phrase_mid_sentence(tmp_path):
    path = executed(
        tmp_path,
        {"complaints.compared": MISSING_PHRASE, "complaints.value": "93"},
        "Intro {eval}`complaints.value`.",
        "In the year we had {eval}`complaints.compared` in all.",
    )
    text = notebook_to_section(path, "complaints")
    assert MISSING_PHRASE not in text.markdown
    assert "we had **[MISSING: complaints.compared]** in all" in text.markdown
    assert [(m.section, m.cell, m.name) for m in text.missing] == [("complaints", 2, "complaints.compared")]
    assert "93" in text.markdown


def dataset(rows: list[tuple[str, str, str, float, str]]) -> Dataset:
    frame = pd.DataFrame(rows, columns=["measure", "breakdown", "year", "number", "status"])
    return Dataset(year=YEAR, tables={"complaints": frame}, files={"complaints": ["data/complaints.csv"]})


def test_gaps_are_located_in_the_workbook_for_the_year_and_in_the_csv_before_it():
    needs = YearNeeds(YEAR)
    prose = Use("complaints", 4, "complaints.compared", in_prose=True)
    table = Use("complaints", 5, "table 'Complaints'")
    needs.add(Key("complaints", "complaints_received", "total", YEAR), prose)
    needs.add(Key("complaints", "complaints_received", "total", "2021-22"), prose)
    needs.add(Key("complaints", "complaints_received", "childrens_services", YEAR), table)
    needs.add(Key("complaints", "complaints_received", "community_justice", YEAR), prose)
    data = dataset(
        [
            ("complaints_received", "childrens_services", YEAR, float("nan"), "x"),  # a table shows [x]: fine
            ("complaints_received", "community_justice", YEAR, float("nan"), "x"),  # prose cannot
        ]
    )
    sheet = "data/returns/2022-23.xlsx, sheet 'Complaints'"
    locations = {("complaints", "complaints_received", "total"): (sheet, 3)}
    gaps = find_gaps(needs, data, locations)
    where = {(g.file, g.row): g.rule for g in gaps}
    assert set(where) == {(sheet, 3), ("data/complaints.csv", None)}
    assert "fill in the value on this row" in where[(sheet, 3)]
    assert "section 'complaints', cell 4, {eval}`complaints.compared`" in where[(sheet, 3)]
    assert len(gaps) == 3
    marked = [g for g in gaps if "marked 'x'" in g.rule]
    assert len(marked) == 1 and "rewrite those sentences" in marked[0].rule


def test_documents_a_partial_build_did_not_rewrite_are_out_of_date(tmp_path):
    for name in ("ijb/paper.pdf", "ijb/paper.docx", "policy-resources/paper.docx", "figures.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    built = [Document("ijb", "committee paper", tmp_path / "ijb" / "paper.pdf", rendered=True)]
    assert out_of_date(tmp_path, built) == [tmp_path / "ijb/paper.docx", tmp_path / "policy-resources/paper.docx"]


def test_a_gap_with_no_returns_workbook_is_located_in_its_data_file(project_copy):
    """Without data/returns/<year>.xlsx the figure is asked for in its own CSV, never at a workbook
    that does not exist."""
    from cswo.narrative.completeness import check_year
    from cswo.project.parameters import load_year

    path = project_copy.root / "data" / "mental_health.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("2021-22,emergency_detentions,")))
    assert not project_copy.returns_workbook("2021-22").exists()
    result = check_year(project_copy, load_year(project_copy, "2021-22"))
    gaps = [g for g in result.gaps if "emergency_detentions" in g.rule or "Emergency detentions" in g.rule]
    assert gaps, [str(g) for g in result.gaps]
    assert {g.file for g in gaps} == {"data/mental_health.csv"}, [str(g) for g in gaps]
    assert all("returns" not in str(g) for g in result.gaps)


def test_a_table_last_years_notebook_drew_and_this_years_does_not_is_noted(project_copy):
    """Deleting the cell that draws a table is never silent: validate says which, and where."""
    last, params = "2020-21", load_year(project_copy, REFERENCE_YEAR)
    project_copy.year_notebooks(last).mkdir()
    this_year = project_copy.notebook(REFERENCE_YEAR, "complaints")
    nb = nbformat.read(this_year, as_version=4)
    nbformat.write(nb, project_copy.notebook(last, "complaints"))
    needs = year_needs(project_copy, REFERENCE_YEAR, params.sections)
    assert dropped_since_last_year(project_copy, params, needs) == []
    nb.cells = [c for c in nb.cells if "Complaints by outcome" not in c.source]
    nbformat.write(nb, this_year)
    needs = year_needs(project_copy, REFERENCE_YEAR, params.sections)
    assert dropped_since_last_year(project_copy, params, needs) == [
        f"Section 'complaints': the table 'Complaints by outcome' that {last}'s notebook drew is not drawn for "
        f"{REFERENCE_YEAR}; if that was not meant, restore its cell (the tables and charts after it are numbered "
        "one lower)"
    ]
