"""The Word engine on small documents: pandoc with the shipped reference document, then word.py's finishing.

Each test writes a few lines of markdown through the real pandoc and Lua filter and reads the
.docx back with python-docx; the tests that need a layout ask LibreOffice for its PDF.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import pytest
from docx import Document
from docx.shared import Cm

from cswo.project.templates import DEFAULT_REFERENCE_DOCX
from cswo.render.engines import render_docx
from cswo.render.word import heading_numbering_id
from word_layout import Line, Page, blank_pages, convert, emptied_pages, lost_words, pages, paragraph_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
META = {
    "title": "Annual report: Example Board paper EB1-2024",
    "footer": "Example Council · Annual report · EB1-2024",
    "author": "A Officer",
    "lang": "en-GB",
    "date": dt.date(2024, 11, 1),
}
needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def write(tmp_path, markdown: str, reference=DEFAULT_REFERENCE_DOCX, name: str = "paper.docx"):
    out = tmp_path / name
    render_docx(markdown, out, tmp_path, META, reference)
    return out


def style_of(paragraph) -> str:
    found = paragraph.find(f"{W}pPr/{W}pStyle")
    return "" if found is None else found.get(f"{W}val")


def text_of(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(f"{W}t"))


def test_heading_numbering_has_ids_of_its_own_above_pandocs(tmp_path):
    path = write(tmp_path, "# One\n\n- a bullet\n- another\n\n1. first\n2. second\n\n## Two\n\nText.\n")
    numbering = Document(str(path)).part.numbering_part.element
    abstract = [a.get(f"{W}abstractNumId") for a in numbering.iter(f"{W}abstractNum")]
    nums = [n.get(f"{W}numId") for n in numbering.iter(f"{W}num")]
    assert len(abstract) == len(set(abstract)) >= 3 and len(nums) == len(set(nums))
    ours = heading_numbering_id(Document(str(path)))
    assert ours == max(int(n) for n in nums)
    pointed = next(n for n in numbering.iter(f"{W}num") if n.get(f"{W}numId") == str(ours))
    assert int(pointed.find(f"{W}abstractNumId").get(f"{W}val")) == max(int(a) for a in abstract)


def test_a_councils_page_set_up_and_footer_are_taken_as_given(tmp_path):
    reference = tmp_path / "reference.docx"
    document = Document(str(DEFAULT_REFERENCE_DOCX))
    section = document.sections[0]
    section.page_width, section.left_margin = Cm(21.59), Cm(4)
    section.footer.is_linked_to_previous = False
    section.footer.paragraphs[0].text = "Example Council, Committee Services"
    document.save(str(reference))
    paper = Document(str(write(tmp_path, "# One\n\nText.\n", reference)))
    section = paper.sections[0]
    assert round(section.page_width.cm, 2) == 21.59 and round(section.left_margin.cm, 2) == 4.0
    assert [p.text for p in section.footer.paragraphs] == ["Example Council, Committee Services"]


def test_without_a_footer_of_its_own_the_paper_gets_one_with_page_x_of_y_at_one_size(tmp_path):
    footer = Document(str(write(tmp_path, "# One\n\nText.\n"))).sections[0].footer._element
    runs = list(footer.iter(f"{W}r"))
    instructions = [i.text.strip() for i in footer.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert paragraph_text(footer) == f"{META['footer']} Page 1 of 1"  # the tab read as a space
    sizes = {run.find(f"{W}rPr/{W}sz").get(f"{W}val") for run in runs}
    assert sizes == {"18"}  # every run, the fields' included, at 9pt


def test_the_documents_properties_are_its_own_and_fields_refresh_on_open(tmp_path):
    path = write(tmp_path, "# One\n\nFour words of text.\n")
    with zipfile.ZipFile(path) as docx:
        app = docx.read("docProps/app.xml").decode()
        settings = docx.read("word/settings.xml").decode()
    assert "Microsoft" not in app and "<Pages>" not in app
    assert "<Words>5</Words>" in app  # "One" and the four words
    assert '<w:updateFields w:val="true"/>' in settings
    assert Document(str(path)).core_properties.title == META["title"]


LONG_CELL = " ".join(["Progress on the recommendation was reported to the committee in the year."] * 120)


def test_only_rows_short_enough_to_keep_whole_are_kept_whole(tmp_path):
    markdown = f"Table: Tracker\n\n| Item | Progress |\n|---|---|\n| 1 | {LONG_CELL} |\n| 2 | Done |\n| 3 | Done |\n"
    rows = Document(str(write(tmp_path, markdown))).tables[0].rows
    kept = [row._tr.trPr is not None and row._tr.trPr.find(f"{W}cantSplit") is not None for row in rows]
    assert kept == [True, False, True, True]  # the row longer than a page may split
    # nor is it kept with the header: it may start on the page the table starts on
    assert [bool(row._tr.xpath(".//w:keepNext")) for row in rows] == [True, False, True, False]


def kept_with_next(table) -> list[bool]:
    return [all(p.paragraph_format.keep_with_next for cell in row.cells for p in cell.paragraphs) for row in table.rows]


def test_a_short_table_stays_on_one_page_and_a_long_one_may_break(tmp_path):
    rows = "".join(f"| {n} | Row {n} |\n" for n in range(1, 21))
    markdown = (
        f"Table: Short\n\n| A | B |\n|---|---|\n| 1 | x |\n| 2 | y |\n\nTable: Long\n\n| A | B |\n|---|---|\n{rows}"
    )
    short, long = Document(str(write(tmp_path, markdown))).tables
    assert kept_with_next(short) == [True, True, False]
    # the header with the first row, the last two rows together; the rest may break
    assert kept_with_next(long) == [True, True, *[False] * 17, True, False]


def test_table_columns_are_sized_for_the_councils_text_width(tmp_path):
    markdown = (
        "Table: Cost\n\n| Option | 2020-21 | 2021-22 |\n|---|--:|--:|\n| Option 1 total | £1,522,411 | £4,286,293 |\n"
    )
    table = Document(str(write(tmp_path, markdown))).tables[0]._tbl
    grid = [int(col.get(f"{W}w")) for col in table.iter(f"{W}gridCol")]
    assert sum(grid) <= 9298  # 16.4 cm between the margins, in twips
    assert all(width >= 1200 for width in grid[1:])  # "£1,522,411" at 10pt needs about 1,150
    styles = {style_of(p) for p in table.iter(f"{W}p")}
    assert styles == {"TableText"}


APPENDIX = """# 1.0 PURPOSE OF REPORT {.unnumbered}

