"""The command group: options every command takes, and how a failure ends (one message, an exit code).

Exit codes come from the error's class (:func:`cswo.errors.exit_code`): 1 a step failed, 2 a
problem in the analyst's inputs, 3 a safeguard refused to publish, 130 stopped, 70 a fault in the
suite. ``--debug`` (accepted anywhere) shows the traceback instead, and what the error adds to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from cswo.cli.printer import say
from cswo.errors import CSWOError, InputError, Interrupted, exit_code, is_interrupt
from cswo.project.paths import Project, require_year

state = {"debug": False, "project": None}
# click's and typer's own ways out, left to them (typer.TyperException: its own click's usage errors, such as
# an unknown option, exit 2 as click's do)
_OWN_EXITS = (click.exceptions.Exit, click.ClickException, click.Abort, typer.Exit, typer.Abort, typer.TyperException)


class _Commands(TyperGroup):
    """The command group: ``--debug`` accepted anywhere, and every failure ends in one message."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # "add --debug to any command": move it in front of the sub-command, where the group reads it
        if "--debug" in args:
            stop = args.index("--") if "--" in args else len(args)
            if "--debug" in args[:stop]:
                args = ["--debug", *[a for i, a in enumerate(args) if not (a == "--debug" and i < stop)]]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except _OWN_EXITS:
            raise
        except (Exception, KeyboardInterrupt) as error:
            if state["debug"]:
                if isinstance(error, CSWOError) and error.details():
                    say(error.details())  # e.g. the failing cell's code and the kernel's own traceback
                raise
            if is_interrupt(error) and not isinstance(error, Interrupted):
                error = Interrupted()
            say(error, "red", "Error:")
            raise typer.Exit(exit_code(error)) from None


app = typer.Typer(
    cls=_Commands, add_completion=False, no_args_is_help=True, help="Chief Social Work Officer annual report suite."
)

YearOption = Annotated[str, typer.Option("--year", "-y", help="Financial year, e.g. 2021-22")]


app = typer.Typer(
    cls=_Commands, add_completion=False, no_args_is_help=True, help="Chief Social Work Officer annual report suite."
)


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks (accepted anywhere)")] = False,
    project: Annotated[Path | None, typer.Option("--project", help="Project folder (default: found from here)")] = None,
) -> None:
    state["debug"] = debug
    state["project"] = project


def project_asked() -> Project:
    return Project(state["project"].resolve()) if state["project"] else Project.find()


def year_asked(project: Project, year: str | None) -> str:
    """The year asked for, checked against the project (with "did you mean"), or the latest."""
    if year is not None:
        return require_year(project, year.strip())
    years = project.years()
    if not years:
        raise InputError(f"no parameters/<year>.yml files in {project.root}: is this a project folder?")
    return years[-1]
