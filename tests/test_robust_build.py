"""A failing, hanging or interrupted section: located, named, and nothing left behind."""

from __future__ import annotations

import nbformat
import pytest

from cswo.errors import SectionExecutionError
from cswo.pipeline.build import BuildOptions, build
from cswo.run import kernels
from test_build import YEAR, edited_notebook, fictional_project, tree_digest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("robust")]


@pytest.fixture(scope="module")
def glenmorven(tmp_path_factory):
    project = fictional_project(tmp_path_factory.mktemp("robust") / "glenmorven")
    build(project, BuildOptions(year=YEAR, formats=["docx"]))
    return project


def test_a_failure_in_the_cell_after_parameters_is_cell_two(glenmorven, private_tmp):
    bad = nbformat.v4.new_code_cell("raise ValueError('late return')")
    with edited_notebook(glenmorven, "justice", lambda nb: nb.cells.insert(1, bad)):
        with pytest.raises(SectionExecutionError) as error:
            build(glenmorven, BuildOptions(year=YEAR, formats=["docx"]))
    failure = error.value.failures[0]
    assert (failure.section, failure.cell, failure.ename, failure.evalue) == ("justice", 2, "ValueError", "late return")
    assert kernels.leftovers() == []


def test_a_hung_cell_fails_its_section_by_name_after_the_timeout(glenmorven, private_tmp):
    before = tree_digest(glenmorven.year_outputs(YEAR))
    hang = nbformat.v4.new_code_cell("import time\ntime.sleep(600)")
    with edited_notebook(glenmorven, "overview", lambda nb: nb.cells.insert(2, hang)):
        with pytest.raises(SectionExecutionError) as error:
            build(glenmorven, BuildOptions(year=YEAR, formats=["docx"], cell_timeout=20))
    failure = error.value.failures[0]
    assert failure.section == "overview" and failure.cell == 3 and failure.ename == "TimeoutError"
    assert "more than 20 seconds" in str(error.value)
    assert failure.notebook is not None and failure.notebook.is_relative_to(glenmorven.root)
    assert tree_digest(glenmorven.year_outputs(YEAR)) == before
    assert kernels.leftovers() == []
