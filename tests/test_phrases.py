import math

import pytest
from hypothesis import HealthCheck, given, settings

import phrase_properties
from cswo.errors import MissingFigureError
from cswo.figures import phrases as narrative
from cswo.figures.formatting import MISSING_PHRASE, format_cell, format_value, plural
from cswo.narrative import roles as prose


def test_compared_reads_like_the_report():
    assert narrative.compared(93, 67) == "93, compared with 67 the year before"
    assert narrative.compared(95, 84, "percent") == "95%, compared with 84% the year before"


def test_change_words():
    assert narrative.change(93, 67) == "an increase of 39%"
    assert narrative.change(97, 100) == "a decrease of 3%"
    assert narrative.change(6, 6) == "no change"
    assert narrative.change(95, 84, "percent") == "an increase of 11 percentage points"
    assert narrative.change(2, 0) == "an increase from none"


def test_same_as_finds_latest_equal_year():
    assert narrative.same_as(36, {"2019-20": 36, "2020-21": 44}) == "the same as in 2019-20"
    assert narrative.same_as(36, {"2020-21": 44}) is None


def test_average_needs_every_year():
    history = {"2017-18": 100, "2018-19": 95, "2019-20": 98, "2020-21": 100, "2021-22": 97}
    assert narrative.average(history) == "an average of 98 a year over the last 5 years"
    del history["2018-19"]
    assert narrative.average(history) == MISSING_PHRASE


def test_record_phrases():
    rising = {"2017-18": 1, "2018-19": 2, "2019-20": 3, "2020-21": 4, "2021-22": 5}
    assert narrative.record(rising) == "the highest on record (since 2017-18)"
    dip = {"2017-18": 9, "2018-19": 4, "2019-20": 5, "2020-21": 6, "2021-22": 8}
    assert narrative.record(dip) == "the highest since 2017-18"
    assert narrative.record({"2020-21": 1, "2021-22": 2}) is None


def test_missing_values_never_print_as_zero_or_nan():
    assert narrative.compared(None, 67) == MISSING_PHRASE
    assert narrative.change(math.nan, 4) == MISSING_PHRASE
    assert format_cell(math.nan, "count") == "[x]"
    assert format_cell(None, "count", status="z") == "[z]"


def test_formatting_uk_conventions():
    assert format_value(1377, "count") == "1,377"
    assert format_value(731423.7344, "gbp") == "£731,424"
    assert format_value(122739, "gbp_thousand") == "£122.7 million"
    assert format_cell(35158, "gbp_thousand") == "35,158"
    assert format_value(87.7, "percent") == "87.7%"
    assert plural(1, "complaint") == "1 complaint"
    assert plural(2, "person", "people") == "2 people"


def test_fill_replaces_and_names_every_unknown():
    text = "We had {eval}`complaints.value` complaints ({eval}`complaints.compared`)."
    filled = prose.fill(text, {"complaints.value": "93", "complaints.compared": "93, compared with 67"}, "complaints")
    assert filled == "We had 93 complaints (93, compared with 67)."
    assert prose.references(text) == ["complaints.value", "complaints.compared"]
    with pytest.raises(MissingFigureError) as error:
        prose.fill("{eval}`a` and {eval}`b.c` and {eval}`a`", {}, "children")
    assert error.value.section == "children"
    assert error.value.names == ["a", "b.c"]
    assert "Section 'children'" in str(error.value)


def test_fill_suggests_the_closest_name():
    known = {"complaints.compared": "93, compared with 67", "complaints.value": "93"}
    with pytest.raises(MissingFigureError) as error:
        prose.fill("{eval}`complaints.compard`", known, "complaints")
    assert error.value.suggestions == {"complaints.compard": "complaints.compared"}
    assert "did you mean complaints.compared?" in str(error.value)


@pytest.mark.parametrize(
    "code", ["complaints.compared.upper()", "__import__('os')", "complaints['value']", "1 + 1", "a .b", ""]
)
def test_fill_refuses_code_in_a_role(code):
    with pytest.raises(MissingFigureError) as error:
        prose.fill("Text {eval}`" + code + "`.", {"complaints.compared": "93"}, "complaints")
    assert error.value.refused == [code.strip()]
    assert "never code" in str(error.value)


def test_without_references_and_migrate():
    assert prose.without_references("In {eval}`s.label` there were 93.") == "In   there were 93."
    text = "In {{ year }}, {{ complaints }} ({{ complaints.compared }})."
    migrated = prose.migrate(text, {"year": "s.label", "complaints": "complaints.value"})
    assert migrated == "In {eval}`s.label`, {eval}`complaints.value` ({eval}`complaints.compared`)."
    assert prose.references(migrated) == ["s.label", "complaints.value", "complaints.compared"]


def test_relative_change_follows_the_percentage_style():
    assert narrative.change(93, 67, "count") == "an increase of 39%"
    assert narrative.change(93, 67, "count", 0, percent_decimals=1) == "an increase of 38.8%"


def test_a_phrase_with_no_year_before_still_reads_as_a_number():
    sentence = f"In 2024-25, {narrative.compared(21, None)} Child Protection Orders were granted."
    assert sentence == "In 2024-25, 21 Child Protection Orders were granted."


def test_no_change_is_said_once_and_never_from_a_value_to_itself():
    assert narrative.trend(22, 22) == "stayed at 22"
    assert narrative.trend(93, 67) == "increased from 67 to 93"
    assert narrative.direction(95.04, 95.0, "percent", 1) == "stayed the same"  # both print 95.0%
    assert narrative.change(1001, 1000) == "an increase of less than 1%"


def test_same_or_nearest_and_standing_are_always_true_and_never_empty():
    assert narrative.same_or_nearest(5, {"2019-20": 4, "2020-21": 7}) == "lower than in 2020-21"
    assert narrative.same_or_nearest(5, {}) == "the first year with a figure"
    history = {"2018-19": 9, "2019-20": 9, "2020-21": 4, "2021-22": 9}
    assert narrative.standing(history) == "the joint highest on record (with 2019-20)"
    assert narrative.standing({"2020-21": 4, "2021-22": 9}) == "fewer than three years of figures to compare"
    middle = {"2018-19": 9, "2019-20": 1, "2020-21": 6, "2021-22": 4}
    assert narrative.standing(middle) == "within the range of earlier years (since 2018-19)"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phrase_properties.series())
def test_every_comparison_phrase_agrees_with_its_numbers_sample(case):
    phrase_properties.check(*case)


@pytest.mark.soak
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phrase_properties.series())
def test_every_comparison_phrase_agrees_with_its_numbers_soak(case):
    phrase_properties.check(*case)


@pytest.mark.parametrize(
    "case",
    [
        ("count", None, {"2023-24": 22, "2024-25": 22}),  # equal values
        ("count", None, {"2024-25": 21}),  # one year only
        ("count", None, {"2021-22": 5, "2022-23": None, "2023-24": 3, "2024-25": 4}),  # gaps
        ("number", 1, {"2021-22": -2.5, "2022-23": -1.0, "2023-24": -3.0, "2024-25": -4.0}),  # negatives
        ("percent", None, {"2021-22": 9.0, "2022-23": 9.0, "2023-24": 4.0, "2024-25": 9.0}),  # ties at a record
    ],
)
def test_named_cases_agree_with_their_numbers(case):
    phrase_properties.check(*case)
