"""Each section converted by pandoc once for every paper: the same papers, fewer conversions."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile

from cswo.project.paths import TEMPLATES_DIR
from cswo.render import engines, parts
from cswo.render.parts import PartConverter

META = {"title": "T", "author": "A", "lang": "en", "region": "GB", "date": dt.date(2024, 1, 1)}
SECTION_A = """## Complaints

Complaints received rose to 93.

| Year | Complaints |
|---|---:|
| 2020-21 | 67 |
| 2021-22 | 93 |

: Complaints by year
"""
SECTION_B = """## Workforce

Staff in post: 1,204.

### Vacancies

| Team | Vacancies |
|---|---:|
| Adults | 12 |

: Vacancies by team

## Complaints

A heading met twice in the papers.
"""


def paper(cover: str) -> str:
    return "\n".join(
        [
            cover,
            "",
            "# Appendix 1: Annual report {.unnumbered #appendix-1}",
            "",
            "::: {.report-start}",
            ":::",
            "",
            "# Chapter one",
            "",
            SECTION_A,
            "",
            SECTION_B,
            "",
            "::: {.report-end}",
            ":::",
            "",
            "| Cover | table |\n|---|---|\n| a | b |\n\n: A table on the cover",
        ]
    )


def counting(calls: list):
    def convert(markdown: str, fmt: str) -> str:
        calls.append(markdown.count(parts.MARKER))
        return "\n\n".join(
            f"{line}\n\nconverted {fmt}" for line in markdown.splitlines() if line.startswith(parts.MARKER)
        )

    return convert


def test_a_part_met_once_becomes_a_placeholder_and_one_met_twice_stays():
    converter = PartConverter(counting([]), None, {})
    markdown = paper("# Cover") + "\n\n" + SECTION_B
    skeleton, found = converter.split(markdown, [SECTION_A, SECTION_B, ""])
    assert found == [SECTION_A]
    assert SECTION_A not in skeleton and skeleton.count(SECTION_B) == 2
    assert skeleton.count(parts.MARKER) == 1


def test_a_part_is_converted_once_and_an_edited_one_alone(tmp_path):
    calls: list[int] = []
    first = PartConverter(counting(calls), tmp_path, {"tools": 1})
    assert set(first.typst([SECTION_A, SECTION_B]).values()) == {"converted typst"}
    first.typst([SECTION_A, SECTION_B])  # a second paper carrying the same sections
    assert calls == [2]  # both converted in one pandoc run, once
    edited = SECTION_B + "\nOne more sentence.\n"
    later = PartConverter(counting(calls), tmp_path, {"tools": 1})  # the next build: kept on disk
    later.typst([SECTION_A, edited])
    assert calls == [2, 1] and later.converted == 1
    later.prune()
    assert len(list(tmp_path.iterdir())) == 2  # the part before the edit is forgotten
    PartConverter(counting(calls), tmp_path, {"tools": 2}).typst([SECTION_A])  # a tool upgrade converts anew
    assert calls == [2, 1, 1]


def typst_source(tmp_path, markdown: str, converter) -> str:
    out = tmp_path / ("parts.pdf" if converter else "whole.pdf")
    engines.render_pdf(
        markdown, out, tmp_path, META, engines.font_dirs(), parts=[SECTION_A, SECTION_B], converter=converter
    )
    assert out.stat().st_size > 0
    return (tmp_path / out.with_suffix(".typ").name).read_text()


def test_a_pdf_from_converted_parts_has_the_typst_of_the_whole_paper(tmp_path):
    markdown = paper("# Report to the board {.unnumbered}")
    converter = engines.part_converter(tmp_path, None, {"test": "pdf"})
    whole, assembled = typst_source(tmp_path, markdown, None), typst_source(tmp_path, markdown, converter)
    labels = re.findall(r"<(cswo-table-[^>]+)>", assembled)
    assert len(labels) == 6 and len(set(labels)) == 3  # each table's label (set, then queried) is its own
    # the same Typst, but for the labels and blank lines between blocks (where a part joins the paper)
    normal = re.sub(r"\n\s*\n", "\n", re.sub(r"cswo-table-[0-9a-f-]+", "cswo-table", assembled))
    assert normal == re.sub(r"\n\s*\n", "\n", re.sub(r"cswo-table-\d+", "cswo-table", whole))


def document_xml(path) -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read("word/document.xml").decode()


def test_a_word_paper_from_converted_parts_is_the_word_paper_of_the_whole(tmp_path):
    markdown = paper("# Report to the board {.unnumbered}")
    reference = TEMPLATES_DIR / "reference.docx"
    meta = {**META, "footer": "F", "subject": "S"}
    engines.render_docx(markdown, tmp_path / "whole.docx", tmp_path, meta, reference)
    converter = engines.part_converter(tmp_path, None, {"test": "docx"})
    converter.blocks([SECTION_B])  # converted on its own (its heading is plain 'complaints' there)
    engines.render_docx(markdown, tmp_path / "parts.docx", tmp_path, meta, reference, [SECTION_A, SECTION_B], converter)
    assert converter.converted == 2
    whole, assembled = document_xml(tmp_path / "whole.docx"), document_xml(tmp_path / "parts.docx")
    assert 'w:name="complaints-1"' in whole  # the heading met twice gets its own bookmark, as before
    assert assembled == whole


def counting_both(calls: list):
    """Typst as :func:`counting` makes it; for Word, a document tree of each marker and one paragraph."""
    typst = counting(calls)

    def convert(markdown: str, fmt: str) -> str:
        if fmt != "json":
            return typst(markdown, fmt)
        calls.append(markdown.count(parts.MARKER))
        markers = [line for line in markdown.splitlines() if line.startswith(parts.MARKER)]
        para = [{"t": "Para", "c": [{"t": "Str", "c": text}]} for m in markers for text in (m, "converted json")]
        return json.dumps({"blocks": para})

    return convert


def test_a_pdf_only_build_keeps_the_parts_the_next_word_paper_takes(tmp_path, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(parts, "_MEMORY", {})
    full = PartConverter(counting_both(calls), tmp_path, {"tools": 1})  # `cswo build`: Word and PDF
    full.typst([SECTION_A, SECTION_B])
    full.blocks([SECTION_A, SECTION_B])
    full.prune()
    monkeypatch.setattr(parts, "_MEMORY", {})  # each build is a process of its own
    edited = SECTION_B + "\nOne more sentence.\n"
    preview = PartConverter(counting_both(calls), tmp_path, {"tools": 1})  # `cswo preview`: the PDF only
    preview.typst([SECTION_A, edited])
    preview.prune()
    assert calls == [2, 2, 1]
    monkeypatch.setattr(parts, "_MEMORY", {})
    again = PartConverter(counting_both(calls), tmp_path, {"tools": 1})  # the next `cswo build`
    again.typst([SECTION_A, edited])
    again.blocks([SECTION_A, edited])
    assert calls == [2, 2, 1, 1] and again.converted == 1  # Word: only the edited section converted
    again.prune()
    assert len(list(tmp_path.iterdir())) == 4  # the parts before the edit are forgotten, in both formats


def test_a_papers_own_text_is_converted_again_only_when_it_its_metadata_or_its_template_changed(tmp_path, monkeypatch):
    calls: list[list[str]] = []
    run = engines._pandoc
    monkeypatch.setattr(engines, "_pandoc", lambda args, *rest: calls.append(args) or run(args, *rest))
    template = tmp_path / "templates" / "report.typ"
    template.parent.mkdir()
    template.write_text((TEMPLATES_DIR / "report.typ").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "figures").mkdir()

    def typst(markdown: str, meta: dict, section: str = SECTION_A) -> str:
        """The paper's Typst source, as a build renders it (the parts and the paper kept in the cache)."""
        converter = engines.part_converter(tmp_path, tmp_path / "parts", {"test": "paper"})
        out = tmp_path / "paper.pdf"
        engines.render_pdf(markdown, out, tmp_path, meta, engines.font_dirs(), template, [section], converter)
        return (tmp_path / "paper.typ").read_text(encoding="utf-8")

    def papers_converted() -> int:
        return sum("--standalone" in args for args in calls)

    first = typst(paper("# Report to the board"), META)
    edited = SECTION_A.replace("rose to 93", "rose to 94")
    assert "rose to 94" in typst(paper("# Report to the board").replace(SECTION_A, edited), META, edited)
    assert papers_converted() == 1  # a section edited: the paper's own text is kept
    assert typst(paper("# Report to the board"), META) == first
    assert "Another board" in typst(paper("# Another board"), META) and papers_converted() == 2
    assert "Another title" in typst(paper("# Report to the board"), {**META, "title": "Another title"})
    assert papers_converted() == 3
    template.write_text(template.read_text(encoding="utf-8") + "\n// the council's own change\n", encoding="utf-8")
    assert "the council's own change" in typst(paper("# Report to the board"), META)
    assert papers_converted() == 4


