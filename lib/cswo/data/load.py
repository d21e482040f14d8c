"""Loading the data tables: read, validate, and hand typed tables to notebooks.

Notebooks never open data files; they call :func:`load_dataset` (through
:mod:`cswo.notebook.section`) and get validated tables. Every problem in every file is
collected and raised together as one :class:`DataValidationError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from cswo.data.cells import read_first_sheet, read_text_table, tidy
from cswo.data.consistency import consistency_failures
from cswo.data.dataset import Dataset
from cswo.data.queries import QUERY_COLUMN, Query, rows_under_query
from cswo.data.returns import Block, read_returns
from cswo.data.schemas import (
    COLUMNS,
    FIGURE_KEY,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ROW_CHECK_COLUMN,
    TEXT_TABLE_COLUMNS,
    parse_number,
    row_schema,
    text_schema,
)
from cswo.data.units import unit_slips
from cswo.errors import DataValidationError, Problem
from cswo.project.catalogue import TOTAL, Table, load_catalogue
from cswo.project.paths import Project, year_start

if TYPE_CHECKING:
    import pandera.pandas as pa

HEADER_ROWS = 1  # the analyst's row number is the frame index + 2


@dataclass
class Source:
    """Where a block of rows came from, as the analyst would name it."""

    label: str  # e.g. "data/complaints.csv" or "data/returns/2022-23.xlsx, sheet 'complaints'"
    frame: pd.DataFrame  # text cells, index = 0-based data row


def _header_problems(frame: pd.DataFrame, label: str, expected: list[str], required: list[str]) -> list[Problem]:
    problems = [
        Problem(label, 1, column, None, "this column appears more than once in the header row")
        for column in dict.fromkeys(frame.columns[frame.columns.duplicated()])
    ]
    if problems:
        return problems
    for column in required:
        if column not in frame.columns:
            problems.append(Problem(label, 1, column, None, "this required column is missing from the header row"))
    for column in frame.columns:
        if column not in expected:
            problems.append(
                Problem(label, 1, column, None, f"this column is not expected; the columns are {', '.join(expected)}")
            )
    return problems


def _schema_problems(
    exc: pa.errors.SchemaErrors, label: str, frame: pd.DataFrame, rows: list[int] | None = None
) -> list[Problem]:
    """Pandera's failure cases as located problems; ``rows`` maps frame position to file row."""
    problems: dict[tuple, Problem] = {}
    cases = exc.failure_cases
    for case in cases.itertuples():
        check = str(case.check)
        index = case.index
        if check in ROW_CHECK_COLUMN:
            column = ROW_CHECK_COLUMN[check]
        else:
            column = case.column if isinstance(case.column, str) else None
        if check.startswith("column_in_dataframe") or check.startswith("column_in_schema"):
            continue  # header problems are reported by _header_problems
        if "field_uniqueness" in check or "multiple_fields_uniqueness" in check or "unique" in check.lower():
            column, check = "measure", "this year, measure and breakdown already appear in an earlier row"
        if index is None or pd.isna(index):
            row = None
        else:
            row = rows[int(index)] if rows else int(index) + 1 + HEADER_ROWS
        value = None
        if row is not None and column in frame.columns:
            value = frame.loc[int(index), column]
        key = (row, column, check)
        if key not in problems:
            problems[key] = Problem(label, row, column, value, check)
    return list(problems.values())


def _validate_block(source: Source, table: Table) -> tuple[pd.DataFrame | None, list[Problem]]:
    file_rows = [int(i) + 1 + HEADER_ROWS for i in source.frame.index]
    frame = source.frame.reset_index(drop=True)
    problems = _header_problems(frame, source.label, COLUMNS, REQUIRED_COLUMNS)
    if problems:
        return None, problems
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    from pandera.errors import SchemaErrors  # validation only: kernels read validated data

    try:
        row_schema(table).validate(frame, lazy=True)
    except SchemaErrors as exc:
        problems = _schema_problems(exc, source.label, frame, file_rows)
    typed = frame.copy()
    typed["number"] = typed["value"].map(parse_number).astype("float64")
    typed["file"] = source.label
    typed["row"] = file_rows
    return typed, problems


def _table_sources(
    project: Project,
    year: str,
    name: str,
    problems: list[Problem],
    unfilled: dict[tuple[str, str, str], tuple[str, int]] | None = None,
    returns: dict[str, list[Block]] | None = None,
) -> list[Source]:
    unfilled = {} if unfilled is None else unfilled
    returns = {} if returns is None else returns
    sources = []
    csv, xlsx = project.table_file(name), project.table_file(name, ".xlsx")
    csv_label, xlsx_label = project.shown(csv), project.shown(xlsx)
    if csv.exists() and xlsx.exists():
        problems.append(Problem(xlsx_label, None, None, None, f"both {csv_label} and {xlsx_label} exist: keep one"))
    if csv.exists():
        frame = read_text_table(csv, csv_label, problems)
        if frame is not None:
            sources.append(Source(csv_label, tidy(frame)))
    elif xlsx.exists():
        frame = read_first_sheet(xlsx, xlsx_label, problems)
        if frame is not None:
            sources.append(Source(xlsx_label, tidy(frame)))
    for block in returns.get(name, []):
        frame = tidy(block.frame)
        if {"value", "status"} <= set(frame.columns):
            # rows the template pre-filled but nobody has filled in yet are not data:
            # the completeness check reports them, at their sheet and row, as missing
            blank = (frame["value"] == "") & (frame["status"] == "")
            for index, r in frame[blank].iterrows():
                unfilled[(name, r.get("measure", ""), r.get("breakdown", ""))] = (block.label, int(index) + 2)
            frame = frame[~blank]
        if len(frame.columns):
            sources.append(Source(block.label, frame))
    return sources


