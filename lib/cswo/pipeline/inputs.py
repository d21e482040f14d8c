"""Checks on the inputs a build reads besides the data: the year's notebooks and _quarto.yml.

Every notebook is validated with nbformat before anything (the cache fingerprint,
Papermill) reads it, so a truncated or emptied notebook is one located sentence,
and all of them are reported at once.
"""

from __future__ import annotations

import json
from pathlib import Path

from cswo.data.dataset import Dataset
from cswo.data.load import validate_tables
from cswo.errors import InputError, ParametersError, Problem, ProblemsError
from cswo.narrative import legacy
from cswo.narrative import roles as prose
from cswo.narrative.completeness import narrative_problems
from cswo.project import twins
from cswo.project.paths import Project
from cswo.project.reading import decode
from cswo.render.quarto import quarto_config


def notebook_problem(path: Path, label: str) -> str | None:
    """Why ``path`` is not a notebook Papermill can run, or None when it is."""
    import nbformat

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not raw.strip():
        return "the notebook is empty (0 cells); restore it from version control or `cswo new-year`"
    try:
        data = json.loads(decode(raw, label))
    except InputError as exc:
        return str(exc).removeprefix(f"{label}: ")
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" at line {line}" if line else ""
        return (
            f"the notebook is damaged (not complete JSON{where}; was it cut short while saving?): "
            "restore it from version control, or re-open and save it in JupyterLab"
        )
    try:
        nb = nbformat.from_dict(data)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises ValidationError and others for bad structure
        reason = str(getattr(exc, "message", exc)).splitlines()[0][:200]
        return f"the file is not a valid Jupyter notebook ({reason})"
    if not nb.get("cells"):
        return "the notebook has no cells"
    return None


def notebook_problems(
    project: Project, year: str, names: list[str], readable: list[str] | None = None
) -> list[Problem]:
    """Every notebook that cannot be run or carries an older version's words; the sections whose
    notebooks can be read are added to ``readable``."""
    problems = []
    for name in names:
        path = project.notebook(year, name)
        label = project.shown(path)
        if not path.exists():
            problems.append(Problem(label, None, None, None, f"section '{name}' has no notebook at this path"))
            continue
        problem = notebook_problem(path, label)
        if problem:
            problems.append(Problem(label, None, None, None, problem))
        else:
            problems += legacy_problems(project, path, name)
            if readable is not None:
                readable.append(name)
    return problems


def legacy_problems(project: Project, notebook: Path, name: str) -> list[Problem]:
    """What an older version of the suite left in the notebook the build runs: ``{{ name }}``
    placeholders (never filled in any more, they would be published as typed) and imports of
    renamed modules (the section would fail in its kernel). Each is an error saying what
    ``cswo migrate`` rewrites it as."""
    source = twins.section_source(notebook, name)
    label = project.shown(source.path)
    cells = source.read().cells
    renames = legacy.renames("\n".join(cell.source for cell in cells if cell.cell_type == "code"))
    found = []
    for number, cell in enumerate(cells, start=1):
        if cell.cell_type == "code":
            found += [f"cell {number}: {problem}" for problem in legacy.import_problems(cell.source)]
            continue
        if cell.cell_type != "markdown":
            continue
        for old in dict.fromkeys(prose.legacy_references(cell.source)):
            found.append(
                f"cell {number}: {{{{ {old} }}}} is the old placeholder, which is no longer filled in; "
                f"run `cswo migrate` to rewrite it as {prose.role(renames.get(old, old))}"
            )
    return [Problem(label, None, None, None, text) for text in found]


def check_inputs(project: Project, params, draft: bool = False) -> None:
    """Raise one ProblemsError listing every bad notebook and _quarto.yml value, with the data's
    problems, the names and (unless ``draft``, which marks them) the figures the readable notebooks
    lack beside them: a run that stops here still lists everything there is to fix."""
    readable: list[str] = []
    problems = notebook_problems(project, params.year, [*params.sections, *params.appendix_notebooks()], readable)
    try:
        quarto_config(project)
    except ProblemsError as exc:
        problems += exc.problems
    except InputError as exc:
        problems.append(Problem("_quarto.yml", None, None, None, str(exc).removeprefix("_quarto.yml: ")))
    if problems:
        dataset, found = data_problems(project, params.year)
        problems += found + narrative_problems(project, params.year, readable, dataset, gaps=not draft)
        raise ProblemsError(problems)


def data_problems(project: Project, year: str) -> tuple[Dataset | None, list[Problem]]:
    """What could be read of the year's data, and every problem in it and in the catalogue it is read
    by, as located problems."""
    try:
        return validate_tables(project, year)
    except ProblemsError as exc:
        return None, exc.problems
    except ParametersError as exc:  # the catalogue: its file and each key at fault
        return None, [Problem(exc.path, None, None, None, problem) for problem in exc.problems]
