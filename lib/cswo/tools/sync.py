"""`cswo sync`: pair each section notebook with its ``.md`` twin, never losing an edit.

For each pair, the file edited since they were last in step (:class:`cswo.cache.instep.InStep`)
is written over the other, through jupytext (so the twin keeps the project's jupytext settings).
A pair whose files were both edited, or that was never seen in step, is left as it is and
listed with the paragraphs that differ, unless ``keep`` says which file wins; the file replaced
is then copied first to ``outputs/.cache/twins/``, so nothing typed is ever lost.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from cswo.cache.instep import InStep
from cswo.errors import InputError
from cswo.project.paths import Project
from cswo.project.twins import TWIN_SUFFIX, cells_of, differences

KEEP = {"ipynb": ".ipynb", "md": TWIN_SUFFIX}


@dataclass
class SyncReport:
    written: list[str] = field(default_factory=list)  # "notebooks/2021-22/x.md (from x.ipynb)"
    kept: list[str] = field(default_factory=list)  # copies of replaced files
    conflicts: list[str] = field(default_factory=list)  # pairs left as they are, with why


def sync(project: Project, year: str | None = None, keep: str | None = None) -> SyncReport:
    """Pair every notebook of ``year`` (every year when None) with its twin. Raises InputError for
    an unknown ``keep``."""
    if keep is not None and keep not in KEEP:
        raise InputError(f"--keep must be ipynb or md, not '{keep}'")
    folders = (
        [project.year_notebooks(year)] if year else sorted(p for p in project.notebooks_dir.glob("*") if p.is_dir())
    )
    in_step, report = InStep(project), SyncReport()
    for folder in folders:
        for stem in sorted({p.stem for p in folder.glob("*.ipynb")} | {p.stem for p in folder.glob("*.md")}):
            _sync_pair(project, folder / f"{stem}.ipynb", in_step, keep, report)
    return report


def sync_section(project: Project, notebook: Path) -> SyncReport:
    """Pair one section's notebook with its twin, as :func:`sync` does (a conflict is listed, not resolved)."""
    report = SyncReport()
    _sync_pair(project, notebook, InStep(project), None, report)
    return report


def _sync_pair(project: Project, notebook: Path, in_step: InStep, keep: str | None, report: SyncReport) -> None:
    twin = notebook.with_suffix(TWIN_SUFFIX)
    if not notebook.exists() or not twin.exists():
        _write_from(notebook if notebook.exists() else twin, notebook, project, report)
    else:
        ours, theirs = cells_of(notebook), cells_of(twin)
        if ours is not None and ours == theirs:
            in_step.mark(notebook, ours)
            return
        winner = _winner(notebook, twin, ours, theirs, in_step, keep, project, report)
        if winner is None:
            return
        _write_from(winner, notebook, project, report)
    cells = cells_of(notebook)
    if cells is not None and cells == cells_of(twin):
        in_step.mark(notebook, cells)
    elif notebook.exists() and twin.exists():
        report.written.pop()
        why = _why(notebook)
        report.conflicts.append(f"{project.shown(notebook)} and {twin.name} are still not in step: {why}")


def _why(notebook: Path) -> str:
    """Why jupytext left a pair apart: most often a notebook that does not name its twin format."""
    import nbformat  # lazy: only for a pair that failed

    formats = nbformat.read(notebook, as_version=4).metadata.get("jupytext", {}).get("formats", "")
    if "md:myst" not in formats:
        return "jupytext does not see them as a pair (the notebook's metadata needs jupytext formats 'ipynb,md:myst')"
    return "jupytext could not write one from the other; pair them by hand"


def _winner(notebook, twin, ours, theirs, in_step, keep, project, report) -> Path | None:
    """The file to write the other from, or None (listed as a conflict) when that would lose an edit."""
    last = in_step.last(notebook)
    edited = {
        ".ipynb": last is None or ours is None or in_step.digest(ours) != last,
        TWIN_SUFFIX: last is None or theirs is None or in_step.digest(theirs) != last,
    }
    if keep is not None:
        winner = notebook.with_suffix(KEEP[keep])
        loser = twin if winner == notebook else notebook
        if edited[loser.suffix]:
            report.kept.append(_keep_copy(project, loser))
        return winner
    if edited[".ipynb"] and edited[TWIN_SUFFIX]:
        why = "were both edited since they were last in step" if last else "were never seen in step"
        lines = differences(ours or [], theirs or [])
        report.conflicts.append(
            f"{project.shown(notebook)} and {twin.name} {why}: copy each edit into one file, then run "
            "`cswo sync --keep ipynb` or `cswo sync --keep md`; they differ in:\n"
            + "\n".join(f"      {d}" for d in lines)
        )
        return None
    return twin if edited[TWIN_SUFFIX] else notebook


def _keep_copy(project: Project, path: Path) -> str:
    folder = project.twins_kept_dir / path.parent.name
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{path.stem}.{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}"
    shutil.copy2(path, copy)
    return project.shown(copy)


def _write_from(winner: Path, notebook: Path, project: Project, report: SyncReport) -> None:
    """Write the other file of the pair from ``winner`` with jupytext's own pairing."""
    from jupytext.cli import jupytext  # lazy: jupytext's CLI loads only when a pair is written

    now = time.time()
    os.utime(winner, (now, now))  # jupytext --sync writes the other file from the newer one
    jupytext(["--sync", "--quiet", str(notebook if notebook.exists() else winner)])
    other = notebook.with_suffix(TWIN_SUFFIX) if winner == notebook else notebook
    report.written.append(f"{project.shown(other)} (from {winner.name})")
