"""`cswo new-year`: start a year from its nearest neighbour, without touching the neighbour.

The source is the latest earlier year; for a backfill (a year older than every
year set up) the earliest later year; and, in a project with no year at all,
the package's defaults. Creates ``parameters/<new>.yml`` (years and dates moved, each
committee's meeting date, report number and date left ``[TO COMPLETE: …]``), ``notebooks/<new>/`` (the source year's
narrative, marked unreviewed) and the data-entry workbook
``data/returns/<new>.xlsx``. Refuses to overwrite.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat

from cswo.errors import CSWOError, YearExistsError
from cswo.narrative.years import rewrite_moving
from cswo.project.parameters import load_parameters
from cswo.project.paths import Project, is_financial_year, year_label, year_start
from cswo.project.placeholders import to_complete
from cswo.project.reading import read_text
from cswo.tools import defaults
from cswo.tools.migrate import migrate_notebook, renames_for
from cswo.tools.workbook import write_template


def _moved_date(match: re.Match, years: int) -> str:
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    if month == "02" and day == "29":
        day = "28"
    return f"{year + years}-{month}-{day}"


# a committee's details that are the clerk's for each meeting: carried from last year they would be
# printed as fact, so they become visible placeholders (open items) until set
TO_COMPLETE = {
    "meeting_date": "meeting date (from the clerk)",
    "report_number": "report number (from the clerk)",
    "date": "date of the report",
}


def _committee_details_to_complete(text: str) -> str:
    """Each committee's meeting date, report number and date as ``[TO COMPLETE: …]`` (comments kept)."""
    keys = "|".join(TO_COMPLETE)
    return re.sub(
        rf"(?m)^(    )({keys}):[^\n#]*?(\s*#.*)?$",
        lambda m: f'{m.group(1)}{m.group(2)}: "{to_complete(TO_COMPLETE[m.group(2)])}"{m.group(3) or ""}',
        text,
    )


def roll_parameters(text: str, old: str, new: str, committees: list[str]) -> str:
    """The source year's parameters text, moved to ``new`` (forward or back); comments are kept."""
    for style in ("hyphen", "slash"):
        text = text.replace(year_label(old, style), year_label(new, style))
    years = year_start(new) - year_start(old)
    text = re.sub(r"\b(20\d{2})-(\d{2})-(\d{2})\b", lambda m: _moved_date(m, years), text)
    text = re.sub(r"(?ms)^review_required:.*?(?=^\S|\Z)", "", text).rstrip() + "\n"
    text = _committee_details_to_complete(text)
    items = [f"report_date (moved from {old}: confirm)"]
    items += [f"committees.{key}.signatories (carried from {old}: confirm)" for key in committees]
    text += "\n# Values to confirm before committee; the papers are marked DRAFT while any are listed.\n"
    text += "review_required:\n"
    text += "".join(f"  - {json.dumps(item)}\n" for item in items)
    return text


def roll_notebook(source: Path, target: Path, old: str, new: str) -> None:
    """Copy a notebook to the new year: outputs stripped, year moved on, an unreviewed banner on top.

    A year label or date typed beside a figure that a role writes exactly (``old``'s label, the
    year before's, the year-end dates) becomes the role, so it moves with the figure; the rest are
    left for ``cswo validate`` to list."""
    nb = nbformat.read(source, as_version=4)
    migrate_notebook(nb, renames_for(nb))  # a notebook from before {eval} roles carries forward in today's syntax
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source, _ = rewrite_moving(cell.source, old)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = cell.source.replace(f'"{old}"', f'"{new}"')
    moved = "Carried forward" if old < new else "Copied back"
    defaults.write_unreviewed(
        nb, target, new, f"**{moved} from {old}: not yet reviewed.** Read and update the narrative below for {new}"
    )


def source_year(project: Project, new: str) -> str | None:
    """The year to start ``new`` from: the latest earlier year, else the earliest later one, else None."""
    years = [y for y in project.years() if y != new]
    earlier = [y for y in years if y < new]
    later = [y for y in years if y > new]
    if earlier:
        return earlier[-1]
    return later[0] if later else None


def roll_forward(
    project: Project, new: str, template: bool = True, council: str = "Example Council", year_style: str = "hyphen"
) -> list[Path]:
    """Create the new year from its nearest year, or from the defaults (then ``council`` and
    ``year_style`` fill them in). Raises YearExistsError rather than overwrite anything."""
    if not is_financial_year(new):
        raise CSWOError(f"'{new}' is not a financial year like 2022-23")
    parameters = project.parameters_file(new)
    notebooks = project.year_notebooks(new)
    existing = [p for p in (parameters, notebooks, project.returns_workbook(new)) if p.exists()]
    if existing:
        raise YearExistsError(
            f"{new} already exists ({', '.join(project.shown(p) for p in existing)}); "
            "nothing was changed"
        )

    old = source_year(project, new)
    made: list[Path] = []
    if old is None:
        text = defaults.parameters_text(new, council=council, year_style=year_style)
        sources = defaults.notebook_files()
    else:
        old_params = load_parameters(project.parameters_file(old))
        source = read_text(project.parameters_file(old), f"parameters/{old}.yml")
        text = roll_parameters(source, old, new, list(old_params.committees))
        sources = sorted(project.year_notebooks(old).glob("*.ipynb"))
    project.parameters_dir.mkdir(parents=True, exist_ok=True)
    parameters.write_text(text, encoding="utf-8")
    made.append(parameters)
    try:
        load_parameters(parameters)
        for source in sources:
            target = notebooks / f"{source.stem}.ipynb"
            if old is None:
                defaults.write_notebook(source, target, new)
            else:
                roll_notebook(source, target, old, new)
            made += [target, target.with_suffix(".md")]
        if template:
            made.append(write_template(project, new))
    except BaseException:
        parameters.unlink(missing_ok=True)
        shutil.rmtree(notebooks, ignore_errors=True)
        raise
    return made
