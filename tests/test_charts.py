"""Charts: the year style reaches the axis and the alt text."""

from __future__ import annotations

import pandas as pd

from cswo.figures.figure import Figure
from cswo.notebook.charts import trend_alt_text, trend_chart
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
