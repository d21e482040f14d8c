"""Planted identifiers must be found, masked, and look-alikes with bad check digits ignored."""

from __future__ import annotations

import re

import docx
import nbformat
import pandas as pd
import pytest
import typst
from hypothesis import given
from hypothesis import strategies as st

from cswo.errors import DataValidationError, PublishCheckError
from cswo.safeguards.identifiers import (
    CHI,
    EMAIL,
    NHS,
    NINO,
    PHONE,
    POSTCODE,
    Finding,
    mask,
    scan_document,
    scan_files,
    scan_frame,
    scan_notebook,
    scan_text,
)

COUNCIL_CONTACTS = {"01382 438302", "DD4 9FF"}


# Independent check-digit arithmetic, written out long-hand so it does not share code with
# the module under test.
def weighted(nine: str) -> int:
    return sum(int(nine[i]) * (10 - i) for i in range(9))


def mod11_digit(nine: str) -> int | None:
    remainder = 11 - weighted(nine) % 11
    if remainder == 10:
        return None
    return 0 if remainder == 11 else remainder


def mod10_digit(nine: str) -> int:
    return (10 - weighted(nine) % 10) % 10


def chi_with_mod11(date6: str) -> str:
    for serial in range(100, 1000):
        digit = mod11_digit(date6 + str(serial))
        if digit is not None:
            return f"{date6}{serial}{digit}"
    raise AssertionError("no serial found")


def chi_with_mod10_only(date6: str) -> str:
    for serial in range(100, 1000):
        nine = date6 + str(serial)
        if mod11_digit(nine) != mod10_digit(nine):
            return f"{nine}{mod10_digit(nine)}"
    raise AssertionError("no serial found")


def with_bad_check(nine: str) -> str:
    good = {mod11_digit(nine), mod10_digit(nine)}
    return nine + str(next(d for d in range(10) if d not in good))


def kinds(text: str, allow=()) -> list[str]:
    return [finding.kind for finding in scan_text(text, "test", allow)]


def assert_masked(finding: Finding, identifier: str) -> None:
    message = str(finding)
    assert identifier not in message
    assert re.sub(r"[\s-]", "", identifier) not in message
    assert message.startswith("Possible ") and message.endswith(".")


VALID_CHI = chi_with_mod11("010190")
MOD10_CHI = chi_with_mod10_only("150372")
PUBLISHED_NHS = "943 476 5919"


@pytest.mark.parametrize(
    "written",
    [
        VALID_CHI,
        f"{VALID_CHI[:3]} {VALID_CHI[3:6]} {VALID_CHI[6:]}",
        f"{VALID_CHI[:6]}-{VALID_CHI[6:]}",
    ],
)
def test_valid_chi_is_found_in_each_layout_and_masked(written):
    findings = scan_text(f"Client CHI {written} seen today", "data/complaints.csv, row 4")
    assert [f.kind for f in findings] == [CHI]
    assert findings[0].masked == f"{VALID_CHI[:2]}******{VALID_CHI[-2:]}"
    assert_masked(findings[0], written)
    assert str(findings[0]) == (f"Possible CHI number ({findings[0].masked}) in data/complaints.csv, row 4.")


def test_chi_with_2026_modulus_10_check_is_found():
    assert kinds(f"CHI {MOD10_CHI}") == [CHI]


def test_chi_lookalike_with_bad_check_digit_is_ignored():
    bad = with_bad_check(VALID_CHI[:9])
    assert kinds(f"ref {bad} and {bad[:3]} {bad[3:6]} {bad[6:]}") == []


def test_chi_lookalike_with_impossible_date_is_ignored():
    # 31 February: the modulus 10 check alone would pass, but the date cannot exist.
    nine = next(n for n in (f"310250{s}" for s in range(100, 1000)) if mod11_digit(n) is None)
    assert kinds(nine + str(mod10_digit(nine))) == []


def test_published_nhs_number_is_found_and_wrong_check_digit_is_not():
    findings = scan_text(f"NHS no. {PUBLISHED_NHS}", "paper.docx, paragraph 12")
    assert [f.kind for f in findings] == [NHS]
    assert_masked(findings[0], PUBLISHED_NHS)
    assert kinds("NHS no. 943 476 5918") == []
    assert kinds("NHS no. 9434765919") == [NHS]


