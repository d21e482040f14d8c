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


def test_an_old_module_import_and_an_unknown_one_are_errors_before_any_section_runs(project_copy):
    path = project_copy.notebook(YEAR, "complaints")
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and "cswo.notebook.start" in c.source)
    code.source = code.source.replace("cswo.notebook", "cswo.section") + "\nfrom cswo.sectoins import start"
    prose = next(c for c in nb.cells if c.cell_type == "markdown" and "{eval}" in c.source)
    prose.source += " In {{ year }} we received {{ complaints }} complaints."
    nbformat.write(nb, path)
    path.with_suffix(".md").unlink()
    with pytest.raises(ProblemsError) as error:
        check_inputs(project_copy, load_year(project_copy, YEAR))
    lines = str(error.value).splitlines()
    number = nb.cells.index(code) + 1
    assert (
        f"  - notebooks/{YEAR}/complaints.ipynb: cell {number}: imports `cswo.section`, the module's old name, "
        "which no longer exists; run `cswo migrate` to rename it `cswo.notebook`" in lines
    )
    assert any(f"cell {number}: imports `cswo.sectoins`, which is not a module of the suite" in line for line in lines)
    # the placeholders' advice is what `cswo migrate` writes: a bare figure becomes its value
    assert any("{{ complaints }}" in line and "rewrite it as {eval}`complaints.value`" in line for line in lines)
    assert any("{{ year }}" in line and "rewrite it as {eval}`s.label`" in line for line in lines)


def test_the_data_is_checked_beside_the_notebooks_so_every_problem_is_listed_at_once(project_copy):
    path = project_copy.notebook(YEAR, "complaints")
    path.write_bytes(path.read_bytes()[:100])  # cut short
    data = project_copy.data_dir / "complaints.csv"
    data.write_text(data.read_text(encoding="utf-8").replace(",93,", ",abc,", 1), encoding="utf-8")
    with pytest.raises(ProblemsError) as error:
        check_inputs(project_copy, load_year(project_copy, YEAR))
    files = {problem.file for problem in error.value.problems}
    assert files == {f"notebooks/{YEAR}/complaints.ipynb", "data/complaints.csv"}
