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


UNIT_SUFFIX = {  # what a given axis title must also say, so the axis names its unit
    "percent": "%",
    "gbp": "£",
    "gbp_thousand": "£000",
    "rate_per_100": "per 100",
    "rate_per_1000": "per 1,000",
    "days_per_fte": "per FTE",
}
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]  # solid, dashed, dotted, dash-dot: not colour alone
SHAPES = ["circle", "square", "triangle-up", "diamond"]
SCALE = 4.0  # PNG pixels per CSS pixel: a 440-pixel chart at 16 cm is about 280 ppi


@dataclass
class ReportChart:
    """A chart ready to show: its Vega-Lite spec, caption, data-derived alt text and source."""

    spec: dict
    caption: str
    alt: str
    id: str
    measures: list[str] = field(default_factory=list)  # table.measure.breakdown of each series
    source: str = ""

    def png(self, scale: float = SCALE) -> bytes:
        """High-resolution PNG, for Word."""
        import vl_convert as vlc

        return vlc.vegalite_to_png(json.dumps(self.spec), scale=scale)

    def svg(self) -> str:
        """Vector graphics, for the PDF."""
        import vl_convert as vlc

        return vlc.vegalite_to_svg(json.dumps(self.spec))


def axis_year(year: str, basis: str, style: str = "hyphen") -> str:
    """'2021-22' as a financial year in the council's style, or '2021' for calendar-year figures."""
    return year.split("-")[0] if basis == "calendar" else year_label(year, style)


def _series_frame(
    figures: list[Figure], years: list[str], labels: list[str], basis: str, style: str = "hyphen"
) -> pd.DataFrame:
    """One row per series and year with a figure; a missing year starts a new segment, so lines break."""
    records = []
    for order, (fig, label) in enumerate(zip(figures, labels, strict=True)):
        segment = 0
        for year in years:
            value = fig.history.get(year)
            if is_missing(value):
                segment += 1
                continue
            records.append(
                {
                    "Year": axis_year(year, basis, style),
                    "Series": label,
                    "Order": order,
                    "Segment": f"{order}-{segment}",
                    "Value": value,
                }
            )
    return pd.DataFrame(records, columns=["Year", "Series", "Order", "Segment", "Value"])


def _axis_title(y_title: str | None, unit: str) -> str:
    title = y_title or UNIT_TITLES.get(unit, "Value")
    suffix = UNIT_SUFFIX.get(unit)
    full = UNIT_TITLES.get(unit, suffix or "")
    if suffix and suffix.lower() not in title.lower():
        title = full if full.lower().startswith(title.lower()) else f"{title} ({full})"
    return title


