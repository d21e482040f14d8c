"""A reviewer's text mapped back onto the paragraph's source: prose edits made with the roles kept,
figure edits found and never typed in, and edits that cannot be placed for certain left alone."""

from __future__ import annotations

from cswo.review.mapping import map_back, normal, plain

SOURCE = "In {eval}`s.label`, the *total* number of complaints was {eval}`complaints.compared`. It rose."
PHRASES = {"s.label": "2021-22", "complaints.compared": "93, compared with 67 the year before"}
BUILT = "In 2021-22, the total number of complaints was 93, compared with 67 the year before. It rose."


def test_the_source_renders_as_the_paper_shows_it_each_character_traced():
    shown = plain(SOURCE, PHRASES)
    assert shown.text == BUILT
    assert shown.roles == ["s.label", "complaints.compared"]
    assert SOURCE[shown.origin[shown.text.index("total")]] == "t"  # the emphasis marks take no place
    assert shown.origin[shown.text.index("93")] < 0


def test_a_prose_edit_is_made_in_the_source_with_its_roles():
    reviewed = BUILT.replace("complaints was", "complaints received was").replace("It rose.", "It rose sharply.")
    mapped = map_back(SOURCE, PHRASES, BUILT, reviewed)
    assert mapped.prose_changed and not mapped.figures and not mapped.unplaced
    assert mapped.source == SOURCE.replace("complaints was", "complaints received was").replace(
        "It rose.", "It rose sharply."
    )


def test_a_figure_edit_is_found_and_not_typed_into_the_prose():
    mapped = map_back(SOURCE, PHRASES, BUILT, BUILT.replace("93,", "95,"))
    assert not mapped.prose_changed and mapped.source == ""
    ((role, before, after),) = mapped.figures
    assert role == "complaints.compared" and "93, compared" in before and "95, compared" in after


def test_text_the_source_does_not_hold_is_not_placed():
    built = "Table 1: Complaints by service"
    mapped = map_back(": Complaints by service {#tbl-x}", {}, built, "Table 2: Complaints by service")
    assert mapped.unplaced and not mapped.prose_changed


def test_an_edit_that_would_break_the_markup_is_not_made():
    mapped = map_back(SOURCE, PHRASES, BUILT, BUILT.replace("the total number of", "the count of"))
    assert mapped.unplaced and not mapped.prose_changed


def test_typography_does_not_count_as_an_edit():
    assert normal("the year’s “best” – so far…") == normal('the year\'s "best" -- so far...')
