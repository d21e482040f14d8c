"""`cswo review import` and `cswo redline`: the review round's Word papers, both ways."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cswo.cli.app import app, project_asked, year_asked
from cswo.cli.printer import console, listed, say

review_app = typer.Typer(help="The review round: reviewers' edits and comments from the Word papers.")
app.add_typer(review_app, name="review")


@review_app.command("import")
def import_paper(
    paper: Annotated[Path, typer.Argument(help="the reviewed Word paper (.docx)")],
    year: Annotated[str | None, typer.Option("--year", "-y")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show the report and change nothing")] = False,
    reviewer: Annotated[str, typer.Option(help="who made untracked edits (default: the paper's last author)")] = "",
) -> None:
    """Take a reviewed paper's edits and comments home: prose into the notebooks (and twins), figure
    edits as data queries, cover text into the parameters where safe, comments into reviews/<year>.yml.
    Conflicts and anything not applied are listed; --dry-run changes nothing."""
    from cswo.review.importing import import_review  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)
    report = import_review(project, year, paper, dry_run=dry_run, reviewer=reviewer)
    mode = " (dry run: nothing changed)" if dry_run else ""
    say(f"{report.document}, build {report.build_id}{mode}:", style="bold")
    console.print(
        f"{len(report.applied)} edit(s) applied, {len(report.queries)} data query(ies) raised, "
        f"{len(report.conflicts)} conflict(s), {len(report.comments)} comment(s) opened, "
        f"{len(report.listed)} listed to do by hand",
        highlight=False,
    )
    applied = [
        f"{e['section']}, cell {e['cell']} ({e['reviewer']}): '{e['before']}' -> '{e['after']}'" for e in report.applied
    ]
    listed("Applied" + (" (would be)" if dry_run else ""), applied)
    listed("Data queries" + (" (would be raised)" if dry_run else ""), report.queries)
    listed(
        "Conflicts (changed in the notebook since the draft was built; not applied)", [str(c) for c in report.conflicts]
    )
    listed(
        "Comments opened",
        [f"{c['section']}: {c['author']} on '{c['anchored_to']}': {c['comment']}" for c in report.comments],
    )
    listed("Not applied: to do by hand", report.listed)
    listed("Notes", report.notes)


@app.command()
def redline(
    old: Annotated[Path | None, typer.Argument(help="the draft the reviewer saw (.docx)")] = None,
    from_build: Annotated[str, typer.Option("--from", help="the build id of the draft the reviewer saw")] = "",
    year: Annotated[str | None, typer.Option("--year", "-y")] = None,
    output: Annotated[
        Path | None, typer.Option(help="where to write it (default: outputs/.private/<year>/redlines/)")
    ] = None,
) -> None:
    """A Word document showing, as tracked changes, what changed between the draft a reviewer saw and
    the current build, paragraph by paragraph: the reviewer reads only what is new."""
    from cswo.review.redline import redline as write_redline  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)
    result = write_redline(project, year, old=old, build_id=from_build, output=output)
    say(f"Wrote {result.path}: {result.changed} paragraph(s) changed, {result.added} added, {result.removed} removed "
        f"(build {result.old_build} -> {result.new_build})")  # fmt: skip
