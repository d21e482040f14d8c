"""The data-entry workbook: the rows the narrative needs, by service, filled in and read back."""

from __future__ import annotations

import shutil
import subprocess

import nbformat
import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from cswo.data.load import validate_tables
from cswo.data.returns import CODES, INSTRUCTIONS_SHEET, MEASURES_SHEET
from cswo.errors import CSWOError, TemplateError, TemplateExistsError
from cswo.narrative.completeness import check_year
from cswo.narrative.needs import year_needs
from cswo.project.catalogue import load_catalogue
from cswo.project.parameters import load_year
from cswo.tools.newyear import roll_forward
from cswo.tools.workbook import typed_cells, update_template, write_template, year_rows
from support import fill_workbook

YEAR = "2022-23"


@pytest.fixture
def year_two(project_copy):
    """The shipped project with 2022-23 started (parameters, notebooks, workbook)."""
    roll_forward(project_copy, YEAR)
    return project_copy


def service_sheets(workbook):
    return [s for s in workbook.worksheets if s.title not in (INSTRUCTIONS_SHEET, MEASURES_SHEET)]


def rows_of(sheet):
    header = [c.value for c in sheet[2]]
    for row in sheet.iter_rows(min_row=3):
        yield header, row


def code(header, row, name):
    return row[header.index(name)].value


def test_rows_are_exactly_what_the_narrative_needs(year_two):
    params = load_year(year_two, YEAR)
    dataset, _ = validate_tables(year_two, YEAR)
    needs = year_needs(year_two, YEAR, [*params.sections, *params.appendix_notebooks()], dataset)
    wanted = {(k.table, k.measure, k.breakdown) for k in needs.for_year(YEAR)}
    workbook = openpyxl.load_workbook(year_two.returns_workbook(YEAR))
    found = [
        (code(h, r, "table"), code(h, r, "measure"), code(h, r, "breakdown"))
        for sheet in service_sheets(workbook)
        for h, r in rows_of(sheet)
    ]
    assert len(found) == len(set(found)), "each figure is asked for once"
    assert set(found) == wanted
    # the introduction's figures (e.g. aftercare nationally) are asked of the service that supplies them
    assert ("care_experienced", "aftercare_eligible_share", "scotland") in set(found)


def test_one_sheet_per_service_with_only_its_figures(year_two):
    workbook = openpyxl.load_workbook(year_two.returns_workbook(YEAR))
    catalogue = load_catalogue(year_two)
    assert workbook.sheetnames[0] == INSTRUCTIONS_SHEET
    titles = [s.title for s in service_sheets(workbook)]
    assert {"Children", "Adults", "Justice", "Workforce", "Complaints"} <= set(titles)
    for sheet in service_sheets(workbook):
        assert sheet["A1"].value.startswith(f"{sheet.title}: figures for {YEAR}")
        for header, row in rows_of(sheet):
            owner = catalogue[code(header, row, "table")].sections[0]
            assert owner.replace("_", " ").capitalize() == sheet.title


def test_rows_show_labels_and_last_years_value_beside_them(year_two):
    workbook = openpyxl.load_workbook(year_two.returns_workbook(YEAR))
    sheet = workbook["Complaints"]
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["Figure", "Unit (what to type)", "Last year (2021-22)", "Value"]
    rows = {code(header, r, "measure") + "/" + code(header, r, "breakdown"): r for _, r in rows_of(sheet)}
    received = rows["complaints_received/total"]
    assert received[0].value == load_catalogue(year_two)["complaints"].measures["complaints_received"].label
    assert received[2].value == "93"  # the 2021-22 report's figure
    for name in ("table", "measure", "breakdown", "year", "unit"):
        letter = get_column_letter(header.index(name) + 1)
        assert sheet.column_dimensions[letter].hidden, "the codes are hidden from the service"
    for name in ("Value", "Status", "Source", "Note", "QA note"):
        assert not sheet.column_dimensions[get_column_letter(header.index(name) + 1)].hidden, name
    assert all("_" not in r[0].value for r in rows.values()), "labels, not code names"


