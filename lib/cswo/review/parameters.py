"""A reviewer's edit to cover-report text that comes from the year's parameters.

It is made in ``parameters/<year>.yml`` only where that is safe: the edit lies inside the text the
key gives, the key's value is a string, and the file reads back with that key changed and nothing
else. Otherwise it is listed with the key to change.
"""

from __future__ import annotations

import yaml

from cswo.compose.cover import parameter_texts
from cswo.errors import InputError
from cswo.project.paths import Project
from cswo.project.reading import load_yaml, read_text, scalar_span


def new_value(source: str, value: str, changed: str) -> str | None:
    """The key's new text when the paragraph changed only inside it, else None."""
    at = source.find(value)
    if at < 0:
        return None
    prefix, suffix = source[:at], source[at + len(value) :]
    if not (changed.startswith(prefix) and changed.endswith(suffix)) or len(changed) < len(prefix) + len(suffix):
        return None
    return changed[len(prefix) : len(changed) - len(suffix)].strip() or None


def current_value(project: Project, year: str, key: str) -> str | None:
    path = project.parameters_file(year)
    return parameter_texts(load_yaml(read_text(path), str(path))).get(key)


def set_value(project: Project, year: str, key: str, old: str, new: str, dry_run: bool) -> str | None:
    """Change ``key`` from ``old`` to ``new`` in the parameters file; None when it cannot be done safely
    (then the caller lists the key), else the file's name. The value is written on one line in place of
    the old one (plain, quoted or a block), and the file must read back with that key changed, nothing else."""
    path = project.parameters_file(year)
    text = read_text(path)
    before = parameter_texts(load_yaml(text, str(path)))
    span = scalar_span(text, key)
    if before.get(key) != old or span is None or "\n" in new:
        return None
    start, end = span
    written = yaml.safe_dump(new, width=10**6, allow_unicode=True).split("\n")[0]
    changed = text[:start] + written + ("\n" if text[start:end].endswith("\n") else "") + text[end:]
    try:
        after = parameter_texts(load_yaml(changed, str(path)))
    except InputError:  # a value that does not read back is not written
        return None
    if after != {**before, key: new}:
        return None
    if not dry_run:
        path.write_text(changed, encoding="utf-8")
    return project.shown(path)
