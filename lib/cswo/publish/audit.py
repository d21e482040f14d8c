"""The figure audit: every figure in the report with its source.

``figures.csv`` lets a reviewer trace each published number to its data row; it is public, so it
carries only what the papers show (a suppressed cell has no value). The values behind suppressed
cells go only to the private QA record (:func:`write_qa_csv`).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from cswo.figures.formatting import spreadsheet_text

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


# the private columns of a data row, and how the QA record names each
PRIVATE_NOTES = {"qa_note": "reviewers' note", "known_slip": "kept as published (known slip)"}


def qa_notes(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Every data row with a reviewers' note (``qa_note``) or a known slip's reason (``known_slip``),
    for the private QA record only: neither reaches a paper or figures.csv."""
    rows = []
    for name, frame in tables.items():
        for column, reason in PRIVATE_NOTES.items():
            if column not in frame.columns:
                continue
            for row in frame[frame[column].fillna("").str.strip() != ""].itertuples():
                rows.append(
                    {"table": name, "measure": row.measure, "breakdown": row.breakdown, "year": row.year}
                    | {"value": row.value or row.status, "reason": reason, "qa_note": getattr(row, column).strip()}
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


PRIVATE_FOLDER_MODE, PRIVATE_FILE_MODE = 0o700, 0o600


def lock_private(folder: Path) -> None:
    """``outputs/.private`` for its owner only: the folder and every folder in it 0700, every file
    0600. The QA record holds every suppressed value and the executed notebooks the data as read,
    so no other user of the machine may list or read them."""
    folder.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            os.chmod(path, PRIVATE_FOLDER_MODE if path.is_dir() else PRIVATE_FILE_MODE)