def test_values_are_checked_as_typed_and_only_typed_cells_are_unlocked(year_two):
    workbook = openpyxl.load_workbook(year_two.returns_workbook(YEAR))
    checked = {}
    for sheet in service_sheets(workbook):
        assert sheet.protection.sheet, f"{sheet.title} is protected"
        for header, row in rows_of(sheet):
            value = row[header.index("Value")]
            assert not value.protection.locked and not row[header.index("Source")].protection.locked
            assert row[0].protection.locked and row[2].protection.locked
            rules = [v for v in sheet.data_validations.dataValidation if value.coordinate in v.sqref]
            assert len(rules) == 1, value.coordinate
            checked[code(header, row, "unit")] = rules[0]
            assert value.number_format != "@", "the value is a number, not text"
    assert checked["count"].type == "whole" and checked["count"].formula1 == "0"
    assert (checked["percent"].type, checked["percent"].formula1, checked["percent"].formula2) == (
        "decimal",
        "0",
        "100",
    )
    assert all(rule.type in ("whole", "decimal") for rule in checked.values())


def test_filled_workbook_validates_with_nothing_else(year_two):
    assert fill_workbook(year_two, YEAR) > 100
    check = check_year(year_two, load_year(year_two, YEAR))
    problems = [str(p) for p in check.data_problems + check.gaps] + [str(u) for u in check.unknown]
    assert not problems and not check.queries, problems
    # the workbook settles the data; the carried-forward prose is still listed for the analyst to review
    assert check.typed_years


def test_unfilled_workbook_lists_every_figure_at_its_sheet_and_row(year_two):
    check = check_year(year_two, load_year(year_two, YEAR))
    workbook = openpyxl.load_workbook(year_two.returns_workbook(YEAR))
    expected = {
        (f"data/returns/{YEAR}.xlsx, sheet '{sheet.title}'", row[0].row)
        for sheet in service_sheets(workbook)
        for _, row in rows_of(sheet)
    }
    assert {(p.file, p.row) for p in check.gaps} == expected
    assert not check.data_problems


def type_into(project, sheet_name: str, row: int, typed: dict[str, str]) -> dict[str, str]:
    """Fill the year's workbook, then type ``typed`` (column heading -> text) into one row of one
    sheet, as a service would; returns that row's cells by heading."""
    fill_workbook(project, YEAR)
    path = project.returns_workbook(YEAR)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[sheet_name]
    header = [c.value for c in sheet[2]]
    for heading, text in typed.items():
        sheet.cell(row=row, column=header.index(heading) + 1, value=text)
    workbook.save(path)
    return {heading: sheet.cell(row=row, column=i + 1).value for i, heading in enumerate(header)}


def test_a_bad_value_is_reported_at_the_workbooks_sheet_and_row(year_two):
    type_into(year_two, "Mental health", 4, {"Value": "about forty"})
    _, problems = validate_tables(year_two, YEAR)
    assert [(p.file, p.row, p.column) for p in problems] == [
        (f"data/returns/{YEAR}.xlsx, sheet 'Mental health'", 4, "value")
    ]


def test_the_notes_for_members_and_for_reviewers_are_read_into_their_own_columns(year_two):
    typed = {"Note": "Calendar year.", "QA note": "being checked with the complaints team"}
    cells = type_into(year_two, "Complaints", 3, typed)
    table, measure, breakdown = cells["table"], cells["measure"], cells["breakdown"]
    dataset, problems = validate_tables(year_two, YEAR)
    assert problems == []
    frame = dataset.tables[table]
    keys = (frame["year"] == YEAR) & (frame["measure"] == measure) & (frame["breakdown"] == breakdown)
    (row,) = frame[keys].itertuples()
    assert (row.note, row.qa_note) == ("Calendar year.", "being checked with the complaints team")


def test_a_deleted_row_is_reported_against_the_workbook_not_a_csv(year_two):
    fill_workbook(year_two, YEAR)
    path = year_two.returns_workbook(YEAR)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Mental health"]
    header = [c.value for c in sheet[2]]
    measure = code(header, sheet[3], "measure")
    sheet.delete_rows(3)
    workbook.save(path)
    check = check_year(year_two, load_year(year_two, YEAR))
    assert len(check.gaps) == 1
    gap = check.gaps[0]
    assert (gap.file, gap.row) == (f"data/returns/{YEAR}.xlsx, sheet 'Mental health'", 3)
    assert "csv" not in gap.file and measure


def test_template_refuses_to_overwrite(year_two):
    path = year_two.returns_workbook(YEAR)
    before = path.read_bytes()
    with pytest.raises(TemplateExistsError) as raised:
        write_template(year_two, YEAR)
    assert isinstance(raised.value, CSWOError) and "already exists" in str(raised.value)
    assert path.read_bytes() == before


