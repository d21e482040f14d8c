"""Layout checks on every reference-year paper, as a committee services team reads them.

The papers are built once per session (the ``built`` fixture); each check reads
them back with pdfplumber (word and character boxes, ruled lines) or python-docx, and
the Word papers also as LibreOffice lays them out (its PDF of each, read by word_layout).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from docx import Document

import word_layout
from cswo.render.word import heading_numbering_id

pdfplumber = pytest.importorskip("pdfplumber")

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reference")]
YEAR = "2021-22"
COMMITTEES = ("ijb", "policy-resources")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def papers(project, suffix):
    return [
        project.year_outputs(YEAR) / committee / f"cswo-annual-report-{YEAR}-{committee}-paper.{suffix}"
        for committee in COMMITTEES
    ]


@dataclass
class Page:
    """What the checks read of one PDF page, parsed once for all of them (pdfminer is slow)."""

    where: str  # '<file> p<n>'
    chars: list[dict]
    edges: list[dict]
    lines: list[dict]
    height: float


def read_page(where: str, page) -> Page:
    return Page(where, page.chars, page.edges, page.extract_text_lines(), page.height)


@pytest.fixture(scope="module")
def pdf_pages(built) -> list[Page]:
    """Each page of each committee paper's PDF."""
    project, _ = built
    pages = []
    for path in papers(project, "pdf"):
        with pdfplumber.open(path) as pdf:
            pages += [read_page(f"{path.name} p{number}", page) for number, page in enumerate(pdf.pages, start=1)]
    return pages


