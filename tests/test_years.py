"""Typed years and dates read against the report year (cswo.narrative.years)."""

from __future__ import annotations

import pytest

from cswo.figures.vocabulary import YEAR_NAMES, year_texts
from cswo.narrative.years import mentions, rewrite_moving, year_findings
from cswo.project.paths import next_year, previous_year, years_up_to


def test_each_kind_of_year_is_found_with_where_it_falls():
    text = "In 2021-22 (April 2021 to March 2022), at 31 March 2021, by March 2022, in 2020/21 and 2019-20."
    found = [(m.text, m.kind, m.offset, m.role) for m in mentions(text, "2021-22")]
    assert found == [
        ("2021-22", "year", 0, "s.label"),
        ("April 2021 to March 2022", "period", 0, "s.period"),
        ("31 March 2021", "date", -1, "s.last_year_end"),
        ("March 2022", "month", 0, "s.year_end_month"),
        ("2020/21", "year", -1, "s.last_label"),
        ("2019-20", "year", -2, None),
    ]


def test_ranges_acts_and_roles_are_not_years_of_the_report():
    text = "The strategy 2021-24 and the Act 2014 apply; {eval}`cpos.in_2020_21` was reported."
    assert mentions(text, "2021-22") == []


def test_a_typed_year_is_listed_with_the_role_that_moves_with_the_year():
    findings = year_findings("At 31 March 2022, there were {eval}`rso.value` offenders.", "2021-22")
    assert [(f.kind, f.text, f.role) for f in findings] == [("year", "31 March 2022", "{eval}`s.year_end`")]
    assert "write {eval}`s.year_end` instead" in findings[0].message


def test_last_years_label_beside_last_years_figure_in_the_next_year_is_listed():
    text = "It decreased from around {eval}`x.last_year` in 2020-21 to {eval}`x.value` in {eval}`s.label`."
    findings = [f for f in year_findings(text, "2022-23") if f.kind == "year"]
    assert [(f.text, f.role) for f in findings] == [("2020-21", None)]
    assert "name that year's figure (e.g. x.in_2020_21)" in findings[0].message


def test_a_year_allowed_as_history_is_not_listed():
    text = "<!-- allow-year: 2020-21 -->\nNone were inspected in 2020-21, when {eval}`x.value` were open."
    assert [f for f in year_findings(text, "2021-22") if f.kind == "year"] == []


@pytest.mark.parametrize(
    ("text", "year", "stale"),
    [
        ("Early work will be completed during 2022-23.", "2022-23", True),
        ("Early work will be completed during 2022-23.", "2021-22", False),
        ("The review will report in December 2022.", "2022-23", True),
        ("The review will report in December 2022.", "2021-22", False),
        ("A dataset will be launched in 2022.", "2022-23", True),
        ("It is to be refreshed to reflect the learning since March 2020.", "2022-23", False),
        ("Tendering began in 2022-23.", "2023-24", False),
    ],
)
def test_future_tense_about_a_year_the_report_has_reached_is_stale(text, year, stale):
    assert any(f.kind == "stale" for f in year_findings(text, year)) is stale


def test_a_typed_verb_of_change_beside_a_figure_is_for_review_unless_the_data_says_it():
    typed = year_findings("The rate rose to {eval}`beds.value`.", "2021-22")
    assert [(f.kind, f.text, f.review_only) for f in typed] == [("trend", "rose", True)]
    assert "{eval}`beds.trend`" in typed[0].message
    assert year_findings("The rate {eval}`beds.direction` to {eval}`beds.value`.", "2021-22") == []


def test_new_year_rewrites_only_labels_beside_figures():
    text = (
        "It made {eval}`x.value` visits in 2021-22, compared with {eval}`x.last_year` in 2020-21.\n\n"
        "We recruited staff in 2021-22."
    )
    rewritten, count = rewrite_moving(text, "2021-22")
    assert count == 2
    assert rewritten.startswith("It made {eval}`x.value` visits in {eval}`s.label`, compared with")
    assert "in {eval}`s.last_label`." in rewritten
    assert rewritten.endswith("We recruited staff in 2021-22.")


@pytest.mark.parametrize("style", ["hyphen", "slash"])
def test_every_year_role_reads_as_the_vocabulary_says(style):
    texts = year_texts("2021-22", style)
    assert set(texts) == set(YEAR_NAMES)
    labels = {"label", "last_label", "next_label"}
    assert {k: v for k, v in texts.items() if k not in labels} == {
        k: v for k, v in YEAR_NAMES.items() if k not in labels
    }
    assert texts["last_label"] == ("2020/21" if style == "slash" else "2020-21")
    assert year_texts("2022-23")["year_end"] == "31 March 2023"


def test_financial_years_are_counted_across_a_century():
    assert years_up_to("2000-01", 3) == ["1998-99", "1999-00", "2000-01"]
    assert (previous_year("2000-01"), next_year("1999-00")) == ("1999-00", "2000-01")
    assert year_texts("1999-00", "slash")["next_label"] == "2000/01"


def test_a_direction_followed_by_from_to_is_listed_with_the_trend_role():
    text = "It has {eval}`beds.direction` from {eval}`beds.last_year` to {eval}`beds.value`."
    assert [(f.kind, f.role) for f in year_findings(text, "2021-22")] == [("trend", "{eval}`beds.trend`")]
