"""A workbook as plain text, so `git diff` shows which cells of a returns workbook changed.

`make hooks` sets this as git's textconv for ``data/returns/*.xlsx`` (see .gitattributes): each
sheet is printed under its name, one row a line, cells separated by tabs, values as stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def workbook_lines(path: Path) -> Iterator[str]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in workbook.worksheets:
            yield f"== sheet {sheet.title} =="
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = ["" if value is None else str(value) for value in row]
                while cells and cells[-1] == "":
                    cells.pop()
                if cells:
                    yield f"{number}\t" + "\t".join(cells)
    finally:
        workbook.close()
