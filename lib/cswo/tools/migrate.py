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

import ast
import re
from pathlib import Path

import nbformat

from cswo.narrative import roles as prose

SECTION_RENAMES = {
    "year": "s.label",
    "last_year": "s.last_label",
    "council": "s.council",
    "area": "s.area",
    "partnership": "s.partnership",
}
FENCE = re.compile(r"^(`{3,}|~{3,})")
# modules notebooks imported under older names -> their names now
MODULE_RENAMES = {
    "cswo.section": "cswo.notebook",
    "cswo.formatting": "cswo.figures.formatting",
    "cswo.figures.prose": "cswo.narrative.roles",
    "cswo.figures.disclosure": "cswo.safeguards.disclosure",
}
OLD_MODULE = re.compile(r"\b(" + "|".join(re.escape(m) for m in MODULE_RENAMES) + r")\b")


def migrate_imports(code: str) -> tuple[str, int]:
    """Code with renamed package modules given their names now, and how many were renamed."""
    return OLD_MODULE.subn(lambda m: MODULE_RENAMES[m.group(1)], code)


def figure_names(code: str) -> set[str]:
    """Names registered with ``s.figure("name", ...)`` in a code cell (unparseable code: none)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "figure"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def renames_for(nb: nbformat.NotebookNode) -> dict[str, str]:
    code = "\n".join(
        "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for cell in nb.cells
        if cell.cell_type == "code"
    )
    renames = dict(SECTION_RENAMES)
    renames.update({name: f"{name}.value" for name in figure_names(code)})
    return renames


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
        twin = path.with_suffix(".md")
        if twin.exists():
            text, count = migrate_markdown(twin.read_text(encoding="utf-8"), renames)
            if count:
                twin.write_text(text, encoding="utf-8")
                report[twin] = count
    return report
