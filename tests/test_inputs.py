"""Checks on the notebooks a build reads: old ``{{ name }}`` placeholders are an error, not published."""

from __future__ import annotations

import nbformat
import pytest

from cswo.errors import ProblemsError
from cswo.pipeline.inputs import check_inputs
from cswo.project.parameters import load_year

YEAR = "2021-22"


def test_an_old_placeholder_in_prose_is_an_error_pointing_to_migrate(project_copy):
    path = project_copy.notebook(YEAR, "complaints")
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "{eval}" in c.source)
    cell.source += " We received {{ complaints.value }} complaints."
    nbformat.write(nb, path)
    with pytest.raises(ProblemsError) as error:
        check_inputs(project_copy, load_year(project_copy, YEAR))
    message = str(error.value)
    assert "complaints.ipynb" in message and "{{ complaints.value }}" in message
    assert "cswo migrate" in message and "{eval}`complaints.value`" in message


def test_the_newer_md_twin_is_the_one_checked(project_copy):
    twin = project_copy.notebook(YEAR, "complaints").with_suffix(".md")
    twin.write_text(twin.read_text(encoding="utf-8") + "\nIn {{ year }} we did well.\n", encoding="utf-8")
    with pytest.raises(ProblemsError, match=r"complaints\.md.*\{\{ year \}\}"):
        check_inputs(project_copy, load_year(project_copy, YEAR))


def test_the_reference_notebooks_pass(project_copy):
    check_inputs(project_copy, load_year(project_copy, YEAR))