def _without_answered_placeholders(frame: pd.DataFrame) -> pd.DataFrame:
    """A figure marked ``x`` with no value (not yet collected, as ``cswo init`` writes them) gives
    way to the same figure given in another file, such as the year's filled returns workbook."""
    placeholder = (frame["status"] == "x") & (frame["value"] == "")
    answered = frame[~placeholder].set_index(FIGURE_KEY).index
    superseded = placeholder & frame.set_index(FIGURE_KEY).index.isin(answered)
    return frame[~superseded].reset_index(drop=True)


@dataclass
class _Found:
    """What validating a year's tables collects, table by table."""

    problems: list[Problem] = field(default_factory=list)
    files: dict[str, list[str]] = field(default_factory=dict)
    unfilled: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict)
    slips: list[dict] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)
    rule_of: dict[int, tuple[str, str]] = field(default_factory=dict)  # a report year's sum problem -> (table, measure)


def validate_tables(project: Project, year: str, sections: list[str] | None = None) -> tuple[Dataset, list[Problem]]:
    """Read and check every table. Returns the dataset and all problems found."""
    catalogue = load_catalogue(project)
    found = _Found()
    sections_of = {name: table.sections for name, table in catalogue.items()}
    returns = read_returns(project, year, set(catalogue), found.problems, sections_of)
    known = set(catalogue) | set(catalogue.text_tables)
    for path in sorted(project.data_dir.glob("*")):
        if path.suffix in (".csv", ".xlsx") and path.stem not in known and not path.name.startswith("~$"):
            found.problems.append(
                Problem(project.shown(path), None, None, None, "this file is not a known table; see data/README.md")
            )
    tables = {}
    for name, table in catalogue.items():
        frame = _checked_table(project, year, name, table, returns, found)
        if frame is not None:
            tables[name] = frame
    text_tables = _checked_text_tables(project, year, catalogue.text_tables, found)
    dataset = Dataset(
        year=year,
        tables=tables,
        text_tables=text_tables,
        files=found.files,
        unfilled=found.unfilled,
        slips=found.slips,
        queries=found.queries,
    )
    problems = found.problems
    if sections is not None:
        missing = missing_figures(dataset, sections, catalogue)
        # a sum that fails only because a required part of this year is missing says nothing more
        gaps = {(name, m.measure) for name, m in missing}
        problems = [p for p in problems if found.rule_of.get(id(p)) not in gaps] + [m.problem for _, m in missing]
    problems.sort(key=lambda p: (p.file, p.row or 0))
    return dataset, problems


def _checked_table(project, year: str, name: str, table: Table, returns, found: _Found) -> pd.DataFrame | None:
    """One table's rows up to ``year`` from every file that gives them, each row checked, then the rows
    checked against each other; None when no file gives a readable block."""
    blocks, bad_rows, before = [], set(), len(found.problems)
    sources = _table_sources(project, year, name, found.problems, found.unfilled, returns)
    # a row left out as unreadable (a stray comma) has no year we can trust: check no sums
    rows_left_out = any(p.row is not None for p in found.problems[before:])
    found.files[name] = [s.label for s in sources]
    for source in sources:
        typed, problems = _validate_block(source, table)
        found.problems.extend(problems)
        bad_rows |= {(p.file, p.row) for p in problems}
        if typed is not None:
            blocks.append(typed)
    if not blocks:
        return None
    frame = pd.concat(blocks, ignore_index=True)
    if len(blocks) > 1:
        frame = _without_answered_placeholders(frame)
        found.problems.extend(_given_twice(frame))
    upto = frame["year"].map(lambda y: _valid_year_upto(y, year)).astype(bool)
    # a year with a bad row is checked across rows once that row is fixed: a misspelt
    # measure would otherwise read as a breakdown not reported, and a sum fail besides
    places = zip(frame["year"], frame["file"], frame["row"], strict=True)
    bad_years = {y for y, f, r in places if (f, r) in bad_rows}
    checked = frame[~frame["year"].isin(bad_years)].drop_duplicates(FIGURE_KEY)
    checked = checked.iloc[0:0] if rows_left_out else checked
    _check_across_rows(frame, checked, upto, name, table, year, found)
    found.problems.extend(unit_slips(frame[~frame["year"].isin(bad_years)], table, year))
    visible = frame[upto]
    found.queries.extend(rows_under_query(visible, name))
    return visible.reset_index(drop=True)


