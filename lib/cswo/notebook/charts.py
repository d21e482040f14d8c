"""Charts with Altair, exported by vl-convert (SVG for the PDF, high-resolution PNG for Word),
with alt text written from the data."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field

import pandas as pd

from cswo.figures.figure import Figure
from cswo.figures.formatting import is_missing
from cswo.notebook.chart_labels import label_positions, text_width
from cswo.project.catalogue import Measure
from cswo.project.paths import year_label
from cswo.project.templates import HouseStyle, default_house_style

# The package's chart style (lib/cswo/templates/style.yml); a project's
# templates/style.yml overrides it, and Section passes that in.
DEFAULT_STYLE = default_house_style()
UNIT_TITLES = {
    "count": "Number",
    "percent": "Per cent",
    "gbp": "Pounds (£)",
    "gbp_thousand": "Thousands of pounds (£000)",
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
WIDTH, HEIGHT = 440, 220  # the plot, in CSS pixels
LABEL_SIZE = 12


@dataclass
class ReportChart:
    """A chart ready to show: its Vega-Lite spec, caption, data-derived alt text and source."""

    spec: dict
    caption: str
    alt: str
    id: str
    measures: list[str] = field(default_factory=list)  # table.measure.breakdown of each series
    source: str = ""

    def png(self, scale: float = SCALE, svg: str | None = None) -> bytes:
        """High-resolution PNG, for Word: drawn from the same SVG, so both show the same chart.

        Pass the SVG when it is already drawn: drawing it is most of a chart's cost."""
        import vl_convert as vlc

        return vlc.svg_to_png(self.svg() if svg is None else svg, scale=scale)

    def svg(self) -> str:
        """Vector graphics, for the PDF."""
        import vl_convert as vlc

        return label_backgrounds(vlc.vegalite_to_svg(json.dumps(self.spec)))


_TEXT = re.compile(r"<text ([^>]*)>([^<]*)</text>")
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')


def label_backgrounds(svg: str) -> str:
    """Every outlined label drawn as a background box behind plain text, so no line runs through it.

    Labels are asked of Vega with a background-coloured outline (a halo). An outlined letter is
    drawn twice in a PDF (outline and fill as two text runs over each other) and its outline eats
    into the letters, so each becomes one text object on a box of the outline's colour.
    """

    def boxed(match: re.Match) -> str:
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        background = attributes.pop("stroke", None)
        if not background:
            return match.group(0)
        for key in ("stroke-width", "stroke-linejoin", "stroke-opacity", "paint-order"):
            attributes.pop(key, None)
        size = float(re.sub(r"[^\d.]", "", attributes.get("font-size", "12")) or 12)
        letters = html.unescape(match.group(2))
        width = text_width(letters, size) * 1.05 + 4
        anchor = attributes.get("text-anchor", "start")
        left = {"middle": -width / 2, "end": -width + 2}.get(anchor, -2)
        where = f' transform="{attributes["transform"]}"' if "transform" in attributes else ""
        box = (
            f'<rect{where} x="{left:.2f}" y="{-size * 0.85:.2f}" width="{width:.2f}" '
            f'height="{size * 1.1:.2f}" fill="{background}"/>'
        )
        kept = " ".join(f'{key}="{value}"' for key, value in attributes.items())
        return f"{box}<text {kept}>{match.group(2)}</text>"

    return _TEXT.sub(boxed, svg)


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
                    "Raw": year,
                    "Value": value,
                }
            )
    return pd.DataFrame(records, columns=["Year", "Series", "Order", "Segment", "Raw", "Value"])


