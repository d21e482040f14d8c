"""Rendered papers are checked for alt text, heading order, header rows, metadata and contrast."""

from __future__ import annotations

import struct
import zlib

import docx
import pytest
import typst
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfWriter

from cswo.errors import PublishCheckError
from cswo.safeguards.accessibility import (
    ColourError,
    check_docx,
    check_palette,
    check_pdf,
    contrast_ratio,
)

ALT = "Line chart: referrals rose from 480 in 2020-21 to 520 in 2021-22."


def write_png(path):
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x1f\x77\xb4"))
        + chunk(b"IEND", b"")
    )
    return path


def build_docx(
    tmp_path,
    name="paper.docx",
    alt: str | None = ALT,
    second_heading_level=2,
    header_row=True,
    title="CSWO Annual Report 2021-22",
    language=True,
    body_size=12,
):
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Chief Social Work Officer"
    document.styles["Normal"].font.size = Pt(body_size)
    if not language:
        defaults = document.styles.element.find(qn("w:docDefaults"))
        for lang in defaults.iter(qn("w:lang")):
            lang.getparent().remove(lang)
    document.add_heading("Children's services", 1)
    document.add_paragraph("Referrals rose this year.")
    document.add_heading("Referrals", second_heading_level)
    document.add_picture(str(write_png(tmp_path / "chart.png")))
    if alt is not None:
        document.inline_shapes[-1]._inline.docPr.set("descr", alt)
    document.add_paragraph("Figure 1: Referrals by year", style="Caption")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells, ["Year", "Referrals"], strict=True):
        cell.text = text
    if header_row:
        row_properties = table.rows[0]._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:tblHeader"))
    path = tmp_path / name
    document.save(path)
    return path


def test_a_well_made_word_paper_passes(tmp_path):
    assert check_docx(build_docx(tmp_path)) == []


def test_image_without_alt_text_is_named_under_its_heading(tmp_path):
    assert check_docx(build_docx(tmp_path, alt=None)) == [
        "paper.docx, under 'Referrals': image 1 ('Picture 1') has no alt text; describe what it shows."
    ]


@pytest.mark.parametrize("file_name", ["chart.png", r"C:\Users\analyst\charts\referrals"])
def test_alt_text_that_is_a_file_name_fails(tmp_path, file_name):
    assert check_docx(build_docx(tmp_path, alt=file_name)) == [
        f"paper.docx, under 'Referrals': image 1 ('Picture 1') has alt text '{file_name}', "
        "which is a file name, not a description."
    ]


def test_alt_text_copied_from_the_caption_fails(tmp_path):
    assert check_docx(build_docx(tmp_path, alt="Figure 1: Referrals by year")) == [
        "paper.docx, under 'Referrals': image 1 ('Picture 1') has alt text identical to its "
        "caption ('Figure 1: Referrals by year'); the alt text should describe what the "
        "image shows."
    ]


def test_skipped_heading_level_fails(tmp_path):
    assert check_docx(build_docx(tmp_path, second_heading_level=3)) == [
        "paper.docx, under 'Children's services': heading 'Referrals' is Heading 3 straight "
        "after Heading 1; heading levels must not skip."
    ]


def test_table_without_header_row_fails(tmp_path):
    assert check_docx(build_docx(tmp_path, header_row=False)) == [
        "paper.docx, under 'Referrals': table 1 (first cell 'Year') has no header row; "
        "set its first row to repeat as a header row."
    ]


def test_missing_title_language_and_small_text_fail(tmp_path):
    path = build_docx(tmp_path, title="", language=False, body_size=10)
    assert check_docx(path) == [
        "paper.docx: the document title is not set in its properties.",
        "paper.docx: the document language is not set (no w:lang in the default or 'Normal' style).",
        "paper.docx: body text style 'Normal' is 10pt; it should be at least 12pt.",
        "paper.docx: body text style 'Body Text' is 10pt; it should be at least 12pt.",
    ]


def test_unreadable_word_paper_stops_publishing(tmp_path):
    broken = tmp_path / "paper.docx"
    broken.write_text("not a zip")
    with pytest.raises(PublishCheckError, match="paper.docx could not be opened"):
        check_docx(broken)


