"""A generator of malformed inputs: parameters, the catalogue, data (CSV and XLSX), notebooks and _quarto.yml.

Each case names the file its message must name and the files it changes (new bytes, or None to
delete one). Every case is wrong on purpose, so `cswo validate` must refuse it with a located
message and no traceback. :func:`controls` are the same changes without the fault: they must be
accepted, so a case is refused for its fault and not for how the generator wrote the file.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import openpyxl
import yaml
from typer.testing import CliRunner

from cswo.cli import app
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


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def data_cases(root: Path = ROOT) -> Iterator[Case]:
    for path in sorted((root / "data").glob("*.csv")):
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
        # a row with a value (a new council's rows may all be marked x: then its first row)
        at = next((i for i, r in enumerate(rows) if i and len(r) > v and r[v]), 1)
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
    tree = copy.deepcopy(tree)
    node = tree
    for key in path[:-1]:
        node = node[key]
    change(node, path[-1])
    return tree


def _dump(tree) -> bytes:
    # libyaml's dumper where there is one: hundreds of catalogues are written
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(tree, Dumper=dumper, sort_keys=False, allow_unicode=True).encode()


def _rename(node, key):
    node[f"{key}_typo"] = node.pop(key)


def _wrong_type(node, key):
    node[key] = {"unexpected": [1, 2]}


def parameter_cases(root: Path = ROOT, year: str = REFERENCE_YEAR) -> Iterator[Case]:
    params = f"parameters/{year}.yml"
    text = (root / params).read_text(encoding="utf-8")
    tree = yaml.safe_load(text)
    dump = _dump
    for path in _keys(tree):
        where = ".".join(map(str, path))
        yield f"params:misspelt:{where}", params, dump(_set(tree, path, _rename))
        if not isinstance(_get(tree, path), dict):
            yield f"params:wrong-type:{where}", params, dump(_set(tree, path, _wrong_type))
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
        ("year-slash", text.replace(f"year: {year}", f"year: {year.replace('-', '/')}", 1).encode()),
        ("empty", b""),
        ("list", b"- a\n- b\n"),
    ]:
        yield f"params:{label}", params, raw


CATALOGUE = "catalogue.yml"
# the keys a catalogue defines (a table's or a measure's own name is the council's to choose)
CATALOGUE_KEYS = {"title", "description", "sections", "measures", "label", "unit", "breakdowns", "required"}
CATALOGUE_KEYS |= {"rules", "year_basis", "unit_label", "scale", "tables", "text_tables", "number_style"}


def catalogue_cases(root: Path = ROOT) -> Iterator[Case]:
    """The project's catalogue.yml: every key of the wrong type or misspelt, the encodings the
    parameters are refused in, and the shapes a council has been seen to write by mistake."""
    text = (root / CATALOGUE).read_text(encoding="utf-8")
    tree = yaml.safe_load(text)
    dump = _dump
    sampled = set(list(tree["tables"])[:2])  # every key of two tables: the others repeat the same keys
    for path in _catalogue_keys(tree):
        if len(path) > 1 and path[0] == "tables" and path[1] not in sampled:
            continue
        where = ".".join(map(str, path))
        yield f"catalogue:wrong-type:{where}", CATALOGUE, dump(_set(tree, path, _wrong_type))
        if path[-1] in CATALOGUE_KEYS - {"tables", "measures"}:
            yield f"catalogue:misspelt:{where}", CATALOGUE, dump(_set(tree, path, _rename))
    table = next((name for name, spec in tree["tables"].items() if (spec or {}).get("measures")), None)
    if table is None:  # a new council's catalogue adds nothing yet: only the file's own faults below
        yield from _catalogue_file_cases(text)
        return
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
    yield from _catalogue_file_cases(text)


def _catalogue_file_cases(text: str) -> Iterator[Case]:
    first = next(line for line in text.splitlines() if line[:1].isalpha())
    cut = len(text) // 2 + 7
    for label, raw in [
        ("utf-16", text.encode("utf-16")),
        ("latin-1", (text + "\n# £\n").encode("latin-1", errors="replace")),
        ("duplicate-key", (first + "\n" + text).encode()),
        ("truncated", text.encode()[:cut] if _keys_in(text[cut:]) > 1 else None),
        ("tab-indent", text.replace("  ", "\t", 3).encode() if _keys_in(text, indented=True) else None),
        ("list", b"- tables\n"),
        ("unknown-top-level", text.encode() + b"\ncolours: {}\n"),
    ]:
        if raw is not None:  # a catalogue of comments and `tables: {}` has no keys to cut or indent
            yield f"catalogue:{label}", CATALOGUE, raw


def _keys_in(text: str, indented: bool = False) -> int:
    """How many lines of YAML (not comments) ``text`` holds; ``indented``: only those indented."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return sum(1 for line in lines if line.startswith("  ") or not indented)


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


