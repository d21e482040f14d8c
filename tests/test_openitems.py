"""Open items: placeholders in notebooks, templates and parameters; sections by their sign-off."""

from __future__ import annotations

import nbformat
import pytest

from cswo.errors import UnreadableTextError
from cswo.pipeline.openitems import placeholder_items, review_items
from cswo.project.parameters import load_year
from cswo.project.placeholders import found_in
from cswo.project.reviews import Reviews
from support import latin1_cover

YEAR = "2021-22"


def test_placeholder_words_are_found_but_describe_as_a_verb_is_not():
    assert found_in("**DESCRIBE** the first priority. Describe here the year.") == ["DESCRIBE", "Describe here"]
    assert found_in("Lead: To be confirmed; date [TO COMPLETE: meeting date]") == [
        "[TO COMPLETE: meeting date]",
        "To be confirmed",
    ]
    assert found_in("We describe the year's work.") == []


def test_the_reference_year_is_open_only_for_its_committee_placeholders(project_copy):
    items = placeholder_items(project_copy, load_year(project_copy, YEAR))
    assert [(i.file, i.where) for i in items] == [
        ("parameters/2021-22.yml", "committees.policy-resources.meeting_date"),
        ("parameters/2021-22.yml", "committees.policy-resources.report_number"),
    ]


def test_a_template_not_saved_as_utf8_is_a_sentence_naming_it_and_the_line(project_copy):
    latin1_cover(project_copy)
    with pytest.raises(UnreadableTextError) as refused:
        placeholder_items(project_copy, load_year(project_copy, YEAR))
    assert str(refused.value).startswith("templates/cover.md.j2, line 3: the file is not UTF-8 text")


def test_a_placeholder_in_a_notebook_is_located_by_cell(project_copy):
    path = project_copy.notebook(YEAR, "complaints")
    nb = nbformat.read(path, as_version=4)
    number = next(
        i for i, c in enumerate(nb.cells, start=1) if c.cell_type == "markdown" and not c.metadata.get("tags")
    )
    nb.cells[number - 1].source += "\n\nDescribe here the complaints process."
    nbformat.write(nb, path)
    items = placeholder_items(project_copy, load_year(project_copy, YEAR))
    assert ("notebooks/2021-22/complaints.ipynb", f"cell {number}") in [(i.file, i.where) for i in items]


def test_a_section_is_open_until_signed_and_again_once_changed(project_copy):
    reviews = Reviews()
    [item] = review_items(project_copy, YEAR, {"adults": "f1"}, reviews)
    assert "has not been reviewed" in item.message and item.file == "notebooks/2021-22/adults.ipynb"
    reviews.sign("adults", "A. Reviewer", "f1")
    assert review_items(project_copy, YEAR, {"adults": "f1"}, reviews) == []
    [changed] = review_items(project_copy, YEAR, {"adults": "f2"}, reviews)
    assert "changed (text or figures) since A. Reviewer signed it off" in changed.message
