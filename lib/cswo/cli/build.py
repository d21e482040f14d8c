"""`cswo build`: the papers, with progress and a summary."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cswo.cli.app import app, project_asked, year_asked
from cswo.cli.printer import console, say
from cswo.errors import CSWOError, InputError, Interrupted
from cswo.project.paths import FORMATS, Project


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
    final: Annotated[
        bool,
        typer.Option("--final", help="The papers for committee: refused (listing them) while anything is open"),
    ] = False,
    cell_timeout: Annotated[
        float | None,
        typer.Option("--cell-timeout", help="Seconds one cell may run before its section fails (default: 600)"),
    ] = None,
) -> None:
    """Build the committee papers for a year: DRAFT on every page while anything is open (reviews,
    queries, placeholders, items to confirm); --final refuses until nothing is."""
    from cswo.run.interrupt import stop_on_signals  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)
    formats = _formats(format, draft, final)
    if renderer == "quarto":
        from cswo.render.quarto import render_with_quarto  # lazy: start-up; loaded when the command runs

        render_with_quarto(project, year)
        return
    from cswo.run import kernels  # lazy: start-up; loaded when the command runs

    kernels.sweep()  # kernel folders of builds that were killed outright, even if nothing changed since
    if not force and _nothing_changed(project, year, committee, formats, draft, final):
        return
    from cswo.run.execute import fork_workers  # lazy: start-up; loaded when the command runs

    options = dict(year=year, committees=committee, formats=formats, force=force, workers=jobs, draft=draft)
    try:
        with stop_on_signals(report=lambda error: say(error, "red", "Error:"), outlive=True):
            # forked before the pipeline is imported, so the workers do not carry it (see SectionPool)
            forked = fork_workers(jobs)
            result = _run_build(project, forked, final=final, cell_timeout=cell_timeout, **options)
    except CSWOError as error:
        if not isinstance(error, Interrupted):
            say("The last good outputs were left as they were.", "yellow")
        raise
    _summary(project, result)


def _run_build(project: Project, forked, **options):
    """The build, with section workers forked before the pipeline was imported (stopped if it fails to import)."""
    try:
        from cswo.pipeline.build import BuildOptions  # lazy: imported after the section workers are forked
        from cswo.pipeline.build import build as run_build  # lazy: imported after the section workers are forked
    except BaseException:
        forked.stop()
        raise
    return run_build(project, BuildOptions(**options), _RichProgress(), forked)


def _formats(format: str, draft: bool, final: bool) -> list[str]:
    """The formats asked for; raises InputError for an unknown one, or for --draft with --final."""
    formats = [f.strip() for f in format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]  # committees are checked against the parameters
    if bad:
        raise InputError(f"unknown format: {', '.join(bad)} (formats: {', '.join(FORMATS)})")
    if draft and final:
        raise InputError("--draft (figures may be missing) and --final (nothing may be open) cannot go together")
    return formats


def _nothing_changed(project: Project, year: str, committees, formats: list[str], draft: bool, final: bool) -> bool:
    """Decided from hashes alone: the pipeline (pandas, nbconvert...) is not imported for it."""
    from cswo.cache import keys, uptodate  # lazy: light, but needed only by `build`

    saved = uptodate.current(project, year, keys.stamp_options(committees, formats, True, draft, final))
    if saved is None:
        return False
    folder = project.shown(project.year_outputs(year))
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
    table = Table(title=f"Documents in {project.shown(folder)}/")
    for column in ("Committee", "Document", "File", "Size", "Written"):
        table.add_column(column, overflow="fold")
    for doc in result.documents:
        table.add_row(
            doc.committee,
            doc.kind,
            escape(doc.path.name),  # the printer masks every cell
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
            f"[yellow]Out of date:[/] {escape(project.shown(path))} was not rebuilt by this "
            "build; it may not match the new documents (build without --committee/--format to refresh it)",
            highlight=False,
            soft_wrap=True,
        )
    for warning in result.warnings:
        say(warning, "yellow", "Warning:")
    _open_items(result)


def _open_items(result) -> None:
    """A draft says why it is one: every open item, by file and place."""
    from cswo.cli.review import show_open_items  # lazy: only a build that finished prints it

    if not result.open_items:
        say(
            f"\nFinal: nothing is open in {result.year}; the papers carry no DRAFT mark and their status is Final.",
            "green",
        )
        return
    say(
        f"\nDRAFT: every page of these papers says DRAFT and their status is Draft, because {result.year} is open.",
        "bold yellow",
    )
    show_open_items(result.open_items, result.year)