def _given_twice(frame: pd.DataFrame) -> list[Problem]:
    """A figure given in two files (the data CSV and the returns workbook), at the second."""
    first_file = frame.groupby(FIGURE_KEY)["file"].transform("first")
    dupes = frame.duplicated(FIGURE_KEY, keep="first") & (frame["file"] != first_file)
    return [
        Problem(
            r.file,
            r.row,
            "measure",
            r.measure,
            f"this year, measure and breakdown are already given in {first_file[r.Index]}: "
            "give each figure in one file only (the data CSV or the returns workbook)",
        )
        for r in frame[dupes].itertuples()
    ]


def _check_across_rows(frame, checked, upto, name: str, table: Table, year: str, found: _Found) -> None:
    """The catalogue's rules across rows (parts sum to the total...): a failure is a problem at its
    row, unless the row gives a known slip's reason, which is kept (up to ``year``) for the QA record."""
    for failure in consistency_failures(checked, table):
        r = frame.loc[failure.index]
        if not failure.slip:
            problem = Problem(
                r["file"],
                int(r["row"]),
                "value",
                r["value"],
                f"{failure.message}. Correct the figure, or, to keep a figure published this way, give "
                "the reason in this row's known_slip column",
            )
            found.problems.append(problem)
            if failure.year == year:
                found.rule_of[id(problem)] = (name, failure.measure)
        elif upto[failure.index]:
            slip = {"table": name, "measure": r["measure"], "year": r["year"], "file": r["file"]}
            found.slips.append(slip | {"row": int(r["row"]), "message": failure.message, "reason": failure.slip})


def _checked_text_tables(project: Project, year: str, declared: dict, found: _Found) -> dict[str, pd.DataFrame]:
    """The text tables the catalogue declares, each read and checked; rows under query kept apart."""
    from pandera.errors import SchemaErrors  # validation only: kernels read validated data

    text_tables = {}
    for name, own_columns in declared.items():
        path = project.table_file(name)
        if not path.exists():
            continue
        label = project.shown(path)
        frame = read_text_table(path, label, found.problems)
        if frame is None:
            continue
        frame = tidy(frame)
        file_rows = [int(i) + 1 + HEADER_ROWS for i in frame.index]
        frame = frame.reset_index(drop=True)
        if QUERY_COLUMN in frame.columns:  # any table may carry a query column; text tables keep it apart
            located = frame.assign(file=label, row=file_rows)
            found.queries.extend(
                rows_under_query(located[located["year"].map(lambda y: _valid_year_upto(y, year))], name)
            )
            frame = frame.drop(columns=[QUERY_COLUMN])
        columns = [*TEXT_TABLE_COLUMNS, *own_columns]
        header = _header_problems(frame, label, columns, columns)
        if header:
            found.problems.extend(header)
            continue
        try:
            text_schema(own_columns).validate(frame, lazy=True)
        except SchemaErrors as exc:
            found.problems.extend(_schema_problems(exc, label, frame, file_rows))
        text_tables[name] = frame
    return text_tables


def _valid_year_upto(value: str, year: str) -> bool:
    try:
        return year_start(value) <= year_start(year)
    except ValueError:
        return False


@dataclass(frozen=True)
class _Missing:
    measure: str
    problem: Problem


def missing_figures(dataset: Dataset, sections: list[str], catalogue: dict[str, Table]) -> list[tuple[str, _Missing]]:
    """Required figures for the report year that have no row at all: (table, what is missing)."""
    found = []
    for name, table in catalogue.items():
        if not set(table.sections) & set(sections):
            continue
        frame = dataset.tables.get(name)
        have = set()
        if frame is not None:
            this_year = frame[frame["year"] == dataset.year]
            have = set(zip(this_year["measure"], this_year["breakdown"], strict=True))
        label = (dataset.files.get(name) or [f"data/{name}.csv"])[0]
        for measure in table.measures.values():
            for breakdown in measure.required:
                if (measure.name, breakdown) not in have:
                    problem = _missing_problem(dataset, name, label, measure, breakdown)
                    found.append((name, _Missing(measure.name, problem)))
    return found


def _missing_problem(dataset: Dataset, table: str, label: str, measure, breakdown: str) -> Problem:
    what = measure.label if breakdown == TOTAL else f"{measure.label} ({measure.breakdown_label(breakdown)})"
    where = dataset.unfilled.get((table, measure.name, breakdown))
    if where:
        return Problem(
            where[0],
            where[1],
            "value",
            None,
            f"{what} for {dataset.year} is missing: fill in the value on this row "
            f"(measure '{measure.name}', breakdown '{breakdown}'), or put x (not available) in status",
        )
    return Problem(
        label,
        None,
        "value",
        None,
        f"{what} for {dataset.year} is missing: add a row for measure "
        f"'{measure.name}', breakdown '{breakdown}', or mark it x (not available) in status",
    )


def load_dataset(project: Project, year: str, sections: list[str] | None = None) -> Dataset:
    """The validated dataset for ``year``. Raises DataValidationError listing every problem."""
    dataset, problems = validate_tables(project, year, sections)
    if problems:
        raise DataValidationError(problems)
    return dataset
