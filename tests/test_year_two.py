"""Year two, end to end: new-year, fill exactly the rows the workbook asks for, validate, build.

A service fills the workbook programmatically: last year's value where there is one, a plausible
value otherwise. Then ``validate`` must pass and ``build`` must make papers with no missing-figure
phrase, no raw ``{eval}`` role and no empty table.
"""

from __future__ import annotations

import re

import pytest
from docx import Document
from typer.testing import CliRunner

from cswo.cli import app
from cswo.errors import IncompleteNarrativeError
from cswo.figures.formatting import MISSING_PHRASE
from cswo.narrative.stale import stale_years
from cswo.pipeline.build import BuildOptions, build
from cswo.tools.newyear import roll_forward
from support import fill_workbook, replace_typed_years

YEAR, LAST = "2022-23", "2021-22"


def invoke(project, *args):
    return CliRunner().invoke(app, ["--project", str(project.root), *args])


def document_text(path) -> tuple[str, list]:
    doc = Document(path)
    return "\n".join(p.text for p in doc.paragraphs), doc.tables


@pytest.mark.e2e
def test_year_two_fills_the_workbook_validates_and_builds(project_copy):
    roll_forward(project_copy, YEAR)
    before = invoke(project_copy, "validate", "--year", YEAR)
    assert before.exit_code == 2
    assert (
        "data/returns/2022-23.xlsx, sheet 'Children'" in before.output
        and "sheet 'Children', row 3, column 'value'" in before.output
    )
    with pytest.raises(IncompleteNarrativeError) as refused:  # a final build refuses, listing every gap
        build(project_copy, BuildOptions(year=YEAR, formats=["docx"], checks=False))
    typed_years = [f for f in stale_years(project_copy, YEAR) if not f.review_only]  # listed too, not gaps
    listed = int(re.search(r"^(\d+) problem\(s\) for", before.output, re.MULTILINE).group(1))
    assert len(refused.value.gaps) == listed - len(typed_years)
    assert not (project_copy.year_outputs(YEAR)).exists()
    assert fill_workbook(project_copy, YEAR) > 100

    typed = invoke(project_copy, "validate", "--year", YEAR)  # last year's text still names its years
    assert typed.exit_code == 2 and "Years and dates typed into the text" in typed.output
    assert replace_typed_years(project_copy, YEAR) > 0
    result = invoke(project_copy, "validate", "--year", YEAR)
    assert result.exit_code == 0, result.output

    built = build(project_copy, BuildOptions(year=YEAR, formats=["docx"], checks=False))
    assert not built.markers
    assert built.documents
    for document in built.documents:
        text, tables = document_text(document.path)
        assert MISSING_PHRASE not in text, document.path.name
        assert "{eval}" not in text and "MISSING" not in text
        assert re.search(r"\b2022-23\b", text)
        for table in tables:
            assert len(table.rows) > 1, f"a header-only table in {document.path.name}"


@pytest.mark.e2e
def test_validate_reports_a_prose_typo_with_its_cell_and_a_suggestion(project_copy):
    roll_forward(project_copy, YEAR)
    fill_workbook(project_copy, YEAR)
    notebook = project_copy.notebook(YEAR, "complaints")
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "complaints.compared" in c.source)
    nb.cells[index].source = nb.cells[index].source.replace("complaints.compared", "complaints.compard", 1)
    nbformat.write(nb, notebook)
    notebook.with_suffix(".md").unlink()

    result = invoke(project_copy, "validate", "--year", YEAR)
    assert result.exit_code == 2
    assert f"Section 'complaints', cell {index + 1}" in result.output
    assert "{eval}`complaints.compard`" in result.output
    assert "did you mean {eval}`complaints.compared`" in result.output
