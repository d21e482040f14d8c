"""Everything a published paper carries that a person could read, found by walking the file itself.

A Word document is a zip of XML parts; what a reader can reach is not only the body: footnotes,
endnotes, comments, headers and footers, a tracked deletion (``w:delText``), a field's instruction
(``w:instrText``), the document properties, an image's alt text and every link target. A PDF holds,
beside its pages' text, its metadata (the information dictionary and XMP), annotations, bookmarks
and embedded files. The identifier scan reads all of it, part by part, rather than a list of
channels someone thought of: a part nobody listed is still read.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from cswo.safeguards.pdftext import page_texts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# text a reader sees, or Word shows on request, inside a paragraph
_RUN_TEXTS = {f"{{{W}}}t", f"{{{W}}}delText", f"{{{W}}}instrText"}
# attributes that hold words rather than layout: alt text, titles, field instructions, link targets
_WORD_ATTRIBUTES = {"descr", "title", "instr", f"{{{W}}}instr", "Target"}
_KINDS = {"delText": "a tracked deletion", "instrText": "a field instruction"}
_WORDS = re.compile(r"[A-Za-z0-9@]")
# WordprocessingML's own style, font and numbering names are layout, not content
_LAYOUT_PARTS = ("word/styles.xml", "word/numbering.xml", "word/fontTable.xml", "word/settings.xml", "word/theme/")


def document_texts(path: Path, label: str) -> list[tuple[str, str]]:
    """(text, where) for everything readable in a .docx or .pdf. Raises what the readers raise."""
    if path.suffix.lower() == ".docx":
        return docx_texts(path, label)
    return pdf_texts(path, label)


def docx_texts(path: Path, label: str) -> list[tuple[str, str]]:
    """Every XML part of the package: each paragraph's text (deleted and field text included), every
    other text node, and the attributes that hold words."""
    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if not name.endswith((".xml", ".rels")) or name.startswith(_LAYOUT_PARTS):
                continue
            root = etree.fromstring(package.read(name), parser=etree.XMLParser(resolve_entities=False, no_network=True))
            found += _part_texts(root, f"{label}, {name}")
    return found


def _part_texts(root, where: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    tables = {table: n for n, table in enumerate(root.iter(f"{{{W}}}tbl"), start=1)}
    in_paragraph: set = set()
    for number, paragraph in enumerate(root.iter(f"{{{W}}}p"), start=1):
        # what is shown, what was deleted and the field instructions, each read as its own text
        pieces: dict[str, list[str]] = {}
        for element in paragraph.iter(*_RUN_TEXTS):
            in_paragraph.add(element)
            pieces.setdefault(etree.QName(element).localname, []).append(element.text or "")
        for kind, texts in pieces.items():
            text = "".join(texts)
            if text.strip():
                shown = "" if kind == "t" else f" ({_KINDS[kind]})"
                found.append((text, f"{where}, {_place(paragraph, number, tables)}{shown}"))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        if element not in in_paragraph and element.text and element.text.strip():
            found.append((element.text.strip(), where))
        for attribute, value in element.attrib.items():
            if attribute in _WORD_ATTRIBUTES and _WORDS.search(value or ""):
                found.append((value, f"{where}, {etree.QName(attribute).localname}"))
    return found


def _place(paragraph, number: int, tables: dict) -> str:
    """Where a paragraph is, as a reader finds it: 'table 1, row 2, cell 2' or 'paragraph 7'."""
    cell = next(paragraph.iterancestors(f"{{{W}}}tc"), None)
    if cell is None:
        return f"paragraph {number}"
    row = cell.getparent()
    table = row.getparent()
    rows = [r for r in table if r.tag == f"{{{W}}}tr"]
    cells = [c for c in row if c.tag == f"{{{W}}}tc"]
    return f"table {tables[table]}, row {rows.index(row) + 1}, cell {cells.index(cell) + 1}"


def pdf_texts(path: Path, label: str) -> list[tuple[str, str]]:
    """Each page's text, then the metadata, annotations, bookmarks and embedded files."""
    from pypdf import PdfReader

    found = [(text, f"{label}, page {n}") for n, text in enumerate(page_texts(path), start=1)]
    reader = PdfReader(str(path))
    for key, value in (reader.metadata or {}).items():
        found.append((str(value), f"{label}, metadata {key}"))
    xmp = reader.trailer["/Root"].get("/Metadata")
    if xmp is not None:
        found.append((_xml_text(xmp.get_object().get_data()), f"{label}, XMP metadata"))
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            action = action.get_object() if action is not None else {}
            for value in (annotation.get("/Contents"), annotation.get("/T"), action.get("/URI")):
                if value is not None:
                    found.append((str(value), f"{label}, page {number}, annotation"))
    found += [(title, f"{label}, bookmark") for title in _outline_titles(reader.outline)]
    for name, contents in reader.attachments.items():
        found.append((name, f"{label}, embedded file"))
        for data in contents:
            found.append((data.decode("utf-8", errors="replace"), f"{label}, embedded file {name}"))
    return found


def _xml_text(data: bytes) -> str:
    """The words of an XML packet (XMP): its text nodes, one a line."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError:
        return data.decode("utf-8", errors="replace")
    if root is None:
        return data.decode("utf-8", errors="replace")
    return "\n".join(t.strip() for t in root.itertext() if t.strip())


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += _outline_titles(item)
        else:
            titles.append(str(item.title))
    return titles
