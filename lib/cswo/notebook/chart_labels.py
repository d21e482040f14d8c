"""Where a line chart's value labels go: clear of every line, marker, other label and the axis.

Vega-Lite places a text mark at a fixed offset from its point, so a label sat on its own line
wherever the line climbed or fell steeply, and a small value's label sat on the axis. Here each
label tries a few places around its point (above first, then below, then further out), in the
chart's own pixels, and takes the first whose box touches no line segment, no other point's
marker, no label already placed and stays inside the plot. The answer is the value at the
label's centre, which the chart then plots the label at.
"""

from __future__ import annotations

import pandas as pd

# advance widths of Liberation Sans / Arial in thousandths of an em; anything else counts as wide
ADVANCE = {**dict.fromkeys("0123456789£$?", 556), **dict.fromkeys(",.: ", 278), "%": 889, "-": 333}
ADVANCE.update({**dict.fromkeys("ijl", 222), **dict.fromkeys("frt", 333), **dict.fromkeys("mwMW%", 889)})
OFFSETS = (-15, 17, -27, 29, -39, 41)  # label centre above (-) or below (+) its point, in pixels
MARKER_RADIUS = 5


def text_width(text: str, size: float) -> float:
    return sum(ADVANCE.get(c, 611) for c in text) / 1000 * size


def label_positions(frame: pd.DataFrame, years: list[str], top: float, width: int, height: int, size: int) -> list:
    """The value at which to centre each row's label (frame: Year, Segment, Value, Label)."""
    step = width / max(1, len(years))
    place = {year: step * (i + 0.5) for i, year in enumerate(years)}

    def pixel(row) -> tuple[float, float]:
        return place[row.Year], height * (1 - float(row.Value) / top)

    points = {index: pixel(row) for index, row in frame.iterrows()}
    segments = []
    for _, group in frame.groupby("Segment", sort=False):
        ordered = sorted(group.index, key=lambda index: points[index][0])
        segments += [(points[a], points[b]) for a, b in zip(ordered, ordered[1:], strict=False)]
    placed, found = [], {}
    for index in frame.sort_values("Value", ascending=False).index:
        x, y = points[index]
        half = text_width(str(frame.at[index, "Label"]), size) / 2 + 2
        others = [p for i, p in points.items() if i != index]
        best, fewest = OFFSETS[0], None
        for offset in OFFSETS:
            box = (x - half, y + offset - size * 0.55, x + half, y + offset + size * 0.55)
            clashes = _clashes(box, segments, others, placed, height)
            if fewest is None or clashes < fewest:
                best, fewest = offset, clashes
            if not clashes:
                break
        box = (x - half, y + best - size * 0.55, x + half, y + best + size * 0.55)
        placed.append(box)
        found[index] = top * (1 - (y + best) / height)
    return [found[index] for index in frame.index]


def _clashes(box, segments, markers, placed, height) -> int:
    left, upper, right, lower = box
    count = int(upper < 0) + int(lower > height - 2) * 3  # outside the plot, or on the axis
    count += sum(_crosses(box, a, b) for a, b in segments)
    count += sum(
        left - MARKER_RADIUS < mx < right + MARKER_RADIUS and upper - MARKER_RADIUS < my < lower + MARKER_RADIUS
        for mx, my in markers
    )
    count += sum(left < r and l < right and upper < b and t < lower for l, t, r, b in placed)  # noqa: E741
    return count


def _crosses(box, a, b) -> bool:
    """Whether the segment a-b passes through the box (tested at close steps along it)."""
    left, upper, right, lower = box
    steps = 40
    for i in range(steps + 1):
        x = a[0] + (b[0] - a[0]) * i / steps
        y = a[1] + (b[1] - a[1]) * i / steps
        if left - 1 <= x <= right + 1 and upper - 1 <= y <= lower + 1:
            return True
    return False
