"""`cswo review`: the year's review record (``reviews/<year>.yml``).

``cswo review status`` lists each section's sign-off and everything else still open;
``cswo review sign SECTION... --by NAME`` signs sections off as they read now. Other review
commands join :data:`app` (``from cswo.cli.review import app``).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cswo.cli.app import app as main_app
from cswo.cli.app import project_asked, year_asked
from cswo.cli.printer import console, say

app = typer.Typer(no_args_is_help=True, help="Review and sign-off: what is still open before a final build.")
main_app.add_typer(app, name="review")


@app.command("status")
def status(year: Annotated[str | None, typer.Option("--year", "-y")] = None) -> None:
    """Each section's sign-off (signed, changed since, not reviewed) and every other open item."""
    from cswo.pipeline.review import year_review  # lazy: start-up; the pipeline loads when the command runs
    from cswo.project.reviews import load_reviews  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)
    review = year_review(project, year)
    reviews = load_reviews(project, year)
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


@app.command("sign")
def sign(
    sections: Annotated[list[str], typer.Argument(help="the sections to sign off (notebook names)")],
    by: Annotated[str, typer.Option("--by", help="the reviewer's name, as the record should show it")],
    year: Annotated[str | None, typer.Option("--year", "-y")] = None,
) -> None:
    """Sign sections off as they read now (text and figures); a later change opens them again."""
    from cswo.pipeline.review import sign as sign_sections  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)
    review = sign_sections(project, year, sections, by)
    say(f"Signed off by {by.strip()}: {', '.join(sections)} (recorded in reviews/{year}.yml).", "green")
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