def overlaps(a, b, slack: float = 0.6) -> bool:
    """Two boxes share more than a hairline (slack in points absorbs kerning and rounding)."""
    return (
        min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


def collisions(page) -> list[str]:
    """Characters printed over each other, and characters crossing a vertical column rule."""
    # neighbours in the text stream may kern into each other ("AT", ".”"); anything else may not touch
    chars = sorted(
        ((order, c) for order, c in enumerate(page.chars) if c["text"].strip()), key=lambda item: item[1]["x0"]
    )
    found = []
    for i, (order_a, a) in enumerate(chars):
        for order_b, b in chars[i + 1 :]:
            if b["x0"] >= a["x1"]:
                break
            if abs(order_a - order_b) > 1 and overlaps(a, b, slack=1.0):
                found.append(f"'{a['text']}' and '{b['text']}' overprint at {a['x0']:.0f},{a['top']:.0f}")
    rules = [e for e in page.edges if e["orientation"] == "v"]
    for rule in rules:
        for _, c in chars:
            if c["x0"] + 0.3 < rule["x0"] < c["x1"] - 0.3 and c["top"] < rule["bottom"] and c["bottom"] > rule["top"]:
                found.append(f"'{c['text']}' crosses a column rule at {rule['x0']:.0f},{c['top']:.0f}")
    return found


def test_no_text_overprints_or_crosses_a_rule(pdf_pages):
    problems = []
    for page in pdf_pages:
        problems += [f"{page.where}: {p}" for p in collisions(page)]
    assert not problems, "\n".join(problems[:20])


def test_collision_check_can_fail(tmp_path):
    """The check above sees two words printed over each other."""
    import typst

    source = tmp_path / "clash.typ"
    source.write_text("#place(dx: 10pt, dy: 10pt)[2019-20]\n#place(dx: 14pt, dy: 10pt)[2020-21]\n")
    typst.compile(str(source), output=str(tmp_path / "clash.pdf"))
    with pdfplumber.open(tmp_path / "clash.pdf") as pdf:
        assert collisions(read_page("clash.pdf p1", pdf.pages[0]))


def test_no_table_caption_at_the_foot_of_a_page(pdf_pages):
    problems = []
    for page in pdf_pages:
        body = [line for line in page.lines if line["top"] < page.height - 72]  # above the footer
        for position, line in enumerate(body):
            if re.match(r"Table \d+(:| \(continued\))", line["text"]):
                following = body[position + 1 :]
                if len(following) < 2:  # the header row and at least one row below
                    problems.append(f"{page.where}: {line['text'][:50]}")
    assert not problems, "\n".join(problems)


def test_no_source_line_starts_a_page(pdf_pages):
    """A chart's or a short table's Source line is on the page of what it is the source of."""
    stranded = []
    for page in pdf_pages:
        body = [line["text"] for line in page.lines if line["text"].strip() not in ("DRAFT", "")]
        if body and body[0].startswith("Source:"):
            stranded.append(f"{page.where}: {body[0][:50]}")
    assert stranded == []


def test_year_headings_never_run_together(pdf_pages):
    for page in pdf_pages:
        text = "\n".join(line["text"] for line in page.lines)
        assert not re.search(r"\d{4}-\d{2}\d{4}-\d{2}", text), page.where


def test_every_word_caption_is_a_seq_field(built):
    project, _ = built
    for path in papers(project, "docx"):
        document = Document(str(path))
        captions = [
            p
            for p in document.element.body.iter(f"{W}p")
            if p.xpath("./w:pPr/w:pStyle[@w:val='TableCaption' or @w:val='ImageCaption']")
        ]
        assert len(captions) >= 10
        for caption in captions:
            fields = [f.get(f"{W}instr", "") for f in caption.iter(f"{W}fldSimple")]
            text = "".join(t.text or "" for t in caption.iter(f"{W}t"))
            assert any(re.match(r" SEQ (Table|Figure) ", f) for f in fields), text


def test_word_headings_use_word_numbering_and_only_short_rows_are_kept_whole(built):
    project, _ = built
    document = Document(str(papers(project, "docx")[0]))
    numbering = heading_numbering_id(document)
    numbered = [
        p for p in document.element.body.iter(f"{W}p") if p.xpath(f"./w:pPr/w:numPr/w:numId[@w:val='{numbering}']")
    ]
    assert len(numbered) >= 6
    assert not list(document.element.body.iter(f"{W}rStyle")) or all(
        r.get(f"{W}val") != "SectionNumber" for r in document.element.body.iter(f"{W}rStyle")
    )
    kept = [
        row._tr.trPr is not None and row._tr.trPr.find(f"{W}cantSplit") is not None
        for table in document.tables
        for row in table.rows
    ]
    assert sum(kept) > 100  # the short rows (most of them) never split across pages


def test_word_footer_page_set_up_and_properties(built):
    project, _ = built
    document = Document(str(papers(project, "docx")[0]))
    section = document.sections[0]
    footer = section.footer._element.xml
    assert "DIJB83-2022" in footer and "NUMPAGES" in footer and " PAGE " in footer
    for margin in ("top_margin", "bottom_margin", "left_margin", "right_margin", "header_distance"):
        assert getattr(section, margin) is not None and getattr(section, margin) > 0
    props = document.core_properties
    assert props.identifier == "DIJB83-2022" and props.title and props.author and props.subject


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_contents_show_the_page_each_heading_is_on(built, tmp_path):
    """The build lays out a copy without its chart images; the numbers must match the real paper's pages."""
    from cswo.render import contents
    from cswo.safeguards.pdftext import page_texts

    project, _ = built
    source = papers(project, "docx")[0]
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        timeout=240,
        check=True,
    )
    pages = page_texts(tmp_path / (source.stem + ".pdf"))
    text = "\n".join(pages[:12])
    listed = text[text.index("Contents") :]
    assert re.search(r"^1 Introduction\W*\d+$", listed, re.M), listed[:400]
    assert re.search(r"^2 Governance and Accountability Arrangements\W*\d+$", listed, re.M)
    entries = contents._entries(Document(str(source)))
    runs = [[t.text or "" for t in entry.iter(f"{W}t")] for entry in entries]
    written = [int(texts[-1]) for texts in runs]  # the number the build wrote after each entry
    headings = ["".join(texts[:-1]) for texts in runs]
    assert len(entries) > 10
    assert written == contents.page_of_each(headings, pages)


