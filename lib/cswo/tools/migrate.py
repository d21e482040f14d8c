"""`cswo migrate`: older ``{{ name }}`` placeholders rewritten as MyST ``{eval}`` roles.

A one-off for notebooks written before the suite used roles. Markdown cells only; code is never
touched. Names change where the kernel needs them to (so JupyterLab can show them in place):

* ``{{ year }}``, ``{{ last_year }}``, ``{{ council }}``, ``{{ area }}``, ``{{ partnership }}``
  become ``s.label``, ``s.last_label``, ``s.council``, ``s.area``, ``s.partnership``;
* a bare figure, ``{{ complaints }}``, becomes ``complaints.value`` (the figure itself displays
  as a one-line summary).

Code cells keep their code, except imports of modules the package renamed (``cswo.section`` is
``cswo.notebook``; ``cswo.formatting`` is ``cswo.figures.formatting``), which are rewritten so
the notebook runs.

Both halves of a jupytext pair are rewritten: the ``.ipynb`` through nbformat, the ``.md`` line by
line outside its code cells, so nothing else in either file changes.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from cswo.narrative import legacy
from cswo.narrative import roles as prose
from cswo.narrative.legacy import migrate_imports
from cswo.project.reading import read_text
from cswo.project.twins import TWIN_SUFFIX

FENCE = re.compile(r"^(`{3,}|~{3,})")


def renames_for(nb: nbformat.NotebookNode) -> dict[str, str]:
    return legacy.renames("\n".join(cell.source for cell in nb.cells if cell.cell_type == "code"))


def migrate_notebook(nb: nbformat.NotebookNode, renames: dict[str, str]) -> int:
    """Rewrite the markdown cells in place; the number of placeholders changed."""
    changed = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            changed += len(prose.legacy_references(cell.source))
            cell.source = prose.migrate(cell.source, renames)
        elif cell.cell_type == "code":
            cell.source, renamed = migrate_imports(cell.source)
            changed += renamed
    return changed


def migrate_markdown(text: str, renames: dict[str, str]) -> tuple[str, int]:
    """A MyST markdown twin with placeholders outside fenced blocks rewritten."""
    out, fence, changed = [], None, 0
    for line in text.splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is not None:
            line, renamed = migrate_imports(line)
            changed += renamed
        elif fence is None:
            changed += len(prose.legacy_references(line))
            line = prose.migrate(line, renames)
        out.append(line)
    return "".join(out), changed


def migrate_paths(paths: list[Path]) -> dict[Path, int]:
    """Migrate every notebook (and its ``.md`` twin) under ``paths``; how many changes per file."""
    notebooks = sorted({p for path in paths for p in (path.rglob("*.ipynb") if path.is_dir() else [path])})
    report: dict[Path, int] = {}
    for path in notebooks:
        if path.suffix == ".md":
            continue
        nb = nbformat.read(path, as_version=4)
        renames = renames_for(nb)
        count = migrate_notebook(nb, renames)
        if count:
            nbformat.write(nb, path)
            report[path] = count
        twin = path.with_suffix(TWIN_SUFFIX)
        if twin.exists():
            text, count = migrate_markdown(read_text(twin), renames)
            if count:
                twin.write_text(text, encoding="utf-8")
                report[twin] = count
    return report
