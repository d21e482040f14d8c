"""``cswo redline``: what changed between the draft a reviewer saw and the current build, as tracked
changes in a Word document, so the reviewer reads only what is new.

The paragraphs of both papers are matched by their anchors (text for the few without one). The
current paper is copied; each changed paragraph shows its old words deleted and its new words
inserted (``w:del``/``w:ins``, word by word), each new paragraph is an insertion and each paragraph
gone is a deletion in its old place. It is written to the private outputs, never to the papers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from cswo.errors import InputError
from cswo.project.paths import Project
from cswo.review import manifest, wordfile
from cswo.review.mapping import normal

W = wordfile.W
AUTHOR = "cswo redline"
WORDS = re.compile(r"\s+|[^\s]+")


@dataclass
class Redline:
    path: Path
    old_build: str
    new_build: str
    changed: int = 0
    added: int = 0
    removed: int = 0


def current_paper(project: Project, year: str, name: str) -> Path:
    """The newest built paper called ``name`` (published or draft) with a build record."""
    found = [
        p
        for folder in (project.year_outputs(year), project.draft_outputs(year))
        if folder.exists()
        for p in folder.rglob(name)
        if (project.built_drafts_dir(year) / f"{wordfile.build_id(p)}.json").exists()
    ]
    if not found:
        raise InputError(f"there is no current build of {name} for {year}: run `cswo build --year {year}` first")
    return max(found, key=lambda p: p.stat().st_mtime)


def redline(
    project: Project, year: str, old: Path | None = None, build_id: str = "", output: Path | None = None
) -> Redline:
    """Write the redline; raises InputError when neither draft nor build id leads to a build record."""
    if old is None and not build_id:
        raise InputError("say which draft the reviewer saw: the reviewed .docx, or --from BUILD_ID")
    before = manifest.read(project, year, build_id) if build_id else manifest.for_document(project, year, old)
    paper = current_paper(project, year, before.document)
    after = manifest.for_document(project, year, paper)
    target = output or project.redline_file(year, before.build_id, after.build_id)
    result = Redline(target, before.build_id, after.build_id)
    document = docx.Document(str(paper))
    elements = [e for e in document.element.body if e.tag in (f"{W}p", f"{W}tbl")]
    _mark(before.paragraphs, after.paragraphs, elements, result)
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))
    return result


def _mark(old: list[dict], new: list[dict], elements: list, result: Redline) -> None:
    """Paragraphs aligned by their text; where they differ, one with the same anchor is reworded, the
    others are insertions and deletions."""
    changes = _Changes()
    texts = [normal(p["text"]) for p in old], [normal(p["text"]) for p in new]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, *texts, autojunk=False).get_opcodes():
        i, j = i1, j1
        while tag != "equal" and (i < i2 or j < j2):
            later = {p["anchor"] for p in new[j:j2] if p["anchor"]}
            if i < i2 and j < j2 and old[i]["anchor"] and old[i]["anchor"] == new[j]["anchor"]:
                changes.reword(elements[j], old[i]["text"], new[j]["text"])
                result.changed, i, j = result.changed + 1, i + 1, j + 1
            elif j < j2 and (i == i2 or old[i]["anchor"] in later):
                changes.insert(elements[j])
                result.added, j = result.added + 1, j + 1
            else:
                changes.remove_before(elements[j] if j < len(elements) else None, elements[-1], old[i]["text"])
                result.removed, i = result.removed + 1, i + 1


class _Changes:
    """Tracked changes written as Word writes them, each with its own id, author and date."""

    def __init__(self) -> None:
        self.next_id = 9000
        self.date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _attrs(self) -> str:
        self.next_id += 1
        return f'w:id="{self.next_id}" w:author="{AUTHOR}" w:date="{self.date}"'

    def _run(self, kind: str, text: str) -> str:
        tag = "w:delText" if kind == "del" else "w:t"
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        run = f'<w:r><{tag} xml:space="preserve">{escaped}</{tag}></w:r>'
        return run if kind == "same" else f"<w:{kind} {self._attrs()}>{run}</w:{kind}>"

    def reword(self, element, old: str, new: str) -> None:
        """The paragraph's words, old ones deleted and new ones inserted, word by word."""
        if element.tag != f"{W}p":
            self.remove_before(element, element, old)
            self.insert(element)
            return
        for child in [c for c in element if c.tag not in (f"{W}pPr", f"{W}bookmarkStart", f"{W}bookmarkEnd")]:
            element.remove(child)
        a, b = WORDS.findall(old), WORDS.findall(new)
        runs = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag == "equal":
                runs.append(self._run("same", "".join(a[i1:i2])))
                continue
            if i2 > i1:
                runs.append(self._run("del", "".join(a[i1:i2])))
            if j2 > j1:
                runs.append(self._run("ins", "".join(b[j1:j2])))
        for run in runs:
            element.append(parse_xml(f"<w:wrap {nsdecls('w')}>{run}</w:wrap>")[0])

    def insert(self, element) -> None:
        """A new paragraph (or table): its runs and its paragraph mark inserted."""
        for paragraph in [element] if element.tag == f"{W}p" else list(element.iter(f"{W}p")):
            for run in [r for r in paragraph if r.tag == f"{W}r"]:
                wrapper = parse_xml(f"<w:ins {nsdecls('w')} {self._attrs()}/>")
                run.addprevious(wrapper)
                wrapper.append(run)
            self._mark_paragraph(paragraph, "ins")

    def remove_before(self, anchor, last, text: str) -> None:
        """A paragraph gone since: its text deleted, with its paragraph mark, where it stood."""
        paragraph = parse_xml(f"<w:p {nsdecls('w')}>{self._run('del', text)}</w:p>")
        self._mark_paragraph(paragraph, "del")
        if anchor is not None:
            anchor.addprevious(paragraph)
        else:
            last.addnext(paragraph)

    def _mark_paragraph(self, paragraph, kind: str) -> None:
        properties = paragraph.find(f"{W}pPr")
        if properties is None:
            properties = parse_xml(f"<w:pPr {nsdecls('w')}/>")
            paragraph.insert(0, properties)
        marks = properties.find(f"{W}rPr")
        if marks is None:
            marks = parse_xml(f"<w:rPr {nsdecls('w')}/>")
            properties.append(marks)
        marks.insert(0, parse_xml(f"<w:{kind} {nsdecls('w')} {self._attrs()}/>"))  # first, as the schema orders
