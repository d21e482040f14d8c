"""What each Word paper was made from, kept by build id in the private outputs.

For every anchored paragraph: its source (section, cell, paragraph; or the cover and its parameters
key), its source text with roles, the phrases the roles read, and its text as the paper shows it.
The paper carries the build id in its custom properties, so a reviewed copy finds its record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cswo.errors import InputError
from cswo.project.paths import Project
from cswo.review import wordfile


@dataclass
class Built:
    """One Word paper as built: its paragraphs in order, each anchored one with what it was made from."""

    build_id: str
    year: str
    document: str
    paragraphs: list[dict]  # {"anchor": name or "", "text": as shown}
    anchors: dict[str, dict]  # name -> compose.anchors.Anchor as a dict, plus "text"
    recorded: str = ""

    @property
    def unanchored(self) -> set[str]:
        return {p["text"].strip() for p in self.paragraphs if not p["anchor"]}


def record_documents(project: Project, year: str, tasks) -> list[Path]:
    """Keep the record of each Word paper written (or reused) by a build; returns the records written."""
    folder = project.built_drafts_dir(year)
    written = []
    for task in tasks:
        if task.fmt != "docx" or not task.path.exists():
            continue
        target = folder / f"{task.build_id}.json"
        if target.exists():
            continue  # the same inputs make the same paper
        made_from = {anchor["name"]: anchor for anchor in task.anchors}
        built = describe(task.path, task.build_id, year, made_from)
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(built.__dict__, indent=1, ensure_ascii=False), encoding="utf-8")
        written.append(target)
    return written


def describe(path: Path, build_id: str, year: str, made_from: dict[str, dict]) -> Built:
    paragraphs, anchors = [], {}
    for paragraph in wordfile.paragraphs(path):
        name = paragraph.anchor
        base = name.split("#")[0]
        if base in made_from:
            record = {**made_from[base], "text": paragraph.text}
            if name != base:
                record = {**record, "name": name, "kind": "table", "source": ""}
            anchors[name] = record
        paragraphs.append({"anchor": name if name in anchors else "", "text": paragraph.text})
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return Built(build_id, year, path.name, paragraphs, anchors, stamp)


def read(project: Project, year: str, build_id: str) -> Built:
    """The record of the paper built as ``build_id``. Raises InputError when there is none."""
    path = project.built_drafts_dir(year) / f"{build_id}.json"
    if not build_id or not path.exists():
        known = sorted(p.stem for p in project.built_drafts_dir(year).glob("*.json"))
        listed = ", ".join(known[-5:]) if known else "none"
        raise InputError(
            f"there is no record of build '{build_id or '(none)'}' for {year} in "
            f"{project.shown(path.parent)} (builds recorded: {listed}); only a paper built by "
            "`cswo build` on this project can be taken home"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return Built(**data)


def for_document(project: Project, year: str, path: Path) -> Built:
    """The record of the paper ``path`` is a (reviewed) copy of, found by the build id it carries."""
    found = wordfile.build_id(path)
    if not found:
        raise InputError(
            f"{path} carries no build id (custom property '{wordfile.BUILD_PROPERTY}'): it was not built by "
            "`cswo build`, or its properties were removed"
        )
    return read(project, year, found)
