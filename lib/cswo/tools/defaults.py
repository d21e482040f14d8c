"""The package's defaults for a year with nothing to start from: parameters and section notebooks.

A council's first year (or any year in a project with none set up) starts here:
neutral parameters for one year, and the national CSWO template's sections with
neutral narrative, every one marked unreviewed until the council rewrites it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import jupytext
import nbformat

from cswo.cache.instep import InStep
from cswo.compose.section import UNREVIEWED_TAG
from cswo.project.paths import TEMPLATES_DIR, Project, year_label, year_start
from cswo.project.twins import TWIN_SUFFIX, cells_of
from cswo.tools.sync import sync_section

DEFAULTS_DIR = TEMPLATES_DIR / "project"


def parameters_text(
    year: str, council: str = "Example Council", area: str | None = None, year_style: str = "hyphen"
) -> str:
    """Neutral parameters for ``year`` (meetings in the December after the year ends).

    The prose in them writes the year in ``year_style`` (2024-25 or 2024/25).
    """
    end = year_start(year) + 1
    environment = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string((DEFAULTS_DIR / "parameters.yml.j2").read_text(encoding="utf-8"))
    return template.render(
        year=year,
        label=year_label(year, year_style),
        year_style=year_style,
        year_slash=year_label(year, "slash"),
        start=year_start(year),
        council=council,
        area=area or council.removesuffix(" Council").removesuffix(" City").strip() or council,
        report_date=dt.date(end, 11, 1).isoformat(),
        meeting_date=dt.date(end, 12, 1).isoformat(),
    )


def notebook_files() -> list[Path]:
    """The default section notebooks (MyST markdown), one per section of the national template."""
    return sorted((DEFAULTS_DIR / "notebooks").glob("*.md"))


def write_notebook(source: Path, target: Path, year: str) -> None:
    """A default section, set to ``year`` and marked unreviewed, as a notebook and its markdown twin."""
    nb = jupytext.read(source, fmt="md:myst")
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace('"YEAR"', f'"{year}"')
    write_unreviewed(
        nb,
        target,
        year,
        "**Started from the suite's defaults: not yet reviewed.** The narrative below is neutral "
        f"wording for any council. Rewrite it for {year}",
    )


def write_unreviewed(nb, target: Path, year: str, headline: str) -> None:
    """Write ``nb`` and its MyST twin to ``target`` with an 'unreviewed' banner cell on top: ``headline``,
    then how to sign the section off (which removes the banner, see :func:`drop_unreviewed`)."""
    banner = nbformat.v4.new_markdown_cell(
        f"{headline}, then sign it off with `cswo review sign {target.stem} --year {year} --by NAME`, which "
        "removes this cell. Until then the papers are marked DRAFT; this cell never appears in them."
    )
    banner.metadata["tags"] = [UNREVIEWED_TAG]
    nb.cells.insert(0, banner)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    jupytext.write(nb, target.with_suffix(TWIN_SUFFIX), fmt="md:myst")


def drop_unreviewed(project: Project, notebook: Path) -> str:
    """Remove the 'unreviewed' banner from a signed-off section's notebook and its twin. The pair is
    first brought into step as `cswo sync` would; when both were edited apart, nothing is changed and
    the note says why (the banner never reaches the papers, so it may wait)."""
    if not notebook.exists() or not _has_banner(notebook):
        return ""
    conflicts = sync_section(project, notebook).conflicts
    twin = notebook.with_suffix(TWIN_SUFFIX)
    if conflicts:
        return f"the 'not yet reviewed' cell was left in {notebook.name}: {conflicts[0]}"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [cell for cell in nb.cells if UNREVIEWED_TAG not in cell.metadata.get("tags", [])]
    nbformat.write(nb, notebook)
    if twin.exists():
        jupytext.write(nb, twin, fmt="md:myst")
    cells = cells_of(notebook)
    if cells is not None and cells == cells_of(twin):
        InStep(project).mark(notebook, cells)
    return ""


def _has_banner(notebook: Path) -> bool:
    nb = nbformat.read(notebook, as_version=4)
    return any(UNREVIEWED_TAG in cell.metadata.get("tags", []) for cell in nb.cells)
