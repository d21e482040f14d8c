"""The review record, reviews/<year>.yml: read strictly, written plainly, and what a sign-off records."""

from __future__ import annotations

import datetime as dt

import pytest

from cswo.compose.section import SectionText
from cswo.errors import InputError
from cswo.pipeline.openitems import fingerprint
from cswo.project.paths import Project
from cswo.project.reviews import Reviews, read_record, write_record


def test_a_year_with_no_record_has_nothing_signed(tmp_path):
    reviews = read_record(Project(tmp_path), "2022-23")
    assert reviews.sections == {} and reviews.open_comments() == []


def test_a_sign_off_is_written_and_read_back_with_who_when_and_what(tmp_path):
    project = Project(tmp_path)
    reviews = Reviews(comments=[{"id": "c1", "section": "adults", "comment": "Check this", "resolved": False}])
    reviews.sign("adults", "A. Reviewer", "abc123", on=dt.date(2023, 9, 1))
    write_record(project, "2022-23", reviews)
    text = project.reviews_file("2022-23").read_text(encoding="utf-8")
    assert "reviewed_by: A. Reviewer" in text and "fingerprint: abc123" in text
    again = read_record(project, "2022-23")
    assert again.sections["adults"].reviewed_on == "2023-09-01"
    assert [c["id"] for c in again.open_comments()] == ["c1"]


def test_a_malformed_record_names_the_file_and_every_problem(tmp_path):
    project = Project(tmp_path)
    project.reviews_dir.mkdir()
    project.reviews_file("2022-23").write_text(
        "sections:\n  adults: {reviewed_by: A}\n  finance: {reviewed_by: B, reviewed_on: 2023-09-01, fingerprint: x, "
        "colour: red}\nnotes: []\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        read_record(project, "2022-23")
    text = str(error.value)
    assert text.startswith("reviews/2022-23.yml")
    assert "sections.adults.reviewed_on is missing" in text and "sections.adults.fingerprint is missing" in text
    assert "sections.finance.colour" in text and "key 'notes'" in text


def test_a_duplicate_key_is_refused_by_the_strict_reader(tmp_path):
    project = Project(tmp_path)
    project.reviews_dir.mkdir()
    project.reviews_file("2022-23").write_text("sections: {}\nsections: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="appears twice"):
        read_record(project, "2022-23")


def _text(markdown: str, value: float) -> SectionText:
    figure = {"table": "t", "measure": "m", "breakdown": "total", "year": "2022-23", "value": value}
    return SectionText("adults", markdown, bundle={"figures": [figure]})


def test_the_fingerprint_moves_with_the_text_or_a_figure_but_not_with_a_query_mark():
    signed = fingerprint(_text("There were 93 complaints.\n", 93))
    assert fingerprint(_text("There were 93 complaints.\n", 93)) == signed
    assert fingerprint(_text("There were 93 complaints last year.\n", 93)) != signed
    assert fingerprint(_text("There were 93 complaints.\n", 94)) != signed  # a figure only a table shows
    assert fingerprint(_text("There were 93 **[query]** complaints.\n", 93)) == signed  # answering a query alone


def test_the_paragraphs_invisible_bookmarks_are_not_what_was_reviewed():
    signed = fingerprint(_text("There were 93 complaints.\n", 93))
    assert fingerprint(_text("[]{#cswo_c950240c8a}There were 93 complaints.\n", 93)) == signed


def test_a_sections_highlights_for_the_cover_are_part_of_what_was_reviewed():
    plain = fingerprint(_text("There were 93 complaints.\n", 93))
    with_highlight = _text("There were 93 complaints.\n", 93)
    with_highlight.highlights = ["[]{#cswo_c950240c8ac}Complaints rose to 93."]
    signed = fingerprint(with_highlight)
    assert signed != plain
    with_highlight.highlights = ["Complaints rose to 93."]
    assert fingerprint(with_highlight) == signed  # the cover copy's bookmark is not what was read
    with_highlight.highlights = ["Complaints rose sharply, to 93."]
    assert fingerprint(with_highlight) != signed  # the cover's words changed: the section opens again
