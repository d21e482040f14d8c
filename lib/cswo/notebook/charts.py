"""Charts with Altair, exported to static PNG by vl-convert, with alt text written from the data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd

from cswo.figures.figure import Figure
from cswo.figures.formatting import format_value, is_missing
from cswo.project.paths import year_label
from cswo.project.templates import HouseStyle, default_house_style

# The package's chart style (lib/cswo/templates/style.yml); a project's
# templates/style.yml overrides it, and Section passes that in.
DEFAULT_STYLE = default_house_style()
UNIT_TITLES = {
    "count": "Number",
    "percent": "Per cent",
    "gbp": "£",
    "gbp_thousand": "£000",
    "rate_per_100": "Rate per 100 people",
    "rate_per_1000": "Rate per 1,000 people",
    "days": "Days",
    "days_per_fte": "Days per FTE",
    "hours": "Hours",
    "years": "Years",
    "number": "Value",
}


@dataclass
class ReportChart:
    """A chart ready to show: its Vega-Lite spec, caption and data-derived alt text."""

    spec: dict
    caption: str
    alt: str
    id: str
    measures: list[str] = field(default_factory=list)  # table.measure.breakdown of each series

    def png(self, scale: float = 2.0) -> bytes:
        import vl_convert as vlc

        return vlc.vegalite_to_png(json.dumps(self.spec), scale=scale)


def _series_frame(figures: list[Figure], years: list[str], labels: list[str], style: str = "hyphen") -> pd.DataFrame:
    records = []
    for fig, label in zip(figures, labels, strict=True):
        for year in years:
            value = fig.history.get(year)
            if not is_missing(value):
                records.append({"Year": year_label(year, style), "Series": label, "Value": value})
    return pd.DataFrame(records)


def trend_alt_text(
    figures: list[Figure], years: list[str], labels: list[str], kind: str, year_style: str = "hyphen"
) -> str:
    """E.g. 'Line chart of Emergency detentions, 2017-18 to 2021-22: 97 in 2021-22, compared with
    100 in 2020-21; highest 110 in 2018-19, lowest 90 in 2019-20.' Years follow ``year_style``."""

    def shown_year(year: str) -> str:
        return year_label(year, year_style)

    span = f"{shown_year(years[0])} to {shown_year(years[-1])}"
    parts = []
    for fig, label in zip(figures, labels, strict=True):
        present = [(shown_year(y), fig.history[y]) for y in years if not is_missing(fig.history.get(y))]
        if not present:
            parts.append(f"{label}: no figures available")
            continue
        last_year, last = present[-1]

        def shown(value, unit=fig.unit):
            return format_value(value, unit)

        text = f"{label}: {shown(last)} in {last_year}"
        if len(present) >= 2:
            prev_year, prev = present[-2]
            text += f", compared with {shown(prev)} in {prev_year}"
        if len(present) >= 3:
            high = max(present, key=lambda p: p[1])
            low = min(present, key=lambda p: p[1])
            text += f"; highest {shown(high[1])} in {high[0]}, lowest {shown(low[1])} in {low[0]}"
        parts.append(text)
    missing = [shown_year(y) for y in years if all(is_missing(f.history.get(y)) for f in figures)]
    gap = f" No figures for {', '.join(missing)}." if missing else ""
    return f"{kind} chart, {span}. " + "; ".join(parts) + "." + gap


def trend_chart(
    figures: list[Figure],
    years: list[str],
    caption: str,
    labels: list[str] | None = None,
    kind: str = "line",
    chart_id: str | None = None,
    y_title: str | None = None,
    x_title: str = "Financial year",
    style: HouseStyle | None = None,
    year_style: str = "hyphen",
) -> ReportChart:
    """A trend over years for one or more figures of the same unit, in the house style."""
    import altair as alt  # imported here: builds that only check colours need not pay for Altair

    labels = labels or [
        f.measure.label if f.breakdown == "total" else f.measure.breakdown_label(f.breakdown) for f in figures
    ]
    style = style or DEFAULT_STYLE
    palette, text_colour, font = list(style.palette), style.text_colour, style.chart_font
    frame = _series_frame(figures, years, labels, year_style)
    shown_years = [year_label(y, year_style) for y in years]
    unit = figures[0].unit
    y_title = y_title or UNIT_TITLES.get(unit, "Value")
    # every year keeps its place on the axis, even one with no figure
    x = alt.X(
        "Year:O",
        title=x_title,
        sort=shown_years,
        scale=alt.Scale(domain=shown_years),
        axis=alt.Axis(labelAngle=0),
    )
    colour = alt.Color(
        "Series:N",
        title=None,
        sort=labels,
        scale=alt.Scale(domain=labels, range=palette[: len(labels)]),
        legend=alt.Legend(orient="bottom") if len(labels) > 1 else None,
    )
    frame["Label"] = [format_value(v, unit) for v in frame["Value"]] if len(frame) else []
    top = frame["Value"].max() if len(frame) else 1
    y = alt.Y("Value:Q", title=y_title, scale=alt.Scale(zero=True, domain=[0, float(top) * 1.15 or 1]))
    base = alt.Chart(frame)
    if kind == "bar":
        chart = base.mark_bar().encode(x=x, y=y, color=colour, xOffset="Series:N")
        text = base.mark_text(dy=-7, color=text_colour, fontSize=12).encode(
            x=x, y=y, xOffset="Series:N", text="Label:N"
        )
    else:
        chart = base.mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=3).encode(
            x=x, y=y, color=colour
        )
        text = base.mark_text(dy=-12, color=text_colour, fontSize=12).encode(
            x=x, y=y, detail="Series:N", text="Label:N"
        )
    layered = (
        (chart + text)
        .properties(width=440, height=220, background=style.background)
        .configure_axis(
            labelColor=text_colour,
            titleColor=text_colour,
            labelFontSize=12,
            titleFontSize=13,
            labelFont=font,
            titleFont=font,
            gridColor="#D9D9D9",
        )
        .configure_legend(labelColor=text_colour, labelFontSize=12, labelFont=font)
        .configure_view(stroke=None)
    )
    kind_word = "Bar" if kind == "bar" else "Line"
    alt_text = trend_alt_text(figures, years, labels, kind_word, year_style)
    slug = chart_id or "fig-" + re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")[:60].strip("-")
    measures = [f"{f.measure.table}.{f.measure.name}.{f.breakdown}" for f in figures]
    return ReportChart(
        spec=layered.to_dict(), caption=caption, alt=f"{caption}. {alt_text}", id=slug, measures=measures
    )
