"""Reading a Word paper paragraph by paragraph: its anchors, its text as built and as the reviewer
left it (tracked changes rejected and accepted), who changed it, and its comments.

Read straight from the OOXML (``word/document.xml``, ``comments.xml``, ``commentsExtended.xml``,
``docProps/custom.xml``) as Word and LibreOffice write them: ``w:ins``, ``w:del``, ``w:moveFrom``,
``w:moveTo``, comment ranges and replies.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from cswo.compose import anchors
from cswo.errors import InputError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
BUILD_PROPERTY = "cswo_build_id"
REMOVED = {f"{W}del", f"{W}moveFrom"}
ADDED = {f"{W}ins", f"{W}moveTo"}
CHANGES = REMOVED | ADDED


@dataclass
class Paragraph:
    """One paragraph (or one table, its rows on lines) of a Word paper."""

    anchors: list[str]
    built: str  # the text with every tracked change rejected
    text: str  # the text with every tracked change accepted
    authors: list[str] = field(default_factory=list)  # who made its tracked changes
    date: str = ""  # the latest tracked change's date
    removed: bool = False  # deleted whole, its paragraph mark too
    added: bool = False  # a new paragraph, its paragraph mark a tracked insertion
    table: bool = False
    comments: list[str] = field(default_factory=list)  # ids of the comments anchored in it

    @property
    def anchor(self) -> str:
        return self.anchors[0] if self.anchors else ""


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    para_id: str = ""  # the comment's own paragraph id (w14:paraId), which a reply names as its parent
    parent: str = ""  # the id of the comment this one replies to
    done: bool = False
    anchored_to: str = ""


def _read(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        raise InputError(f"{path} cannot be read as a Word document (.docx)") from None


def _part(archive: zipfile.ZipFile, name: str):
    if name not in archive.namelist():
        return None
    return etree.fromstring(archive.read(name))


def _change(node, stop) -> str | None:
    """The tracked change a text node is inside ('removed', 'added'), or None."""
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in REMOVED:
            return "removed"
        if parent.tag in ADDED:
            return "added"
        parent = parent.getparent()
    return None


def _texts(element) -> tuple[str, str]:
    """(built, accepted) text of a paragraph or table."""
    built, accepted = [], []
    for node in element.iter(f"{W}t", f"{W}delText", f"{W}tab", f"{W}br", f"{W}noBreakHyphen", f"{W}p"):
        if node.tag == f"{W}p":
            if node is not element and built:
                built.append("\n")
                accepted.append("\n")
            continue
        text = {f"{W}tab": "\t", f"{W}br": " ", f"{W}noBreakHyphen": "-"}.get(node.tag, node.text or "")
        change = _change(node, element)
        if change != "added":
            built.append(text)
        if change != "removed":
            accepted.append(text)
    return "".join(built), "".join(accepted)


def _paragraph(element, table: bool) -> Paragraph:
    built, text = _texts(element)
    names = [b.get(f"{W}name", "") for b in element.iter(f"{W}bookmarkStart")]
    changes = [c for c in element.iter(*CHANGES)]
    mark = element.find(f"{W}pPr/{W}rPr/{W}del")
    return Paragraph(
        anchors=[n for n in names if anchors.NAME.fullmatch(n)],
        built=built,
        text=text,
        authors=sorted({c.get(f"{W}author", "") for c in changes} - {""}),
        date=max((c.get(f"{W}date", "") for c in changes), default=""),
        removed=mark is not None and not text.strip(),
        added=element.find(f"{W}pPr/{W}rPr/{W}ins") is not None,
        table=table,
        comments=[c.get(f"{W}id") for c in element.iter(f"{W}commentRangeStart")],
    )


def paragraphs(path: Path) -> list[Paragraph]:
    """The body's paragraphs and tables in order (a table belongs to the caption anchored before it)."""
    with _read(path) as archive:
        root = _part(archive, "word/document.xml")
    if root is None:
        raise InputError(f"{path} is not a Word document: it has no word/document.xml")
    found, pending = [], []
    for element in root.find(f"{W}body"):
        if element.tag == f"{W}bookmarkStart":
            # a bookmark LibreOffice moved out of its paragraph
            pending += [n for n in [element.get(f"{W}name")] if anchors.NAME.fullmatch(n)]
        elif element.tag == f"{W}p":
            paragraph = _paragraph(element, table=False)
            paragraph.anchors = pending + paragraph.anchors
            pending = []
            found.append(paragraph)
        elif element.tag == f"{W}tbl":
            table = _paragraph(element, table=True)
            before = found[-1].anchor if found else ""
            table.anchors = [before + "#table"] if before else []
            found.append(table)
    return found


def build_id(path: Path) -> str:
    """The build id the paper carries in its custom document properties ('' if none)."""
    with _read(path) as archive:
        root = _part(archive, "docProps/custom.xml")
    if root is None:
        return ""
    for prop in root.iter(f"{CUSTOM}property"):
        if prop.get("name") == BUILD_PROPERTY:
            return "".join(prop.itertext()).strip()
    return ""


def last_modified_by(path: Path) -> str:
    with _read(path) as archive:
        root = _part(archive, "docProps/core.xml")
    if root is None:
        return ""
    found = root.find("{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy")
    return (found.text or "").strip() if found is not None else ""


def comments(path: Path) -> list[Comment]:
    """Every comment, with its replies' parents (commentsExtended) and the text each is anchored to."""
    with _read(path) as archive:
        root = _part(archive, "word/comments.xml")
        extended = _part(archive, "word/commentsExtended.xml")
        document = _part(archive, "word/document.xml")
    if root is None:
        return []
    found = []
    for comment in root.iter(f"{W}comment"):
        paras = comment.findall(f".//{W}p")
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paras).strip()
        para_id = paras[-1].get(f"{W14}paraId", "") if paras else ""
        found.append(
            Comment(comment.get(f"{W}id"), comment.get(f"{W}author", ""), comment.get(f"{W}date", ""), text, para_id)
        )
    by_para = {c.para_id: c for c in found if c.para_id}
    for entry in extended.iter(f"{W15}commentEx") if extended is not None else []:
        comment = by_para.get(entry.get(f"{W15}paraId"))
        if comment is None:
            continue
        parent = by_para.get(entry.get(f"{W15}paraIdParent", ""))
        comment.parent = parent.id if parent is not None else ""
        comment.done = entry.get(f"{W15}done") == "1"
    ranges = _anchored_texts(document) if document is not None else {}
    for comment in found:
        comment.anchored_to = ranges.get(comment.id, "")
    return found


def _anchored_texts(document) -> dict[str, str]:
    """The text between each comment's range start and end, in document order."""
    open_ranges: dict[str, list[str]] = {}
    done: dict[str, str] = {}
    for node in document.iter(f"{W}commentRangeStart", f"{W}commentRangeEnd", f"{W}t", f"{W}delText"):
        if node.tag == f"{W}commentRangeStart":
            open_ranges[node.get(f"{W}id")] = []
        elif node.tag == f"{W}commentRangeEnd":
            done[node.get(f"{W}id")] = "".join(open_ranges.pop(node.get(f"{W}id"), [])).strip()
        else:
            for parts in open_ranges.values():
                parts.append(node.text or "")
    return done
