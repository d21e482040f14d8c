"""CSV text read as RFC 4180 says: a quoted field may hold a line break or a carriage return."""

from __future__ import annotations

import pytest

from cswo.data.cells import read_csv_text

HEADER = "year,measure,breakdown,value,unit,status,source,note"


@pytest.mark.parametrize("inside", ["\r", "\n", "\r\n"])
@pytest.mark.parametrize("ending", ["\r\n", "\n"])
def test_a_quoted_line_break_stays_in_its_field(inside, ending):
    text = ending.join([HEADER, f'2021-22,m,total,5,count,,"Log{inside}part two",', "2021-22,m,a,3,count,,x,", ""])
    problems: list = []
    frame = read_csv_text(text, "data/t.csv", problems)
    assert problems == []
    assert list(frame["source"]) == [f"Log{inside}part two", "x"]
    assert list(frame.index) == [0, 1]  # two data rows: the break did not split the first
