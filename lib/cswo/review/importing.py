"""``cswo review import``: a reviewed Word paper's edits and comments, taken home.

Each anchored paragraph the reviewer changed (tracked or not) is compared with the paper as built:
prose edits go into the notebook cell and its twin, figure edits become data queries, cover text
from the parameters goes to its key where that is safe; a paragraph changed in the notebook since the
build is a conflict, listed with its three texts. Comments open review items. Nothing is applied
silently: the Report lists every outcome, and a dry run changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from cswo.data import queries
from cswo.project.paths import Project
from cswo.project.reviews import load_reviews, save_reviews
from cswo.project.templates import cover_template
from cswo.review import cells, manifest, wordfile
from cswo.review import parameters as cover_keys
from cswo.review.mapping import map_back, normal


@dataclass
class Conflict:
    where: str
    built: str  # as built
    reviewed: str  # as the reviewer left it
    now: str  # as it is now

    def __str__(self) -> str:
        return f"{self.where}: as built: '{self.built}'; as the reviewer left it: '{self.reviewed}'; now: '{self.now}'"


@dataclass
class Report:
    document: str
    build_id: str
    dry_run: bool
    applied: list[dict] = field(default_factory=list)  # the review record's edits
    queries: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)  # not applied, with what to do instead
    notes: list[str] = field(default_factory=list)


@dataclass
class _Edit:
    anchor: dict
    paragraph: wordfile.Paragraph
    reviewer: str
    date: str

    @property
    def reviewed(self) -> str:
        return "" if self.paragraph.removed else self.paragraph.text


def import_review(project: Project, year: str, path: Path, dry_run: bool = False, reviewer: str = "") -> Report:
    """Take a reviewed paper's edits and comments home. Raises InputError when the paper has no record."""
    built = manifest.for_document(project, year, path)
    report = Report(path.name, built.build_id, dry_run)
    paragraphs = wordfile.paragraphs(path)
    fallback = reviewer or wordfile.last_modified_by(path) or "an unnamed reviewer"
    edits = _edits(built, paragraphs, fallback, report)
    record = load_reviews(project, year)
    _apply_prose(project, year, [e for e in edits if e.anchor["kind"] == "prose"], report)
    for edit in edits:
        if edit.anchor["kind"] == "cover":
            _apply_cover(project, year, edit, report)
        elif edit.anchor["kind"] != "prose":
            report.listed.append(
                f"{_where(edit.anchor)}: a table, chart or note made by the section's code from the data was "
                f"edited ('{edit.anchor['text']}' -> '{edit.reviewed}'); change the data or the notebook's code, "
                "or raise a query"
            )
    report.comments = _comments(path, built, paragraphs, record, report)
    if not dry_run:
        record["edits"] += report.applied
        record["comments"] += report.comments
        if report.applied or report.comments:
            save_reviews(project, year, record)
    return report


def _edits(built: manifest.Built, paragraphs: list, fallback: str, report: Report) -> list[_Edit]:
    """The anchored paragraphs the reviewer changed; paragraphs that lost their anchors are listed."""
    edits, seen = [], set()
    for paragraph in paragraphs:
        names = list(dict.fromkeys(paragraph.anchors))
        seen.update(names)
        if not names:
            if paragraph.added and paragraph.text.strip():
                report.listed.append(
                    f"a new paragraph added by {', '.join(paragraph.authors) or fallback}: "
                    f"'{paragraph.text.strip()}': not placed; copy it into the notebook by hand"
                )
            elif paragraph.text.strip() and normal(paragraph.text) not in {normal(t) for t in built.unanchored}:
                report.listed.append(
                    f"a paragraph with no anchor, not in the draft as built: '{paragraph.text.strip()}' (pasted "
                    "over or added untracked?): not placed; copy it into the notebook by hand"
                )
            continue
        anchor = built.anchors.get(names[0])
        if anchor is None:
            report.listed.append(f"a paragraph whose anchor {names[0]} is not in build {built.build_id}: not placed")
            continue
        if len(names) > 1:
            report.listed.append(f"{_where(anchor)}: paragraphs were joined ('{paragraph.text}'): not applied")
            continue
        reviewed = "" if paragraph.removed else paragraph.text
        if normal(reviewed) == normal(anchor["text"]):
            continue
        who = ", ".join(paragraph.authors) or fallback
        edits.append(_Edit(anchor, paragraph, who, paragraph.date[:10]))
    for name, anchor in built.anchors.items():
        if name not in seen and "#" not in name:
            report.listed.append(
                f"{_where(anchor)}: its anchor is gone from the paper (pasted over or retyped?); it read "
                f"'{anchor['text']}': nothing applied, not guessed"
            )
    return edits


def _where(anchor: dict) -> str:
    if anchor["kind"] == "cover":
        place = f"cover report ({anchor['cell']}), paragraph {anchor['paragraph'] + 1}"
        return place + (f", parameters key '{anchor['key']}'" if anchor.get("key") else "")
    return f"section '{anchor['section']}', cell {anchor['number']}, paragraph {anchor['paragraph'] + 1}"


def _apply_prose(project: Project, year: str, edits: list[_Edit], report: Report) -> None:
    """Each cell's paragraphs from the last up, so a removed paragraph does not move the ones to come."""
    opened: dict[str, cells.Notebook | None] = {}
    order = sorted(edits, key=lambda e: (e.anchor["section"], e.anchor["cell"], -e.anchor["paragraph"]))
    for edit in order:
        section = edit.anchor["section"]
        if section not in opened:
            opened[section] = cells.open_notebook(project, year, section)
        _prose_edit(project, opened[section], edit, report)
    for notebook in opened.values():
        if notebook is not None and notebook.replaced and not report.dry_run:
            note = notebook.write()
            if note:
                report.notes.append(note)


