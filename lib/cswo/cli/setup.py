"""Commands that set a project or a year up: init, new-year, data-template, house-style, data-docs."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cswo.cli.app import YearOption, app, project_asked, year_asked
from cswo.cli.printer import console, say
from cswo.errors import CSWOError, InputError
from cswo.project import templates


@app.command("init")
def init(
    path: Annotated[Path, typer.Argument(help="A new (or empty) folder for the council's project")],
    council: Annotated[str, typer.Option("--council", help="The council's name, e.g. 'Example Council'")],
    year: Annotated[str | None, typer.Option("--year", help="Report year (default: the last one ended)")] = None,
    year_style: Annotated[str, typer.Option("--year-style", help="hyphen (2024-25) or slash (2024/25)")] = "hyphen",
) -> None:
    """Create a new council's project from the defaults, and list every figure and text it still needs."""
    from cswo.narrative.completeness import check_year  # lazy: start-up; loaded when the command runs
    from cswo.project.parameters import load_year  # lazy: start-up; loaded when the command runs
    from cswo.tools.init import init_project  # lazy: start-up; loaded when the command runs

    if year_style not in ("hyphen", "slash"):
        raise CSWOError(f"--year-style must be hyphen or slash, not '{year_style}'")
    made = init_project(path, council=council, year=year, year_style=year_style)
    check = check_year(made.project, load_year(made.project, made.year))
    command = _this_command()
    console.print(f"[green]created[/] the project for {council}, {made.year}, in {made.project.root}")
    if not check.ok:
        console.print(
            f"It does not validate yet: {check.count()} figure(s) or problem(s) to settle first. Fill what is "
            f"listed below, then run `cd {shlex.quote(str(made.project.root))} && {command} validate --year "
            f"{made.year}` and `{command} build --year {made.year}`."
        )
    else:
        console.print(f"It validates; build it with `cd {shlex.quote(str(made.project.root))} && {command} build`.")
    console.print("Still to fill:")
    for item in made.to_fill:
        console.print(f"  - {escape(item.replace('`cswo ', f'`{command} '))}", highlight=False)


def _this_command() -> str:
    """How to run this cswo again, as a command that works where it is printed."""
    script = Path(sys.argv[0])
    if script.name == "cswo" and script.exists():
        found = shutil.which("cswo")
        if found and Path(found).resolve() == script.resolve():
            return "cswo"
        return shlex.quote(str(script.resolve()))
    return f"{shlex.quote(sys.executable)} -m cswo"


@app.command("new-year")
def new_year(
    year: Annotated[str, typer.Argument(help="The new financial year, e.g. 2022-23")],
    council: Annotated[
        str, typer.Option("--council", help="Council name, when there is no year to start from")
    ] = "Example Council",
    year_style: Annotated[
        str, typer.Option("--year-style", help="hyphen (2022-23) or slash (2022/23), for the defaults")
    ] = "hyphen",
) -> None:
    """Start a year from the nearest one (latest earlier, or earliest later to backfill), or from the defaults."""
    from cswo.project.paths import is_financial_year, suggest_year  # lazy: start-up; loaded when the command runs
    from cswo.tools.newyear import roll_forward, source_year  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year.strip()
    if not is_financial_year(year):
        guess = suggest_year(year)
        hint = f" Did you mean {guess}?" if guess else ""
        raise InputError(f"'{year}' is not a financial year: write it like 2022-23.{hint}")
    if year_style not in ("hyphen", "slash"):
        raise InputError(f"--year-style must be hyphen or slash, not '{year_style}'")
    source = source_year(project, year)
    made = roll_forward(project, year, council=council, year_style=year_style)
    say(f"Started {year} from " + (source or "the suite's defaults") + ".")
    for path in made:
        say(str(path), "green", "created")
    _list_typed_years(project, year)
    say(f"Next: fill data/returns/{year}.xlsx, then `cswo validate --year {year}`.")


def _list_typed_years(project, year: str) -> None:
    """What new-year could not move safely: typed years and dates, and stale future tense."""
    from cswo.narrative.stale import stale_years  # lazy: start-up; loaded when the command runs

    left = [f for f in stale_years(project, year) if not f.review_only]
    if left:
        say(f"{len(left)} typed year(s) or date(s) to rewrite for {year} (validate lists them too):", "yellow")
        for finding in left:
            console.print(f"  - {escape(str(finding))}", highlight=False, soft_wrap=True)


@app.command("data-template")
def data_template(
    year: YearOption,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    update: Annotated[
        bool,
        typer.Option("--update", help="Rewrite data/returns/<year>.xlsx for the notebooks, keeping what is typed"),
    ] = False,
) -> None:
    """Write the Excel data-entry workbook for a year (--update: rewrite it, keeping every typed cell)."""
    from cswo.tools.workbook import update_template, write_template  # lazy: start-up; loaded when it runs

    project = project_asked()
    if update:
        path, kept, new = update_template(project, year_asked(project, year))
        say(f"{path}: kept what was typed on {kept} row(s); {new} row(s) now to fill", "green", "updated")
        return
    path = write_template(project, year_asked(project, year), output)
    say(str(path), "green", "written")


@app.command("house-style")
def house_style_command(
    force: Annotated[bool, typer.Option("--force", help="Replace an existing templates/reference.docx")] = False,
) -> None:
    """Write templates/reference.docx, the Word house style: a copy of the package's default."""
    project = project_asked()
    target = project.templates_dir / templates.REFERENCE_DOCX
    if target.exists() and not force:
        raise CSWOError(f"{target} already exists: restyle it in Word, or use --force to start again")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(templates.DEFAULT_REFERENCE_DOCX, target)
    console.print(f"[green]written[/] {target}")


@app.command("data-docs")
def data_docs(
    check: Annotated[bool, typer.Option("--check", help="Fail if data/README.md is out of date")] = False,
) -> None:
    """Write data/README.md from the catalogue (or check it is current)."""
    from cswo.tools.datadocs import render_data_readme  # lazy: start-up; loaded when the command runs

    project = project_asked()
    path = project.data_dir / "README.md"
    text = render_data_readme(project)
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            say("data/README.md is out of date: run `cswo data-docs`", "red")
            raise typer.Exit(1)
        say("data/README.md is current.")
        return
    path.write_text(text, encoding="utf-8")
    say(str(path), "green", "written")
