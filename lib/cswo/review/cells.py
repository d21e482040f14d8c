"""A paragraph of a section notebook's markdown cell, found by cell id and place, and changed in the
notebook and its ``.md`` twin together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from cswo.cache.instep import InStep
from cswo.compose import anchors
from cswo.errors import TwinConflictError
from cswo.project import twins
from cswo.project.paths import Project
from cswo.project.reading import read_text


@dataclass
class Notebook:
    """A section notebook open for edits; written back once, with its twin."""

    path: Path
    nb: nbformat.NotebookNode
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (paragraph before, after), for the twin
    note: str = ""  # why it may not be changed (its twin was edited apart from it)
    in_step: InStep | None = None  # the record of pairs in step, to mark the pair once both are changed

    def cell(self, cell_id: str, number: int):
        """The cell by its id; by its number when the id is unknown (the build read a twin)."""
        for cell in self.nb.cells:
            if cell.get("id") == cell_id and cell.cell_type == "markdown":
                return cell
        if cell_id.startswith("cell-") or not any(c.get("id") == cell_id for c in self.nb.cells):
            if 0 < number <= len(self.nb.cells) and self.nb.cells[number - 1].cell_type == "markdown":
                return self.nb.cells[number - 1]
        return None

    def paragraph(self, cell_id: str, number: int, index: int) -> str | None:
        """The paragraph's source as it is now, or None when the cell or paragraph is gone."""
        cell = self.cell(cell_id, number)
        if cell is None:
            return None
        spans = anchors.paragraphs(cell.source)
        return cell.source[slice(*spans[index])] if index < len(spans) else None

    def replace(self, cell_id: str, number: int, index: int, new: str) -> None:
        """Put ``new`` in place of the paragraph ('' removes it, with the blank line after it)."""
        cell = self.cell(cell_id, number)
        start, end = anchors.paragraphs(cell.source)[index]
        old = cell.source[start:end]
        if not new:
            while end < len(cell.source) and cell.source[end] == "\n":
                end += 1
        cell.source = cell.source[:start] + new + cell.source[end:]
        self.replaced.append((old, new))

    def write(self) -> str:
        """Write the notebook, and the same change into its twin; a note when the twin could not follow."""
        nbformat.write(self.nb, self.path)
        twin = self.path.with_suffix(twins.TWIN_SUFFIX)
        if not twin.exists():
            return ""
        text = read_text(twin)
        for old, new in self.replaced:
            if not new and text.count(old + "\n\n") == 1:
                old += "\n\n"
            if text.count(old) != 1:
                return (
                    f"{twin.name} was not changed (a paragraph is not in it exactly once): run `cswo sync` to pair "
                    f"it with {self.path.name}"
                )
            text = text.replace(old, new, 1)
        twin.write_text(text, encoding="utf-8")
        cells = twins.cells_of(self.path)
        if self.in_step is not None and cells is not None and cells == twins.cells_of(twin):
            self.in_step.mark(self.path, cells)  # both changed alike: still in step
        return ""


def open_notebook(project: Project, year: str, section: str) -> Notebook | None:
    """The section's notebook; its note says when its twin is newer and differs (edits would be lost)."""
    path = project.notebook(year, section)
    if not path.exists():
        return None
    in_step = InStep(project)
    notebook = Notebook(path, nbformat.read(path, as_version=4), in_step=in_step)
    try:
        source = twins.section_source(path, section, in_step)
    except TwinConflictError as exc:
        notebook.note = f"{exc}; import again once they are paired"
        return notebook
    if source.from_twin:
        notebook.note = (
            f"{source.path.name} was edited apart from {path.name}: run {twins.SYNC} to pair them, then import again"
        )
    return notebook
