"""Finishing a pandoc .docx the way a committee clerk expects a Word paper.

pandoc writes the content; this module adds what Word users look for:
headings numbered by Word's own list numbering (not typed numbers), table
rows that never split and small tables kept on one page, a header row that
stands out, a footer with the report title, number and "Page X of Y", a
complete page set-up and complete document properties.
"""

from __future__ import annotations

import datetime as dt

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

HEADING_NUMBERING_ID = 990  # well clear of the list numbering pandoc writes
SMALL_TABLE_ROWS = 15  # tables of up to this many rows are kept on one page
HEADER_FILL = "E8EEF4"
PAGE = {"width": 21.0, "height": 29.7, "top": 2.4, "bottom": 2.4, "left": 2.3, "right": 2.3}
HEADER_FOOTER_DISTANCE = 1.25
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def finish(document, meta: dict) -> None:
    """Apply every finishing step to a python-docx Document (saved by the caller)."""
    number_headings(document)
    lay_out_tables(document)
    page_setup(document, footer=meta.get("footer", meta["title"]))
    properties(document, meta)


def _heading_level(paragraph) -> int | None:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    if style is None:
        return None
    name = style.get(f"{W}val", "")
    return int(name[7:]) if name.startswith("Heading") and name[7:].isdigit() else None


def number_headings(document) -> None:
    """Replace pandoc's typed section numbers with Word list numbering (1, 1.1) on the same headings."""
    numbered = 0
    for paragraph in document.element.body.iter(f"{W}p"):
        level = _heading_level(paragraph)
        if level is None:
            continue
        runs = paragraph.findall(f"{W}r")
        if not runs or runs[0].find(f"{W}rPr/{W}rStyle[@{W}val='SectionNumber']") is None:
            continue
        paragraph.remove(runs[0])
        if len(runs) > 1 and runs[1].find(f"{W}tab") is not None:
            paragraph.remove(runs[1])
        ppr = paragraph.find(f"{W}pPr")
        numpr = parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level - 1}"/><w:numId w:val="{HEADING_NUMBERING_ID}"/></w:numPr>'
        )
        ppr.insert(1, numpr)  # after pStyle, as the schema orders it
        numbered += 1
    if numbered:
        _add_heading_numbering(document)


def _add_heading_numbering(document) -> None:
    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="{".".join(f"%{j + 1}" for j in range(i + 1))}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{567 + 284 * i}"/></w:tabs>'
        f'<w:ind w:left="{567 + 284 * i}" w:hanging="{567 + 284 * i}"/></w:pPr></w:lvl>'
        for i in range(2)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{HEADING_NUMBERING_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    first_num = numbering.find(f"{W}num")
    if first_num is not None:
        first_num.addprevious(abstract)  # abstract numberings come before numberings
    else:
        numbering.append(abstract)
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{HEADING_NUMBERING_ID}">'
            f'<w:abstractNumId w:val="{HEADING_NUMBERING_ID}"/></w:num>'
        )
    )


def _ppr(paragraph):
    ppr = paragraph.find(f"{W}pPr")
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        paragraph.insert(0, ppr)
    return ppr


def _trpr(row):
    trpr = row.find(f"{W}trPr")
    if trpr is None:
        trpr = OxmlElement("w:trPr")
        tblpr_ex = row.find(f"{W}tblPrEx")
        if tblpr_ex is not None:
            tblpr_ex.addnext(trpr)
        else:
            row.insert(0, trpr)
    return trpr


def lay_out_tables(document) -> None:
    """Rows never split across pages; small tables stay on one page; the header row is shaded and bold."""
    for table in document.element.body.iter(f"{W}tbl"):
        rows = table.findall(f"{W}tr")
        small = len(rows) <= SMALL_TABLE_ROWS
        for position, row in enumerate(rows):
            trpr = _trpr(row)
            if trpr.find(f"{W}cantSplit") is None:
                trpr.insert(0, OxmlElement("w:cantSplit"))
            header = trpr.find(f"{W}tblHeader") is not None
            for cell in row.findall(f"{W}tc"):
                if header:
                    _shade(cell)
                for paragraph in cell.findall(f"{W}p"):
                    if small and position < len(rows) - 1:
                        keep = _ppr(paragraph)
                        if keep.find(f"{W}keepNext") is None:
                            keep.insert(1 if keep.find(f"{W}pStyle") is not None else 0, OxmlElement("w:keepNext"))
                    if header:
                        for run in paragraph.findall(f"{W}r"):
                            rpr = run.find(f"{W}rPr")
                            if rpr is None:
                                rpr = OxmlElement("w:rPr")
                                run.insert(0, rpr)
                            if rpr.find(f"{W}b") is None:
                                rpr.append(OxmlElement("w:b"))


def _shade(cell) -> None:
    tcpr = cell.find(f"{W}tcPr")
    if tcpr is None:
        tcpr = OxmlElement("w:tcPr")
        cell.insert(0, tcpr)
    if tcpr.find(f"{W}shd") is None:
        tcpr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>'))


def _field(paragraph, instruction: str, shown: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("result", shown), ("end", None)):
        if kind in ("begin", "separate", "end"):
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif kind == "result":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        run._r.append(element)


def page_setup(document, footer: str) -> None:
    """A4 portrait, every margin and the header/footer distances; footer: title, number, Page X of Y."""
    for section in document.sections:
        section.page_width, section.page_height = Cm(PAGE["width"]), Cm(PAGE["height"])
        section.top_margin, section.bottom_margin = Cm(PAGE["top"]), Cm(PAGE["bottom"])
        section.left_margin, section.right_margin = Cm(PAGE["left"]), Cm(PAGE["right"])
        section.header_distance = section.footer_distance = Cm(HEADER_FOOTER_DISTANCE)
        section.gutter = Cm(0)
        section.footer.is_linked_to_previous = False
        paragraphs = section.footer.paragraphs
        for extra in paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        paragraph = paragraphs[0]
        paragraph.text = ""
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            Cm(PAGE["width"] - PAGE["left"] - PAGE["right"]), WD_TAB_ALIGNMENT.RIGHT
        )
        paragraph.add_run(footer).font.size = Pt(9)
        paragraph.add_run("\tPage ").font.size = Pt(9)
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(" of ").font.size = Pt(9)
        _field(paragraph, "NUMPAGES", "1")
        for run in paragraph.runs:
            run.font.size = Pt(9)


def properties(document, meta: dict) -> None:
    """Every core property a records system or screen reader reads."""
    props = document.core_properties
    props.title = meta["title"]
    props.author = props.last_modified_by = meta["author"]
    props.language = meta["lang"]
    props.subject = meta.get("subject", "")
    props.identifier = meta.get("identifier", "")
    props.category = meta.get("category", "Committee report")
    props.keywords = meta.get("keywords", "")
    props.comments = meta.get("description", meta["title"])
    props.content_status = meta.get("status", "Final")
    props.version = "1"
    props.created = props.modified = dt.datetime.combine(meta["date"], dt.time())
    props.revision = 1
