"""A reviewer, by script: tracked changes, moves and comments (with replies) written into a built
Word paper as Microsoft Word writes them (w:ins/w:del with w:id, w:author, w:date; w:moveFrom/w:moveTo
with their range marks; comments.xml, commentsExtended.xml with w15:paraIdParent)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph
from docx.text.run import Run

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
DATE = "2026-11-20T10:00:00Z"
EXTENDED_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
EXTENDED_REL = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"


def text_of(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(f"{W}t"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Reviewer:
    """Edits one Word paper; ``save`` writes the reviewed copy."""

    def __init__(self, path: Path, author: str = "Jane Reviewer") -> None:
        self.document = docx.Document(str(path))
        self.author = author
        self.next_id = 500
        self.replies: list[tuple[int, int]] = []  # (reply's comment id, parent's comment id)

    def paragraphs(self):
        return [p for p in self.document.element.body if p.tag == f"{W}p"]

    def anchor_of(self, paragraph) -> str:
        names = [b.get(f"{W}name") for b in paragraph.iter(f"{W}bookmarkStart")]
        return next((n for n in names if n.startswith("cswo_")), "")

    def find(self, text: str, nth: int = 0):
        """The nth anchored paragraph of the body containing ``text``."""
        found = [p for p in self.paragraphs() if text in text_of(p) and self.anchor_of(p)]
        assert len(found) > nth, f"no paragraph reads {text!r}"
        return found[nth]

    def _attrs(self, author: str | None = None) -> str:
        self.next_id += 1
        return f'w:id="{self.next_id}" w:author="{author or self.author}" w:date="{DATE}"'

    def _runs(self, paragraph, parts: list[tuple[str, str]]) -> None:
        """Replace the paragraph's content (its properties and bookmarks kept) with ``parts``:
        (kind, text), kind '' plain, 'ins', 'del', 'moveFrom', 'moveTo'."""
        first = paragraph.find(f"{W}r/{W}rPr")
        style = "" if first is None else docx.oxml.xmlchemy.serialize_for_reading(first)
        for child in [c for c in paragraph if c.tag not in (f"{W}pPr", f"{W}bookmarkStart", f"{W}bookmarkEnd")]:
            paragraph.remove(child)
        for kind, text in parts:
            if not text:
                continue
            tag = "w:delText" if kind == "del" else "w:t"
            run = f'<w:r>{style}<{tag} xml:space="preserve">{_escape(text)}</{tag}></w:r>'
            if kind in ("moveFrom", "moveTo"):
                name = f"move{self.next_id}"
                xml = (
                    f'<w:{kind}RangeStart {self._attrs()} w:name="{name}"/><w:{kind} {self._attrs()}>{run}</w:{kind}>'
                    f'<w:{kind}RangeEnd w:id="{self.next_id - 1}"/>'
                )
            elif kind:
                xml = f"<w:{kind} {self._attrs()}>{run}</w:{kind}>"
            else:
                xml = run
            for element in parse_xml(f"<w:wrap {nsdecls('w')}>{xml}</w:wrap>"):
                paragraph.append(element)

    def replace(self, paragraph, old: str, new: str, tracked: bool = True) -> None:
        """``old`` becomes ``new`` in the paragraph, as a tracked deletion and insertion (or untracked)."""
        text = text_of(paragraph)
        at = text.index(old)
        if tracked:
            self._runs(paragraph, [("", text[:at]), ("del", old), ("ins", new), ("", text[at + len(old) :])])
        else:
            self._runs(paragraph, [("", text[:at] + new + text[at + len(old) :])])

    def move(self, paragraph, sentence: str, before: str) -> None:
        """Move ``sentence`` to just before ``before``, as Word records a move within a paragraph."""
        text = text_of(paragraph)
        start = text.index(sentence)
        rest = text[:start] + text[start + len(sentence) :]
        at = rest.index(before)
        parts = [("", rest[:at]), ("moveTo", sentence), ("", rest[at:])]
        if start < at:  # the sentence was before: its old place comes first
            parts = [("", text[:start]), ("moveFrom", sentence), ("", text[start + len(sentence) : at + len(sentence)])]
            parts += [("moveTo", sentence), ("", text[at + len(sentence) :])]
        else:
            parts = [("", rest[:at]), ("moveTo", sentence), ("", rest[at:start]), ("moveFrom", sentence)]
            parts += [("", rest[start:])]
        self._runs(paragraph, parts)

    def delete_paragraph(self, paragraph) -> None:
        """The whole paragraph deleted, its paragraph mark too."""
        self._runs(paragraph, [("del", text_of(paragraph))])
        properties = paragraph.find(f"{W}pPr")
        marks = properties.find(f"{W}rPr")
        if marks is None:
            marks = parse_xml(f"<w:rPr {nsdecls('w')}/>")
            properties.append(marks)
        marks.insert(0, parse_xml(f"<w:del {nsdecls('w')} {self._attrs()}/>"))

    def add_paragraph_after(self, paragraph, text: str) -> None:
        """A new paragraph typed after ``paragraph`` with tracking on: its text and its mark inserted."""
        new = parse_xml(f"<w:p {nsdecls('w')}><w:pPr><w:rPr><w:ins {self._attrs()}/></w:rPr></w:pPr></w:p>")
        paragraph.addnext(new)
        self._runs(new, [("ins", text)])

    def paste_over(self, paragraph, new: str) -> None:
        """Select the whole paragraph and paste other text: the paragraph's bookmark is lost."""
        for bookmark in [b for b in paragraph if b.tag in (f"{W}bookmarkStart", f"{W}bookmarkEnd")]:
            paragraph.remove(bookmark)
        self._runs(paragraph, [("", new)])

    def comment(self, paragraph, text: str, comment: str, author: str | None = None, reply: tuple | None = None):
        """A comment on ``text`` in the paragraph (optionally with a reply: (author, words))."""
        whole = text_of(paragraph)
        at = whole.index(text)
        self._runs(paragraph, [("", whole[:at]), ("", text), ("", whole[at + len(text) :])])
        runs = [r for r in paragraph if r.tag == f"{W}r"]
        target = Run(runs[1] if at else runs[0], Paragraph(paragraph, self.document._body))
        made = self.document.add_comment(target, comment, author or self.author, "JR")
        if reply:
            answer = self.document.add_comment(target, reply[1], reply[0], "AR")
            self.replies.append((answer.comment_id, made.comment_id))
        return made

    def save(self, path: Path) -> Path:
        self.document.core_properties.last_modified_by = self.author  # as Word does on saving
        self.document.save(str(path))
        if self.replies:
            _add_replies(path, self.replies)
        return path


