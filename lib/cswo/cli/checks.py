"""`cswo validate` and `cswo list`: what is wrong, and what is set up, without building."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cswo.cli.app import app, project_asked, state, year_asked
from cswo.cli.printer import console, listed
from cswo.errors import CSWOError


@app.command()
def validate(year: Annotated[str | None, typer.Option("--year", "-y")] = None) -> None:
    """Check the year's parameters, data and narrative without building. Exit code 2 on problems.

    Lists, all at once: problems in the data; every figure the narrative needs and the data
    lacks (with the workbook sheet and row to fill); every unknown name in the prose, with a
    suggestion; every number typed into the narrative; and every year or date typed where a role
    moves with the year (with the role to use), beside figures of other years, or in the future
    tense about a time the year has reached; every comparison typed beside two of a figure's values
    ("up from", "lower than") that the data contradict; and generated phrases that repeat each other.
    Verbs of change the data cannot settle are listed to check, not counted.
    """
    from cswo.narrative.completeness import check_year  # lazy: start-up; pandas loads when it runs
    from cswo.pipeline.inputs import check_inputs  # lazy: start-up; loaded when the command runs
    from cswo.project.parameters import load_year  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)

    params = load_year(project, year)
    check_inputs(project, params)
    check = check_year(project, params)
    for note in check.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}", highlight=False, soft_wrap=True)
    review = "Verbs of change typed beside figures: check each is still true (not counted)"
    _open_items(project, params, check)
    if check.ok:
        console.print(f"[green]Parameters, data and narrative for {year} are valid.[/]")
        listed(review, check.to_review)
        return
    console.print(f"[bold red]{check.count()} problem(s) for {year}[/]")
    listed("Problems in the data", check.data_problems, by_file=True)
    listed("Figures the narrative needs that the data does not have yet", check.gaps, by_file=True)
    listed("Names in the narrative that no section registers, or in code that the catalogue lacks", check.unknown)
    listed("Numbers typed into the narrative (use a figure from the data)", check.typed_numbers)
    listed("Years and dates typed into the text (use the role named, so they move with the year)", check.typed_years)
    listed("Comparisons the year's figures contradict, and generated phrases that repeat each other", check.comparisons)
    listed(review, check.to_review)
    if state["debug"]:
        raise CSWOError(f"{check.count()} problem(s) for {year}")
    raise typer.Exit(2)


def _open_items(project, params, check) -> None:
    """What keeps the year a draft, as warnings (validate does not fail for them): sections are judged
    by the fingerprints of the last build, since validate runs no notebook."""
    from cswo.cli.review import show_open_items  # lazy: start-up; loaded when the command runs
    from cswo.pipeline import openitems  # lazy: start-up; loaded when the command runs

    show_open_items(openitems.validate_items(project, params, check.queries, check.dataset, check.stale), params.year)


@app.command("list")
def list_years() -> None:
    """The years set up, with their sections and committees."""
    from cswo.project.parameters import load_year  # lazy: start-up; loaded when the command runs

    project = project_asked()
    table = Table(title=f"Years in {project.root}")
    for column in ("Year", "Sections", "Committees"):
        table.add_column(column)
    for year in project.years():
        try:
            params = load_year(project, year)
            table.add_row(year, ", ".join(params.sections), ", ".join(params.committees))
        except CSWOError as error:
            table.add_row(year, f"[red]{escape(str(error))}[/]", "")
    console.print(table)  # the printer masks every cell
