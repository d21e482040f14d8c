"""The analyst's tools: preview, workbook-text (the git diff filter), migrate and lab."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cswo.cli.app import app, project_asked, year_asked
from cswo.cli.printer import console, say
from cswo.errors import CSWOError


@app.command()
def preview(
    year: Annotated[str | None, typer.Option("--year", "-y", help="Financial year (default: latest)")] = None,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between looks for changes")] = 0.1,
    max_builds: Annotated[int | None, typer.Option("--max-builds", help="Stop after this many builds")] = None,
) -> None:
    """Watch the year's notebooks, data and parameters; re-render the first committee's paper as a draft
    PDF in outputs/drafts/ on each save (Ctrl-C stops). `cswo build` writes every paper."""
    from cswo.pipeline.build import build as run_build  # lazy: start-up; loaded when the command runs
    from cswo.tools.preview import preview_options, watch  # lazy: start-up; loaded when the command runs

    project = project_asked()
    year = year_asked(project, year)

    def rebuild() -> str:
        result = run_build(project, preview_options(project, year))
        ran = [j.name for j in result.jobs if not j.reused] or ["none (prose only)"]
        pdfs = [
            project.shown(d.path) for d in result.documents if d.rendered and d.path.suffix == ".pdf"
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

    project = project_asked()
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

    project = project_asked()
    year = year_asked(project, year)
    folder = project.year_notebooks(year)
    if not folder.is_dir():
        raise CSWOError(f"no notebooks for {year}: run `cswo new-year {year}` first")
    command, env = lab_command(project, year, folder, no_browser=no_browser)
    if dry_run:
        console.print(" ".join(command), highlight=False, soft_wrap=True)
        return
    os.execvpe(command[0], command, env)


@app.command("sync")
def sync_twins(
    year: Annotated[str | None, typer.Option("--year", "-y", help="One year (default: every year)")] = None,
    keep: Annotated[
        str | None, typer.Option("--keep", help="ipynb or md: the file that wins where both were edited")
    ] = None,
) -> None:
    """Pair each section notebook with its .md twin: the file edited since they were last in step is
    written over the other. Where both were edited, nothing is written unless --keep says which wins
    (the other is copied to outputs/.cache/twins first). Exit code 2 while a pair is left unpaired."""
    from cswo.tools.sync import sync  # lazy: start-up; loaded when the command runs

    project = project_asked()
    report = sync(project, year_asked(project, year) if year else None, keep)
    for line in report.written:
        say(line, "green", "wrote")
    for line in report.kept:
        say(f"{line} (the file replaced, as it was)", "yellow", "kept")
    for line in report.conflicts:
        say(line, "red", "not paired:")
    if report.conflicts:
        raise typer.Exit(2)
    if not report.written:
        say("Every notebook is in step with its .md twin.")