def notebook_cases(root: Path = ROOT, year: str = REFERENCE_YEAR) -> Iterator[Case]:
    for path in sorted((root / "notebooks" / year).glob("*.ipynb")):
        name = f"notebooks/{year}/{path.name}"
        raw = path.read_bytes()
        yield f"{name}:truncated", name, raw[: len(raw) // 2]
        yield f"{name}:empty", name, b""
        yield f"{name}:no-cells", name, b'{"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": []}'
        yield f"{name}:cells-not-list", name, b'{"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": 5}'
        yield f"{name}:latin-1", name, raw.replace(b"}", b' "\xa3"}', 1)
        yield f"{name}:null", name, b"null"


def quarto_cases(root: Path = ROOT) -> Iterator[Case]:
    name = "_quarto.yml"
    if not (root / name).is_file():  # a new council's project has none until it wants other formats
        return
    text = (root / name).read_text(encoding="utf-8")
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


def _table_rows(root: Path = ROOT) -> list[list]:
    rows = list(csv.reader(io.StringIO((root / "data" / f"{XLSX_TABLE}.csv").read_text(encoding="utf-8"))))
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


def workbook_cases(root: Path = ROOT, year: str = REFERENCE_YEAR) -> Iterator[Case]:
    """A table kept as a workbook (data/<table>.xlsx instead of its CSV), and the year's returns workbook."""
    name, csv_name = f"data/{XLSX_TABLE}.xlsx", f"data/{XLSX_TABLE}.csv"
    rows = _table_rows(root)
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
    returns = f"data/returns/{year}.xlsx"
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


def all_cases(root: Path = ROOT, year: str = REFERENCE_YEAR, kinds: tuple[str, ...] | None = None) -> list[Case]:
    """Every case the generator makes from the project at ``root`` for ``year`` (of ``kinds`` only:
    making every case takes a while)."""
    generators = {
        "parameters": lambda: parameter_cases(root, year),
        "catalogue.yml": lambda: catalogue_cases(root),
        "data (CSV)": lambda: data_cases(root),
        "notebooks": lambda: notebook_cases(root, year),
        "_quarto.yml": lambda: quarto_cases(root),
        "data (Excel)": lambda: workbook_cases(root, year),
    }
    found = [case for kind, make in generators.items() if kinds is None or kind in kinds for case in make()]
    return [case if isinstance(case, Case) else Case(*case) for case in found]


OUTCOMES = ("refused", "traceback", "silent failure", "silent acceptance", "unlocated", "wrong exit code")


def spread(cases: list[Case], per_kind: int) -> list[Case]:
    """A few cases of every kind, spread over the kind's list (the same ones every run)."""
    by_kind: dict[str, list[Case]] = {}
    for case in cases:
        by_kind.setdefault(case.kind, []).append(case)
    # offset by i so two picks from a file-by-file list land on different faults
    return [
        group[(i * len(group) // per_kind + 5 * i) % len(group)] for group in by_kind.values() for i in range(per_kind)
    ]


def run_with(root: Path, case: Case, args: list[str]):
    """A `cswo` command (``args``) with the case's files in place; the project is restored afterwards."""
    changes = {case.file: case.raw, **case.also}
    saved = {}
    for relative, raw in changes.items():
        path = root / relative
        saved[path] = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(raw)
    try:
        return CliRunner().invoke(app, ["--project", str(root), *args])
    finally:
        for path, raw in saved.items():
            if raw is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(raw)


def classify(result, file: str) -> tuple[str, str]:
    """How a `cswo` command handled one bad input in ``file``: one of OUTCOMES, and what it printed."""
    output = re.sub(r"\s+", " ", result.output)
    if "Traceback" in output or (result.exception and not isinstance(result.exception, SystemExit)):
        return "traceback", f"{type(result.exception).__name__}: {result.exception}"[:300]
    if result.exit_code == 0:
        return "silent acceptance", output[:300]
    if not output.strip():
        return "silent failure", f"exit {result.exit_code}"
    if result.exit_code != 2:
        return "wrong exit code", f"exit {result.exit_code}: {output[:300]}"
    if file not in output:
        return "unlocated", output[:300]
    return "refused", output[:300]


def summary(tally: dict[str, Counter], heading: str = "Kind", outcomes: tuple[str, ...] = OUTCOMES) -> str:
    """The sweep's figures as the Markdown table docs/robustness.md shows, a row per ``heading``."""
    lines = [f"| {heading} | Cases | " + " | ".join(o.capitalize() for o in outcomes) + " |"]
    lines.append("|---" * (len(outcomes) + 2) + "|")
    total = Counter()
    for kind, counts in sorted(tally.items()):
        total.update(counts)
        lines.append(f"| {kind} | {sum(counts.values())} | " + " | ".join(str(counts[o]) for o in outcomes) + " |")
    lines.append(f"| **all** | **{sum(total.values())}** | " + " | ".join(f"**{total[o]}**" for o in outcomes) + " |")
    return "\n".join(lines)


def write_section(path: Path, marker: str, body: str) -> None:
    """Replace the text between ``<!-- marker -->`` and ``<!-- /marker -->`` in ``path``."""
    text = path.read_text(encoding="utf-8")
    start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    before, rest = text.split(start, 1)
    path.write_text(before + start + "\n" + body + "\n" + end + rest.split(end, 1)[1], encoding="utf-8")
