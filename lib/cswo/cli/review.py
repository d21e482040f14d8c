"""`cswo review` and `cswo redline`: the review round.

``cswo review status`` lists each section's sign-off and everything else still open; ``cswo review
sign SECTION... --by NAME`` signs sections off as they read now (``reviews/<year>.yml``); ``cswo review
import`` takes a reviewed Word paper's edits and comments home; ``cswo redline`` shows what changed
between two builds. More review commands join :data:`review_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cswo.cli.app import app, project_asked, year_asked
from cswo.cli.printer import console, listed, say

review_app = typer.Typer(
    no_args_is_help=True,
    help="The review round: sign-off of each section, what is still open, reviewers' edits and comments from Word.",
)
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


@review_app.command("status")
def status(year: Annotated[str | None, typer.Option("--year", "-y")] = None) -> None:
    """Each section's sign-off (signed, changed since, not reviewed) and every other open item."""
    from cswo.pipeline.review import year_review  # lazy: start-up; the pipeline loads when the command runs
    from cswo.project.reviews import read_record  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)
    review = year_review(project, year)
    reviews = read_record(project, year)
    table = Table(title=f"Sections of {year}")
    for column in ("Section", "Review"):
        table.add_column(column)
    for name, now in review.fingerprints.items():
        signed = reviews.sections.get(name)
        if signed is None:
            state = "[yellow]not reviewed[/]"
        elif signed.fingerprint != now:
            state = f"[yellow]changed since {escape(signed.reviewed_by)} signed it off on {signed.reviewed_on}[/]"
        else:
            state = f"[green]signed off by {escape(signed.reviewed_by)} on {signed.reviewed_on}[/]"
        table.add_row(name, state)
    console.print(table)
    show_open_items(review.items, year)


@review_app.command("sign")
def sign(
    sections: Annotated[list[str], typer.Argument(help="the sections to sign off (notebook names)")],
    by: Annotated[str, typer.Option("--by", help="the reviewer's name, as the record should show it")],
    year: Annotated[str | None, typer.Option("--year", "-y")] = None,
) -> None:
    """Sign sections off as they read now (text and figures); a later change opens them again."""
    from cswo.pipeline.review import sign as sign_sections  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)
    from cswo.tools.defaults import drop_unreviewed  # lazy: as above

    review = sign_sections(project, year, sections, by)
    say(f"Signed off by {by.strip()}: {', '.join(sections)} (recorded in reviews/{year}.yml).", "green")
    for name in sections:
        note = drop_unreviewed(project, project.notebook(year, name))
        if note:
            say(f"{name}: {note}", "yellow")
    show_open_items(review.items, year)


def show_open_items(items: list, year: str) -> None:
    """Every open item, by file; or that the year may be built final."""
    if not items:
        say(f"Nothing is open in {year}: `cswo build --year {year} --final` makes the papers for committee.", "green")
        return
    console.print(f"\n[bold yellow]{len(items)} open item(s) in {year}[/] (the papers are DRAFT until they are closed)")
    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(item.file, []).append(item)
    for file, found in by_file.items():
        console.print(f"  [bold]{escape(file)}[/] ({len(found)})")
        for item in found:
            console.print(f"    - {escape(item.where)}: {escape(item.message)}", highlight=False, soft_wrap=True)
