"""PDF text read back page by page: poppler's pdftotext where installed, pypdf otherwise; both agree."""

from __future__ import annotations

import shutil

import pytest
import typst

from cswo.safeguards.pdftext import page_texts

PAGES = ["Complaints received rose to ninety-three", "Kinship care placements held steady", "Third page"]


@pytest.fixture
def paper(tmp_path):
    source = tmp_path / "paper.typ"
    source.write_text("\n#pagebreak()\n".join(PAGES), encoding="utf-8")
    target = tmp_path / "paper.pdf"
    typst.compile(str(source), output=str(target))
    return target


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_pdftotext_gives_one_text_per_page_in_order(paper):
    assert [_words(t) for t in page_texts(paper)] == [_words(p) for p in PAGES]


def test_without_poppler_pypdf_reads_the_same_pages(paper, monkeypatch):
    monkeypatch.setenv("PATH", "")  # no pdftotext to find
    assert [_words(t) for t in page_texts(paper)] == [_words(p) for p in PAGES]


def test_a_file_that_is_not_a_pdf_raises(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf at all")
    with pytest.raises(Exception):  # noqa: B017 - pypdf's own error names the problem
        page_texts(broken)
