"""Finishing a pandoc .docx the way a committee clerk expects a Word paper.

pandoc writes the content with the council's reference document (its styles, page set-up and
footer, taken as given); this module adds what Word users look for: headings numbered by Word's
own list numbering (not typed numbers), an appendix's chapters nested under its heading, a new
page started by the paragraph that opens it (never a blank page), quotes kept with their
attributions, tables laid out for the page (word_tables), a footer where the reference document
has none, and the document's own properties (word_page).
"""

from __future__ import annotations

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls

from cswo.render import word_page, word_tables

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
APPENDIX_BOOKMARK = "cswo_appendix_"  # written by the Lua filter before each appendix heading
ATTRIBUTION = "—"  # a quote's last paragraph, "— who said it"


def finish(document, meta: dict) -> None:
    """Apply every finishing step to a python-docx Document (saved by the caller)."""
    number_headings(document)
    nest_appendices(document)
    page_breaks_before(document)
    keep_quotes_with_attributions(document)
    word_tables.lay_out_tables(document)
    word_page.footer(document, meta.get("footer", meta["title"]))
    if meta.get("status") == "Draft":
        word_page.draft_header(document)
    word_page.properties(document, meta)
    word_page.refresh_fields_on_open(document)


def _heading_level(paragraph) -> int | None:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    if style is None:
        return None
    name = style.get(f"{W}val", "")
    return int(name[7:]) if name.startswith("Heading") and name[7:].isdigit() else None


def number_headings(document) -> None:
    """Replace pandoc's typed section numbers with Word list numbering (1, 1.1) on the same headings."""
    numbered = []
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
        numbered.append((paragraph, level))
    if not numbered:
        return
    num_id = _add_heading_numbering(document)
    for paragraph, level in numbered:
        numpr = parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level - 1}"/><w:numId w:val="{num_id}"/></w:numPr>')
        paragraph.find(f"{W}pPr").insert(1, numpr)  # after pStyle, as the schema orders it


def heading_numbering_id(document) -> int | None:
    """The numId of the heading numbering (the one the first numbered heading uses), or None."""
    for paragraph in document.element.body.iter(f"{W}p"):
        found = paragraph.find(f"{W}pPr/{W}numPr/{W}numId")
        if found is not None and _heading_level(paragraph) is not None:
            return int(found.get(f"{W}val"))
    return None


def _add_heading_numbering(document) -> int:
    """A two-level decimal numbering with ids above every id pandoc wrote; returns its numId."""
    numbering = document.part.numbering_part.element
    abstract_id = 1 + max((int(a.get(f"{W}abstractNumId")) for a in numbering.findall(f"{W}abstractNum")), default=0)
    num_id = 1 + max((int(n.get(f"{W}numId")) for n in numbering.findall(f"{W}num")), default=0)
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="{".".join(f"%{j + 1}" for j in range(i + 1))}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{567 + 284 * i}"/></w:tabs>'
        f'<w:ind w:left="{567 + 284 * i}" w:hanging="{567 + 284 * i}"/></w:pPr></w:lvl>'
        for i in range(2)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    first_num = numbering.find(f"{W}num")
    if first_num is not None:
        first_num.addprevious(abstract)  # abstract numberings come before numberings
    else:
        numbering.append(abstract)
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>')
    )
    return num_id


def nest_appendices(document) -> None:
    """An appendix whose first heading is at its own heading's level (the annual report's chapters)
    has all its headings moved one level down, so they nest under it, as in the PDF.

    A heading keeps its number (its list level is set already).
    """
    appendix, shift = None, None
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}bookmarkStart" and child.get(f"{W}name", "").startswith(APPENDIX_BOOKMARK):
            appendix, shift = "next", None
            continue
        level = _heading_level(child) if child.tag == f"{W}p" else None
        if level is None or appendix is None:
            continue
        if appendix == "next":
            appendix = level  # the appendix heading itself stays where it is
            continue
        if shift is None:
            shift = max(0, appendix + 1 - level)
        if shift:
            child.find(f"{W}pPr/{W}pStyle").set(f"{W}val", f"Heading{level + shift}")


# what comes before "page break before" in a paragraph's properties, as the schema orders them
_BEFORE_PAGE_BREAK = {f"{W}pStyle", f"{W}keepNext", f"{W}keepLines"}


def _only_a_page_break(paragraph) -> bool:
    """A paragraph whose one run holds only a page break (what the Lua filter writes for .pagebreak)."""
    runs = [child for child in paragraph if child.tag != f"{W}pPr"]
    if len(runs) != 1 or runs[0].tag != f"{W}r":
        return False
    content = [child for child in runs[0] if child.tag != f"{W}rPr"]
    return len(content) == 1 and content[0].tag == f"{W}br" and content[0].get(f"{W}type") == "page"


def page_breaks_before(document) -> None:
    """A page break becomes "page break before" on the paragraph that opens the new page.

    A paragraph holding only a break lands on a page of its own when the page before it is full,
    and its break then leaves that page blank; a paragraph that starts a page is never moved on.
    A break followed by no paragraph (a table, the end) stays as it is.
    """
    body = document.element.body
    for paragraph in [p for p in body.iterchildren(f"{W}p") if _only_a_page_break(p)]:
        following = paragraph.getnext()
        while following is not None and following.tag in (f"{W}bookmarkStart", f"{W}bookmarkEnd"):
            following = following.getnext()
        if following is None or following.tag != f"{W}p":
            continue
        ppr = following.find(f"{W}pPr")
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            following.insert(0, ppr)
        place = sum(1 for child in ppr if child.tag in _BEFORE_PAGE_BREAK)
        ppr.insert(place, OxmlElement("w:pageBreakBefore"))
        body.remove(paragraph)


def keep_quotes_with_attributions(document) -> None:
    """A quote's attribution never starts a page on its own: the paragraph before it keeps with it."""
    previous = None
    for paragraph in document.element.body.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        quoted = style is not None and style.get(f"{W}val") == "BlockText"
        text = "".join(t.text or "" for t in paragraph.iter(f"{W}t")).lstrip()
        if quoted and previous is not None and text.startswith(ATTRIBUTION):
            word_tables.keep_paragraph_with_next(previous)
        previous = paragraph if quoted else None