def _axis_title(y_title: str | None, measure: Measure) -> str:
    """The value axis's title, always naming its unit: 'Per cent', 'Rate (per 1,000 people)',
    or the catalogue's ``unit_label`` for a measure whose unit is only 'number'."""
    unit = measure.unit
    title = y_title or UNIT_TITLES.get(unit, "Value")
    if measure.unit_label:
        named = measure.unit_label
        if not y_title:
            return named[:1].upper() + named[1:]
        return title if named.lower() in title.lower() else f"{title} ({named})"
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
    figures: list[Figure],
    years: list[str],
    labels: list[str],
    kind: str,
    year_style: str = "hyphen",
    basis: str = "financial",
) -> str:
    """E.g. 'Line chart of Emergency detentions, 2017-18 to 2021-22: 97 in 2021-22, compared with
    100 in 2020-21; highest 110 in 2018-19, lowest 90 in 2019-20.' Years are written as the axis
    writes them: financial years in ``year_style``, or calendar years."""

    def shown_year(year: str) -> str:
        return axis_year(year, basis, year_style)

    span = f"{shown_year(years[0])} to {shown_year(years[-1])}"
    parts = []
    for fig, label in zip(figures, labels, strict=True):
        present = [(y, fig.history[y]) for y in years if not is_missing(fig.history.get(y))]
        if not present:
            parts.append(f"{label}: no figures available")
            continue
        last_year = present[-1][0]
        text = f"{label}: {fig.shown_value(last_year)} in {shown_year(last_year)}"
        if len(present) >= 2:
            prev_year = present[-2][0]
            text += f", compared with {fig.shown_value(prev_year)} in {shown_year(prev_year)}"
        if len(present) >= 3:
            high = max(present, key=lambda p: p[1])[0]
            low = min(present, key=lambda p: p[1])[0]
            text += f"; highest {fig.shown_value(high)} in {shown_year(high)}"
            text += f", lowest {fig.shown_value(low)} in {shown_year(low)}"
        parts.append(text)
    missing = [shown_year(y) for y in years if all(is_missing(f.history.get(y)) for f in figures)]
    gap = f" No figures for {', '.join(missing)}." if missing else ""
    return f"{kind} chart, {span}. " + "; ".join(parts) + "." + gap


