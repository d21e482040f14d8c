"""A section in the lab (no dataset from a build): charts drawn in the cell, errors in one sentence,
and validate's words about a markdown cell for the lab extension."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from support import REFERENCE_YEAR, copy_project, ipc_kernel_manager_class, section_notebook

pytestmark = pytest.mark.e2e

CODE = [
    'cpos = s.figure("cpos", "community_justice", "community_payback_orders_imposed")',
]
CHART = 's.show(s.trend_chart([cpos], s.years(3), "Community Payback Orders imposed"))'
MISSPELT = 'complaints = s.figure("complaints", "complaints", "complaints_recieved")'
MESSAGES = (
    "import cswo.notebook.lab\n"
    "cswo.notebook.lab.cell_messages('We had {eval}`cpos.valeu` orders in 2021-22, 353 of them.', 4, 'justice')"
)

CLAIM = (
    "import cswo.notebook.lab\n"
    "cswo.notebook.lab.cell_messages('A total of {eval}`cpos.value` orders were imposed, down from "
    "{eval}`cpos.last_year` the year before.', 5, 'justice')"
)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    project = copy_project(tmp / "project")
    nb = section_notebook("justice", ["We had {eval}`cpos.value` orders."], CODE)
    nb.cells[-1:-1] = [nbformat.v4.new_code_cell(source) for source in (CHART, MISSPELT, MESSAGES, CLAIM)]
    folder = project.year_notebooks(REFERENCE_YEAR)
    client = NotebookClient(
        nb, kernel_name="python3", allow_errors=True, timeout=600, resources={"metadata": {"path": str(folder)}},
        kernel_manager_class=ipc_kernel_manager_class(tmp),
    )  # fmt: skip
    client.execute()
    return {cell.source: cell.outputs for cell in nb.cells if cell.cell_type == "code"}


def test_a_chart_is_drawn_in_its_cell_with_its_caption_and_alt_text_not_the_papers_markdown(ran):
    [output] = ran[CHART]
    page = output["data"]["text/html"]
    assert '<img src="data:image/svg+xml;base64,' in page
    assert 'alt="Community Payback Orders imposed. Line chart, 2019-20 to 2021-22.' in page
    assert "<figcaption><strong>Community Payback Orders imposed</strong></figcaption>" in page
    assert "text/markdown" not in output["data"] and "image/png" not in output["data"]


def test_a_misspelt_measure_is_one_sentence_with_the_closest_name_not_a_traceback(ran):
    [error] = ran[MISSPELT]
    assert error["output_type"] == "error" and error["ename"] == "UnknownNameError"
    assert error["traceback"] == [
        "UnknownNameError: Section 'justice': s.figure('complaints', 'complaints', 'complaints_recieved'): "
        "table 'complaints' has no measure 'complaints_recieved'; did you mean 'complaints_received'?"
    ]


def test_the_lab_extension_hears_validates_words_about_a_markdown_cell(ran):
    [result] = ran[MESSAGES]
    assert json.loads(result["data"]["text/plain"]) == [
        "Section 'justice', cell 4: {eval}`cpos.valeu` is not a figure this section registers; "
        "did you mean {eval}`cpos.value`?",
        "Section 'justice', markdown cell 4: number(s) typed into the narrative (353); name a figure from data "
        "with {eval}`name`, or allow it with <!-- allow-number: 353 -->",
        "Section 'justice', cell 4: '2021-22' is typed, so it will not move with the report year: write "
        "{eval}`s.label` instead (or allow it as history with <!-- allow-year: 2021-22 -->)",
    ]


def test_the_lab_judges_a_typed_comparison_against_the_sections_figures_as_validate_does(ran):
    """353 orders in 2021-22 against 204 the year before: 'down from' is false, and the lab says so."""
    [result] = ran[CLAIM]
    assert json.loads(result["data"]["text/plain"]) == [
        "Section 'justice', cell 5: 'down from' says {eval}`cpos.value` is below {eval}`cpos.last_year`, but the "
        "data give 353 (2021-22) and 204 (2020-21): let the data say it ({eval}`cpos.trend`, {eval}`cpos.compared`) "
        'or rewrite it: "A total of {eval}`cpos.value` orders were imposed, down from {eval}`cpos.last_year` the '
        'year before."'
    ]
