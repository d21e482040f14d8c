"""Draft and final, end to end: a year two with anything open builds DRAFT papers (every PDF page,
every Word header, status Draft); --final refuses listing everything; signed and filled, it builds final."""

from __future__ import annotations

import re
import subprocess

import pytest
from docx import Document
from typer.testing import CliRunner

from cswo.cli import app
from cswo.compose.papers import DRAFT_CONTENTS_NOTE
from cswo.errors import YearOpenError
from cswo.pipeline.build import BuildOptions, build
from cswo.tools.newyear import roll_forward
from support import fill_workbook, replace_typed_years, word_state

YEAR = "2022-23"


def pdf_pages(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def contents_state(path) -> tuple[list[str], bool]:
    """The Word paper's contents entries as read back, and whether it carries the draft's contents note."""
    document = Document(path)
    entries = [
        "".join("\t" if t.tag.endswith("}tab") else t.text or "" for t in p.iter("{*}t", "{*}tab"))
        for p in document.element.body.iter("{*}p")
        if p.xpath("./w:pPr/w:pStyle[starts-with(@w:val, 'TOC') and @w:val != 'TOCHeading']")
    ]
    return entries, DRAFT_CONTENTS_NOTE in "\n".join(p.text for p in document.paragraphs)


def options(final: bool = False) -> BuildOptions:
    return BuildOptions(year=YEAR, committees=["ijb"], checks=False, annual_report=False, final=final)


def close_committee_details(project) -> None:
    path = project.parameters_file(YEAR)
    text = path.read_text(encoding="utf-8")
    text = text.replace('"[TO COMPLETE: meeting date (from the clerk)]"', "2023-12-13")
    text = text.replace('"[TO COMPLETE: report number (from the clerk)]"', "DIJB90-2023")
    text = text.replace('"[TO COMPLETE: date of the report]"', "2023-11-08")
    path.write_text(text.split("\nreview_required:")[0] + "\n", encoding="utf-8")


@pytest.mark.e2e
def test_year_two_is_a_draft_until_signed_and_filled_then_final(project_copy, monkeypatch):
    from cswo.render import contents

    laid_out = []
    real_layout = contents.laid_out_pages
    monkeypatch.setattr(contents, "laid_out_pages", lambda paths: real_layout(laid_out.extend(paths) or paths))
    roll_forward(project_copy, YEAR)
    fill_workbook(project_copy, YEAR)
    drafted = build(project_copy, options())  # not --draft: the year is open
    assert laid_out == []  # the final-only work is left out, and the Word contents say so
    kinds = {item.kind for item in drafted.open_items}
    assert {"review", "placeholder", "to confirm", "stale year"} <= kinds
    for document in drafted.documents:
        if document.path.suffix == ".pdf":
            pages = pdf_pages(document.path)
            assert pages and all("DRAFT" in page for page in pages), document.path.name
            assert "TO COMPLETE" in pages[0]  # the meeting date and number print as placeholders
        else:
            headers, status = word_state(document.path)
            assert status == "Draft" and all(h == "DRAFT" for h in headers)
            entries, noted = contents_state(document.path)
            assert noted and entries and not any(re.search(r"\t\d+$", e) for e in entries)

    with pytest.raises(YearOpenError) as refused:
        build(project_copy, options(final=True))
    listed = str(refused.value)
    assert "notebooks/2022-23/adults.ipynb" in listed and "committees.ijb.report_number" in listed
    assert len(refused.value.items) == len(drafted.open_items)

    close_committee_details(project_copy)
    assert replace_typed_years(project_copy, YEAR)  # what validate counts, done as it asks
    signed = CliRunner().invoke(
        app,
        ["--project", str(project_copy.root), "review", "sign", *drafted_sections(project_copy)]
        + ["--year", YEAR, "--by", "A. Reviewer"],
    )
    assert signed.exit_code == 0 and f"Nothing is open in {YEAR}" in signed.output, signed.output
    for notebook in project_copy.year_notebooks(YEAR).glob("*.*"):  # the banners went with the sign-off
        assert "not yet reviewed" not in notebook.read_text(encoding="utf-8"), notebook.name
    final = build(project_copy, options(final=True))
    assert final.open_items == []
    for document in final.documents:
        if document.path.suffix == ".pdf":
            assert not any("DRAFT" in page for page in pdf_pages(document.path))
        else:
            headers, status = word_state(document.path)
            assert status == "Final" and not any(headers)
            assert document.path.name in {p.name for p in laid_out}  # LibreOffice laid it out (in staging)
            entries, noted = contents_state(document.path)
            assert not noted and entries and all(re.search(r"\t\d+$", e) for e in entries), entries


def drafted_sections(project) -> list[str]:
    from cswo.project.parameters import load_year

    params = load_year(project, YEAR)
    return [*params.sections, *params.appendix_notebooks()]


def _meta(status: str) -> dict:
    return {
        "title": "Paper",
        "author": "A. Author",
        "lang": "en-GB",
        "region": "GB",
        "footer": "Paper",
        "status": status,
    }


@pytest.mark.parametrize("status", ["Draft", "Final"])
def test_a_draft_pdf_says_draft_on_every_page_and_a_final_one_on_none(tmp_path, status):
    from cswo.render.engines import font_dirs, render_pdf

    pages = "\n\n::: {.pagebreak}\n:::\n\n".join(f"# Part {n}\n\nSome text on page {n}." for n in range(1, 4))
    out = render_pdf(pages, tmp_path / "paper.pdf", tmp_path, _meta(status), font_dirs())
    shown = pdf_pages(out)
    assert len(shown) == 3
    assert [("DRAFT" in page) for page in shown] == [status == "Draft"] * 3


@pytest.mark.parametrize("status", ["Draft", "Final"])
def test_a_draft_word_paper_says_draft_in_every_header_and_its_status(tmp_path, status):
    import datetime as dt

    import docx

    from cswo.render import word

    document = docx.Document()
    document.add_paragraph("Text")
    document.add_section()
    word.finish(document, {**_meta(status), "date": dt.date(2023, 11, 8)})
    document.save(tmp_path / "paper.docx")
    headers, saved = word_state(tmp_path / "paper.docx")
    assert saved == status and len(headers) == 2
    assert headers == (["DRAFT", "DRAFT"] if status == "Draft" else ["", ""])
