"""The text of each page of a PDF, as the build's checks read it back.

poppler's ``pdftotext`` reads a fifty-page paper in about a fifth of a second; pypdf, in pure
Python, takes several. The checks use ``pdftotext`` where it is installed and pypdf otherwise,
so a machine without poppler still builds, only more slowly.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

TIMEOUT = 120  # seconds: far beyond any paper's size, so a hang cannot stop a build


def page_texts(path: Path) -> list[str]:
    """One string per page, in order. Raises whatever pypdf raises for a file it cannot read."""
    found = _with_pdftotext(Path(path))
    if found is not None:
        return found
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def _with_pdftotext(path: Path) -> list[str] | None:
    executable = shutil.which("pdftotext")
    if executable is None:
        return None
    try:
        result = subprocess.run(
            [executable, "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None  # pypdf then reads it, or says why it cannot
    pages = result.stdout.decode("utf-8", errors="replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages  # each page ends with a form feed
