"""The CLI's one printer: everything it prints, however produced, is masked first.

Messages quote what the analyst wrote (a cell, a heading, a file name, a parameter), so a CHI, NHS or
NI number, email, phone or postcode in any of them is masked here, whatever raised it: plain text,
a message, and every cell and title of a table. Nothing else in the CLI calls the mask.
"""

from __future__ import annotations

import copy

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cswo.errors import add_message_filter, message


def mask(text: str) -> str:
    """The identifier mask (its patterns load when a first line is shown, not at start-up)."""
    from cswo.safeguards.identifiers import redact  # lazy: the patterns load when a line is shown

    return redact(text)


def _masked(item):
    if isinstance(item, str):
        return mask(item)
    if isinstance(item, Table):
        table = copy.deepcopy(item)
        table.title = mask(table.title) if isinstance(table.title, str) else table.title
        for column in table.columns:
            column.header = _masked(column.header)
            column._cells = [_masked(cell) for cell in column._cells]
        return table
    return item


class MaskedConsole(Console):
    """A console that masks every string and table it is given before printing it."""

    def print(self, *objects, **options) -> None:
        super().print(*(_masked(o) for o in objects), **options)


add_message_filter(mask)  # the error path: every message() is masked too
console = MaskedConsole(stderr=True)


def say(text: BaseException | str, style: str = "", prefix: str = "") -> None:
    """Print one message to the analyst (an error is shown as :func:`cswo.errors.message` words it)."""
    body = escape(message(text))
    if prefix:
        body = f"[bold {style}]{prefix}[/] {body}" if style else f"{prefix} {body}"
    elif style:
        body = f"[{style}]{body}[/]"
    console.print(body, highlight=False, soft_wrap=True)


def listed(heading: str, items: list, by_file: bool = False) -> None:
    """A heading and its items, grouped by file when asked."""
    if not items:
        return
    console.print(f"\n[bold]{heading}[/] ({len(items)})")
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.file if by_file else "", []).append(item)
    for group, members in groups.items():
        if group:
            console.print(f"  [bold]{escape(group)}[/] ({len(members)})")
        for item in members:
            console.print(f"{'    ' if group else '  '}- {escape(str(item))}", highlight=False, soft_wrap=True)
