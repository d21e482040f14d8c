"""A generator of malformed inputs: parameters, the catalogue, data (CSV and XLSX), notebooks and _quarto.yml.

Each case names the file its message must name and the files it changes (new bytes, or None to
delete one). Every case is wrong on purpose, so `cswo validate` must refuse it with a located
message and no traceback. :func:`controls` are the same changes without the fault: they must be
accepted, so a case is refused for its fault and not for how the generator wrote the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import NamedTuple

import openpyxl
import yaml

from support import REFERENCE_YEAR, ROOT


class Case(NamedTuple):
    id: str
    file: str  # relative to the project: the file the message must name
    raw: bytes | None  # the file's new bytes
    also: dict[str, bytes | None] = {}  # other files changed with it (None deletes)

    @property
    def kind(self) -> str:
        if self.file.startswith("parameters/"):
            return "parameters"
        if self.file.endswith(".xlsx"):
            return "data (Excel)"
        return {".csv": "data (CSV)", ".ipynb": "notebooks"}.get(self.file[self.file.rfind(".") :], self.file)


PARAMS = f"parameters/{REFERENCE_YEAR}.yml"


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def data_cases() -> Iterator[Case]:
    for path in sorted((ROOT / "data").glob("*.csv")):
        name = f"data/{path.name}"
        text = path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        header, first = rows[0], rows[1]
        yield Case(f"{name}:extra-field", name, _csv([header, [*first, "oops"], *rows[2:]]))
        yield f"{name}:header-only", name, _csv([header])
        yield f"{name}:empty", name, b""
        yield (
            f"{name}:latin-1",
            name,
            _csv([header, [*first[:-1], first[-1] + " £"], *rows[2:]]).decode().encode("latin-1", errors="replace"),
        )
        yield f"{name}:utf-16", name, text.encode("utf-16")
        yield f"{name}:duplicate-header", name, _csv([[header[0], header[0], *header[2:]], *rows[1:]])
        yield f"{name}:nul-bytes", name, text.encode().replace(b"\n", b"\x00\n", 2)
        if "value" not in header:
            yield f"{name}:missing-column", name, _csv([r[:-1] if i == 0 else r for i, r in enumerate(rows)][:1])
            continue
        v, y, u, s = (header.index(c) for c in ("value", "year", "unit", "status"))
        row = next(r for r in rows[1:] if r[v])
        at = rows.index(row)
        for label, column, value in [
            ("underscore", v, "9_3"),
            ("full-width", v, "\uff19\uff13"),
            ("exponent", v, "1e300"),
            ("word", v, "abc"),
            ("huge", v, "99999999999999"),
            ("year-slash", y, "2021/22"),
            ("unit", u, "kg"),
            ("status", s, "q"),
            ("negative", v, "-5"),
        ]:
            changed = [list(r) for r in rows]
            changed[at][column] = value
            yield f"{name}:{label}", name, _csv(changed)


def _keys(value, path=()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, child in value.items():
            here = (*path, key)
            if path[-1:] == ("tables",):  # disclosure tables are named by the analyst
                continue
            yield here
            yield from _keys(child, here)


def _set(tree, path, change):
    tree = yaml.safe_load(yaml.safe_dump(tree))
    node = tree
    for key in path[:-1]:
        node = node[key]
    change(node, path[-1])
    return tree


def _rename(node, key):
    node[f"{key}_typo"] = node.pop(key)


def _wrong_type(node, key):
    node[key] = {"unexpected": [1, 2]}


def parameter_cases() -> Iterator[Case]:
    text = (ROOT / PARAMS).read_text(encoding="utf-8")
    tree = yaml.safe_load(text)
    dump = lambda t: yaml.safe_dump(t, sort_keys=False, allow_unicode=True).encode()  # noqa: E731
    for path in _keys(tree):
        where = ".".join(map(str, path))
        yield f"params:misspelt:{where}", PARAMS, dump(_set(tree, path, _rename))
        if not isinstance(_get(tree, path), dict):
            yield f"params:wrong-type:{where}", PARAMS, dump(_set(tree, path, _wrong_type))
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        laughs.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ",".join([f"*{chr(96 + n)}"] * 9) + "]")
    first = next(line for line in text.splitlines() if line[:1].isalpha())  # a top-level key, not a comment
    for label, raw in [
        ("utf-16", text.encode("utf-16")),
        ("latin-1", (text + "\n# £\n").encode("latin-1", errors="replace")),
        ("duplicate-key", (first + "\n" + text).encode()),
        ("billion-laughs", ("\n".join(laughs) + "\n" + text).encode()),
        ("truncated", text.encode()[: len(text) // 2]),
        ("tab-indent", text.replace("  ", "\t", 3).encode()),
        ("bad-date", text.replace("meeting_date: ", "meeting_date: 2022-13-45 #", 1).encode()),
        ("year-slash", text.replace(f"year: {REFERENCE_YEAR}", "year: 2021/22", 1).encode()),
        ("empty", b""),
        ("list", b"- a\n- b\n"),
    ]:
        yield f"params:{label}", PARAMS, raw


CATALOGUE = "catalogue.yml"
# the keys a catalogue defines (a table's or a measure's own name is the council's to choose)
CATALOGUE_KEYS = {"title", "description", "sections", "measures", "label", "unit", "breakdowns", "required"}
CATALOGUE_KEYS |= {"rules", "year_basis", "unit_label", "scale", "tables", "text_tables", "number_style"}


def catalogue_cases() -> Iterator[Case]:
    """The project's catalogue.yml: every key of the wrong type or misspelt, the encodings the
    parameters are refused in, and the shapes a council has been seen to write by mistake."""
    text = (ROOT / CATALOGUE).read_text(encoding="utf-8")
    tree = yaml.safe_load(text)
    dump = lambda t: yaml.safe_dump(t, sort_keys=False, allow_unicode=True).encode()  # noqa: E731
    sampled = set(list(tree["tables"])[:2])  # every key of two tables: the others repeat the same keys
    for path in _catalogue_keys(tree):
        if len(path) > 1 and path[0] == "tables" and path[1] not in sampled:
            continue
        where = ".".join(map(str, path))
        yield f"catalogue:wrong-type:{where}", CATALOGUE, dump(_set(tree, path, _wrong_type))
        if path[-1] in CATALOGUE_KEYS - {"tables", "measures"}:
            yield f"catalogue:misspelt:{where}", CATALOGUE, dump(_set(tree, path, _rename))
    table = next(iter(tree["tables"]))
    measure = next(iter(tree["tables"][table]["measures"]))
    here = ("tables", table, "measures", measure)
    for label, path, value in [
        ("table-as-text", ("tables", table), "complaints"),
        ("measures-as-list", ("tables", table, "measures"), ["a", "b"]),
        ("required-7", (*here, "required"), 7),
        ("rule-share_of-5", (*here, "rules"), [{"share_of": 5}]),
        ("label-42", (*here, "label"), 42),
        ("label-list", (*here, "label"), ["Complaints", "received"]),
        ("sections-text", ("tables", table, "sections"), "children"),
        ("unit-unknown", (*here, "unit"), "parsecs"),
        ("rule-unknown", (*here, "rules"), ["sum_to_whatever"]),
    ]:
        yield (
            f"catalogue:{label}",
            CATALOGUE,
            dump(_set(tree, path, lambda node, key, v=value: node.__setitem__(key, v))),
        )
    first = next(line for line in text.splitlines() if line[:1].isalpha())
    for label, raw in [
        ("utf-16", text.encode("utf-16")),
        ("latin-1", (text + "\n# £\n").encode("latin-1", errors="replace")),
        ("duplicate-key", (first + "\n" + text).encode()),
        ("truncated", text.encode()[: len(text) // 2 + 7]),
        ("tab-indent", text.replace("  ", "\t", 3).encode()),
        ("list", b"- tables\n"),
        ("unknown-top-level", text.encode() + b"\ncolours: {}\n"),
    ]:
        yield f"catalogue:{label}", CATALOGUE, raw


def _catalogue_keys(value, path=()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, child in value.items():
            here = (*path, key)
            yield here
            yield from _catalogue_keys(child, here)


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def notebook_cases() -> Iterator[Case]:
    for path in sorted((ROOT / "notebooks" / REFERENCE_YEAR).glob("*.ipynb")):
        name = f"notebooks/{REFERENCE_YEAR}/{path.name}"
        raw = path.read_bytes()
        yield f"{name}:truncated", name, raw[: len(raw) // 2]
        yield f"{name}:empty", name, b""
        yield f"{name}:no-cells", name, b'{"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": []}'
        yield f"{name}:cells-not-list", name, b'{"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": 5}'
        yield f"{name}:latin-1", name, raw.replace(b"}", b' "\xa3"}', 1)
        yield f"{name}:null", name, b"null"


def quarto_cases() -> Iterator[Case]:
    name = "_quarto.yml"
    text = (ROOT / name).read_text(encoding="utf-8")
    for label, raw in [
        ("toc-depth-word", "format:\n  docx:\n    toc-depth: two\n"),
        ("toc-depth-99", "format:\n  docx:\n    toc-depth: 99\n"),
        ("format-list", "format: [docx, typst]\n"),
        ("format-number", "format: 5\n"),
        ("format-options-text", "format:\n  docx: big\n"),
        ("top-level-list", "- format\n"),
        ("invalid-yaml", "format: [docx\n"),
        ("duplicate-key", "format:\n  docx: {}\nformat:\n  typst: {}\n"),
    ]:
        yield f"quarto:{label}", name, raw.encode()
    yield "quarto:utf-16", name, text.encode("utf-16")
    yield "quarto:latin-1", name, (text + "\n# £\n").encode("latin-1", errors="replace")


XLSX_TABLE = "complaints"  # has counts and percentages


def _typed(cell: str) -> object:
    """A CSV cell as an analyst would type it into Excel (numbers as numbers)."""
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return cell or None


def _xlsx(sheets: dict[str, list[list]], change=None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    if change:
        change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table_rows() -> list[list]:
    rows = list(csv.reader(io.StringIO((ROOT / "data" / f"{XLSX_TABLE}.csv").read_text(encoding="utf-8"))))
    return [rows[0], *[[_typed(c) for c in r] for r in rows[1:]]]


def _set_value(unit: str, value: object, number_format: str | None = None):
    """A change to the first row of ``unit`` in the first sheet: its value cell."""

    def change(book):
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("unit")].value == unit)
        cell = row[header.index("value")]
        cell.value = value
        if number_format:
            cell.number_format = number_format

    return change


def workbook_cases() -> Iterator[Case]:
    """A table kept as a workbook (data/<table>.xlsx instead of its CSV), and the year's returns workbook."""
    name, csv_name = f"data/{XLSX_TABLE}.xlsx", f"data/{XLSX_TABLE}.csv"
    rows = _table_rows()
    instead = {csv_name: None}
    for label, change in [
        ("text-value", _set_value("count", "about forty")),
        ("underscore", _set_value("count", "9_3")),
        ("full-width", _set_value("count", "\uff19\uff13")),
        ("exponent-number", _set_value("count", 1e300)),
        ("huge-count", _set_value("count", 99_999_999_999)),
        ("percent-cell-over-100", _set_value("percent", 1.5, "0%")),
        ("negative", _set_value("count", -5)),
        ("extra-column", lambda book: book.worksheets[0].cell(row=1, column=20, value="comments")),
    ]:
        yield Case(f"{name}:{label}", name, _xlsx({XLSX_TABLE: rows}, change), instead)
    yield Case(f"{name}:header-only", name, _xlsx({XLSX_TABLE: rows[:1]}), instead)
    yield Case(f"{name}:no-cells", name, _xlsx({XLSX_TABLE: []}), instead)
    yield Case(f"{name}:not-a-workbook", name, b"PK\x03\x04 not really a zip", instead)
    yield Case(f"{name}:empty-file", name, b"", instead)
    yield Case(f"{name}:beside-its-csv", name, _xlsx({XLSX_TABLE: rows}))
    returns = f"data/returns/{REFERENCE_YEAR}.xlsx"
    for label, sheets in [
        ("misnamed-sheet", {XLSX_TABLE[:-1]: rows}),
        ("notes-sheet", {"my notes": [["complaints were up this year", 12]]}),
        ("header-only-sheet", {XLSX_TABLE: rows[:1]}),
    ]:
        yield Case(f"{returns}:{label}", returns, _xlsx(sheets))
    yield Case(f"{returns}:not-a-workbook", returns, b"\x00garbage", {})


def controls() -> list[Case]:
    """The workbook cases' changes with nothing wrong: each must validate cleanly."""
    name = f"data/{XLSX_TABLE}.xlsx"
    rows = _table_rows()
    share = _set_value("percent", next(r[3] for r in rows[1:] if r[4] == "percent") / 100, "0%")
    return [
        Case(f"{name}:control", name, _xlsx({XLSX_TABLE: rows}), {f"data/{XLSX_TABLE}.csv": None}),
        Case(f"{name}:control-percent-cell", name, _xlsx({XLSX_TABLE: rows}, share), {f"data/{XLSX_TABLE}.csv": None}),
    ]


def all_cases() -> list[Case]:
    found = [*parameter_cases(), *catalogue_cases(), *data_cases(), *notebook_cases(), *quarto_cases()]
    found += workbook_cases()
    return [case if isinstance(case, Case) else Case(*case) for case in found]