@pytest.mark.parametrize("nino", ["AB 12 34 56 C", "AB123456C", "ab123456c", "JT 98 76 54 D"])
def test_national_insurance_numbers_are_found(nino):
    findings = scan_text(f"NI {nino}.", "x")
    assert [f.kind for f in findings] == [NINO]
    assert_masked(findings[0], nino)


@pytest.mark.parametrize("not_nino", ["GB123456A", "BG123456A", "ZZ123456A", "DA123456A", "AO123456A", "AB123456E"])
def test_invalid_national_insurance_prefixes_and_suffixes_are_ignored(not_nino):
    assert kinds(f"NI {not_nino}") == []


def test_email_is_found_and_masked():
    findings = scan_text("Contact jane.smith@example.org for help", "x")
    assert [f.kind for f in findings] == [EMAIL]
    assert_masked(findings[0], "jane.smith@example.org")


@pytest.mark.parametrize(
    "phone", ["01382 438302", "07700 900123", "+44 1382 438302", "(01382) 438302", "020 7946 0018"]
)
def test_uk_phone_numbers_are_found(phone):
    findings = scan_text(f"Call {phone} today", "x")
    assert [f.kind for f in findings] == [PHONE]
    assert_masked(findings[0], phone)


@pytest.mark.parametrize(
    "not_phone",
    ["In 2021-22 there were 93", "a cost of £30,591 each", "report DIJB83-2022 to the IJB",
     "dated 01/04/2022", "1,234,567 people", "article 8 of the ECHR 1998"],
)  # fmt: skip
def test_years_money_and_report_numbers_are_not_phone_numbers(not_phone):
    assert kinds(not_phone) == []


def test_full_postcode_is_found_but_district_alone_is_not():
    assert kinds("lives at DD4 9FF") == [POSTCODE]
    assert kinds("lives at EH11AA") == [POSTCODE]
    assert kinds("services in DD4 and DD2") == []
    assert kinds("came ks2 1st in the league") == []


def test_council_contact_details_can_be_allowed_explicitly():
    text = "Phone 01382 438302 or +44 1382 438302, write to DD4 9FF; or 01382 433333, DD1 1AB"
    assert kinds(text) == [PHONE, PHONE, POSTCODE, PHONE, POSTCODE]
    assert kinds(text, allow=COUNCIL_CONTACTS) == [PHONE, POSTCODE]


def test_mask_never_keeps_more_than_two_characters_each_end():
    assert mask("0101011234") == "01******34"
    assert mask("DD4 9FF") == "D****F"
    assert mask("AB 12") == "****"


@given(st.from_regex(r"\d{9}", fullmatch=True), st.integers(0, 9))
def test_ten_digit_numbers_are_classed_only_by_their_check_digits(nine, check):
    day, month = int(nine[:2]), int(nine[2:4])
    date_ok = (
        1 <= month <= 12
        and 1 <= day <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        and not (month == 2 and day == 29 and int(nine[4:6]) % 4)
    )
    is_chi = date_ok and check in {mod11_digit(nine), mod10_digit(nine)}
    is_nhs = not is_chi and check == mod11_digit(nine)
    expected = [CHI] if is_chi else [NHS] if is_nhs else []
    assert kinds(f"number {nine}{check} here") == expected


def test_scan_frame_gives_spreadsheet_row_numbers_and_flags_personal_columns():
    frame = pd.DataFrame(
        {
            "note": ["fine", f"client {VALID_CHI}", ""],
            "surname": ["", "", ""],
            "worker": ["Jane Martin", "Tom Brown", "Ali Khan"],
            "lead": ["Jane Martin", "Tom Brown", "Ali Khan"],
            "service": ["Children Services", "Adult Care", "Community Justice"],
            "seen_on": ["12/03/1985", "01/01/2001", "30/06/1960"],
            "year": ["01/04/2021", "01/04/2020", "01/04/2019"],
        }
    )
    findings = scan_frame(frame, "data/complaints.csv", allow=COUNCIL_CONTACTS)
    assert [(f.kind, f.location) for f in findings] == [
        (CHI, "data/complaints.csv, row 3, column 'note'"),
        ("personal data column", "data/complaints.csv, column 'surname'"),
        ("column of people's names", "data/complaints.csv, column 'worker'"),
        ("column of dates of birth", "data/complaints.csv, column 'seen_on'"),
    ]
    assert str(findings[2]) == (
        "Possible column of people's names in data/complaints.csv, column 'worker': "
        "3 of 3 filled cells look like people's names."
    )