def test_a_word_paper_from_converted_parts_has_the_properties_of_the_whole(tmp_path):
    """The paper's own tree is kept without its metadata (a build id differs in every build): the
    Word run sets it, so the properties are as in the paper written whole."""
    markdown = paper("# Report to the board {.unnumbered}")
    meta = {**META, "footer": "F", "subject": "S", "identifier": "PR-7", "cswo_build_id": "b1234567890a"}
    reference = TEMPLATES_DIR / "reference.docx"
    engines.render_docx(markdown, tmp_path / "whole.docx", tmp_path, meta, reference)
    converter = engines.part_converter(tmp_path, tmp_path / "parts", {"test": "properties"})
    engines.render_docx(markdown, tmp_path / "parts.docx", tmp_path, meta, reference, [SECTION_A], converter)
    again = {**meta, "cswo_build_id": "b0987654321f"}  # the next build: the paper's own text is kept
    engines.render_docx(markdown, tmp_path / "again.docx", tmp_path, again, reference, [SECTION_A], converter)
    for part in ("docProps/custom.xml", "docProps/core.xml", "word/settings.xml"):
        with zipfile.ZipFile(tmp_path / "whole.docx") as whole, zipfile.ZipFile(tmp_path / "parts.docx") as parts_:
            assert parts_.read(part) == whole.read(part), part
    with zipfile.ZipFile(tmp_path / "again.docx") as docx:
        assert b"b0987654321f" in docx.read("docProps/custom.xml")


def test_a_preview_of_one_paper_keeps_the_other_papers_own_texts(tmp_path, monkeypatch):
    converted: list[str] = []

    def convert(markdown: str) -> str:
        converted.append(markdown)
        return f"typst of {markdown}"

    def build(papers: list[str], every_paper: bool) -> None:
        monkeypatch.setattr(parts, "_MEMORY", {})  # each build is a process of its own
        converter = PartConverter(counting([]), tmp_path, {"tools": 1})
        for paper_text in papers:
            assert converter.paper(paper_text, "typst", [], None, convert) == f"typst of {paper_text}"
        converter.prune(every_paper=every_paper)

    build(["# Board paper", "# Committee paper"], every_paper=True)  # `cswo build`
    build(["# Board paper"], every_paper=False)  # `cswo preview`: the first committee's paper only
    build(["# Board paper", "# Committee paper"], every_paper=True)
    assert converted == ["# Board paper", "# Committee paper"]  # each converted once
    build(["# Board paper"], every_paper=True)  # the committee is gone: its paper is forgotten
    build(["# Board paper", "# Committee paper"], every_paper=True)
    assert converted == ["# Board paper", "# Committee paper", "# Committee paper"]
