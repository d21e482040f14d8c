"""Typed comparisons judged against the figures beside them, and phrases that repeat (cswo.narrative.claims)."""

from __future__ import annotations

import pytest

from cswo.narrative.claims import Reading, comparisons, repeated_phrases

ORDERS = {
    "cpos.value": Reading("count", (("2022-23", 1059),)),
    "cpos.last_year": Reading("count", (("2021-22", 353),)),
    "cpos.in_2019_20": Reading("count", (("2019-20", 532),)),
}


def _judged(sentence: str, readings: dict) -> list[tuple[str, bool | None]]:
    return [(j.word, j.true) for j in comparisons(sentence, readings)]


def test_each_comparative_reads_the_sentences_figure_against_the_one_it_names():
    sentence = (
        "A total of {eval}`cpos.value` orders were imposed, up from {eval}`cpos.last_year` in "
        "{eval}`s.last_label` but still below the high of {eval}`cpos.in_2019_20` in 2019-20."
    )
    judged = comparisons(sentence, ORDERS)
    assert [(j.word, j.new.name, j.old.name, j.true) for j in judged] == [
        ("up from", "cpos.value", "cpos.last_year", True),
        ("below", "cpos.value", "cpos.in_2019_20", False),
    ]


def test_a_comparative_after_a_clause_break_reads_the_sentences_first_figure():
    sentence = (
        "Orders remain high at {eval}`o.value`, but are {eval}`o.same_as` and lower than at the height of the "
        "pandemic in 2020-21, when it was {eval}`o.in_2020_21`."
    )
    readings = {"o.value": Reading("count", (("2022-23", 108),)), "o.in_2020_21": Reading("count", (("2020-21", 44),))}
    assert _judged(sentence, readings) == [("lower than", False)]
    readings["o.value"] = Reading("count", (("2021-22", 36),))
    assert _judged(sentence, readings) == [("lower than", True)]


@pytest.mark.parametrize(
    ("values", "true"),
    [((("2022-23", 156), ("2021-22", 52)), False), ((("2021-22", 52), ("2020-21", 57)), True)],
)
def test_a_verb_before_a_compared_phrase_reads_this_year_against_last(values, true):
    sentence = "Drug deaths fell again in 2021, to {eval}`d.compared`."
    assert _judged(sentence, {"d.compared": Reading("count", values)}) == [("fell", true)]


def test_from_a_to_b_reads_b_against_a_and_no_change_is_no_rise():
    sentence = "Referrals increased from {eval}`r.in_2020_21` to {eval}`r.in_2021_22`."
    readings = {
        "r.in_2020_21": Reading("count", (("2020-21", 69),)),
        "r.in_2021_22": Reading("count", (("2021-22", 75),)),
    }
    assert _judged(sentence, readings) == [("increased", True)]
    readings["r.in_2021_22"] = Reading("count", (("2021-22", 69),))
    assert _judged(sentence, readings) == [("increased", False)]


def test_figures_of_two_measures_or_without_values_are_left_to_a_reader():
    sentence = "Option 1 rose to {eval}`a.value`, and the team supported {eval}`b.value` people."
    readings = {"a.value": Reading("count", (("2021-22", 187),)), "b.value": Reading("count", (("2021-22", 2312),))}
    assert _judged(sentence, readings) == [("rose", None)]
    assert _judged("It rose from {eval}`a.last_year` to {eval}`a.value`.", {}) == [("rose", None)]


def test_words_that_only_look_like_comparisons_need_a_figure_after_them():
    readings = {"a.value": Reading("count", (("2021-22", 7),))}
    assert _judged("As the table below shows, {eval}`a.value` were made.", readings) == [("below", None)]


def test_generated_phrases_saying_the_movement_twice_are_paired():
    assert repeated_phrases("This is {eval}`x.same_as`, and {eval}`x.change` on it.") == [("x.same_as", "x.change")]
    assert repeated_phrases("{eval}`x.compared`, {eval}`x.trend`.") == [("x.compared", "x.trend")]
    assert repeated_phrases("{eval}`x.compared`, {eval}`x.change`; {eval}`y.same_as`.") == []
