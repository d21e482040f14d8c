"""Reading a Word paper as LibreOffice lays it out: its PDF's pages, lines and words (poppler's bbox text).

Shared by the Word layout tests: what the .docx says, and what a reader of LibreOffice's PDF sees.
"""

from __future__ import annotations

import html
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOOTER_ZONE = 0.9  # lines below this share of the page height are the footer


@dataclass
class Line:
    top: float
    bottom: float
    text: str


@dataclass
class Page:
    number: int
    height: float
    lines: list[Line] = field(default_factory=list)

    @property
    def body(self) -> list[Line]:
        return [line for line in self.lines if line.top < self.height * FOOTER_ZONE]

    def fill(self, top_margin: float, bottom: float) -> float:
        """How far down the page the text reaches, as a share of the space between the margins."""
        body = self.body
        if not body:
            return 0.0
        return (max(line.bottom for line in body) - top_margin) / (bottom - top_margin)


def convert(docx_paths: list[Path], folder: Path) -> list[Path]:
    """LibreOffice's PDF of each document, in one run with a profile of its own."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(folder), *map(str, docx_paths)],
        capture_output=True,
        timeout=600,
        check=True,
    )
    return [folder / (path.stem + ".pdf") for path in docx_paths]


def pages(pdf: Path) -> list[Page]:
    """Each page's lines, top to bottom: its words (pdftotext -bbox) grouped by where they stand.

    A list number and its heading are separate text blocks to poppler; on the page they share a line.
    """
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    found = []
    for number, match in enumerate(re.finditer(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', xml, re.S), 1):
        words = sorted(
            (float(top), float(x), float(bottom), html.unescape(text))
            for x, top, bottom, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>', match.group(2)
            )
        )
        page = Page(number, float(match.group(1)))
        for top, x, bottom, text in words:
            line = page.lines[-1] if page.lines and abs(page.lines[-1].top - top) < 3 else None
            if line is None:
                page.lines.append(Line(top, bottom, [(x, text)]))
            else:
                line.text.append((x, text))
                line.bottom = max(line.bottom, bottom)
        for line in page.lines:
            line.text = " ".join(text for _, text in sorted(line.text))
        found.append(page)
    return found


def tokens(text: str) -> list[str]:
    """Words as both sides can be compared: split at spaces, dots (contents leaders join words) and
    hyphens (where a line may wrap)."""
    return [t for t in re.split(r"[\s.…\-‐]+", text) if t]


def paragraph_text(paragraph) -> str:
    """The paragraph's text, a tab or line break read as a space."""
    parts = []
    for run in paragraph.iter(f"{W}r"):
        for element in run.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
            parts.append(element.text or "" if element.tag == f"{W}t" else " ")
    return "".join(parts)


def docx_words(path: Path) -> Counter:
    """Every word of every paragraph and table cell in the document's body."""
    body = Document(str(path)).element.body
    return Counter(t for p in body.iter(f"{W}p") for t in tokens(paragraph_text(p)))


def pdf_words(laid_out: list[Page]) -> Counter:
    return Counter(t for page in laid_out for line in page.lines for t in tokens(line.text))


def lost_words(path: Path, laid_out: list[Page]) -> list[str]:
    """Words the document has more often than LibreOffice's PDF shows them (clipped, cut or wrapped)."""
    shown = pdf_words(laid_out)
    return sorted(
        f"'{word}' ({count} in the .docx, {shown[word]} shown)"
        for word, count in docx_words(path).items()
        if shown[word] < count
    )


def wrapped_numbers(path: Path, laid_out: list[Page]) -> list[str]:
    """Numbers in table cells that LibreOffice's PDF shows whole fewer times than the .docx has them."""
    shown = Counter(word for page in laid_out for line in page.lines for word in line.text.split())
    body = Document(str(path)).element.body
    cells = Counter()
    for cell in body.iter(f"{W}tc"):
        text = " ".join(paragraph_text(p) for p in cell.iter(f"{W}p")).strip()
        if re.fullmatch(r"[£$]?[\d,]+(\.\d+)?%?", text) and len(text) > 1:
            cells[text] += 1
    return sorted(
        f"{number} ({count} cells, shown whole {shown[number]} times)"
        for number, count in cells.items()
        if shown[number] < count
    )


def numbered_headings(path: Path) -> list[str]:
    """Each heading Word numbers, with the number Word gives it ("2.1 Overview of ...")."""
    body = Document(str(path)).element.body
    counters, found = [0, 0], []
    for paragraph in body.iter(f"{W}p"):
        level = paragraph.find(f"{W}pPr/{W}numPr/{W}ilvl")
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        if level is None or style is None or not style.get(f"{W}val", "").startswith("Heading"):
            continue
        depth = int(level.get(f"{W}val"))
        counters[depth] += 1
        counters[depth + 1 :] = [0] * (len(counters) - depth - 1)
        number = ".".join(str(n) for n in counters[: depth + 1])
        found.append(f"{number} {paragraph_text(paragraph)}")
    return found


def unnumbered_headings(headings: list[str], laid_out: list[Page]) -> list[str]:
    """Headings that no line of the PDF shows with their number in front."""
    # a contents entry (dot leaders to its page number) shows the number whatever the heading shows
    lines = [re.sub(r"\s+", " ", line.text) for page in laid_out for line in page.lines if "..." not in line.text]
    missing = []
    for heading in headings:
        number, _, title = heading.partition(" ")
        start = " ".join(title.split()[:3])
        if not any(re.match(rf"{re.escape(number)} {re.escape(start)}", line) for line in lines):
            missing.append(heading)
    return missing


def table_captions(path: Path) -> list[tuple[str, str]]:
    """Each Word table's caption text and the text of its last row."""
    body = Document(str(path)).element.body
    found, caption = [], None
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            style = child.find(f"{W}pPr/{W}pStyle")
            caption = paragraph_text(child) if style is not None and style.get(f"{W}val") == "TableCaption" else None
        elif child.tag == f"{W}tbl" and caption:
            last = child.findall(f"{W}tr")[-1]
            found.append((caption, " ".join(paragraph_text(p) for p in last.iter(f"{W}p"))))
            caption = None
    return found


def emptied_pages(path: Path, laid_out: list[Page], least: float = 1 / 3) -> list[str]:
    """Pages under ``least`` full followed by a table that starts the next page and then breaks anyway."""
    tops = [page.body[0].top for page in laid_out if page.body]
    top_margin = min(tops) if tops else 0
    bottom = max((line.bottom for page in laid_out for line in page.body), default=1)
    found = []
    for caption, last_row in table_captions(path):
        start = " ".join(caption.split()[:4])
        for index, page in enumerate(laid_out[1:], start=1):
            body = page.body
            if not body or not re.sub(r"\s+", " ", body[0].text).startswith(start):
                continue
            end = " ".join(last_row.split()[:3])
            breaks = end and not any(end in re.sub(r"\s+", " ", line.text) for line in body)
            before = laid_out[index - 1]
            if breaks and before.fill(top_margin, bottom) < least:
                found.append(f"page {before.number} is {before.fill(top_margin, bottom):.0%} full before '{caption}'")
    return found


def blank_pages(laid_out: list[Page], running: tuple[str, ...] = ("DRAFT",)) -> list[int]:
    """The numbers of pages with nothing on them but the footer and a running header (a draft's mark)."""
    return [page.number for page in laid_out if all(line.text.strip() in running for line in page.body)]
