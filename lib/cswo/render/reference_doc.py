"""The Word reference document: the council house style pandoc applies to every .docx.

Built from pandoc's own reference document (so every style pandoc uses
exists), then restyled with python-docx: sans-serif 12pt body, numbered
heading styles, quotation and caption styles, a table style whose header row
repeats, and page numbers in the footer.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from cswo.render.engines import pandoc_path

BODY_FONT = "Arial"
HEADING_COLOUR = RGBColor(0x00, 0x3B, 0x5C)
TEXT_COLOUR = RGBColor(0x1A, 0x1A, 0x1A)
BODY_STYLES = ["Normal", "Body Text", "First Paragraph", "Compact", "Block Text"]
HEADING_SIZES = {"Title": 24, "Heading 1": 18, "Heading 2": 15, "Heading 3": 13, "Heading 4": 12}


def _font(style, size: float, bold: bool | None = None, italic: bool | None = None, colour=TEXT_COLOUR) -> None:
    style.font.name = BODY_FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), BODY_FONT)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attribute), None)
    style.font.size = Pt(size)
    style.font.color.rgb = colour
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic


def _style(document, name: str, kind=WD_STYLE_TYPE.PARAGRAPH):
    for style in document.styles:
        if style.name == name:
            return style
    return document.styles.add_style(name, kind)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.text = "Page "
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _header_row_style():
    """The table style's first row: shaded and bold, so the header row stands out."""
    return parse_xml(
        f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
        '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E8EEF4"/></w:tcPr></w:tblStylePr>'
    )


def _language(document, language: str) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), language)


def reference_docx(path: Path, council: str, language: str = "en-GB") -> Path:
    """Write the reference document to ``path`` (always afresh: it takes a fraction of a second)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = subprocess.run(
        [pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True
    ).stdout
    temp = path.with_suffix(".base.docx")
    temp.write_bytes(raw)
    document = Document(str(temp))
    for name in BODY_STYLES:
        _font(_style(document, name), 12)
    _font(_style(document, "Block Text"), 12, italic=True)
    block = _style(document, "Block Text").paragraph_format
    block.left_indent, block.right_indent = Cm(1), Cm(1)
    for name, size in HEADING_SIZES.items():
        style = _style(document, name)
        _font(style, size, bold=True, colour=HEADING_COLOUR)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(12)
    for name in ("Caption", "Image Caption", "Table Caption"):
        style = _style(document, name)
        _font(style, 12, bold=True, italic=False)
    # a table caption stays with its table, a figure with its caption below it, and a figure's
    # caption with the Source line under it
    for name in ("Table Caption", "Captioned Figure", "Figure", "Image Caption"):
        _style(document, name).paragraph_format.keep_with_next = True
    note = _style(document, "Table Note")
    _font(note, 12, italic=True)
    _font(_style(document, "TOC Heading"), 16, bold=True, colour=HEADING_COLOUR)
    for level in (1, 2):
        style = _style(document, f"toc {level}")
        style.element.styleId = f"TOC{level}"  # Word's own identifier, which the contents field uses
        _font(style, 12)
        style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        style.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    table = _style(document, "Table", WD_STYLE_TYPE.TABLE)
    table.font.name = BODY_FONT
    table.font.size = Pt(10)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:color"), "7F7F7F")
        borders.append(element)
    tblpr = table.element.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = OxmlElement("w:tblPr")
        table.element.append(tblpr)
    tblpr.append(borders)
    table.element.append(_header_row_style())
    _language(document, language)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin = section.bottom_margin = Cm(2.4)
    section.header_distance = section.footer_distance = Cm(1.25)
    section.gutter = Cm(0)
    _page_number_footer(section)
    document.core_properties.title = f"{council} house style"
    document.save(str(path))
    temp.unlink()
    return path