def test_scan_files_reads_csv_as_text_and_every_excel_sheet(tmp_path):
    (tmp_path / "data").mkdir()
    csv = tmp_path / "data" / "complaints.csv"
    csv.write_text(f"year,measure,note\n2021-22,complaints,ok\n2021-22,x,CHI {VALID_CHI}\n")
    xlsx = tmp_path / "data" / "workforce.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame({"note": ["none"]}).to_excel(writer, sheet_name="Summary", index=False)
        pd.DataFrame({"note": ["ring 07700 900123"]}).to_excel(writer, sheet_name="Raw", index=False)
    findings = scan_files([csv, xlsx], tmp_path)
    assert [(f.kind, f.location) for f in findings] == [
        (CHI, "data/complaints.csv, row 3, column 'note'"),
        (PHONE, "data/workforce.xlsx, sheet 'Raw', row 2, column 'note'"),
    ]


def test_scan_files_refuses_files_it_cannot_check(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")
    with pytest.raises(DataValidationError) as raised:
        scan_files([other, broken], tmp_path)
    message = str(raised.value)
    assert "notes.txt: is not a .csv or .xlsx file" in message
    assert "broken.xlsx: could not be read" in message


def test_scan_document_finds_identifiers_in_word_paragraphs_tables_and_footers(tmp_path):
    document = docx.Document()
    document.add_paragraph("Contact us on 01382 438302, DD4 9FF.")
    document.add_paragraph(f"Case of {VALID_CHI[:6]} {VALID_CHI[6:]}.")
    table = document.add_table(rows=2, cols=2)
    table.cell(1, 1).text = "NI AB 12 34 56 C"
    document.sections[0].footer.paragraphs[0].text = "jane.smith@example.org"
    path = tmp_path / "paper.docx"
    document.save(path)
    findings = scan_document(path, tmp_path, allow=COUNCIL_CONTACTS)
    assert [(f.kind, f.location) for f in findings] == [
        (CHI, "paper.docx, word/document.xml, paragraph 2"),
        (NINO, "paper.docx, word/document.xml, table 1, row 2, cell 2"),
        (EMAIL, "paper.docx, word/footer1.xml, paragraph 1"),
    ]
    assert all(VALID_CHI not in str(f) for f in findings)


def test_scan_document_reads_pdf_text_page_by_page(tmp_path):
    source = tmp_path / "paper.typ"
    source.write_text("Contact 01382 438302.\n#pagebreak()\nPatient NHS number 943 476 5919.\n")
    pdf = tmp_path / "paper.pdf"
    typst.compile(str(source), output=str(pdf))
    findings = scan_document(pdf, tmp_path, allow=COUNCIL_CONTACTS)
    assert [(f.kind, f.location) for f in findings] == [(NHS, "paper.pdf, page 2")]


def test_scan_document_refuses_unreadable_papers(tmp_path):
    broken = tmp_path / "paper.docx"
    broken.write_text("not a zip")
    with pytest.raises(PublishCheckError, match="paper.docx could not be opened"):
        scan_document(broken, tmp_path)


def test_a_saved_chart_image_is_not_text_but_typed_text_and_text_outputs_are_scanned(tmp_path):
    """What the lab saves (a chart as PNG, SVG or an HTML <img> with a data: address) never reads
    as a postcode; an identifier in code, prose or a printed output still does."""
    looks_like_postcodes = "QUJD DD4 9XY EH1 1AB " * 20  # what base64 bytes may spell by chance
    chart = nbformat.v4.new_output(
        "display_data",
        {
            "image/png": looks_like_postcodes,
            "image/svg+xml": f"<svg><text>{looks_like_postcodes}</text></svg>",
            "application/vnd.vegalite.v5+json": {"title": looks_like_postcodes},
            "text/html": f'<figure><img src="data:image/svg+xml;base64,{looks_like_postcodes.replace(" ", "")}'
            f'DD49XY" alt="Line chart"></figure>',
            "text/plain": "Complaints received",
        },
    )
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("s.show(chart)", outputs=[chart]),
            nbformat.v4.new_markdown_cell("Write to the family at DD2 4XY."),
            nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output("stream", text="sent to EH3 5AB\n")]),
        ]
    )
    path = tmp_path / "section.ipynb"
    nbformat.write(notebook, path)
    found = scan_notebook(path, tmp_path)
    assert [(f.kind, f.location) for f in found] == [
        (POSTCODE, "section.ipynb, cell 2 (markdown)"),
        (POSTCODE, "section.ipynb, cell 3 (output)"),
    ]