Table: Directions

| To | Required |
|---|---|
| Council | X |

# Appendix 1: Annual report {.unnumbered #appendix-1}

# Introduction

Some words.

## The role

Table: Key measures

| Measure | 2021-22 |
|---|--:|
| Orders | 36 |

> "It helped."
>
> — Feedback from a family
"""


def test_an_appendixs_chapters_nest_under_it_and_its_tables_number_from_one(tmp_path):
    body = Document(str(write(tmp_path, APPENDIX))).element.body
    headings = [(style_of(p), text_of(p)) for p in body.iter(f"{W}p") if style_of(p).startswith("Heading")]
    assert headings == [
        ("Heading1", "1.0 PURPOSE OF REPORT"),
        ("Heading1", "Appendix 1: Annual report"),
        ("Heading2", "Introduction"),
        ("Heading3", "The role"),
    ]
    captions = [text_of(p) for p in body.iter(f"{W}p") if style_of(p) == "TableCaption"]
    assert captions == ["Table 1: Directions", "Table 1: Key measures"]
    fields = [f.get(f"{W}instr") for f in body.iter(f"{W}fldSimple")]
    assert fields == [" SEQ Table \\* ARABIC ", " SEQ Table \\* ARABIC \\r 1 "]


def test_a_quote_keeps_with_its_attribution(tmp_path):
    body = Document(str(write(tmp_path, APPENDIX))).element.body
    quote = [p for p in body.iter(f"{W}p") if style_of(p) == "BlockText"]
    assert [text_of(p) for p in quote] == ["\u201cIt helped.\u201d", "— Feedback from a family"]
    assert quote[0].find(f"{W}pPr/{W}keepNext") is not None


@needs_libreoffice
def test_a_row_taller_than_a_page_loses_no_text_in_libreoffice(tmp_path):
    markdown = f"Table: Tracker\n\n| Item | Progress |\n|---|---|\n| 1 | Done |\n| 2 | {LONG_CELL} Last words. |\n"
    split = write(tmp_path, markdown, name="split.docx")
    hidden = tmp_path / "hidden.docx"  # the same with two words not shown: the check must see them go
    document = Document(str(split))
    last = document.tables[0].rows[2].cells[1].paragraphs[-1]
    last.add_run(" Unseen ending").font.hidden = True
    document.save(str(hidden))
    split_pdf, hidden_pdf = convert([split, hidden], tmp_path)
    laid_out = pages(split_pdf)
    assert len(laid_out) >= 2 and lost_words(split, laid_out) == []
    assert lost_words(hidden, pages(hidden_pdf)) == [
        "'Unseen' (1 in the .docx, 0 shown)",
        "'ending' (1 in the .docx, 0 shown)",
    ]


def test_a_page_under_a_third_full_before_a_table_that_breaks_is_found(tmp_path):
    markdown = "Table: Tracker of the work\n\n| Item | Progress |\n|---|---|\n| 1 | Done |\n| 2 | Last row |\n"
    path = write(tmp_path, markdown)

    def page(number, *texts, lines=None):
        return Page(number, 842, lines or [Line(60 + 12 * i, 72 + 12 * i, text) for i, text in enumerate(texts)])

    full = page(1, *["words"] * 55)  # the text area runs from 60 to 720 points
    short = page(2, "A few words", "and a heading")
    caption = "Table 1: Tracker of the work"
    breaking = [page(3, caption, "Item Progress", "1 Done"), page(4, "Item Progress", "2 Last row")]
    assert emptied_pages(path, [full, short, *breaking]) == [f"page 2 is 4% full before '{caption}'"]
    assert emptied_pages(path, [full, page(2, *["words"] * 30), *breaking]) == []  # half full is fine
    whole = page(3, caption, "Item Progress", "1 Done", "2 Last row")
    assert emptied_pages(path, [full, short, whole]) == []  # a table that jumps whole is not this fault


def test_a_page_break_is_the_next_paragraphs_page_break_before(tmp_path):
    body = Document(str(write(tmp_path, "Text.\n\n::: {.pagebreak}\n:::\n\n# Next\n\nAfter.\n"))).element.body
    breaks = [p for p in body.iter(f"{W}p") if p.find(f"{W}r/{W}br[@{W}type='page']") is not None]
    assert breaks == []  # no paragraph of its own that could land on a page and leave it blank
    heading = next(p for p in body.iter(f"{W}p") if text_of(p) == "Next")
    properties = [child.tag.removeprefix(W) for child in heading.find(f"{W}pPr")]
    assert properties[:2] == ["pStyle", "pageBreakBefore"]  # in the order the schema sets


@needs_libreoffice
def test_a_page_break_after_a_full_page_leaves_no_blank_page(tmp_path):
    """Whatever number of lines fills the page, the heading after the break starts the next page."""
    lengths = range(24, 38)
    sources = []
    for lines in lengths:
        text = "\n\n".join(f"Line {i}." for i in range(lines))
        markdown = f"{text}\n\n::: {{.pagebreak}}\n:::\n\n# Next\n\nAfter.\n"
        sources.append(write(tmp_path, markdown, name=f"l{lines}.docx"))
    laid_out = [pages(pdf) for pdf in convert(sources, tmp_path)]
    fits = [lines for paper, lines in zip(laid_out, lengths, strict=True) if len(paper[0].body) == lines]
    assert fits and max(fits) < max(lengths)  # the longest text that fits fills its page exactly
    assert {lines: blank_pages(paper) for lines, paper in zip(lengths, laid_out, strict=True)} == dict.fromkeys(
        lengths, []
    )
    assert all(paper[-1].body[0].text.endswith("Next") for paper in laid_out)  # "1 Next": numbered
