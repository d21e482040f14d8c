"""A built year's papers read back as a reader's tools see them (the reference tests share these)."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from pypdf import PdfReader

from support import REFERENCE_YEAR


def paper(project, committee: str, suffix: str, year: str = REFERENCE_YEAR) -> Path:
    """Where a committee's paper is published, named as the test expects it (not asked of the suite)."""
    return project.year_outputs(year) / committee / f"cswo-annual-report-{year}-{committee}-paper.{suffix}"


def docx_text(path: Path) -> str:
    """Paragraphs and table rows in document order, as a screen reader meets them."""
    parts = []
    for block in Document(str(path)).iter_inner_content():
        if hasattr(block, "rows"):
            parts += [" | ".join(cell.text for cell in row.cells) for row in block.rows]
        else:
            parts.append(block.text)
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
