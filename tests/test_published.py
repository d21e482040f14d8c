"""The identifier scan reads every part of a published paper, not a list of channels: an identifier
planted in a footnote, a tracked deletion, a field instruction, the properties, the PDF's metadata,
an annotation or an embedded file is found, and reported masked."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import pytest
from pypdf import PdfWriter
from pypdf.annotations import Link

from cswo.render.engines import render_docx
from cswo.safeguards.identifiers import scan_document
from support import ROOT

CHI = "1503851230"  # a valid CHI number (15 March 1985, check digit right)
META = {"title": "Paper", "author": "A Person", "lang": "en-GB", "date": dt.date(2025, 10, 1)}


@pytest.fixture(scope="module")
def clean_docx(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docx")
    path = folder / "paper.docx"
    render_docx(
        "# Heading\n\nA paragraph with a footnote.^[A note.]\n",
        path,
        folder,
        META,
        ROOT / "templates" / "reference.docx",
    )
    return path


def rewrite_part(source, target, part: str, change) -> None:
    """A copy of a .docx with one XML part changed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            new.writestr(item, data)


def assert_found_masked(findings, where: str) -> None:
    assert findings, "the planted identifier was not found"
    assert any(where in str(f) for f in findings), [str(f) for f in findings]
    assert all(CHI not in str(f) for f in findings)  # reported, never shown whole


def test_a_clean_paper_has_no_findings(clean_docx):
    assert scan_document(clean_docx) == []


@pytest.mark.parametrize(
    ("part", "old", "new", "where"),
    [
        ("word/footnotes.xml", "A note.", f"CHI {CHI}", "word/footnotes.xml"),
        (
            "word/document.xml",
            '<w:t xml:space="preserve">A paragraph',
            f'<w:t xml:space="preserve">A paragraph</w:t></w:r><w:del w:id="1" w:author="x"><w:r>'
            f'<w:delText>{CHI}</w:delText></w:r></w:del><w:r><w:t xml:space="preserve">',
            "word/document.xml",
        ),
        (
            "word/document.xml",
            '<w:t xml:space="preserve">A paragraph',
            f'<w:t xml:space="preserve">A paragraph</w:t></w:r><w:r><w:instrText> REF {CHI} </w:instrText></w:r>'
            '<w:r><w:t xml:space="preserve">',
            "word/document.xml",
        ),
        ("docProps/core.xml", "<dc:title>Paper</dc:title>", f"<dc:title>Paper {CHI}</dc:title>", "docProps/core.xml"),
    ],
)
def test_an_identifier_anywhere_in_the_word_package_is_found_masked(clean_docx, tmp_path, part, old, new, where):
    planted = tmp_path / "planted.docx"

    def change(xml: str) -> str:
        assert old in xml, xml[:2000]
        return xml.replace(old, new, 1)

    rewrite_part(clean_docx, planted, part, change)
    findings = scan_document(planted)
    assert_found_masked(findings, where)


@pytest.fixture(scope="module")
def clean_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "paper.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Paper"})
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def plant_in_pdf(source, target, how) -> None:
    writer = PdfWriter(clone_from=str(source))
    how(writer)
    with target.open("wb") as handle:
        writer.write(handle)


@pytest.mark.parametrize(
    ("how", "where"),
    [
        (lambda w: w.add_metadata({"/Keywords": f"case {CHI}"}), "metadata /Keywords"),
        (lambda w: w.add_attachment("notes.txt", f"CHI {CHI}".encode()), "embedded file"),
        (
            lambda w: w.add_annotation(0, Link(rect=(10, 10, 100, 100), url=f"https://example.org/?chi={CHI}")),
            "annotation",
        ),
        (lambda w: w.add_outline_item(title=f"Case {CHI}", page_number=0), "bookmark"),
    ],
)
def test_an_identifier_anywhere_in_the_pdf_is_found_masked(clean_pdf, tmp_path, how, where):
    assert scan_document(clean_pdf) == []
    planted = tmp_path / "planted.pdf"
    plant_in_pdf(clean_pdf, planted, how)
    assert_found_masked(scan_document(planted), where)


def test_the_reference_template_itself_is_clean(tmp_path):
    # the council's reference document's own parts (styles, settings, theme) carry no findings
    shutil.copy(ROOT / "templates" / "reference.docx", tmp_path / "reference.docx")
    assert scan_document(tmp_path / "reference.docx") == []