def test_template_to_another_path(year_two, tmp_path):
    elsewhere = tmp_path / "to send" / "returns 2022-23.xlsx"
    assert write_template(year_two, YEAR, elsewhere) == elsewhere
    workbook = openpyxl.load_workbook(elsewhere)
    assert [s.title for s in service_sheets(workbook)]
    assert set(CODES) <= {c.value for c in workbook["Children"][2]}


def test_template_needs_a_started_year(project_copy):
    with pytest.raises(TemplateError, match="new-year 2023-24"):
        write_template(project_copy, "2023-24")
    with pytest.raises(TemplateError, match="2022-23"):
        write_template(project_copy, "2022/23")


def test_a_share_typed_as_a_percentage_cell_is_read_as_excel_shows_it(year_two):
    fill_workbook(year_two, YEAR)
    path = year_two.returns_workbook(YEAR)
    workbook = openpyxl.load_workbook(path)
    for sheet in service_sheets(workbook):
        for header, row in rows_of(sheet):
            if code(header, row, "unit") == "percent":
                typed = row[header.index("Value")]
                shown = typed.value
                typed.value, typed.number_format = shown / 100, "0%"  # Excel shows the same figure
                workbook.save(path)
                dataset, problems = validate_tables(year_two, YEAR)
                assert problems == []
                table = dataset.table(code(header, row, "table"))
                keys = (table["measure"] == code(header, row, "measure")) & (table["year"] == YEAR)
                keys &= table["breakdown"] == code(header, row, "breakdown")
                assert table.loc[keys, "number"].item() == pytest.approx(shown)
                return
    pytest.fail("the workbook asks for no percentage")


def test_a_sheet_the_suite_does_not_read_is_reported_not_ignored(year_two):
    fill_workbook(year_two, YEAR)
    path = year_two.returns_workbook(YEAR)
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("My notes").append(["complaints up", 12])
    workbook.save(path)
    _, problems = validate_tables(year_two, YEAR)
    assert [(p.file, "ignored" in p.rule) for p in problems] == [(f"data/returns/{YEAR}.xlsx, sheet 'My notes'", True)]


def row_of(project, sheet_name: str, measure: str, breakdown: str | None = None) -> tuple[int, object]:
    """(Excel row, the row's cells) of a figure on a service's sheet."""
    sheet = openpyxl.load_workbook(project.returns_workbook(YEAR))[sheet_name]
    for header, row in rows_of(sheet):
        if code(header, row, "measure") == measure and breakdown in (None, code(header, row, "breakdown")):
            return row[0].row, (header, row)
    raise AssertionError(f"no row for {measure} on {sheet_name}")


def test_last_years_money_is_shown_in_the_unit_the_row_asks_for(year_two):
    excel_row, (header, row) = row_of(year_two, "Finance", "net_social_work_budget", "total")
    assert code(header, row, "unit") == "gbp_thousand"
    shown = row[header.index("Last year (2021-22)")].value
    assert shown.endswith("(£000)") and "million" not in shown, shown


def test_pounds_in_a_thousands_cell_are_caught_at_their_sheet_and_row(year_two):
    """The underspend typed in pounds (8,247,000) in a £000 row, whose last year was 7,839."""
    fill_workbook(
        year_two, YEAR, lambda key, value: 8_247_000 if key[1:] == ("ijb_underlying_underspend", "total") else value
    )
    excel_row, _ = row_of(year_two, "Finance", "ijb_underlying_underspend", "total")
    _, problems = validate_tables(year_two, YEAR)
    where = (f"data/returns/{YEAR}.xlsx, sheet 'Finance'", excel_row, "value")
    assert {(p.file, p.row, p.column) for p in problems} == {where}, [str(p) for p in problems]
    slip = [p.rule for p in problems if "unit this row asks for" in p.rule]
    assert slip and "is about 1,052 times last year's 7,839: is it in the unit this row asks for (thousands" in slip[0]


@pytest.mark.parametrize(("grade", "why"), [(9, "not on this measure's scale"), (4.5, "not on this measure's scale")])
def test_a_grade_off_its_scale_is_caught_at_its_sheet_and_row(year_two, grade, why):
    excel_row, _ = row_of(year_two, "Children", "kq_wellbeing")
    type_into(year_two, "Children", excel_row, {"Value": grade})
    _, problems = validate_tables(year_two, YEAR)
    assert [(p.file, p.row, p.column) for p in problems] == [
        (f"data/returns/{YEAR}.xlsx, sheet 'Children'", excel_row, "value")
    ]
    assert why in problems[0].rule and "scale" in problems[0].rule


