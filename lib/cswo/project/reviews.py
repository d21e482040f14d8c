"""The year's review record, ``reviews/<year>.yml``: a plain file git can diff.

    sections:            # sign-off per section notebook stem
      <section>: {reviewed_by: <name>, reviewed_on: <YYYY-MM-DD>, fingerprint: <hash>}
    comments:            # open review comments (from Word)
      - {id, section, author, date, anchored_to, comment, resolved: false, replies}
    edits:               # reviewer edits applied: {section, cell, reviewer, date, before, after}

A sign-off records *what* was reviewed: the fingerprint of the section's text and the figures it
shows (:func:`cswo.cache.keys.review_fingerprint`), so a later change to either re-opens it. This
module only reads and writes the record; the build compares fingerprints. :func:`read_record` and
:func:`write_record` give it as :class:`Reviews` (sign-offs checked); :func:`load_reviews` and
:func:`save_reviews` as plain parts, for ``cswo review import``, which adds comments and edits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import yaml

from cswo.errors import InputError
from cswo.project.paths import Project
from cswo.project.reading import read_yaml

SIGN_OFF_KEYS = ("reviewed_by", "reviewed_on", "fingerprint")
HEADER = (
    "# Review record for {year}: who signed off each section, and what they read (its fingerprint).\n"
    "# Written by `cswo review sign`; a section whose text or figures changed since is open again.\n"
)


@dataclass(frozen=True)
class SignOff:
    reviewed_by: str
    reviewed_on: str  # YYYY-MM-DD
    fingerprint: str


@dataclass
class Reviews:
    """The record for one year (empty when the file does not exist yet)."""

    sections: dict[str, SignOff] = field(default_factory=dict)
    comments: list[dict] = field(default_factory=list)
    edits: list[dict] = field(default_factory=list)

    def open_comments(self) -> list[dict]:
        return [c for c in self.comments if not c.get("resolved", False)]

    def sign(self, section: str, by: str, fingerprint: str, on: dt.date | None = None) -> None:
        self.sections[section] = SignOff(by, (on or dt.date.today()).isoformat(), fingerprint)

    def as_yaml(self) -> dict:
        return {
            "sections": {name: vars(sign) for name, sign in sorted(self.sections.items())},
            "comments": self.comments,
            "edits": self.edits,
        }


def read_record(project: Project, year: str) -> Reviews:
    """The year's record. Raises InputError naming the file and every malformed entry at once."""
    path = project.reviews_file(year)
    if not path.exists():
        return Reviews()
    label = f"reviews/{path.name}"
    data = read_yaml(path, label) or {}
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InputError(f"{label}: expected the keys sections, comments and edits, not a {type(data).__name__}")
    unknown = sorted(set(data) - {"sections", "comments", "edits"})
    problems += [f"key '{key}' is not one of sections, comments, edits" for key in unknown]
    sections = _sign_offs(data.get("sections") or {}, problems)
    comments = _entries(data, "comments", problems)
    edits = _entries(data, "edits", problems)
    if problems:
        raise InputError(f"{label} has {len(problems)} problem(s): " + "; ".join(problems))
    return Reviews(sections, comments, edits)


def _sign_offs(raw: object, problems: list[str]) -> dict[str, SignOff]:
    if not isinstance(raw, dict):
        problems.append("'sections' must map each section to its sign-off")
        return {}
    found = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            problems.append(f"sections.{name} must have {', '.join(SIGN_OFF_KEYS)}")
            continue
        missing = [key for key in SIGN_OFF_KEYS if not entry.get(key)]
        extra = sorted(set(entry) - set(SIGN_OFF_KEYS))
        problems += [f"sections.{name}.{key} is missing" for key in missing]
        problems += [f"sections.{name}.{key} is not one of {', '.join(SIGN_OFF_KEYS)}" for key in extra]
        if not missing and not extra:
            found[str(name)] = SignOff(*(str(entry[key]) for key in SIGN_OFF_KEYS))
    return found


def _entries(data: dict, key: str, problems: list[str]) -> list[dict]:
    raw = data.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        problems.append(f"'{key}' must be a list of entries")
        return []
    return [dict(entry) for entry in raw]


def write_record(project: Project, year: str, reviews: Reviews) -> None:
    """Write the record (sections sorted by name, so a diff shows only what changed)."""
    path = project.reviews_file(year)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(reviews.as_yaml(), sort_keys=False, allow_unicode=True, width=110)
    path.write_text(HEADER.format(year=year) + body, encoding="utf-8")


PARTS = ("sections", "comments", "edits")


def load_reviews(project: Project, year: str) -> dict:
    """The record as plain parts (empty when there is none yet). Raises InputError for a malformed file."""
    path = project.reviews_file(year)
    record = read_yaml(path) if path.exists() else {}
    record = record or {}
    if not isinstance(record, dict) or any(k not in PARTS for k in record):
        raise InputError(f"{project.shown(path)}: expected the keys {', '.join(PARTS)} only")
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
    path.write_text(HEADER.format(year=year) + text, encoding="utf-8")


def open_comments(project: Project, year: str) -> list[dict]:
    """The comments not yet marked resolved."""
    return [c for c in load_reviews(project, year)["comments"] if not c.get("resolved")]
