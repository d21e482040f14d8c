"""A figure as a notebook shows it and as prose reaches it."""

import pytest

from cswo.figures.figure import Figure
from cswo.figures.phrases import Phrase, Phrases
from cswo.project.catalogue import Measure


def complaints() -> Figure:
    measure = Measure("complaints", "complaints_received", "Complaints received", "count", "", None, (), ())
    return Figure(
        name="complaints",
        measure=measure,
        breakdown="total",
        year="2021-22",
        history={"2020-21": 67.0, "2021-22": 93.0},
        status={},
        sources={},
        breakdowns={"community_justice": 12.0},
    )


def test_figure_displays_on_one_line_with_value_and_comparison():
    shown = repr(complaints())
    assert shown == "complaints: 93 (93, compared with 67 the year before)"
    assert "\n" not in shown


def test_prose_names_are_attributes_reading_as_the_paper():
    figure = complaints()
    phrases = figure.placeholders()
    for key, text in phrases.items():
        attribute = key.split(".", 1)[1]
        assert str(getattr(figure, attribute)) == text, key
    assert figure.compared == "93, compared with 67 the year before"
    assert figure.community_justice == "12"
    assert isinstance(figure.compared, Phrase) and repr(figure.compared) == "93, compared with 67 the year before"


def test_unknown_attribute_names_the_closest():
    with pytest.raises(AttributeError, match="did you mean 'compared'"):
        complaints().compard  # noqa: B018


def test_phrases_list_one_a_line():
    grades = Phrases("house_grades", {"awarded": "12", "services": "3"})
    assert grades.awarded == "12"
    assert repr(grades) == "house_grades.awarded: 12\nhouse_grades.services: 3"
