"""The figure audit: every figure in the report with its source, and digits typed into prose.

``figures.csv`` lets a reviewer trace each published number to its data row; it is public, so it
carries only what the papers show (a suppressed cell has no value). The values behind suppressed
cells go only to the private QA record (:func:`write_qa_csv`).
The typed-number check flags digits in narrative cells that should be
figures named with ``{eval}`` roles; dates, years, ages, legislation and section numbers
are allowed, and an analyst can allow a specific number in a cell with an
HTML comment: ``<!-- allow-number: 400 -->``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import nbformat
import pandas as pd

from cswo.figures.formatting import spreadsheet_text
from cswo.narrative import roles as prose

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ALLOWED = [
    r"\b(?:19|20)\d{2}(?:\s?[-/–]\s?(?:19|20)?\d{2})?\b",  # years and financial years
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b",  # dates
    r"\b(?:aged|age|ages|age of|under|over the age of)\s+\d+(?:\s?(?:-|–|to|and)\s?\d+)?\b",  # ages
    r"\b\d+\s?(?:-|–|to)\s?\d+[- ]year[- ]olds?\b",
    r"\b\d+\s?(?:years? old|year-olds?)\b",
    r"\b(?:Act|Regulations|Order)\s+\d{4}\b",
    r"\b(?:[Ss]ections?|[Pp]aragraphs?|s\.|[Aa]ppendix|[Pp]art|[Cc]hapter|[Aa]rticle)\s*\d+(?:\.\d+)*(?:\s*\(\d+\))?(?:\s*(?:to|and|-)\s*\d+)?",
    r"\b(?:Options?|[Ll]evel|Band|[Qq]uestion|KQ|Indicators?|Unit|Phase|Tier|Stage|[Gg]rade|Principle|Standard|Priority|Step|NI)[\s-]?\d+(?:\s?(?:-|–|to|and)\s?\d+)?\b",
    r"\bCOVID-19\b",
    r"\b24/7\b",
    r"^\s*#+\s*\d+(?:\.\d+)*",  # numbered headings
    r"\b\d+(?:st|nd|rd|th)\b",  # ordinals ("13th poorest") are rankings, allowed
]
ALLOW_COMMENT = re.compile(r"<!--\s*allow-number:\s*([^>]*?)\s*-->")
DIGITS = re.compile(r"(?<![\w{.])\d[\d,.]*%?")


def typed_numbers(text: str) -> list[str]:
    """Numbers typed into narrative that are not figure roles and not on the allow-list."""
    allowed_here = {n.strip() for m in ALLOW_COMMENT.finditer(text) for n in re.split(r";|,\s+", m.group(1))}
    cleaned = ALLOW_COMMENT.sub(" ", text)
    cleaned = prose.without_references(cleaned)
    cleaned = re.sub(r"\(https?://[^)]*\)|https?://\S+", " ", cleaned)
    for pattern in ALLOWED:
        cleaned = re.sub(pattern, " ", cleaned, flags=re.MULTILINE)
    found = []
    for match in DIGITS.finditer(cleaned):
        number = match.group(0).rstrip(".,")
        if number and number not in allowed_here:
            found.append(number)
    return found


def notebook_typed_numbers(path: Path, section: str) -> list[str]:
    """One message per markdown cell that carries hand-typed numbers."""
    nb = nbformat.read(path, as_version=4)
    messages = []
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "markdown":
            continue
        numbers = typed_numbers(cell.source)
        if numbers:
            messages.append(
                f"Section '{section}', markdown cell {index}: number(s) typed into the narrative "
                f"({', '.join(numbers)}); name a figure from data with {prose.role('name')}, or allow it with "
                f"<!-- allow-number: {numbers[0]} -->"
            )
    return messages


FIGURE_COLUMNS = [
    "section",
    "kind",
    "name",
    "table",
    "measure",
    "breakdown",
    "year",
    "value",
    "shown",
    "unit",
    "source",
]


def write_figures_csv(bundles: dict[str, dict], path: Path) -> int:
    """Every figure and table cell the sections published, for reviewers. Returns the row count."""
    rows = []
    for section, bundle in bundles.items():
        for fig in bundle.get("figures", []):
            rows.append({"kind": "narrative figure", **fig})
        for cell in bundle.get("table_cells", []):
            rows.append(
                {
                    "section": section,
                    "kind": "table cell",
                    "name": f"{cell['table']} / {cell['row']} / {cell['column']}",
                    "table": "",
                    "measure": "",
                    "breakdown": "",
                    "year": cell["column"],
                    "value": cell["value"],
                    "shown": "",
                    "unit": cell["unit"],
                    "source": cell["source"],
                }
            )
    return _write_csv(path, FIGURE_COLUMNS, rows)


QA_COLUMNS = ["section", "table", "measure", "breakdown", "year", "value", "reason", "threshold", "qa_note"]


def qa_notes(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Every data row with a reviewers' note (``qa_note``), for the private QA record only."""
    rows = []
    for name, frame in tables.items():
        if "qa_note" not in frame.columns:
            continue
        for row in frame[frame["qa_note"].fillna("").str.strip() != ""].itertuples():
            rows.append(
                {"table": name, "measure": row.measure, "breakdown": row.breakdown, "year": row.year}
                | {"value": row.value or row.status, "reason": "reviewers' note", "qa_note": row.qa_note.strip()}
            )
    return rows


def write_qa_csv(bundles: dict[str, dict], path: Path, notes: list[dict] | None = None) -> int:
    """The private QA record: the value behind every suppressed cell and why it was suppressed,
    then the reviewers' notes (``notes``, from :func:`qa_notes`), which no public output carries.

    Written only outside ``outputs/<year>/`` (see ``Project.private_dir``). Returns the row count.
    """
    seen, rows = set(), []
    for section, bundle in bundles.items():
        for cell in bundle.get("suppressed_cells", []):
            key = (cell["table"], cell["measure"], cell["breakdown"], cell["year"])
            if key not in seen:
                seen.add(key)
                rows.append({"section": section, **cell})
    rows += notes or []
    return _write_csv(path, QA_COLUMNS, rows)


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> int:
    """Rows as CSV, every text cell neutralised so a spreadsheet never reads it as a formula."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({key: spreadsheet_text(value) for key, value in row.items()} for row in rows)
    return len(rows)


def chart_alt_problems(bundles: dict[str, dict]) -> list[str]:
    """Charts whose alt text is missing, a file name, or only the caption: checked before rendering."""
    problems = []
    for section, bundle in bundles.items():
        for chart in bundle.get("charts", []):
            alt = (chart.get("alt") or "").strip()
            caption = (chart.get("caption") or "").strip()
            where = f"Section '{section}', chart '{caption}' ({chart.get('file')})"
            if not alt:
                problems.append(f"{where} has no alt text")
            elif alt.lower().endswith((".png", ".svg", ".jpg")) or "/" in alt.split()[0]:
                problems.append(f"{where}: its alt text is a file name ({alt})")
            elif alt.rstrip(".") == caption.rstrip("."):
                problems.append(f"{where}: its alt text only repeats the caption; say what the chart shows")
    return problems
