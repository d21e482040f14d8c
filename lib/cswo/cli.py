"""The `cswo` command: build, validate, list, new-year, data-template, data-docs, migrate, lab."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

# jsonschema (imported by nbformat and Altair) loads rfc3987_syntax when it is installed, which compiles
# a Lark grammar at import: about 0.9 s in every process, for an IRI format check nothing here uses.
# The entry points (this CLI and the kernels it starts) mark it unavailable; importing cswo does not.
sys.modules.setdefault("rfc3987_syntax", None)

import click  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from cswo.errors import CSWOError, InputError, Interrupted, add_message_filter, exit_code, message  # noqa: E402
from cswo.project.paths import FORMATS, Project, require_year  # noqa: E402


class MaskedConsole(Console):
    """The suite's one printer: every line passes through the identifier mask first.

    Messages quote what the analyst wrote (a cell, a heading, a file name, a parameter), so a CHI,
    NHS or NI number, email, phone or postcode in any of them is masked here, whatever raised it.
    """

    def print(self, *objects, **options) -> None:
        from cswo.safeguards.identifiers import redact  # lazy: the patterns load when a line is shown

        super().print(*(redact(o) if isinstance(o, str) else o for o in objects), **options)


def _redact(text: str) -> str:
    from cswo.safeguards.identifiers import redact  # lazy: the patterns load when a message is shown

    return redact(text)


add_message_filter(_redact)  # the one masking step on the error path: every message() is masked
console = MaskedConsole(stderr=True)  # and every line printed, whatever produced it
state = {"debug": False, "project": None}


def say(text: BaseException | str, style: str = "", prefix: str = "") -> None:
    """Print one message to the analyst. EVERY message the CLI shows goes through here (and so
    through :func:`cswo.errors.message`, where identifier masking is plugged in)."""
    body = escape(message(text))
    if prefix:
        body = f"[bold {style}]{prefix}[/] {body}" if style else f"{prefix} {body}"
    elif style:
        body = f"[{style}]{body}[/]"
    console.print(body, highlight=False, soft_wrap=True)


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
        except (click.exceptions.Exit, typer.Exit, click.ClickException, click.Abort):
            raise
        except (Exception, KeyboardInterrupt) as error:
            if state["debug"]:
                if isinstance(error, CSWOError) and error.details():
                    say(error.details())  # e.g. the failing cell's code and the kernel's own traceback
                raise
            if isinstance(error, KeyboardInterrupt):
                error = Interrupted()
            say(error, "red", "Error:")
            raise typer.Exit(exit_code(error)) from None


app = typer.Typer(
    cls=_Commands, add_completion=False, no_args_is_help=True, help="Chief Social Work Officer annual report suite."
)

YearOption = Annotated[str, typer.Option("--year", "-y", help="Financial year, e.g. 2021-22")]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks (accepted anywhere)")] = False,
    project: Annotated[Path | None, typer.Option("--project", help="Project folder (default: found from here)")] = None,
) -> None:
    state["debug"] = debug
    state["project"] = project


def _project() -> Project:
    return Project(state["project"].resolve()) if state["project"] else Project.find()


def _year(project: Project, year: str | None) -> str:
    """The year asked for, checked against the project (with "did you mean"), or the latest."""
    if year is not None:
        return require_year(project, year.strip())
    years = project.years()
    if not years:
        raise InputError(f"no parameters/<year>.yml files in {project.root}: is this a project folder?")
    return years[-1]


class _RichProgress:
    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.begun = time.perf_counter()

    def step(self, text: str) -> None:
        say(f"{time.perf_counter() - self.begun:5.1f}s {text}", prefix="[cyan]•[/]")

    def section_started(self, job) -> None:
        self.started[job.name] = time.perf_counter()
        say(f"    running  {job.name}")

    def section_done(self, job) -> None:
        if job.reused:
            say(f"    reused   {job.name} (unchanged)", "dim")
        else:
            say(f"    done     {job.name} in {job.seconds:.1f}s", "green")


@app.command()
def build(
    year: Annotated[str | None, typer.Option("--year", "-y", help="Financial year (default: latest)")] = None,
    committee: Annotated[
        list[str] | None, typer.Option("--committee", "-c", help="a committee key from the parameters (default: all)")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="docx,pdf")] = ",".join(FORMATS),
    force: Annotated[bool, typer.Option("--force", help="Re-run every section")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Sections run at once (default: cores)")] = None,
    renderer: Annotated[str, typer.Option("--renderer", help="pandoc (default) or quarto")] = "pandoc",
    draft: Annotated[
        bool, typer.Option("--draft", help="Build even with figures missing, each marked [MISSING: name]")
    ] = False,
    cell_timeout: Annotated[
        float | None,
        typer.Option("--cell-timeout", help="Seconds one cell may run before its section fails (default: 600)"),
    ] = None,
) -> None:
    """Build the committee papers for a year (a final build refuses while figures are missing)."""
    from cswo.run.interrupt import stop_on_signals  # lazy: start-up; loaded when the command runs

    project = _project()
    year = _year(project, year)
    formats = [f.strip() for f in format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]  # committees are checked against the parameters
    if bad:
        raise InputError(f"unknown format: {', '.join(bad)} (formats: {', '.join(FORMATS)})")
    if renderer == "quarto":
        from cswo.render.quarto import render_with_quarto  # lazy: start-up; loaded when the command runs

        render_with_quarto(project, year)
        return
    from cswo.run import kernels  # lazy: start-up; loaded when the command runs

    kernels.sweep()  # kernel folders of builds that were killed outright, even if nothing changed since
    if not force and _nothing_changed(project, year, committee, formats, draft):
        return
    from cswo.pipeline.build import BuildOptions  # lazy: start-up; loaded when the command runs
    from cswo.pipeline.build import build as run_build  # lazy: start-up; loaded when the command runs

    options = BuildOptions(
        year=year,
        committees=committee,
        formats=formats,
        force=force,
        workers=jobs,
        draft=draft,
        cell_timeout=cell_timeout,
    )
    try:
        with stop_on_signals(report=lambda error: say(error, "red", "Error:")):
            result = run_build(project, options, _RichProgress())
    except CSWOError as error:
        if not isinstance(error, Interrupted):
            say("The last good outputs were left as they were.", "yellow")
        raise
    _summary(project, result)


def _nothing_changed(project: Project, year: str, committees, formats: list[str], draft: bool) -> bool:
    """Decided from hashes alone: the pipeline (pandas, nbconvert...) is not imported for it."""
    from cswo.cache import keys, uptodate  # lazy: light, but needed only by `build`

    saved = uptodate.current(project, year, keys.stamp_options(committees, formats, True, draft))
    if saved is None:
        return False
    folder = project.year_outputs(year).relative_to(project.root)
    console.print(f"Nothing changed since the last build: the papers in {folder}/ are current.")
    for warning in saved.get("warnings", []):
        console.print(f"[yellow]Warning:[/] {escape(warning)}")
    return True


def _summary(project: Project, result) -> None:
    ran = [j.name for j in result.jobs if not j.reused]
    reused = [j.name for j in result.jobs if j.reused]
    say(f"\nBuilt {result.year} in {result.seconds:.1f}s: {len(ran)} section(s) ran, {len(reused)} reused.", "bold")
    if ran:
        say("  ran: " + ", ".join(ran))
    if reused:
        console.print("  reused: " + ", ".join(reused))
    folder = project.draft_outputs(result.year) if result.draft else project.year_outputs(result.year)
    table = Table(title=f"Documents in {folder.relative_to(project.root)}/")
    for column in ("Committee", "Document", "File", "Size", "Written"):
        table.add_column(column, overflow="fold")
    for doc in result.documents:
        table.add_row(
            doc.committee,
            doc.kind,
            escape(message(doc.path.name)),
            f"{doc.path.stat().st_size / 1024:,.0f} KB",
            "yes" if doc.rendered else "unchanged",
        )
    console.print(table)
    for line in result.suppressions:
        console.print(f"[blue]Disclosure:[/] {escape(line)}")
    if result.draft:
        console.print(
            f"[bold yellow]Draft:[/] {len(result.markers)} missing figure(s), each marked in the papers "
            "(not for committee):"
        )
        for line in result.markers:
            console.print(f"  - {escape(line)}", highlight=False, soft_wrap=True)
    for path in result.out_of_date:
        console.print(
            f"[yellow]Out of date:[/] {escape(str(path.relative_to(project.root)))} was not rebuilt by this "
            "build; it may not match the new documents (build without --committee/--format to refresh it)",
            highlight=False,
            soft_wrap=True,
        )
    for warning in result.warnings:
        say(warning, "yellow", "Warning:")


@app.command()
def validate(year: Annotated[str | None, typer.Option("--year", "-y")] = None) -> None:
    """Check the year's parameters, data and narrative without building. Exit code 2 on problems.

    Lists, all at once: problems in the data; every figure the narrative needs and the data
    lacks (with the workbook sheet and row to fill); every unknown name in the prose, with a
    suggestion; and every number typed into the narrative.
    """
    from cswo.narrative.completeness import check_year  # lazy: start-up; loaded when the command runs
    from cswo.project.parameters import load_year  # lazy: start-up; loaded when the command runs

    project = _project()
    year = _year(project, year)
    from cswo.pipeline.inputs import check_inputs  # lazy: start-up; loaded when the command runs

    params = load_year(project, year)
    check_inputs(project, params)
    check = check_year(project, params)
    for note in check.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}", highlight=False, soft_wrap=True)
    if check.ok:
        console.print(f"[green]Parameters, data and narrative for {year} are valid.[/]")
        return
    console.print(f"[bold red]{check.count()} problem(s) for {year}[/]")
    _listed("Problems in the data", check.data_problems, by_file=True)
    _listed("Figures the narrative needs that the data does not have yet", check.gaps, by_file=True)
    _listed("Names in the narrative that no section registers", check.unknown)
    _listed("Numbers typed into the narrative (use a figure from the data)", check.typed_numbers)
    if state["debug"]:
        raise CSWOError(f"{check.count()} problem(s) for {year}")
    raise typer.Exit(2)


def _listed(heading: str, items: list, by_file: bool = False) -> None:
    if not items:
        return
    console.print(f"\n[bold]{heading}[/] ({len(items)})")
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.file if by_file else "", []).append(item)
    for group, members in groups.items():
        if group:
            console.print(f"  [bold]{escape(group)}[/] ({len(members)})")
        for item in members:
            console.print(f"{'    ' if group else '  '}- {escape(str(item))}", highlight=False, soft_wrap=True)


@app.command("list")
def list_years() -> None:
    """The years set up, with their sections and committees."""
    from cswo.project.parameters import load_year  # lazy: start-up; loaded when the command runs

    project = _project()
    table = Table(title=message(f"Years in {project.root}"))
    for column in ("Year", "Sections", "Committees"):
        table.add_column(column)
    from cswo.safeguards.identifiers import redact  # lazy: start-up; loaded when the command runs

    for year in project.years():
        try:
            params = load_year(project, year)
            table.add_row(year, ", ".join(params.sections), ", ".join(params.committees))
        except CSWOError as error:
            table.add_row(year, f"[red]{escape(redact(str(error)))}[/]", "")
    MaskedConsole().print(table)


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

    project = _project()
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
    say(f"Next: fill data/returns/{year}.xlsx, then `cswo validate --year {year}`.")


@app.command("data-template")
def data_template(
    year: YearOption,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Write the Excel data-entry workbook for a year."""
    from cswo.tools.workbook import write_template  # lazy: start-up; loaded when the command runs

    project = _project()
    path = write_template(project, _year(project, year), output)
    say(str(path), "green", "written")


