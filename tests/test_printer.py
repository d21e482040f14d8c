"""The CLI's one printer masks everything it prints: plain text, messages and every cell of a table."""

from __future__ import annotations

import io

from rich.table import Table

from cswo.cli.printer import MaskedConsole, say
from cswo.errors import CSWOError

CHI = "0101011237"  # a valid CHI number (date and check digit), as a planted identifier


def printed(*objects) -> str:
    out = io.StringIO()
    MaskedConsole(file=out, width=200, color_system=None).print(*objects)
    return out.getvalue()


def test_a_table_is_masked_in_its_title_headings_and_cells():
    table = Table(title=f"Years for {CHI}")
    table.add_column(f"Heading {CHI}")
    table.add_row(f"parameters/2021-22.yml: 'council' is {CHI}")
    text = printed(table)
    assert CHI not in text and text.count("Heading") == 1 and "parameters/2021-22.yml" in text


def test_a_message_is_masked(capsys):
    say(CSWOError(f"data/complaints.csv, row 4: the value is not a number (value: '{CHI}')"), "red", "Error:")
    shown = capsys.readouterr().err
    assert CHI not in shown and "data/complaints.csv, row 4: the value is not a number" in shown.replace("\n", "")
