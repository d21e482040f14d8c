"""Page numbers in a Word paper's contents list, laid out by LibreOffice at build time.

Word fills a contents field only when someone updates it; LibreOffice and
server-side converters never do, so a paper opened there shows a contents list
without page numbers. Where LibreOffice is installed, the build lets it lay the
paper out (a PDF conversion), finds the page each heading starts on, and writes
those numbers into the field's result. The field stays set to refresh on open,
so Word still recomputes it. Without LibreOffice the paper is left as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from docx.oxml import OxmlElement

from cswo.run import kernels
from cswo.safeguards.pdftext import page_texts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TIMEOUT = 300


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _normal(text: str) -> str:
    # without any spacing: converters differ in what they put between a number and its heading
    return re.sub(r"\s+", "", text).casefold()


def laid_out_pages(paths: list[Path]) -> dict[Path, list[str]]:
    """The text of each page of each document as LibreOffice lays it out, in one LibreOffice run.

    Documents LibreOffice could not lay out are left out; without LibreOffice the answer is empty.
    """
    soffice = libreoffice()
    if soffice is None or not paths:
        return {}
    # named for this build and swept like kernel folders: a build stopped mid-layout leaves nothing
    folder = str(kernels.new_folder(os.getpid(), kernels.LIBREOFFICE_PREFIX))
    try:
        copies = {}
        for number, path in enumerate(paths):
            try:
                copies[path] = _layout_copy(path, Path(folder) / f"{number}.docx")
            except (OSError, zipfile.BadZipFile):
                continue  # not a Word file: LibreOffice could not lay it out either
        # a profile of its own, so builds running side by side do not share LibreOffice's lock; its
        # own temporary files (lu*.tmp) go in the folder too
        profile = Path(folder, "profile").as_uri()
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
            + ["--outdir", folder, *map(str, copies.values())],
            capture_output=True,
            timeout=TIMEOUT,
            env={**os.environ, "TMPDIR": folder, "TMP": folder, "TEMP": folder},
        )
        found = {}
        for path, copy in copies.items():
            converted = copy.with_suffix(".pdf")
            if converted.exists():
                found[path] = page_texts(converted)
        return found
    finally:
        kernels.remove(Path(folder))


def _layout_copy(path: Path, target: Path) -> Path:
    """The document with every picture replaced by a one-pixel one.

    A picture's size on the page is set in the document, not by the image, so the pages break
    exactly as in the real document; LibreOffice then spends no time decoding and compressing
    large chart images (three quarters of the time it takes on a paper with charts).
    """
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            suffix = Path(item.filename).suffix.lower()
            if item.filename.startswith("word/media/") and suffix in _BLANK:
                copy.writestr(item, _BLANK[suffix])
            else:
                copy.writestr(item, source.read(item.filename))
    return target


# one white pixel in each raster format a chart or logo may come in
_BLANK = {
    ".png": bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
        "0000000c4944415408d763f8ffff3f0005fe02fedccc59e70000000049454e44ae426082"
    ),
    ".gif": bytes.fromhex("47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"),
}


def number_contents(paths: list[Path]) -> int:
    """Page numbers in the contents list of each Word document, as LibreOffice lays them out.

    All documents are laid out in one LibreOffice run. Returns how many documents got numbers.
    """
    import docx

    numbered = 0
    for path, pages in laid_out_pages(paths).items():
        document = docx.Document(str(path))
        if add_page_numbers(document, pages):
            document.save(str(path))
            numbered += 1
    return numbered


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
