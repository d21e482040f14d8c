"""Accessibility checks on rendered committee papers and chart colours.

Public sector bodies must publish accessible documents (Public Sector Bodies
Accessibility Regulations 2018, WCAG 2.2 AA). These checks catch the common
failures automatically; they do not replace reading the paper with a screen reader.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from cswo.errors import ColourError, PublishCheckError

_WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_CAPTION_STYLES = {"Image Caption", "Caption"}
_BODY_STYLES = ("Normal", "Body Text", "First Paragraph")
_WORD_DEFAULT_HALF_POINTS = 20  # Word uses 10pt when no size is set anywhere
_FILE_NAME = re.compile(r"\.(png|jpe?g|gif|svg|bmp|tiff?|emf|wmf|webp|pdf)$", re.IGNORECASE)
_PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_MAX_STRUCTURE_NODES = 200_000


def _is_file_name(text: str) -> bool:
    path_like = not re.search(r"\s", text) and re.search(r"[/\\]", text) and re.search("[A-Za-z]", text)
    return bool(_FILE_NAME.search(text.strip()) or path_like)


def _heading_level(style_name: str) -> int | None:
    if style_name == "Title":
        return 0
    match = re.fullmatch(r"Heading (\d)", style_name)
    return int(match.group(1)) if match else None


def _neighbour_paragraph(element, forward: bool):
    sibling = element.getnext() if forward else element.getprevious()
    while sibling is not None and sibling.tag != qn("w:p"):
        if sibling.tag == qn("w:tbl"):
            return None
        sibling = sibling.getnext() if forward else sibling.getprevious()
    return sibling


def _paragraph_text(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t"))).strip()


def check_docx(path: Path) -> list[str]:
    """Check a Word paper: alt text, heading order, table header rows, properties, text size.

    Each problem is one sentence naming the document, the heading it falls under
    and the element. Raises PublishCheckError if the file cannot be opened.
    """
    path = Path(path)
    try:
        document = docx.Document(str(path))
    except Exception as error:  # any failure to open means it cannot be published
        raise PublishCheckError([f"{path.name} could not be opened to check it ({error})."]) from error
    name = path.name
    style_names = {style.style_id: style.name for style in document.styles}
    default_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)

    def style_of(paragraph) -> str:
        style_id = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style_id is None:
            return default_style.name if default_style is not None else "Normal"
        return style_names.get(style_id.get(qn("w:val")), "")

    def caption_of(paragraph) -> str | None:
        for forward in (True, False):
            neighbour = _neighbour_paragraph(paragraph, forward)
            if neighbour is not None:
                text = _paragraph_text(neighbour)
                if style_of(neighbour) in _CAPTION_STYLES or text.startswith("Figure"):
                    return text
        return None

    problems: list[str] = []
    heading, level, images, tables = None, 0, 0, 0
    paragraph = None
    for element in document.element.body.iter(qn("w:p"), qn("w:tbl"), _WP_DOCPR):
        where = f"{name}, under '{heading}'" if heading else f"{name}, before the first heading"
        if element.tag == qn("w:p"):
            paragraph = element
            new_level = _heading_level(style_of(element))
            if new_level is None:
                continue
            text = _paragraph_text(element)
            if new_level > level + 1:
                after = f"Heading {level}" if level else "the start of the document"
                problems.append(
                    f"{where}: heading '{text}' is Heading {new_level} straight after {after}; "
                    "heading levels must not skip."
                )
            heading, level = text, new_level
        elif element.tag == qn("w:tbl"):
            tables += 1
            problems += _table_problems(element, where, tables)
        else:
            images += 1
            caption = caption_of(paragraph) if paragraph is not None else None
            problems += _image_problems(element, where, images, caption)
    return problems + _docx_properties(document, name)


def _table_problems(table, where: str, number: int) -> list[str]:
    """A table whose first row does not repeat as a header row."""
    header = table.find(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:tblHeader')}")
    if header is not None and header.get(qn("w:val"), "true") not in ("0", "false", "off"):
        return []
    first_cell = table.find(f"{qn('w:tr')}/{qn('w:tc')}")
    first = _paragraph_text(first_cell) if first_cell is not None else ""
    starting = f" (first cell '{first[:40]}')" if first else ""
    return [f"{where}: table {number}{starting} has no header row; set its first row to repeat as a header row."]


def _image_problems(image, where: str, number: int, caption: str | None) -> list[str]:
    """An image with no alt text, a file name for it, or its caption repeated."""
    label = f"image {number} ('{image.get('name', '')}')"
    alt = (image.get("descr") or "").strip()
    if not alt:
        return [f"{where}: {label} has no alt text; describe what it shows."]
    if _is_file_name(alt):
        return [f"{where}: {label} has alt text '{alt}', which is a file name, not a description."]
    if caption and alt.casefold() == caption.casefold():
        return [
            f"{where}: {label} has alt text identical to its caption ('{caption}'); "
            "the alt text should describe what the image shows."
        ]
    return []


def _docx_properties(document, name: str) -> list[str]:
    problems = []
    properties = document.core_properties
    if not (properties.title or "").strip():
        problems.append(f"{name}: the document title is not set in its properties.")
    if not (properties.author or "").strip():
        problems.append(f"{name}: the document author is not set in its properties.")
    styles = document.styles.element
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    styles_by_name = {style.name: style for style in document.styles}
    normal = styles_by_name.get("Normal")
    languages = [
        rpr.find(qn("w:lang")).get(qn("w:val"))
        for rpr in (defaults, normal.element.rPr if normal is not None else None)
        if rpr is not None and rpr.find(qn("w:lang")) is not None
    ]
    if not any(languages):
        problems.append(f"{name}: the document language is not set (no w:lang in the default or 'Normal' style).")
    default_size = None
    if defaults is not None and defaults.find(qn("w:sz")) is not None:
        default_size = int(defaults.find(qn("w:sz")).get(qn("w:val")))
    for style_name in _BODY_STYLES:
        style = styles_by_name.get(style_name)
        if style is None:
            continue
        size = None
        while style is not None and size is None:
            size = style.font.size.pt if style.font.size is not None else None
            style = style.base_style
        if size is None:
            size = (default_size or _WORD_DEFAULT_HALF_POINTS) / 2
        if size < 12:
            problems.append(f"{name}: body text style '{style_name}' is {size:g}pt; it should be at least 12pt.")
    return problems


def _xmp(catalog) -> ElementTree.Element | None:
    stream = catalog.get("/Metadata")
    if stream is None:
        return None
    try:
        return ElementTree.fromstring(stream.get_object().get_data())
    except (ElementTree.ParseError, ValueError):
        return None


def check_pdf(path: Path) -> list[str]:
    """Check a PDF paper: tagged, language, title, PDF/UA-1 declared, figures have alt text.

    Raises PublishCheckError if the file cannot be opened.
    """
    path = Path(path)
    name = path.name
    try:
        reader = PdfReader(path)
        catalog = reader.trailer["/Root"].get_object()
    except Exception as error:  # any failure to open means it cannot be published
        raise PublishCheckError([f"{name} could not be opened to check it ({error})."]) from error
    problems = []
    mark_info = catalog.get("/MarkInfo")
    marked = mark_info is not None and str(mark_info.get_object().get("/Marked")) == "True"
    if not marked or "/StructTreeRoot" not in catalog:
        problems.append(f"{name} is not tagged (no structure tree), so screen readers cannot follow it.")
    if not str(catalog.get("/Lang", "")).strip():
        problems.append(f"{name} has no document language (/Lang) set.")
    xmp = _xmp(catalog)
    xmp_title = ""
    if xmp is not None:
        xmp_title = "".join("".join(t.itertext()) for t in xmp.iter(f"{{{_DC_NS}}}title"))
    info_title = reader.metadata.title if reader.metadata else None
    if not (info_title or "").strip() and not xmp_title.strip():
        problems.append(f"{name} has no document title in its metadata.")
    part = None
    if xmp is not None:
        for element in xmp.iter():
            if element.tag == f"{{{_PDFUA_NS}}}part":
                part = (element.text or "").strip()
            part = element.get(f"{{{_PDFUA_NS}}}part", part)
    if part != "1":
        problems.append(f"{name} does not declare PDF/UA-1 in its metadata (compile with pdf_standards ua-1).")
    if "/StructTreeRoot" in catalog:
        problems += _figures_without_alt(reader, catalog["/StructTreeRoot"].get_object(), name)
    return problems


def _figures_without_alt(reader: PdfReader, tree: DictionaryObject, name: str) -> list[str]:
    role_map = {str(k): str(v) for k, v in tree.get("/RoleMap", {}).items()}
    pages = {
        page.indirect_reference.idnum: n
        for n, page in enumerate(reader.pages, 1)
        if page.indirect_reference is not None
    }
    problems, figures, seen = [], 0, set()
    stack = [tree.get("/K")]
    while stack and len(seen) < _MAX_STRUCTURE_NODES:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, ArrayObject):
            stack.extend(reversed(node))
        elif isinstance(node, DictionaryObject) and "/S" in node:
            kind = str(node["/S"])
            if role_map.get(kind, kind) == "/Figure":
                figures += 1
                if not str(node.get("/Alt", "")).strip():
                    page = node.get("/Pg")
                    number = pages.get(page.idnum) if isinstance(page, IndirectObject) else None
                    on = f" on page {number}" if number else ""
                    problems.append(f"{name}: figure {figures}{on} has no alt text.")
            if "/K" in node:
                stack.append(node["/K"])
    return problems


def _luminance(colour: str) -> float:
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", text):
        raise ColourError(f"'{colour}' is not a colour hex code like '#1F77B4'.")
    channels = []
    for i in (0, 2, 4):
        c = int(text[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(hex1: str, hex2: str) -> float:
    """WCAG 2.x contrast ratio between two colours (1 to 21). Raises ColourError."""
    lighter, darker = sorted((_luminance(hex1), _luminance(hex2)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_palette(
    colours: dict[str, str],
    background: str = "#FFFFFF",
    graphics_min: float = 3.0,
    text_min: float = 4.5,
) -> list[str]:
    """Check each named colour against the background (WCAG 1.4.3 and 1.4.11).

    Colours whose name contains 'text' need text_min (4.5:1); all others are chart
    marks and need graphics_min (3:1). Raises ColourError for a malformed colour.
    """
    problems = []
    for label, colour in colours.items():
        needed, use = (text_min, "text needs") if "text" in label.lower() else (graphics_min, "chart marks need")
        ratio = contrast_ratio(colour, background)
        if ratio < needed:
            problems.append(
                f"Colour '{label}' ({colour}) has contrast {ratio:.2f}:1 against the background "
                f"{background}; {use} at least {needed:g}:1."
            )
    return problems
