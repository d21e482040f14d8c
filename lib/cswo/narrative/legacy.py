"""What notebooks written for older versions of the suite still carry, and what it is called now.

Two things: ``{{ name }}`` placeholders in prose (before MyST ``{eval}`` roles) and imports of
package modules that were renamed. ``cswo migrate`` rewrites both (:mod:`cswo.tools.migrate`);
``cswo validate`` and the build report each one left, in the same names, so a half-migrated
project is told exactly what ``cswo migrate`` will do before any section runs.
"""

from __future__ import annotations

import ast
import importlib.util
import re

# names the section object gives what older placeholders named bare
SECTION_RENAMES = {
    "year": "s.label",
    "last_year": "s.last_label",
    "council": "s.council",
    "area": "s.area",
    "partnership": "s.partnership",
}
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


def _parsed(code: str) -> ast.AST | None:
    # IPython magics and shell lines are not Python; the rest of the cell still is
    lines = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        return ast.parse(lines)
    except SyntaxError:
        return None


def registered_figures(code: str) -> set[str]:
    """Names registered with ``s.figure("name", ...)`` in code (unparseable code: none)."""
    tree = _parsed(code)
    names = set()
    for node in ast.walk(tree) if tree is not None else ():
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


def renames(code: str) -> dict[str, str]:
    """What each older placeholder becomes, given the notebook's code: a bare figure is its value."""
    found = dict(SECTION_RENAMES)
    found.update({name: f"{name}.value" for name in registered_figures(code)})
    return found


def _package_modules(code: str) -> list[str]:
    tree = _parsed(code)
    found = []
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return [name for name in dict.fromkeys(found) if name == "cswo" or name.startswith("cswo.")]


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package that does not exist
        return False


def import_problems(code: str) -> list[str]:
    """Why each package module ``code`` imports cannot be imported, as the end of a sentence."""
    problems = []
    for module in _package_modules(code):
        old = next((name for name in MODULE_RENAMES if module == name or module.startswith(name + ".")), None)
        if old:
            now = MODULE_RENAMES[old] + module[len(old) :]
            problems.append(
                f"imports `{module}`, the module's old name, which no longer exists; "
                f"run `cswo migrate` to rename it `{now}`"
            )
        elif not _exists(module):
            problems.append(
                f"imports `{module}`, which is not a module of the suite; "
                "docs/notebooks.md lists the modules a notebook uses"
            )
    return problems