def chart_source(figures: list[Figure], years: list[str]) -> str:
    """The data's sources for the years shown, each once, in order."""
    found = [fig.sources.get(y, "") for fig in figures for y in years if not is_missing(fig.history.get(y))]
    return "; ".join(dict.fromkeys(s for s in found if s))


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
    x_title: str | None = None,
    style: HouseStyle | None = None,
    year_basis: str | None = None,
    year_style: str = "hyphen",
) -> ReportChart:
    """A trend over years for one or more figures of the same unit.

    Series differ by dash and marker shape as well as colour, in the order given (legend and
    bars alike); labels sit on a white halo so no line runs through them; a year with no figure
    breaks the line and is marked "no figure". ``year_basis`` ("financial" or "calendar") names
    the years; by default the measures' own ``year_basis``, else financial.
    """
    import altair as alt  # imported here: builds that only check colours need not pay for Altair

    labels = labels or [
        f.measure.label if f.breakdown == "total" else f.measure.breakdown_label(f.breakdown) for f in figures
    ]
    house = style or DEFAULT_STYLE
    palette, text_colour, font = list(house.palette), house.text_colour, house.chart_font
    basis = year_basis or next(
        (getattr(f.measure, "year_basis", "") for f in figures if getattr(f.measure, "year_basis", "")), "financial"
    )
    shown_years = [axis_year(y, basis, year_style) for y in years]
    frame = _series_frame(figures, years, labels, basis, year_style)
    unit = figures[0].unit
    count = len(labels)
    # every year keeps its place on the axis, even one with no figure
    x = alt.X(
        "Year:O",
        title=x_title or ("Calendar year" if basis == "calendar" else "Financial year"),
        sort=shown_years,
        scale=alt.Scale(domain=shown_years),
        axis=alt.Axis(labelAngle=0),
    )
    legend = alt.Legend(orient="bottom", labelLimit=0, columns=1, symbolStrokeWidth=3) if count > 1 else None
    colour = alt.Color(
        "Series:N", title=None, sort=labels, scale=alt.Scale(domain=labels, range=palette[:count]), legend=legend
    )
    dash = alt.StrokeDash("Series:N", sort=labels, scale=alt.Scale(domain=labels, range=DASHES[:count]), legend=legend)
    shape = alt.Shape("Series:N", sort=labels, scale=alt.Scale(domain=labels, range=SHAPES[:count]), legend=legend)
    frame["Label"] = [format_value(v, unit) for v in frame["Value"]] if len(frame) else []
    top = frame["Value"].max() if len(frame) else 1
    y = alt.Y(
        "Value:Q", title=_axis_title(y_title, unit), scale=alt.Scale(zero=True, domain=[0, float(top) * 1.2 or 1])
    )
    base = alt.Chart(frame)
    offset = alt.XOffset("Series:N", sort=labels, scale=alt.Scale(domain=labels))
    if kind == "bar":
        marks = base.mark_bar(stroke=text_colour, strokeWidth=0.5).encode(x=x, y=y, color=colour, xOffset=offset)
        label_at = {"x": x, "y": y, "xOffset": offset, "text": "Label:N"}
        dy = -7
    else:
        line = base.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=colour, strokeDash=dash, detail="Segment:N")
        points = base.mark_point(size=70, filled=True, opacity=1).encode(x=x, y=y, color=colour, shape=shape)
        marks = line + points
        label_at = {"x": x, "y": y, "detail": "Series:N", "text": "Label:N"}
        dy = -14
    # the halo (white outline) is drawn first, so a line passing a label is hidden behind it
    layers = [marks]
    for order in range(count if kind != "bar" else 1):
        # on a line chart alternate series are labelled above and below, so close values stay apart
        shifted = base if kind == "bar" else base.transform_filter(alt.datum.Order == order)
        at = dy if order % 2 == 0 else 18
        text_style = {"dy": at, "fontSize": 12, "font": font}
        layers.append(
            shifted.mark_text(
                stroke=house.background, strokeWidth=4, strokeJoin="round", color=house.background, **text_style
            ).encode(**label_at)
        )
        layers.append(shifted.mark_text(color=text_colour, **text_style).encode(**label_at))
    missing = [
        label
        for year, label in zip(years, shown_years, strict=True)
        if all(is_missing(f.history.get(year)) for f in figures)
    ]
    if missing:
        gaps = alt.Chart(
            pd.DataFrame({"Year": missing, "Value": [0] * len(missing), "Label": ["no figure"] * len(missing)})
        )
        layers.append(
            gaps.mark_text(dy=-8, color=text_colour, fontSize=11, font=font, fontStyle="italic").encode(
                x=x, y=y, text="Label:N"
            )
        )
    layered = (
        alt.layer(*layers)
        .properties(width=440, height=220, background=house.background)
        .configure_axis(
            labelColor=text_colour,
            titleColor=text_colour,
            labelFontSize=12,
            titleFontSize=13,
            labelFont=font,
            titleFont=font,
            gridColor="#D9D9D9",
        )
        .configure_legend(labelColor=text_colour, labelFontSize=12, labelFont=font, labelLimit=0)
        .configure_view(stroke=None)
    )
    kind_word = "Bar" if kind == "bar" else "Line"
    alt_text = trend_alt_text(figures, years, labels, kind_word, year_style)
    slug = chart_id or "fig-" + re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")[:60].strip("-")
    measures = [f"{f.measure.table}.{f.measure.name}.{f.breakdown}" for f in figures]
    return ReportChart(
        spec=layered.to_dict(),
        caption=caption,
        alt=f"{caption}. {alt_text}",
        id=slug,
        measures=measures,
        source=chart_source(figures, years),
    )
