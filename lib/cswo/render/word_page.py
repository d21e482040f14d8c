"""A Word paper's footer, document properties and settings.

The page set-up and any footer come from the council's reference document and are never
changed; only where the reference document has no footer of its own does the build write one
(the report's title and number, and "Page X of Y" at the footer text's size). The properties
are the document's own: the core properties a records system reads, and application properties
that describe this document rather than the reference document they were copied from.
"""

from __future__ import annotations

import datetime as dt

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOOTER_SIZE = Pt(9)
APP_PART = "/docProps/app.xml"
APPLICATION = "cswo (pandoc)"


def has_own_footer(section) -> bool:
    """The reference document gave this section a footer with something in it (text or a field)."""
    if section.footer.is_linked_to_previous:
        return False
    element = section.footer._element
    text = "".join(t.text or "" for t in element.iter(f"{W}t"))
    fields = element.find(f".//{W}fldChar") is not None or element.find(f".//{W}fldSimple") is not None
    return bool(text.strip()) or fields


def footer(document, text: str) -> None:
    """Where the reference document has no footer: ``text``, then "Page X of Y" at the right margin."""
    for section in document.sections:
        if has_own_footer(section):
            continue
        section.footer.is_linked_to_previous = False
        paragraphs = section.footer.paragraphs
        for extra in paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        paragraph = paragraphs[0]
        for child in [c for c in paragraph._p if c.tag != qn("w:pPr")]:
            paragraph._p.remove(child)
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            section.page_width - section.left_margin - section.right_margin, WD_TAB_ALIGNMENT.RIGHT
        )
        for part in (text, "\tPage ", "PAGE", " of ", "NUMPAGES"):
            if part in ("PAGE", "NUMPAGES"):
                _field(paragraph, part)
            else:
                paragraph.add_run(part).font.size = FOOTER_SIZE


DRAFT = "DRAFT"
DRAFT_SIZE = Pt(14)


def draft_header(document) -> None:
    """"DRAFT" at the top of every page: a paragraph added to each section's header (and its first-page
    and even-page headers where the reference document has them), after anything already there."""
    for section in document.sections:
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if document.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
        for header in headers:
            header.is_linked_to_previous = False
            paragraph = header.paragraphs[0] if not "".join(p.text for p in header.paragraphs).strip() else None
            paragraph = paragraph or header.add_paragraph()
            run = paragraph.add_run(DRAFT)
            run.bold, run.font.size = True, DRAFT_SIZE


def _field(paragraph, instruction: str) -> None:
    """A field in its own runs (begin, instruction, separate, result, end), each at the footer size."""
    for kind in ("begin", "instruction", "separate", "result", "end"):
        run = paragraph.add_run()
        run.font.size = FOOTER_SIZE
        if kind == "instruction":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        elif kind == "result":
            element = OxmlElement("w:t")
            element.text = "1"
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def properties(document, meta: dict) -> None:
    """Every core property a records system or screen reader reads, and the document's own app.xml."""
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
    _application_properties(document)


def _application_properties(document) -> None:
    """Replace the reference document's app.xml (its page and word counts, its Word version).

    Page counts are left out: only the program that lays the document out knows them.
    """
    part = next((p for p in document.part.package.iter_parts() if p.partname == APP_PART), None)
    if part is None:
        return
    words = sum(len((t.text or "").split()) for t in document.element.body.iter(f"{W}t"))
    part._blob = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{APPLICATION}</Application><DocSecurity>0</DocSecurity>"
        f"<Words>{words}</Words>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    ).encode()


def refresh_fields_on_open(document) -> None:
    """Word asks to update fields (the contents list, captions, page counts) when the paper is opened."""
    settings = document.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>')
        _place_update_fields(settings, update)
    update.set(qn("w:val"), "true")


# the settings that the schema puts after updateFields
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults footnotePr endnotePr compat docVars rsids mathPr attachedSchema themeFontLang clrSchemeMapping "
    "doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType "
    "schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
).split()


def _place_update_fields(settings, update) -> None:
    later = {f"{W}{name}" for name in _AFTER_UPDATE_FIELDS}
    following = next((child for child in settings if child.tag in later), None)
    if following is None:
        settings.append(update)
    else:
        following.addprevious(update)
