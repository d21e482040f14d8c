"""`cswo new-year`: start a year from the latest one, without touching the latest one.

Creates ``parameters/<new>.yml`` (dates moved on a year, meeting details listed
for review), ``notebooks/<new>/`` (last year's narrative, marked unreviewed)
and the data-entry workbook ``data/returns/<new>.xlsx``. Refuses to overwrite.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jupytext
import nbformat

from cswo.errors import CSWOError
from cswo.pipeline.render import UNREVIEWED_TAG
from cswo.project.paths import Project, is_financial_year, year_label
from cswo.tools.migrate import migrate_notebook, renames_for


class YearExistsError(CSWOError):
    exit_code = 2


def _next_date(match: re.Match) -> str:
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    if month == "02" and day == "29":
        day = "28"
    return f"{year + 1}-{month}-{day}"


def roll_parameters(text: str, old: str, new: str, committees: list[str]) -> str:
    """Last year's parameters text, moved on a year; comments are kept."""
    for style in ("hyphen", "slash"):
        text = text.replace(year_label(old, style), year_label(new, style))
    text = re.sub(r"\b(20\d{2})-(\d{2})-(\d{2})\b", _next_date, text)
    text = re.sub(r"(?ms)^review_required:.*?(?=^\S|\Z)", "", text).rstrip() + "\n"
    items = [f"report_date (moved on a year from {old}: confirm)"]
    for key in committees:
        items += [
            f"committees.{key}.meeting_date (moved on a year from {old}: confirm with the clerk)",
            f"committees.{key}.report_number (still {old}'s number with the year changed: confirm)",
            f"committees.{key}.date and signatories (confirm)",
        ]
    text += "\n# Values to confirm before committee; the build warns while any are listed.\nreview_required:\n"
    text += "".join(f"  - {json.dumps(item)}\n" for item in items)
    return text


def roll_notebook(source: Path, target: Path, old: str, new: str) -> None:
    """Copy a notebook to the new year: outputs stripped, year moved on, an unreviewed banner on top."""
    nb = nbformat.read(source, as_version=4)
    migrate_notebook(nb, renames_for(nb))  # a notebook from before {eval} roles carries forward in today's syntax
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = cell.source.replace(f'"{old}"', f'"{new}"')
    banner = nbformat.v4.new_markdown_cell(
        f"**Carried forward from {old}: not yet reviewed.** Read and update the narrative below for {new}, "
        "then delete this cell. The build warns while it is here, and it never appears in the documents."
    )
    banner.metadata["tags"] = [UNREVIEWED_TAG]
    nb.cells.insert(0, banner)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    jupytext.write(nb, target.with_suffix(".md"), fmt="md:myst")


def roll_forward(project: Project, new: str, template: bool = True) -> list[Path]:
    """Create the new year. Raises YearExistsError rather than overwrite anything."""
    if not is_financial_year(new):
        raise CSWOError(f"'{new}' is not a financial year like 2022-23")
    parameters = project.parameters_file(new)
    notebooks = project.year_notebooks(new)
    existing = [p for p in (parameters, notebooks, project.returns_workbook(new)) if p.exists()]
    if existing:
        raise YearExistsError(
            f"{new} already exists ({', '.join(str(p.relative_to(project.root)) for p in existing)}); "
            "nothing was changed"
        )
    earlier = [y for y in project.years() if y < new]
    if not earlier:
        raise CSWOError(f"there is no earlier year to start {new} from")
    old = earlier[-1]
    from cswo.project.parameters import load_parameters

    old_params = load_parameters(project.parameters_file(old))
    made: list[Path] = []
    text = roll_parameters(
        project.parameters_file(old).read_text(encoding="utf-8"), old, new, list(old_params.committees)
    )
    parameters.write_text(text, encoding="utf-8")
    made.append(parameters)
    try:
        load_parameters(parameters)
        for source in sorted(project.year_notebooks(old).glob("*.ipynb")):
            target = notebooks / source.name
            roll_notebook(source, target, old, new)
            made += [target, target.with_suffix(".md")]
        if template:
            from cswo.tools.workbook import write_template

            made.append(write_template(project, new))
    except BaseException:
        parameters.unlink(missing_ok=True)
        shutil.rmtree(notebooks, ignore_errors=True)
        raise
    return made
