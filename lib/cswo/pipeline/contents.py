"""Page numbers in a Word paper's contents list, laid out by LibreOffice at build time.

Word fills a contents field only when someone updates it; LibreOffice and
server-side converters never do, so a paper opened there shows a contents list
without page numbers. Where LibreOffice is installed, the build lets it lay the
paper out (a PDF conversion), finds the page each heading starts on, and writes
those numbers into the field's result. The field stays set to refresh on open,
so Word still recomputes it. Without LibreOffice the paper is left as it was.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx.oxml import OxmlElement

from cswo.pipeline.pdftext import page_texts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TIMEOUT = 300


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _normal(text: str) -> str:
    # without any spacing: converters differ in what they put between a number and its heading
    return re.sub(r"\s+", "", text).casefold()


def laid_out_pages(path: Path) -> list[str] | None:
    """The text of each page as LibreOffice lays the document out, or None without LibreOffice."""
    soffice = libreoffice()
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory(prefix="cswo-lo-") as folder:
        # a profile of its own, so builds running side by side do not share LibreOffice's lock
        profile = Path(folder, "profile").as_uri()
        result = subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
            + ["--outdir", folder, str(path)],
            capture_output=True,
            timeout=TIMEOUT,
        )
        converted = Path(folder) / (path.stem + ".pdf")
        if result.returncode != 0 or not converted.exists():
            return None
        return page_texts(converted)


def _entries(document) -> list:
    return [
        p
        for p in document.element.body.iter(f"{W}p")
        if p.xpath("./w:pPr/w:pStyle[starts-with(@w:val, 'TOC') and @w:val != 'TOCHeading']")
    ]


def _text(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(f"{W}t"))


def _heading(entry: str) -> str:
    # the entry without its number: converters draw list numbers in ways text extraction misses
    return _normal(re.sub(r"^\d+(\.\d+)*\s+", "", entry))


def _starts_line(heading: str, page: str) -> bool:
    lines = [_normal(line) for line in page.splitlines()]
    for i, line in enumerate(lines):
        line = re.sub(r"^\d+(\.\d+)*", "", line)  # a number the extraction did catch
        joined = line + "".join(lines[i + 1 : i + 3])  # a heading may wrap onto further lines
        if line and (line == heading or (heading.startswith(line) and joined.startswith(heading))):
            return True
    return False


def page_of_each(entries: list[str], pages: list[str]) -> list[int | None]:
    """The first page after the contents on which each heading starts a line, in order."""
    headings = [_heading(e) for e in entries]
    start = next(
        (
            i + 1
            for i, page in enumerate(pages)
            if headings and "contents" in _normal(page) and _starts_line(headings[0], page)
        ),
        0,
    )
    found, at = [], start
    for heading in headings:
        page = next((i for i in range(at, len(pages)) if _starts_line(heading, pages[i])), None)
        found.append(None if page is None else page + 1)
        if page is not None:
            at = page
    return found


def add_page_numbers(document, pages: list[str]) -> int:
    """Write each found page number after its contents entry (tab, number); returns how many."""
    paragraphs = _entries(document)
    numbers = page_of_each([_text(p) for p in paragraphs], pages)
    written = 0
    for paragraph, number in zip(paragraphs, numbers, strict=True):
        if number is None:
            continue
        end = paragraph.xpath("./w:r[w:fldChar[@w:fldCharType='end']]")
        for child in _number_runs(number):
            if end:
                end[0].addprevious(child)
            else:
                paragraph.append(child)
        written += 1
    return written


def _number_runs(number: int) -> list:
    tab = OxmlElement("w:r")
    tab.append(OxmlElement("w:tab"))
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = str(number)
    run.append(text)
    return [tab, run]