@app.command("house-style")
def house_style_command(
    force: Annotated[bool, typer.Option("--force", help="Replace an existing templates/reference.docx")] = False,
) -> None:
    """Write templates/reference.docx, the Word house style, from the package's defaults."""
    from cswo.project.parameters import load_year  # lazy: start-up; loaded when the command runs
    from cswo.render.reference_doc import reference_docx  # lazy: start-up; loaded when the command runs

    project = _project()
    target = project.templates_dir / "reference.docx"
    if target.exists() and not force:
        raise CSWOError(f"{target} already exists: restyle it in Word, or use --force to start again")
    years = project.years()
    params = load_year(project, years[-1]) if years else None
    council = params.council.name if params else "Council"
    language = params.language if params else "en-GB"
    reference_docx(target, council, language)
    console.print(f"[green]written[/] {target}")


@app.command("data-docs")
def data_docs(
    check: Annotated[bool, typer.Option("--check", help="Fail if data/README.md is out of date")] = False,
) -> None:
    """Write data/README.md from the catalogue (or check it is current)."""
    from cswo.tools.datadocs import render_data_readme  # lazy: start-up; loaded when the command runs

    project = _project()
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


@app.command()
def preview(
    year: Annotated[str | None, typer.Option("--year", "-y", help="Financial year (default: latest)")] = None,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between looks for changes")] = 0.5,
    max_builds: Annotated[int | None, typer.Option("--max-builds", help="Stop after this many builds")] = None,
) -> None:
    """Watch the year's notebooks, data and parameters; re-render the first committee's paper as a draft
    PDF in outputs/drafts/ on each save (Ctrl-C stops). `cswo build` writes every paper."""
    from cswo.pipeline.build import build as run_build  # lazy: start-up; loaded when the command runs
    from cswo.tools.preview import preview_options, watch  # lazy: start-up; loaded when the command runs

    project = _project()
    year = _year(project, year)

    def rebuild() -> str:
        result = run_build(project, preview_options(project, year))
        ran = [j.name for j in result.jobs if not j.reused] or ["none (prose only)"]
        pdfs = [
            str(d.path.relative_to(project.root)) for d in result.documents if d.rendered and d.path.suffix == ".pdf"
        ]
        return f"built in {result.seconds:.1f}s; sections run: {', '.join(ran)}; " + (
            f"PDF re-rendered: {', '.join(pdfs)}" if pdfs else "no document changed"
        )

    console.print(f"Watching notebooks/{year}, data/ and parameters/{year}.yml. Ctrl-C stops.")
    watch(
        project,
        year,
        rebuild,
        say=lambda line: console.print(line, highlight=False, soft_wrap=True),
        interval=interval,
        max_builds=max_builds,
    )


