"""The year's review record, ``reviews/<year>.yml``: sign-offs, open comments and applied edits.

    sections:  <section>: {reviewed_by, reviewed_on, fingerprint}
    comments:  - {id, section, author, date, anchored_to, comment, resolved, replies}
    edits:     - {section, cell, reviewer, date, before, after}

``cswo review import`` adds the comments and edits that come home from the Word papers.
"""

from __future__ import annotations

import yaml

from cswo.errors import InputError
from cswo.project.paths import Project
from cswo.project.reading import read_yaml

PARTS = ("sections", "comments", "edits")


def load_reviews(project: Project, year: str) -> dict:
    """The record (empty parts when there is none yet). Raises InputError for a malformed file."""
    path = project.reviews_file(year)
    record = read_yaml(path) if path.exists() else {}
    record = record or {}
    if not isinstance(record, dict) or any(k not in PARTS for k in record):
        raise InputError(f"{path.relative_to(project.root)}: expected the keys {', '.join(PARTS)} only")
    return {
        "sections": dict(record.get("sections") or {}),
        "comments": list(record.get("comments") or []),
        "edits": list(record.get("edits") or []),
    }


def save_reviews(project: Project, year: str, record: dict) -> None:
    path = project.reviews_file(year)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump({k: record.get(k) or ({} if k == "sections" else []) for k in PARTS}, sort_keys=False,
                          allow_unicode=True, width=100)  # fmt: skip
    path.write_text(text, encoding="utf-8")


def open_comments(project: Project, year: str) -> list[dict]:
    """The comments not yet marked resolved."""
    return [c for c in load_reviews(project, year)["comments"] if not c.get("resolved")]
