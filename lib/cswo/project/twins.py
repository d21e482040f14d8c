"""A section notebook and its MyST markdown twin: which one the build reads, and saying so.

An analyst may edit either file. When the ``.md`` twin is newer than the ``.ipynb`` the build
reads the twin (converted with jupytext, in memory and into the build's own folder), never the
stale notebook, and says so; it never writes to either file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

TWIN_SUFFIX = ".md"


@dataclass(frozen=True)
class SectionSource:
    """The file a section is read from, and why (``note`` is empty when the twins agree)."""

    section: str
    path: Path  # the .ipynb, or its .md twin when that is newer
    note: str = ""

    @property
    def from_twin(self) -> bool:
        return self.path.suffix == TWIN_SUFFIX

    def read(self) -> nbformat.NotebookNode:
        if self.from_twin:
            import jupytext

            return jupytext.read(self.path, fmt="md:myst")
        return nbformat.read(self.path, as_version=4)


def section_source(notebook: Path, section: str) -> SectionSource:
    """The newer of ``notebook`` and its ``.md`` twin (the notebook when only one exists)."""
    twin = notebook.with_suffix(TWIN_SUFFIX)
    if not twin.exists() or not notebook.exists():
        return SectionSource(section, notebook if notebook.exists() else twin)
    if twin.stat().st_mtime_ns <= notebook.stat().st_mtime_ns:
        return SectionSource(section, notebook)
    if _same_cells(twin, notebook):
        return SectionSource(section, notebook)
    return SectionSource(
        section,
        twin,
        f"Section '{section}': {twin.name} is newer than {notebook.name} and they differ, so the build "
        f"used {twin.name}; run `make sync` (jupytext --sync) to pair them.",
    )


def _same_cells(twin: Path, notebook: Path) -> bool:
    # read once per version of the pair: a build asks twice, and `cswo preview` on every save
    return _same_cells_of(twin, notebook, _version(twin), _version(notebook))


def _version(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=512)
def _same_cells_of(twin: Path, notebook: Path, *versions: tuple[int, int]) -> bool:
    import jupytext

    def cells(nb) -> list[tuple[str, str]]:
        return [(c.cell_type, c.source.strip()) for c in nb.cells]

    try:
        return cells(jupytext.read(twin, fmt="md:myst")) == cells(nbformat.read(notebook, as_version=4))
    except Exception:  # an unreadable twin is reported when it is used, not here
        return False


def materialise(source: SectionSource, folder: Path) -> Path:
    """A path to an .ipynb holding the section as it should run (the twin written out when newer)."""
    if not source.from_twin:
        return source.path
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.section}.from-twin.ipynb"
    nbformat.write(source.read(), target)
    return target