def year_basis_of(figures: list[Figure]) -> str:
    """'calendar' if the figures' rows (or their measures) say their years are calendar years, else 'financial'."""
    bases = [f.period or f.measure.year_basis for f in figures]
    return next((basis for basis in bases if basis != "financial"), "financial")


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
    bars alike); labels sit on a halo so no line runs through them; a year with no figure
    breaks the line and is marked "no figure". ``year_basis`` ("financial" or "calendar") names
    the years; by default the measures' own, from the catalogue.
    """
    import altair as alt  # imported here: builds that only check colours need not pay for Altair

    labels = labels or [
        f.measure.label if f.breakdown == "total" else f.measure.breakdown_label(f.breakdown) for f in figures
    ]
    house = style or DEFAULT_STYLE
    basis = year_basis or year_basis_of(figures)
    shown_years = [axis_year(y, basis, year_style) for y in years]
    frame = _series_frame(figures, years, labels, basis, year_style)
    frame["Label"] = [
        figures[order].shown_value(year) for order, year in zip(frame["Order"], frame["Raw"], strict=True)
    ]
    x = _year_axis(alt, shown_years, x_title or ("Calendar year" if basis == "calendar" else "Financial year"))
    top = float(frame["Value"].max() if len(frame) else 1) * 1.2 or 1
    title = _axis_title(y_title, figures[0].measure)
    y = alt.Y("Value:Q", title=title, scale=alt.Scale(zero=True, domain=[0, top]))
    frame["LabelAt"] = label_positions(frame, shown_years, top, WIDTH, HEIGHT, LABEL_SIZE) if len(frame) else []
    label_y = alt.Y("LabelAt:Q", title=title, scale=alt.Scale(zero=True, domain=[0, top]))
    base = alt.Chart(frame)
    layers = [
        *_marks(alt, base, kind, x, y, labels, house),
        *_value_labels(alt, base, kind, x, y if kind == "bar" else label_y, labels, house),
        *_gap_markers(alt, figures, years, shown_years, x, y, house),
    ]
    kind_word = "Bar" if kind == "bar" else "Line"
    alt_text = trend_alt_text(figures, years, labels, kind_word, year_style, basis)
    slug = chart_id or "fig-" + re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")[:60].strip("-")
    return ReportChart(
        # not validated against the Vega-Lite schema here (a fifth of a chart's time): every kind of
        # chart this function draws is validated once in the tests (test_charts.py)
        spec=_configured(alt.layer(*layers), house).to_dict(validate=False),
        caption=caption,
        alt=f"{caption}. {alt_text}",
        id=slug,
        measures=[f"{f.measure.table}.{f.measure.name}.{f.breakdown}" for f in figures],
        source=chart_source(figures, years),
    )


def _year_axis(alt, shown_years: list[str], title: str):
    """The years across, in order: every year keeps its place, even one with no figure."""
    return alt.X(
        "Year:O", title=title, sort=shown_years, scale=alt.Scale(domain=shown_years), axis=alt.Axis(labelAngle=0)
    )


def _marks(alt, base, kind: str, x, y, labels: list[str], house: HouseStyle) -> list:
    """Bars, or lines with markers: series told apart by colour, dash and marker shape, in data order."""
    count = len(labels)
    legend = alt.Legend(orient="bottom", labelLimit=0, columns=1, symbolStrokeWidth=3) if count > 1 else None

    def scale(values):
        return alt.Scale(domain=labels, range=list(values)[:count])

    colour = alt.Color("Series:N", title=None, sort=labels, scale=scale(house.palette), legend=legend)
    if kind == "bar":
        offset = alt.XOffset("Series:N", sort=labels, scale=alt.Scale(domain=labels))
        return [base.mark_bar(stroke=house.text_colour, strokeWidth=0.5).encode(x=x, y=y, color=colour, xOffset=offset)]
    dash = alt.StrokeDash("Series:N", sort=labels, scale=scale(DASHES), legend=legend)
    shape = alt.Shape("Series:N", sort=labels, scale=scale(SHAPES), legend=legend)
    line = base.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=colour, strokeDash=dash, detail="Segment:N")
    points = base.mark_point(size=70, filled=True, opacity=1).encode(x=x, y=y, color=colour, shape=shape)
    return [line, points]


def _value_labels(alt, base, kind: str, x, y, labels: list[str], house: HouseStyle) -> list:
    """Value labels, each a single text object on a background box (see label_backgrounds): over
    each bar, or where chart_labels found room clear of the lines (``y`` is then that place)."""
    text = {
        "fontSize": LABEL_SIZE,
        "font": house.chart_font,
        "color": house.text_colour,
        "stroke": house.background,
        "strokeWidth": 5,
        "strokeJoin": "round",
    }
    if kind == "bar":
        offset = alt.XOffset("Series:N", sort=labels, scale=alt.Scale(domain=labels))
        return [base.mark_text(dy=-9, **text).encode(x=x, y=y, xOffset=offset, text="Label:N")]
    return [base.mark_text(baseline="middle", **text).encode(x=x, y=y, text="Label:N")]


def _gap_markers(alt, figures: list[Figure], years: list[str], shown_years: list[str], x, y, house) -> list:
    """'no figure' at the foot of each year none of the series has a value for."""
    missing = [
        shown
        for year, shown in zip(years, shown_years, strict=True)
        if all(is_missing(f.history.get(year)) for f in figures)
    ]
    if not missing:
        return []
    gaps = alt.Chart(
        pd.DataFrame({"Year": missing, "Value": [0] * len(missing), "Label": ["no figure"] * len(missing)})
    )
    return [
        gaps.mark_text(dy=-8, color=house.text_colour, fontSize=11, font=house.chart_font, fontStyle="italic").encode(
            x=x, y=y, text="Label:N"
        )
    ]


def _configured(chart, house: HouseStyle):
    font, colour = house.chart_font, house.text_colour
    return (
        chart.properties(width=WIDTH, height=HEIGHT, background=house.background)
        .configure_axis(
            labelColor=colour,
            titleColor=colour,
            labelFontSize=12,
            titleFontSize=13,
            labelFont=font,
            titleFont=font,
            gridColor="#D9D9D9",
        )
        .configure_legend(labelColor=colour, labelFontSize=12, labelFont=font, labelLimit=0)
        .configure_view(stroke=None)
    )
