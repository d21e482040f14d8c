"""Charts: the year style reaches the axis and the alt text; labels are never struck through and
print once; series differ by more than colour; gaps, year basis, units and sources come from the data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cswo.figures.figure import Figure
from cswo.notebook.charts import label_backgrounds, trend_alt_text, trend_chart
from cswo.project.catalogue import Measure

YEARS = ["2019-20", "2020-21", "2021-22"]


def orders() -> Figure:
    rows = pd.DataFrame(
        [
            {"year": y, "measure": "cpo", "breakdown": "total", "number": v, "status": "", "source": "s"}
            for y, v in zip(YEARS, [532, 204, 353], strict=True)
        ]
    )
    return Figure.from_table("cpo", rows, Measure("t", "cpo", "Orders", "count", "", {}, (), ()), "2021-22")


def x_encoding(spec):
    """The first x encoding in a (possibly layered) Vega-Lite spec."""
    if isinstance(spec, dict):
        if "x" in spec.get("encoding", {}):
            return spec["encoding"]["x"]
        children = [v for k, v in spec.items() if k in ("layer", "spec")]
    elif isinstance(spec, list):
        children = spec
    else:
        return None
    for child in children:
        found = x_encoding(child)
        if found is not None:
            return found
    return None


def test_slash_style_alt_text():
    text = trend_alt_text([orders()], YEARS, ["Orders"], "Line", year_style="slash")
    assert text.startswith("Line chart, 2019/20 to 2021/22.")
    assert "353 in 2021/22, compared with 204 in 2020/21" in text
    assert "-2" not in text  # no hyphenated year left


def test_slash_style_axis_labels():
    chart = trend_chart([orders()], YEARS, "Orders imposed", year_style="slash")
    x = x_encoding(chart.spec)
    assert x["scale"]["domain"] == ["2019/20", "2020/21", "2021/22"]
    values = {row["Year"] for name, rows in chart.spec["datasets"].items() for row in rows if "Year" in row}
    assert values <= {"2019/20", "2020/21", "2021/22"} and "2021/22" in values
    assert "2021/22" in chart.alt


def test_hyphen_style_axis_by_default():
    chart = trend_chart([orders()], YEARS, "Orders imposed")
    assert x_encoding(chart.spec)["scale"]["domain"] == YEARS


def series(name: str, values: dict[str, float | None], unit: str = "percent", **measure) -> Figure:
    rows = pd.DataFrame(
        [
            {"year": y, "measure": name, "breakdown": "total", "number": v, "status": "", "source": f"{name} return"}
            for y, v in values.items()
            if v is not None
        ]
    )
    spec = Measure(
        "t", name, f"{name.title()} with a label long enough to be truncated by default", unit, "", {}, (), ()
    )
    if measure:
        from dataclasses import replace

        spec = replace(spec, **measure)
    return Figure.from_table(name, rows, spec, "2021-22")


def layers(spec) -> list[dict]:
    found = []
    for layer in spec.get("layer", []):
        found += layers(layer) if "layer" in layer else [layer]
    return found


def test_label_backgrounds_make_each_label_one_unstroked_text_on_a_box():
    svg = (
        '<svg><text text-anchor="middle" transform="translate(10,20)" font-size="12px" fill="#1A1A1A" '
        'stroke="#FFFFFF" stroke-width="5" stroke-linejoin="round">1,377</text><text fill="#000">2021-22</text></svg>'
    )
    out = label_backgrounds(svg)
    assert out.count(">1,377</text>") == 1 and "stroke" not in out
    box = re.search(
        r'<rect transform="translate\(10,20\)" x="(-[\d.]+)" [^>]*width="([\d.]+)"[^>]*fill="#FFFFFF"/>', out
    )
    assert box and float(box.group(2)) > 5 * 0.556 * 12  # wider than the five characters
    assert '<text fill="#000">2021-22</text>' in out  # unstroked text is left alone


def test_chart_labels_print_once_and_nothing_overprints_in_the_pdf(tmp_path):
    """The chart as the PDF embeds it: every value label is one text object, and no two collide."""
    pdfplumber = pytest.importorskip("pdfplumber")
    import typst

    from test_layout import collisions

    years = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22"]
    chart = trend_chart(
        [
            series("cpo", dict(zip(years, [50.2, None, 40.1, 45.5, 44.0], strict=True))),
            series("dtto", dict(zip(years, [49, 44, 41.3, 45, 43.9], strict=True))),
        ],
        years,
        "Orders",
    )
    (tmp_path / "chart.svg").write_text(chart.svg(), encoding="utf-8")
    (tmp_path / "page.typ").write_text('#image("chart.svg", width: 16cm)\n')
    typst.compile(str(tmp_path / "page.typ"), output=str(tmp_path / "page.pdf"))
    with pdfplumber.open(tmp_path / "page.pdf") as pdf:
        page = pdf.pages[0]
        text = "".join(c["text"] for c in page.chars)
        assert not collisions(page)
    assert text.count("50.2%") == 1 and text.count("43.9%") == 1
    assert "with a label long enough to be truncated by default" in text  # legend never truncated


def test_series_differ_by_dash_and_shape_in_data_order_and_lines_break_at_gaps():
    years = ["2019-20", "2020-21", "2021-22"]
    chart = trend_chart(
        [
            series("b_first", {"2019-20": 5, "2020-21": None, "2021-22": 7}),
            series("a_second", dict(zip(years, [6, 6, 6], strict=True))),
        ],
        years,
        "Shares",
        labels=["Zebra", "Aardvark"],
    )
    encodings = [layer.get("encoding", {}) for layer in layers(chart.spec)]
    dash = next(e["strokeDash"] for e in encodings if "strokeDash" in e)
    shape = next(e["shape"] for e in encodings if "shape" in e)
    assert dash["scale"]["domain"] == ["Zebra", "Aardvark"] and dash["scale"]["range"][0] != dash["scale"]["range"][1]
    assert shape["scale"]["range"][0] != shape["scale"]["range"][1]
    rows = [r for rows in chart.spec["datasets"].values() for r in rows if r.get("Series") == "Zebra"]
    assert len({r["Segment"] for r in rows}) == 2  # the missing year breaks the line
    assert chart.source == "b_first return; a_second return"


def test_a_year_with_no_figure_is_marked():
    years = ["2019-20", "2020-21", "2021-22"]
    chart = trend_chart([series("cpo", {"2019-20": 5, "2021-22": 7})], years, "Orders")
    marks = [r for rows in chart.spec["datasets"].values() for r in rows if r.get("Label") == "no figure"]
    assert [m["Year"] for m in marks] == ["2020-21"]
    assert "No figures for 2020-21" in chart.alt


def test_calendar_years_and_units_come_from_the_catalogue():
    years = ["2019-20", "2020-21", "2021-22"]
    figure = series(
        "rate",
        dict(zip(years, [9, 8, 7], strict=True)),
        unit="number",
        year_basis="calendar",
        unit_label="bed days per 100,000",
    )
    chart = trend_chart([figure], years, "Rate", y_title="Rate")
    x = x_encoding(chart.spec)
    assert x["scale"]["domain"] == ["2019", "2020", "2021"] and x["title"] == "Calendar year"
    y = next(layer["encoding"]["y"] for layer in layers(chart.spec) if "y" in layer.get("encoding", {}))
    assert y["title"] == "Rate (bed days per 100,000)"
    assert "2021" in chart.alt and "2021-22" not in chart.alt


@pytest.mark.parametrize(
    ("unit", "given", "expected"),
    [
        ("rate_per_1000", "Rate", "Rate per 1,000 people"),
        ("days_per_fte", "Absence", "Absence (Days per FTE)"),
        ("percent", None, "Per cent"),
        ("gbp", None, "Pounds (£)"),
    ],
)
def test_axis_titles_name_their_unit(unit, given, expected):
    chart = trend_chart([series("m", {"2021-22": 5.0}, unit=unit)], ["2021-22"], "M", y_title=given)
    y = next(layer["encoding"]["y"] for layer in layers(chart.spec) if "y" in layer.get("encoding", {}))
    assert y["title"] == expected


def test_labels_follow_the_number_style():
    years = ["2020-21", "2021-22"]
    chart = trend_chart([series("share", dict(zip(years, [95, 4.43], strict=True)), decimals=1)], years, "Share")
    labels = [r["Label"] for rows in chart.spec["datasets"].values() for r in rows if "Label" in r]
    assert labels == ["95.0%", "4.4%"]


def gappy(measure: str, values: list) -> Figure:
    rows = pd.DataFrame(
        [
            {"year": y, "measure": measure, "breakdown": "total", "number": v, "status": "", "source": "s"}
            for y, v in zip(YEARS, values, strict=True)
            if v is not None
        ]
    )
    return Figure.from_table(measure, rows, Measure("t", measure, "Orders", "count", "", {}, (), ()), "2021-22")


@pytest.mark.parametrize("kind", ["line", "bar"])
@pytest.mark.parametrize("series", [1, 2])
@pytest.mark.parametrize("gap", [False, True])
def test_every_kind_of_chart_the_suite_draws_is_valid_vega_lite(kind, series, gap):
    """The build skips Altair's schema validation; each kind of chart (bars or lines, one series or
    several, a year with no figure or none) is validated here instead."""
    import altair as alt

    figures = [gappy(f"m{i}", [532, None if gap else 204, 353 + i]) for i in range(series)]
    labels = [f"Series {i}" for i in range(series)]
    chart = trend_chart(figures, YEARS, "Orders imposed", labels=labels, kind=kind)
    alt.LayerChart.from_dict(chart.spec, validate=True)  # raises on any schema error
    broken = {**chart.spec, "layer": [{**chart.spec["layer"][0], "mark": {"type": "no such mark"}}]}
    with pytest.raises(Exception, match="no such mark|is not one of|not valid"):
        alt.LayerChart.from_dict(broken, validate=True)
