"""A figure as a notebook shows it and as prose reaches it; years in the council's style; exact values."""

from dataclasses import replace

import pandas as pd
import pytest

from cswo.figures.figure import Figure
from cswo.figures.formatting import format_exact
from cswo.figures.phrases import Phrase, Phrases
from cswo.project.catalogue import Measure
from cswo.safeguards.disclosure import NOT_PUBLISHED


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


def measure(unit: str = "count", breakdowns: dict | None = None) -> Measure:
    return Measure("t", "m", "Things", unit, "", breakdowns or {}, (), ())


def frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"year": y, "measure": "m", "breakdown": b, "number": v, "status": "", "source": "s"} for y, b, v in rows]
    )


def figure(rows, unit="count", style="hyphen", year="2021-22", breakdowns=None) -> Figure:
    return Figure.from_table("things", frame(rows), measure(unit, breakdowns), year, year_style=style)


HISTORY = [("2018-19", "total", 50), ("2019-20", "total", 36), ("2020-21", "total", 44), ("2021-22", "total", 36)]


def test_slash_style_years_in_every_phrase():
    words = figure(HISTORY, style="slash").placeholders()
    assert words["things.year"] == "2021/22"
    assert words["things.last_year_label"] == "2020/21"
    assert words["things.same_as"] == "the same as in 2019/20"
    assert not any("2019-20" in v or "2021-22" in v for v in words.values())


def test_hyphen_style_is_unchanged():
    words = figure(HISTORY).placeholders()
    assert words["things.year"] == "2021-22"
    assert words["things.same_as"] == "the same as in 2019-20"


def test_record_follows_the_style():
    rows = [("2017-18", "total", 5), ("2018-19", "total", 9), ("2019-20", "total", 7), ("2020-21", "total", 6)]
    rows.append(("2021-22", "total", 8))
    assert figure(rows, style="slash").placeholders()["things.record"] == "the highest since 2018/19"


def test_thousands_of_pounds_read_rounded_and_exactly():
    rows = [("2020-21", "total", 4650), ("2021-22", "total", 4716), ("2021-22", "adults", 2762.5)]
    words = figure(rows, unit="gbp_thousand", breakdowns={"adults": "Adults"}).placeholders()
    assert words["things.value"] == "£4.7 million"
    assert words["things.exact"] == "£4,716,000"
    assert words["things.last_year_exact"] == "£4,650,000"
    assert words["things.in_2020_21_exact"] == "£4,650,000"
    assert words["things.adults"] == "£2.8 million"
    assert words["things.adults_exact"] == "£2,762,500"


def test_whole_millions_read_without_a_decimal():
    words = figure([("2021-22", "total", 1000)], unit="gbp_thousand").placeholders()
    assert words["things.value"] == "£1 million"


@pytest.mark.parametrize(
    ("place", "words"),
    [
        (1, "the"),
        (2, "the second"),
        (3, "the third"),
        (5, "the fifth"),
        (11, "the 11th"),
        (13, "the 13th"),
        (21, "the 21st"),
        (32, "the 32nd"),
    ],
)
def test_a_place_in_a_ranking_reads_before_its_superlative(place, words):
    ranked = figure([("2021-22", "total", place)], unit="number").placeholders()["things.ranked"]
    assert ranked == words
    assert f"Dundee was {ranked} poorest performing Partnership".startswith(
        "Dundee was the poorest" if place == 1 else f"Dundee was {words} poorest"
    )


def test_a_missing_place_reads_as_missing_not_as_a_place():
    ranked = figure([("2020-21", "total", 3)], unit="number").placeholders()["things.ranked"]
    assert not ranked.startswith("the")


def test_exact_keeps_what_was_given():
    assert format_exact(731423.7344, "gbp") == "£731,423.73"
    assert format_exact(1522411, "gbp") == "£1,522,411"
    assert format_exact(4.43, "percent") == "4.43%"
    assert format_exact(12.115, "days_per_fte") == "12.115"


def test_exact_never_reveals_a_suppressed_count():
    fig = figure([("2021-22", "total", 3)])
    fig.threshold = 5
    assert fig.placeholders()["things.exact"] == NOT_PUBLISHED


def test_every_withheld_figure_reads_the_same_whatever_the_reason():
    fig = figure(HISTORY)
    fig.threshold, fig.hidden = 5, {"2020-21": "primary", "2019-20": "secondary", "2018-19": "derived"}
    words = fig.placeholders()
    # the words never tell a small count from one suppressed to protect it, nor bound it ("fewer than 5")
    assert words["things.last_year"] == words["things.in_2019_20"] == words["things.in_2018_19"] == NOT_PUBLISHED
    assert words["things.change"] == words["things.direction"] == NOT_PUBLISHED
    assert words["things.compared"] == "36, compared with [not published] the year before"
    assert "fewer than" not in " ".join(words.values())



# --- one number style per unit; figures given only in words -----------------------------


def share(history: dict, approximate: dict | None = None, decimals: int | None = 1) -> Figure:
    measure = Measure("workforce", "young_share", "Workforce aged 30 or under", "percent", "", {}, (), ())
    measure = replace(measure, decimals=decimals)
    return Figure(
        name="young",
        measure=measure,
        breakdown="total",
        year="2021-22",
        history=history,
        status={},
        sources={},
        approximate=approximate or {},
    )


def test_percentages_follow_the_declared_style_in_every_phrase():
    figure = share({"2020-21": 84.0, "2021-22": 4.43})
    assert figure.value == "4.4%" and figure.last_year == "84.0%"
    assert figure.compared == "4.4%, compared with 84.0% the year before"
    assert figure.change == "a decrease of 79.6 percentage points"
    assert figure.exact == "4.43%"  # the data's value in full stays available
    assert figure.shown_value("2020-21") == "84.0%"
    assert share({"2021-22": 4.43}, decimals=None).value == "4.43%"  # no style declared: as given


def test_an_approximate_figure_reads_in_words_never_as_x_or_a_precise_number():
    figure = share({"2020-21": 12.0, "2021-22": 10.0}, approximate={"2021-22": "just under"})
    assert figure.value == "just under 10%" and figure.exact == "just under 10%"
    assert figure.shown_value("2021-22") == "just under 10%"
    assert figure.compared == "just under 10%, compared with 12.0% the year before"
    assert "approximate" in figure.change and "[x]" not in str(figure.placeholders())


def test_catalogue_declares_the_number_style_once_and_a_project_may_change_it(tmp_path):
    from cswo.errors import CatalogueError
    from cswo.project.catalogue import load_catalogue
    from cswo.project.paths import Project

    project = Project(tmp_path)
    base = load_catalogue(project)
    assert base.decimals("percent") is None and base.decimals("number") is None  # as the data gives them
    assert all(m.decimals == base.decimals(m.unit) for t in base.values() for m in t.measures.values())
    (tmp_path / "catalogue.yml").write_text("number_style: {percent: 0}\n")
    own = load_catalogue(project)
    assert own.decimals("percent") == 0 and own.decimals("rate_per_100") == 1
    assert all(m.decimals == 0 for t in own.values() for m in t.measures.values() if m.unit == "percent")
    (tmp_path / "catalogue.yml").write_text("number_style: {percent: 7, count: 1, furlongs: 0}\n")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(project)
    text = str(caught.value)
    assert "number_style.percent" in text and "number_style.count" in text and "furlongs" in text
