"""Whatever lands in data/, validation answers with located problems, never a traceback.

Hypothesis feeds damaged CSV and Excel tables (wrong types, dropped or reordered
columns, repeated rows, stray whitespace, other encodings, random bytes and text)
to ``validate_tables``. It must return; every problem must name a file and a
rule; damaged input must give at least one problem, and harmless whitespace none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import openpyxl
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cswo.data.load
from cswo.data.load import validate_tables
from cswo.data.schemas import COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, parse_number
from cswo.errors import Problem
from cswo.project.catalogue import parse_catalogue
from cswo.project.paths import Project, is_financial_year

FAST = settings(max_examples=30, deadline=None)
YEAR = "2021-22"
CATALOGUE = parse_catalogue(
    yaml.safe_load(
        """
tables:
  complaints:
    title: Complaints
    sections: [complaints]
    measures:
      complaints_received:
        label: Social work complaints received
        unit: count
        breakdowns: {childrens_services: Children's Services, community_justice: Community Justice}
        required: [total, childrens_services, community_justice]
        rules: [parts_sum_to_total]
      complaint_outcome_share:
        label: Complaints by outcome
        unit: percent
        breakdowns: {upheld: Upheld, not_upheld: Not upheld}
        rules: [shares_sum_to_100]
"""
    )
)
SOURCE = "CSWO Annual Report 2021-22"
VALID_ROWS = [  # every column of COLUMNS, in its order; the optional ones after the source left blank
    [*row, *[""] * (len(COLUMNS) - len(row))]
    for row in (
        ["2020-21", "complaints_received", "total", "9", "count", "", SOURCE],
        ["2021-22", "complaints_received", "total", "10", "count", "", SOURCE],
        ["2021-22", "complaints_received", "childrens_services", "6", "count", "", SOURCE],
        ["2021-22", "complaints_received", "community_justice", "4", "count", "", SOURCE, "checked"],
        ["2021-22", "complaint_outcome_share", "upheld", "40", "percent", "", SOURCE],
        ["2021-22", "complaint_outcome_share", "not_upheld", "60", "percent", "", SOURCE],
    )
]
FORMATS = st.sampled_from(["csv", "xlsx"])


def csv_bytes(header: list, rows: list[list], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header: list, rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "complaints"
    sheet.append(header)
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_file(form: str, header: list, rows: list[list]) -> dict[str, bytes]:
    if form == "csv":
        return {"complaints.csv": csv_bytes(header, rows)}
    return {"complaints.xlsx": xlsx_bytes(header, rows)}


@contextmanager
def project_with(files: dict[str, bytes]) -> Iterator[Project]:
    with (
        tempfile.TemporaryDirectory() as folder,
        patch.object(cswo.data.load, "load_catalogue", lambda project: CATALOGUE),
    ):
        root = Path(folder)
        (root / "data").mkdir()
        for name, content in files.items():
            (root / "data" / name).write_bytes(content)
        yield Project(root)


def validate(files: dict[str, bytes]) -> list[Problem]:
    """validate_tables must return, and every problem must say where and what."""
    with project_with(files) as project:
        _dataset, problems = validate_tables(project, YEAR)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file.strip() and problem.rule.strip(), problem
        assert problem.row is None or problem.row >= 1, problem
        assert str(problem)
    return problems


def test_valid_rows_are_valid():
    """The starting point of every property below has no problems in either format."""
    for form in ("csv", "xlsx"):
        assert validate(table_file(form, COLUMNS, VALID_ROWS)) == []


# --- harmless changes ---------------------------------------------------------------------

PADDING = st.text(alphabet=" \t\u00a0", max_size=3)


@FAST
@given(form=FORMATS, data=st.data())
def test_stray_whitespace_and_header_case_are_harmless(form, data):
    def padded(cell: str) -> str:
        return data.draw(PADDING) + cell + data.draw(PADDING)

    case = data.draw(st.sampled_from([str.lower, str.upper, str.title]))
    header = [padded(case(name)) for name in COLUMNS]
    rows = [[padded(cell) for cell in row] for row in VALID_ROWS]
    assert validate(table_file(form, header, rows)) == []


@FAST
@given(form=FORMATS, order=st.permutations(range(len(COLUMNS))))
def test_column_order_is_harmless(form, order):
    header = [COLUMNS[i] for i in order]
    rows = [[row[i] for i in order] for row in VALID_ROWS]
    assert validate(table_file(form, header, rows)) == []


# --- damaged tables -----------------------------------------------------------------------

# a NUL character makes the whole file unreadable as text, which is refused (and tested) at the
# file, not the cell: the cells here hold any other character
CELL_CHARACTERS = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
NOT_A_NUMBER = st.text(CELL_CHARACTERS, min_size=1, max_size=20).filter(
    lambda text: text.strip() != "" and parse_number(text.strip()) is None
)
NOT_A_YEAR = st.text(CELL_CHARACTERS, max_size=12).filter(lambda text: not is_financial_year(text.strip()))
# Excel cells cannot hold control characters, and '=' would make a formula.
SHEET_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda text: not text.startswith("=")
)
EXCEL_NOT_A_NUMBER = st.one_of(
    st.booleans(),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1)),
    SHEET_TEXT.filter(lambda text: text.strip() != "" and parse_number(text.strip()) is None),
)
EXCEL_NOT_A_YEAR = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
    st.booleans(),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1)),
    SHEET_TEXT.filter(lambda text: not is_financial_year(text.strip())),
)


@FAST
@given(
    form=FORMATS,
    column=st.sampled_from(["value", "year"]),
    index=st.integers(0, len(VALID_ROWS) - 1),
    data=st.data(),
)
def test_wrong_type_in_value_or_year_is_located(form, column, index, data):
    if form == "csv":
        bad = data.draw(NOT_A_NUMBER if column == "value" else NOT_A_YEAR)
    else:
        bad = data.draw(EXCEL_NOT_A_NUMBER if column == "value" else EXCEL_NOT_A_YEAR)
    rows = [list(row) for row in VALID_ROWS]
    rows[index][COLUMNS.index(column)] = bad
    problems = validate(table_file(form, COLUMNS, rows))
    excel_row = index + 2
    assert any(p.row == excel_row and p.column == column for p in problems), problems


@FAST
@given(form=FORMATS, dropped=st.sets(st.sampled_from(COLUMNS), min_size=1, max_size=4))
def test_dropped_columns_are_named(form, dropped):
    keep = [i for i, name in enumerate(COLUMNS) if name not in dropped]
    rows = [[row[i] for i in keep] for row in VALID_ROWS]
    problems = validate(table_file(form, [COLUMNS[i] for i in keep], rows))
    missing = {p.column for p in problems if p.row == 1 and "column is missing" in p.rule}
    assert missing == dropped & set(REQUIRED_COLUMNS)
    if dropped <= set(OPTIONAL_COLUMNS):
        assert problems == []


@FAST
@given(
    form=FORMATS,
    copies=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6)), min_size=1, max_size=4),
)
def test_repeated_rows_are_each_reported(form, copies):
    rows = [list(row) for row in VALID_ROWS]
    for source, position in copies:
        rows.insert(min(position, len(rows)), list(VALID_ROWS[source]))
    seen, expected = set(), set()
    for excel_row, row in enumerate(rows, start=2):
        key = tuple(row[:3])
        if key in seen:
            expected.add(excel_row)
        seen.add(key)
    problems = validate(table_file(form, COLUMNS, rows))
    repeated = {p.row for p in problems if "already appear in an earlier row" in p.rule}
    assert repeated == expected
    assert {p.column for p in problems} == {"measure"}


LATIN_1_ONLY = st.characters(min_codepoint=0xA0, max_codepoint=0xFF)


@FAST
@given(
    index=st.integers(0, len(VALID_ROWS) - 1),
    before=st.text(alphabet="abc ", max_size=5),
    accent=LATIN_1_ONLY,
    after=st.text(alphabet="abc ", max_size=5),
)
def test_latin_1_file_is_reported_at_its_first_bad_line(index, before, accent, after):
    rows = [list(row) for row in VALID_ROWS]
    rows[index][COLUMNS.index("note")] = before + accent + after
    raw = csv_bytes(COLUMNS, rows, encoding="latin-1")
    problems = validate({"complaints.csv": raw})
    assert [(p.row, "UTF-8" in p.rule) for p in problems] == [(index + 2, True)]


# --- not a table at all -------------------------------------------------------------------


@FAST
@given(name=st.sampled_from(["complaints.csv", "complaints.xlsx"]), raw=st.binary(max_size=400))
def test_random_bytes(name, raw):
    problems = validate({name: raw})
    assert problems
    assert all(p.file == f"data/{name}" for p in problems)


@FAST
@given(text=st.text(max_size=300))
def test_random_text(text):
    problems = validate({"complaints.csv": text.encode("utf-8")})
    assert problems
    assert all(p.file == "data/complaints.csv" for p in problems)


@FAST
@given(
    header=st.lists(SHEET_TEXT, min_size=1, max_size=6, unique_by=str.lower),
    rows=st.lists(st.lists(st.one_of(SHEET_TEXT, st.integers(), st.none()), max_size=6), max_size=5),
)
def test_random_sheet(header, rows):
    assume(not set(REQUIRED_COLUMNS) <= {h.strip().lower() for h in header})
    problems = validate({"complaints.xlsx": xlsx_bytes(header, rows)})
    assert problems
    assert all(p.file == "data/complaints.xlsx" for p in problems)


@FAST
@given(raw=st.sampled_from([b"", b" ", b"\n", b"\r\n\r\n", b"\t \n", b"\xef\xbb\xbf", b",,,\n"]))
def test_empty_files(raw):
    problems = validate({"complaints.csv": raw})
    assert problems
    assert all(p.file == "data/complaints.csv" for p in problems)