def _prose_edit(project: Project, notebook: cells.Notebook | None, edit: _Edit, report: Report) -> None:
    anchor, where = edit.anchor, _where(edit.anchor)
    if notebook is None or notebook.note:
        why = notebook.note if notebook else "its notebook is gone"
        report.listed.append(f"{where}: not applied, {why} ('{anchor['text']}' -> '{edit.reviewed}')")
        return
    if not edit.reviewed:
        new, figures, unplaced = "", [], []
    else:
        mapped = map_back(anchor["source"], anchor["roles"], anchor["text"], edit.reviewed)
        new = mapped.source.strip() if mapped.prose_changed else None
        figures, unplaced = mapped.figures, mapped.unplaced
    now = notebook.paragraph(anchor["cell"], anchor["number"], anchor["paragraph"])
    if now != anchor["source"]:
        if new and now == new:  # this paper was imported before
            report.notes.append(f"{where}: {edit.reviewer}'s edit is in the notebook already")
        else:
            report.conflicts.append(Conflict(where, anchor["text"], edit.reviewed, now or "(gone)"))
        return
    for role, old, changed in figures:
        _query(project, anchor, role, old, changed, edit, report)
    for old, changed in unplaced:
        report.listed.append(f"{where}: '{old}' -> '{changed}' cannot be placed in the source for certain: not applied")
    if new is None:
        return
    notebook.replace(anchor["cell"], anchor["number"], anchor["paragraph"], new)
    report.applied.append(
        {
            "section": anchor["section"],
            "cell": anchor["cell"],
            "reviewer": edit.reviewer,
            "date": edit.date,
            "before": anchor["source"],
            "after": new,
        }
    )


def _query(project: Project, anchor: dict, role: str, old: str, new: str, edit: _Edit, report: Report) -> None:
    """A reviewer's change to a figure, raised on the figure's row in the reviewer's words."""
    row = anchor.get("figures", {}).get(role)
    words = f"{edit.reviewer}{' on ' + edit.date if edit.date else ''}: '{old}' should read '{new}'"
    if row is None:
        report.listed.append(f"{_where(anchor)}: {words} ({role} is not a figure with a data row): check by hand")
        return
    figure = queries.Row(row["table"], row["measure"], row["breakdown"], row["year"])
    if words in queries.query_of(project, figure):
        report.notes.append(f"{_where(anchor)}: the query on {figure} is raised already: {words}")
        return
    placed = queries.raise_query(project, figure, words, dry_run=report.dry_run)
    if placed is None:
        report.listed.append(f"{_where(anchor)}: {words}; {figure} has no row in a data table: raise it by hand")
    else:
        report.queries.append(f"{placed} ({figure}): {words}")


def _apply_cover(project: Project, year: str, edit: _Edit, report: Report) -> None:
    anchor, where = edit.anchor, _where(edit.anchor)
    key = anchor.get("key", "")
    mapped = map_back(anchor["source"], {}, anchor["text"], edit.reviewed) if edit.reviewed else None
    value = cover_keys.current_value(project, year, key) if key else None
    if key and (value is None or value not in anchor["source"]):
        report.conflicts.append(Conflict(where, anchor["text"], edit.reviewed, value or "(key gone)"))
        return
    new = cover_keys.new_value(anchor["source"], value, mapped.source) if key and mapped and mapped.source else None
    written = cover_keys.set_value(project, year, key, value, new, report.dry_run) if new else None
    if written is None:
        template = cover_template(project, anchor["cell"])
        shown = project.shown(template) if template.is_relative_to(project.root) else template.name
        target = f"the parameters key '{key}'" if key else f"the cover template ({shown})"
        report.listed.append(f"{where}: change {target} by hand: '{anchor['text']}' -> '{edit.reviewed}'")
        return
    report.applied.append(
        {"section": "cover", "cell": key, "reviewer": edit.reviewer, "date": edit.date, "before": value, "after": new}
    )


def _comments(path: Path, built: manifest.Built, paragraphs: list, record: dict, report: Report) -> list[dict]:
    """Each comment thread as an open review item for its section (replies kept with it)."""
    where = {cid: p.anchor for p in paragraphs for cid in p.comments}
    known = {c.get("id") for c in record["comments"]}
    found = wordfile.comments(path)
    opened = []
    for comment in [c for c in found if not c.parent]:
        anchor = built.anchors.get(where.get(comment.id, "").split("#")[0], {})
        ident = (
            "c-"
            + hashlib.sha1(f"{built.build_id}/{comment.id}/{comment.author}/{comment.date}".encode()).hexdigest()[:8]
        )
        if ident in known:
            report.notes.append(f"comment {ident} by {comment.author} is already in the review record")
            continue
        opened.append(
            {
                "id": ident,
                "section": anchor.get("section", "cover") if anchor else "(no anchor)",
                "author": comment.author,
                "date": comment.date,
                "anchored_to": comment.anchored_to or anchor.get("text", ""),
                "comment": comment.text,
                "resolved": comment.done,
                "replies": [
                    {"author": r.author, "date": r.date, "comment": r.text} for r in found if r.parent == comment.id
                ],
            }
        )
    return opened