# --- the Word papers, as LibreOffice lays them out -------------------------------------------


@pytest.fixture(scope="module")
def word_papers(built, tmp_path_factory):
    """Each committee paper's .docx with the pages of LibreOffice's PDF of it (one LibreOffice run)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    project, _ = built
    sources = papers(project, "docx")
    pdfs = word_layout.convert(sources, tmp_path_factory.mktemp("word-papers"))
    return [(source, word_layout.pages(pdf)) for source, pdf in zip(sources, pdfs, strict=True)]


def test_every_word_of_each_word_paper_is_in_libreoffices_pdf(word_papers):
    for source, laid_out in word_papers:
        assert word_layout.lost_words(source, laid_out) == [], source.name


def test_no_number_wraps_inside_a_word_table_cell(word_papers):
    for source, laid_out in word_papers:
        assert word_layout.wrapped_numbers(source, laid_out) == [], source.name


def test_every_word_heading_shows_its_number(word_papers):
    for source, laid_out in word_papers:
        headings = word_layout.numbered_headings(source)
        assert headings[:3] == [
            "1 Introduction",
            "2 Governance and Accountability Arrangements",
            "2.1 The Role of the Chief Social Work Officer",
        ]
        assert len(headings) >= 15
        assert word_layout.unnumbered_headings(headings, laid_out) == [], source.name


def test_no_word_page_under_a_third_full_before_a_table_that_breaks(word_papers):
    for source, laid_out in word_papers:
        assert word_layout.emptied_pages(source, laid_out) == [], source.name


def test_no_word_page_is_blank(word_papers):
    """A page break after a full page (before Appendix 2) leaves no page with only the header on it."""
    for source, laid_out in word_papers:
        assert word_layout.blank_pages(laid_out) == [], source.name


def test_appendix_one_numbers_its_tables_the_same_in_every_paper(built, word_papers):
    """Appendix 1's tables are numbered from 1 in both papers, Word and PDF, whatever the cover holds."""
    project, _ = built
    laid_out = [pages for _, pages in word_papers] + [word_layout.pages(path) for path in papers(project, "pdf")]
    shown = []
    for pages in laid_out:
        lines = [line.text for page in pages for line in page.lines]
        appendix = lines[next(i for i, text in enumerate(lines) if text.startswith("Appendix 1:")) :]
        captions = [text for text in appendix if re.match(r"Table \d+: ", text)][:3]
        shown.append([" ".join(text.split()[:5]) for text in captions])  # the lines wrap differently
    assert all(tables == shown[0] for tables in shown), shown
    assert shown[0] == [
        "Table 1: Children’s services: key",
        "Table 2: School attendance, care",
        "Table 3: Care Inspectorate grades",
    ]


def test_appendix_one_contents_list_only_the_annual_report(pdf_pages):
    """In the Policy and Resources paper, Appendix 1's contents stop before Appendix 2."""
    pages = [p for p in pdf_pages if p.where.startswith(f"cswo-annual-report-{YEAR}-policy-resources-paper")]
    text = "\n".join(line["text"] for page in pages[:8] for line in page.lines)
    listed = text[text.index("Contents") :]
    listed = listed[: listed.index("1 Introduction", listed.index("6 Challenges for the Year Ahead"))]
    assert "6 Challenges for the Year Ahead" in listed
    assert "Appendix 2" not in listed and "Audit Scotland Report" not in listed


def test_no_quote_attribution_starts_a_page(built, word_papers):
    """An attribution ("— Feedback regarding ...") is never stranded at the top of a page, PDF or Word."""
    project, _ = built
    laid_out = [(path.name, word_layout.pages(path)) for path in papers(project, "pdf")]
    laid_out += [(f"{source.name} (LibreOffice)", pages) for source, pages in word_papers]
    stranded = [
        f"{name} p{page.number}: {page.body[0].text[:40]}"
        for name, pages in laid_out
        for page in pages
        if page.body and page.body[0].text.startswith("—")
    ]
    assert stranded == []
