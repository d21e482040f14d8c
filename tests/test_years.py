"""Typed years and dates read against the report year (cswo.narrative.years)."""

from __future__ import annotations

import pytest

from cswo.figures.vocabulary import YEAR_NAMES, year_texts
from cswo.narrative.claims import Reading
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


def test_a_year_allowed_as_history_is_not_listed_beside_that_years_figure():
    text = "<!-- allow-year: 2020-21 -->\nNone were inspected in 2020-21, when {eval}`x.in_2020_21` were open."
    assert [f for f in year_findings(text, "2021-22") if f.kind == "year"] == []
    assert [f for f in year_findings(text, "2023-24") if f.kind == "year"] == []


def test_a_year_allowed_as_history_beside_a_figure_that_moves_is_listed():
    text = "<!-- allow-year: 2020-21 -->\nNone were inspected in 2020-21, when {eval}`x.last_year` were open."
    assert [(f.kind, f.text) for f in year_findings(text, "2021-22")] == [("year", "2020-21")]


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
        ("Applicants have started the award that begins later in 2022.", "2022-23", True),
        ("Applicants have started the award that begins later in 2022.", "2021-22", False),
        ("More resource for Care Management Teams, to be recruited during 2022-23.", "2022-23", True),
        ("More resource for Care Management Teams, to be recruited during 2022-23.", "2021-22", False),
        ("The pilot starts in April 2022.", "2022-23", True),
        ("The service opened later in 2021.", "2022-23", False),
        # the words between the verb and the year, as the cover's priorities put them (seen in a rolled-forward year)
        ("Priorities to be progressed by Social Work and Social Care services during 2022-23:", "2022-23", True),
        ("Priorities to be progressed by Social Work and Social Care services during 2022-23:", "2021-22", False),
        ("A review has progressed to a learning review, expected to report towards the end of 2022.", "2022-23", True),
        ("A review has progressed to a learning review, expected to report towards the end of 2022.", "2021-22", False),
        ("It was to be progressed, and in 2022-23 it was done.", "2023-24", False),
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


def _years_listed(text: str, year: str, readings=None) -> list[str]:
    return [f.text for f in year_findings(text, year, readings=readings) if f.kind == "year"]


def test_typed_calendar_years_beside_figures_that_moved_on_are_listed():
    text = (
        "Comparing the first five months of 2021 and 2022, referrals {eval}`d.direction` from "
        "{eval}`d.last_year` to {eval}`d.value`."
    )
    assert _years_listed(text, "2021-22") == []
    assert _years_listed(text, "2022-23") == ["2021"]
    finding = next(f for f in year_findings(text, "2022-23") if f.kind == "year")
    assert "x.in_2020_21" in finding.message and "moving roles for both" in finding.message
    assert finding.sentence == text


def test_a_fixed_figure_beside_a_moving_date_is_listed_the_year_after():
    text = "In total, {eval}`p.in_2020_21` children were on Permanence Orders on {eval}`s.last_year_end`."
    assert _years_listed(text, "2021-22") == []
    assert _years_listed(text, "2022-23") == ["{eval}`s.last_year_end`"]
    fixed = "In total, {eval}`p.in_2020_21` children were on Permanence Orders on 31 March 2021."
    assert _years_listed("<!-- allow-year: 31 March 2021 -->\n" + fixed, "2022-23") == []


def test_a_calendar_year_reads_as_the_measures_catalogue_counts_its_years():
    text = "In 2021 {eval}`s.area` was {eval}`falls.ranked` poorest for falls."
    calendar = {"falls.ranked": Reading("number", (), calendar=True)}
    assert _years_listed(text, "2021-22", calendar) == []
    assert _years_listed(text, "2021-22") == ["2021"]  # a financial year's data: 2021 is 2020-21's end
    assert _years_listed(text, "2022-23", calendar) == ["2021"]
    assert _years_listed("In 2022 {eval}`s.area` was {eval}`falls.ranked` poorest.", "2021-22") == []


def test_a_year_where_something_started_is_not_a_figures_year():
    text = "{eval}`w.value` women have now been supported since it began in 2019."
    assert _years_listed(text, "2021-22") == []
    assert _years_listed("Since 2015-16 nights in hospital have fallen by {eval}`n.value`.", "2021-22") == []


def test_moving_years_beside_moving_figures_are_left_as_written():
    text = "Adult concerns rose compared with {eval}`s.last_label`, though most ({eval}`c.not_at_risk`) were not."
    assert _years_listed(text, "2022-23") == []


def test_a_typed_comparison_the_data_contradict_is_counted_with_both_values():
    text = "A total of {eval}`c.value` orders, up from {eval}`c.last_year` but still below {eval}`c.in_2019_20`."
    readings = {
        "c.value": Reading("count", (("2022-23", 1059),)),
        "c.last_year": Reading("count", (("2021-22", 353),)),
        "c.in_2019_20": Reading("count", (("2019-20", 532),)),
    }
    found = [f for f in year_findings(text, "2022-23", readings=readings) if f.kind in ("claim", "trend")]
    assert [(f.kind, f.text, f.review_only) for f in found] == [("claim", "below", False)]
    assert "1,059 (2022-23) and 532 (2019-20)" in found[0].message


def test_a_typed_verb_the_data_cannot_settle_stays_for_review():
    text = "The rate rose to {eval}`beds.value`."
    readings = {"beds.value": Reading("count", (("2021-22", 5),))}
    assert [(f.kind, f.review_only) for f in year_findings(text, "2021-22", readings=readings)] == [("trend", True)]


def test_a_typed_verb_the_data_confirm_is_not_listed():
    text = "Drug deaths fell again in 2021, to {eval}`d.compared`."
    confirmed = {"d.compared": Reading("count", (("2021-22", 52), ("2020-21", 57)))}
    assert year_findings(text, "2021-22", readings=confirmed) == []


def test_generated_phrases_that_repeat_each_other_are_counted():
    text = "This is {eval}`x.same_as`, and {eval}`x.change` on {eval}`s.last_label`."
    assert [(f.kind, f.review_only) for f in year_findings(text, "2021-22")] == [("repeat", False)]
    assert year_findings("This is {eval}`x.change` on {eval}`s.last_label`.", "2021-22") == []


def test_a_typed_claim_about_an_average_beside_moving_figures_is_for_review():
    text = (
        "There were {eval}`d.value` detentions and {eval}`t.value` orders, each close to its average over five years."
    )
    found = year_findings(text, "2022-23")
    assert [(f.kind, f.text, f.role, f.review_only) for f in found] == [
        ("trend", "close to its average", "{eval}`d.average_5y`", True)
    ]
    assert year_findings("In 2019-20 it was {eval}`d.in_2019_20`, close to its average.", "2022-23") == []
    scotland = "It is {eval}`c.value`, lower than the Scottish average of {eval}`c.scotland`."
    assert [f.text for f in year_findings(scotland, "2022-23")] == ["lower than"]  # the verb, as before