def test_excel_accepts_only_whole_grades_on_the_scale(year_two):
    workbook = openpyxl.load_workbook(year_two.returns_workbook(YEAR))
    sheet = workbook["Children"]
    excel_row, _ = row_of(year_two, "Children", "kq_wellbeing")
    checks = [dv for dv in sheet.data_validations.dataValidation if f"D{excel_row}" in str(dv.sqref)]
    assert [(c.type, c.operator, c.formula1, c.formula2) for c in checks] == [("whole", "between", "1", "6")]


def overprinted_words(page) -> list[tuple[str, str]]:
    """Pairs of words on a PDF page whose boxes overlap: text printed over other text."""
    words = page.extract_words()
    pairs = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if (
                a["x0"] < b["x1"] - 1
                and b["x0"] < a["x1"] - 1
                and a["top"] < b["bottom"] - 1
                and b["top"] < a["bottom"] - 1
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_the_workbook_prints_landscape_one_page_wide_without_overprinting(year_two, tmp_path):
    import pdfplumber

    workbook = openpyxl.load_workbook(year_two.returns_workbook(YEAR))
    for sheet in service_sheets(workbook):
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.print_title_rows == "$2:$2", sheet.title  # the header row repeats on every page
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(year_two.returns_workbook(YEAR)),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with pdfplumber.open(tmp_path / f"{YEAR}.pdf") as pdf:
        assert len(pdf.pages) <= 20
        for number, page in enumerate(pdf.pages, start=1):
            assert page.width > page.height, f"page {number} is portrait"
            assert not overprinted_words(page), (number, overprinted_words(page)[:5])


def test_a_figure_moved_to_another_services_sheet_is_reported_there(year_two):
    """A complaints figure typed on the Finance sheet: Finance is never asked for it."""
    fill_workbook(year_two, YEAR)
    path = year_two.returns_workbook(YEAR)
    workbook = openpyxl.load_workbook(path)
    complaints, finance = workbook["Complaints"], workbook["Finance"]
    header = [c.value for c in complaints[2]]
    moved = next(r for _, r in rows_of(complaints) if code(header, r, "table") == "complaints")
    values = [cell.value for cell in moved]
    for cell in moved:
        cell.value = None
    target = finance.max_row + 1
    for index, value in enumerate(values, start=1):
        finance.cell(row=target, column=index, value=value)
    workbook.save(path)
    _, problems = validate_tables(year_two, YEAR)
    located = [p for p in problems if p.file == f"data/returns/{YEAR}.xlsx, sheet 'Finance'"]
    assert [(p.row, p.column) for p in located] == [(target, "measure")], [str(p) for p in problems]
    assert "belongs to the 'Complaints' sheet" in located[0].rule


def test_every_figure_is_on_the_sheet_of_a_section_that_reads_its_table(year_two):
    workbook = openpyxl.load_workbook(year_two.returns_workbook(YEAR))
    catalogue = load_catalogue(year_two)
    for sheet in service_sheets(workbook):
        header = [c.value for c in sheet[2]]
        for _, row in rows_of(sheet):
            sections = catalogue[code(header, row, "table")].sections
            assert sheet.title in {s.replace("_", " ").capitalize() for s in sections}, (sheet.title, sections)
    _, problems = validate_tables(year_two, YEAR)
    assert not [p for p in problems if "belongs to the" in p.rule]


def test_update_keeps_every_typed_cell_and_asks_for_what_the_notebooks_use_now(year_two):
    fill_workbook(year_two, YEAR)
    before = typed_cells(year_two.returns_workbook(YEAR))
    notebook = year_two.notebook(YEAR, "complaints")
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "outcome" not in c.source.lower()]  # the outcome shares no longer used
    nbformat.write(nb, notebook)
    notebook.with_suffix(".md").unlink(missing_ok=True)

    path, kept, new = update_template(year_two, YEAR)

    after = typed_cells(path)
    assert kept == len(before) and after == before  # nothing typed is lost, not even rows no longer asked for
    assert ("complaints", "complaint_outcome_share", "upheld") in before
    rows = {(r.table, r.measure.name, r.breakdown) for r in year_rows(year_two, YEAR)}
    assert ("complaints", "complaint_outcome_share", "upheld") not in rows
    assert rows <= set(openpyxl_keys(path))
    _, problems = validate_tables(year_two, YEAR)
    assert not problems, [str(p) for p in problems]


def openpyxl_keys(path):
    workbook = openpyxl.load_workbook(path)
    for sheet in service_sheets(workbook):
        for header, row in rows_of(sheet):
            yield code(header, row, "table"), code(header, row, "measure"), code(header, row, "breakdown")
