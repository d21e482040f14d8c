"""Value labels on line charts: placed clear of the lines, the markers, each other and the axis."""

from __future__ import annotations

import pandas as pd

from cswo.notebook.chart_labels import label_positions

YEARS = ["2019-20", "2020-21", "2021-22"]


def frame(values: list[float], labels: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Year": YEARS,
            "Segment": ["0-0"] * 3,
            "Value": values,
            "Label": labels or [f"{v:.1f}%" for v in values],
        }
    )


def test_a_low_point_between_two_high_ones_is_labelled_below_it():
    """A label over the dip of a steep V would sit on both lines: it goes under the point."""
    at = label_positions(frame([95.0, 30.0, 95.0]), YEARS, top=114.0, width=440, height=220, size=12)
    assert at[1] < 30.0  # below the dip
    assert at[0] > 95.0 and at[2] > 95.0  # the peaks above


def test_a_shallow_dip_keeps_its_label_above():
    at = label_positions(frame([95.0, 84.0, 95.0]), YEARS, top=114.0, width=440, height=220, size=12)
    assert 84.0 < at[1] < 95.0


def test_a_value_near_the_axis_is_never_labelled_on_it():
    at = label_positions(frame([60.0, 40.0, 2.0], ["60", "40", "2"]), YEARS, top=72.0, width=440, height=220, size=12)
    assert at[2] > 2.0  # above the point, not on the axis below it


def test_a_label_on_a_steep_line_moves_clear_of_it():
    """Next to a line that falls steeply into the point, the nearest place above would cross it."""
    values = [2_062_732, 1_663_544, 100_935]
    labels = ["£2,062,732", "£1,663,544", "£100,935"]
    at = label_positions(frame(values, labels), YEARS, top=2_475_278.4, width=440, height=220, size=12)
    pixels_above = (at[2] - values[2]) / 2_475_278.4 * 220
    assert pixels_above > 20  # further out than the plain offset of 15 pixels, which the line crosses