@app.command("workbook-text")
def workbook_text(path: Annotated[Path, typer.Argument(help="An .xlsx workbook")]) -> None:
    """Print a workbook as text, one row a line (git's textconv for data/returns/*.xlsx)."""
    from cswo.tools.workbook_text import workbook_lines  # lazy: start-up; loaded when the command runs

    for line in workbook_lines(path):
        print(line)


@app.command()
def migrate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Notebooks or folders (default: notebooks/)")] = None,
) -> None:
    """One-off: rewrite older {{ name }} placeholders as MyST {eval} roles, in .ipynb files and their .md twins."""
    from cswo.tools.migrate import migrate_paths  # lazy: start-up; loaded when the command runs

    project = _project()
    report = migrate_paths([p.resolve() for p in paths] if paths else [project.notebooks_dir])
    for path, count in report.items():
        say(f"{path} ({count} placeholder(s))", "green", "migrated")
    if not report:
        say("Nothing to migrate: no {{ }} placeholders found.")


@app.command()
def lab(
    year: Annotated[str | None, typer.Option("--year", "-y")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the command instead of starting")] = False,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Start the server without opening a browser")
    ] = False,
) -> None:
    """Open JupyterLab on the year's notebooks, with that year's parameters and data.

    Markdown cells render with jupyterlab-myst, so each {eval} role shows its phrase once the
    section's set-up cell has run; one file per section is listed (the .md twins are hidden).
    """
    from cswo.tools.lab import lab_command  # lazy: start-up; loaded when the command runs

    project = _project()
    year = _year(project, year)
    folder = project.year_notebooks(year)
    if not folder.is_dir():
        raise CSWOError(f"no notebooks for {year}: run `cswo new-year {year}` first")
    command, env = lab_command(project, year, folder, no_browser=no_browser)
    if dry_run:
        console.print(" ".join(command), highlight=False, soft_wrap=True)
        return
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    app()