def _add_replies(path: Path, replies: list[tuple[int, int]]) -> None:
    """Give each comment a w14:paraId and write commentsExtended.xml naming each reply's parent."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    comments = parts["word/comments.xml"].decode()
    ids = {}

    def with_para_id(match):
        comment_id = int(re.search(r'w:id="(\d+)"', match.group(0)).group(1))
        ids[comment_id] = f"{0x10000000 + comment_id:08X}"
        return match.group(0)

    comments = re.sub(r"<w:comment [^>]*>", with_para_id, comments)
    for comment_id, para_id in ids.items():
        pattern = re.compile(rf'(<w:comment [^>]*w:id="{comment_id}"[^>]*>.*?)<w:p(?=[ >])', re.S)
        comments = pattern.sub(rf'\1<w:p w14:paraId="{para_id}"', comments, count=1)
    if "xmlns:w14=" not in comments:
        comments = comments.replace("<w:comments ", f'<w:comments xmlns:w14="{W14_NS}" ', 1)
    parts["word/comments.xml"] = comments.encode()
    entries = "".join(
        f'<w15:commentEx w15:paraId="{ids[c]}"'
        + (f' w15:paraIdParent="{ids[dict(replies)[c]]}"' if c in dict(replies) else "")
        + ' w15:done="0"/>'
        for c in sorted(ids)
    )
    parts["word/commentsExtended.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:commentsEx xmlns:w15="{W15_NS}">'
        f"{entries}</w15:commentsEx>"
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>", f'<Override PartName="/word/commentsExtended.xml" ContentType="{EXTENDED_TYPE}"/></Types>'
    ).encode()
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdCx1" Type="{EXTENDED_REL}" Target="commentsExtended.xml"/></Relationships>',
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def libreoffice_round_trip(path: Path, folder: Path) -> Path:
    """The paper opened and saved again by LibreOffice (as .docx)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "docx",
         "--outdir", str(folder), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / path.name