def compile_typst(tmp_path, body: str, name: str, **options):
    (tmp_path / "chart.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
        '<rect width="20" height="10" fill="#1f77b4"/></svg>'
    )
    source = tmp_path / f"{name}.typ"
    source.write_text(body)
    output = tmp_path / f"{name}.pdf"
    typst.compile(str(source), output=str(output), **options)
    return output


def test_typst_pdf_ua_paper_passes(tmp_path):
    body = (
        '#set document(title: [CSWO Annual Report 2021-22], author: "Chief Social Work Officer")\n'
        '#set text(lang: "en", region: "gb")\n'
        "= Children's services\n"
        f'#figure(image("chart.svg", alt: "{ALT}"), caption: [Referrals by year])\n'
    )
    assert check_pdf(compile_typst(tmp_path, body, "paper", pdf_standards=["ua-1"])) == []


def test_typst_pdf_without_ua_and_alt_text_fails_by_name(tmp_path):
    body = (
        "#set document(title: [CSWO Annual Report 2021-22])\n"
        '#set text(lang: "en")\n'
        "= Children's services\n"
        '#figure(image("chart.svg"), caption: [Referrals by year])\n'
    )
    assert check_pdf(compile_typst(tmp_path, body, "plain")) == [
        "plain.pdf does not declare PDF/UA-1 in its metadata (compile with pdf_standards ua-1).",
        "plain.pdf: figure 1 on page 1 has no alt text.",
    ]


def test_untagged_pdf_fails_every_check(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "blank.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    assert check_pdf(path) == [
        "blank.pdf is not tagged (no structure tree), so screen readers cannot follow it.",
        "blank.pdf has no document language (/Lang) set.",
        "blank.pdf has no document title in its metadata.",
        "blank.pdf does not declare PDF/UA-1 in its metadata (compile with pdf_standards ua-1).",
    ]


def test_unreadable_pdf_stops_publishing(tmp_path):
    broken = tmp_path / "paper.pdf"
    broken.write_text("not a pdf")
    with pytest.raises(PublishCheckError, match="paper.pdf could not be opened"):
        check_pdf(broken)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#fff", "FFFFFF") == pytest.approx(1.0)
    # #767676 is the lightest grey that passes 4.5:1 on white.
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#FFFFFF") < 4.5


def test_palette_check_names_each_failing_colour():
    palette = {"council blue": "#005EB8", "pale yellow": "#FFDD00", "body text": "#767676",
               "muted text": "#949494"}  # fmt: skip
    assert check_palette(palette) == [
        "Colour 'pale yellow' (#FFDD00) has contrast 1.35:1 against the background #FFFFFF; "
        "chart marks need at least 3:1.",
        "Colour 'muted text' (#949494) has contrast 3.03:1 against the background #FFFFFF; text needs at least 4.5:1.",
    ]


def test_malformed_colour_is_refused():
    with pytest.raises(ColourError, match="'blue' is not a colour hex code"):
        contrast_ratio("blue", "#FFFFFF")


@pytest.mark.e2e
def test_pandoc_word_output_passes_only_with_separate_alt_text(tmp_path):
    pypandoc = pytest.importorskip("pypandoc")
    write_png(tmp_path / "chart.png")
    header = "---\ntitle: CSWO Annual Report\nauthor: Chief Social Work Officer\nlang: en-GB\n---\n"
    body = "# Children's services\n\n## Referrals\n\n{figure}\n\n| Year | Referrals |\n|---|---|\n| 2021-22 | 520 |\n"
    for name, figure in [
        ("separate.docx", f'![Figure 1: Referrals by year](chart.png){{alt="{ALT}"}}'),
        ("caption_only.docx", "![Figure 1: Referrals by year](chart.png)"),
    ]:
        source = tmp_path / "paper.md"
        source.write_text(header + body.format(figure=figure))
        pypandoc.convert_file(str(source), "docx", outputfile=str(tmp_path / name),
                              extra_args=[f"--resource-path={tmp_path}"])  # fmt: skip
    assert check_docx(tmp_path / "separate.docx") == []
    assert check_docx(tmp_path / "caption_only.docx") == [
        "caption_only.docx, under 'Referrals': image 1 ('Picture') has alt text identical to "
        "its caption ('Figure 1: Referrals by year'); the alt text should describe what the "
        "image shows."
    ]
