"""A section notebook and its MyST markdown twin: which one the build reads, and saying so.

An analyst may edit either file. Given the record of when the pair was last in step (``in_step``,
:class:`cswo.cache.instep.InStep`), the file edited since is the one read; the other is stale
until ``cswo sync``. If both were edited, neither is read: :class:`TwinConflictError` names both
files and the paragraphs that differ, since reading either would lose the other's edit. With no
record (a pair never seen in step), the newer file is read and the note says so. The build reads
a twin by converting it with jupytext, in memory and into its own folder; it never writes to
either file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from cswo.errors import TwinConflictError

TWIN_SUFFIX = ".md"
SYNC = "`cswo sync`"


@dataclass(frozen=True)
class SectionSource:
    """The file a section is read from, and why (``note`` is empty when the twins agree)."""

    section: str
    path: Path  # the .ipynb, or its .md twin when that is the one edited
    note: str = ""

    @property
    def from_twin(self) -> bool:
        return self.path.suffix == TWIN_SUFFIX

    def read(self) -> nbformat.NotebookNode:
        if self.from_twin:
            import jupytext

            return jupytext.read(self.path, fmt="md:myst")
        return nbformat.read(self.path, as_version=4)


def section_source(notebook: Path, section: str, in_step=None) -> SectionSource:
    """The file to read a section from: the one edited since the pair was last in step (``in_step``
    records that), else the newer; the notebook when they agree or only one exists. Marks a pair
    that agrees as in step. Raises TwinConflictError when both were edited."""
    twin = notebook.with_suffix(TWIN_SUFFIX)
    if not twin.exists() or not notebook.exists():
        return SectionSource(section, notebook if notebook.exists() else twin)
    ours, theirs = cells_of(notebook), cells_of(twin)
    if ours == theirs:
        if in_step is not None and ours is not None:
            in_step.mark(notebook, ours)
        return SectionSource(section, notebook)
    last = in_step.last(notebook) if in_step is not None else None
    if last is None or ours is None or theirs is None:
        newer = twin.stat().st_mtime_ns > notebook.stat().st_mtime_ns
        return _one_side(section, notebook, twin, from_twin=newer, why="is newer than")
    notebook_edited, twin_edited = in_step.digest(ours) != last, in_step.digest(theirs) != last
    if notebook_edited and twin_edited:
        raise TwinConflictError(str(notebook.name), str(twin.name), differences(ours, theirs))
    return _one_side(section, notebook, twin, from_twin=twin_edited, why="was edited since it was in step with")


def _one_side(section: str, notebook: Path, twin: Path, from_twin: bool, why: str) -> SectionSource:
    used, other = (twin, notebook) if from_twin else (notebook, twin)
    return SectionSource(
        section,
        used,
        f"Section '{section}': {used.name} {why} {other.name} and they differ, so the build used "
        f"{used.name}; run {SYNC} to pair them.",
    )


def cells_of(path: Path) -> list[tuple[str, str]] | None:
    """A notebook's or twin's cells as (kind, text), or None if it cannot be read."""
    return _cells_of(path, *_version(path))


def _version(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=512)
def _cells_of(path: Path, *version: int) -> list[tuple[str, str]] | None:
    # read once per version of the file: a build asks several times, and `cswo preview` on every save
    import jupytext

    try:
        nb = jupytext.read(path, fmt="md:myst") if path.suffix == TWIN_SUFFIX else nbformat.read(path, as_version=4)
    except Exception:  # an unreadable file is reported when it is used, not here
        return None
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def differences(ours: list[tuple[str, str]], theirs: list[tuple[str, str]], shown: int = 60) -> list[str]:
    """The paragraphs only one of the pair holds, each with the file it is in (.ipynb or .md)."""

    def paragraphs(cells) -> list[str]:
        return [p.strip() for _, text in cells for p in text.split("\n\n") if p.strip()]

    mine, yours = paragraphs(ours), paragraphs(theirs)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=mine, b=yours, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            a = mine[i1 + k] if i1 + k < i2 else None
            b = yours[j1 + k] if j1 + k < j2 else None
            start = _common_prefix(a, b) if a is not None and b is not None else 0
            out += [f"only in the .ipynb: '{_excerpt(p, start, shown)}'" for p in (a,) if p is not None]
            out += [f"only in the .md: '{_excerpt(p, start, shown)}'" for p in (b,) if p is not None]
    return out


def _common_prefix(a: str, b: str) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def _excerpt(text: str, start: int, length: int) -> str:
    """The paragraph from a little before where it differs, on one line, at most ``length`` long."""
    begin = max(0, start - 20)
    line = " ".join(text[begin:].split())
    line = ("…" if begin else "") + line
    return line if len(line) <= length else line[: length - 1] + "…"


def materialise(source: SectionSource, folder: Path) -> Path:
    """A path to an .ipynb holding the section as it should run (the twin written out when it is read)."""
    if not source.from_twin:
        return source.path
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.section}.from-twin.ipynb"
    nbformat.write(source.read(), target)
    return target
