"""`cswo preview`: rebuild the year's papers each time a notebook, data file or the parameters change.

Polling (a stat of each watched file every interval) needs no extra package and behaves the same
on every filesystem, network drives included. A look costs about a millisecond of CPU for a year's
forty-odd files, so the default interval is a tenth of a second: a save is seen at once. A prose
edit reuses every section's run, so the PDF is back in a couple of seconds; a failed build prints
its one-sentence error and keeps watching, with the last good papers left in place. Ctrl-C stops it
cleanly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from cswo.errors import CSWOError
from cswo.pipeline.build import BuildOptions
from cswo.project.parameters import load_year
from cswo.project.paths import Project

Snapshot = dict[Path, tuple[int, int]]
DEFAULT_INTERVAL = 0.1  # seconds between looks for changes: part of what the analyst waits for after a save


def preview_options(project: Project, year: str):
    """What a preview writes: the first committee's paper as a PDF, as a draft (a missing figure is
    marked, not fatal) in ``outputs/drafts/``. Word, LibreOffice's page numbers and the other papers
    wait for ``cswo build``, so a prose edit is on the page in a few seconds."""
    committee = next(iter(load_year(project, year).committees))
    return BuildOptions(year=year, committees=[committee], formats=["pdf"], draft=True, annual_report=False)


def watched_files(project: Project, year: str) -> list[Path]:
    notebooks = project.year_notebooks(year)
    files = [*notebooks.glob("*.ipynb"), *notebooks.glob("*.md"), project.parameters_file(year)]
    files += [p for p in project.data_dir.rglob("*") if p.suffix in (".csv", ".xlsx")]
    return sorted(p for p in files if p.is_file() and not p.name.startswith((".", "~$")))


def snapshot(files: list[Path]) -> Snapshot:
    found = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue  # removed while we looked: the next poll sees it gone
        found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """'edited x', 'added y', 'removed z' for each file that differs."""
    edited = [f"edited {p.name}" for p in after if p in before and after[p] != before[p]]
    added = [f"added {p.name}" for p in after if p not in before]
    removed = [f"removed {p.name}" for p in before if p not in after]
    return edited + added + removed


def watch(
    project: Project,
    year: str,
    rebuild: Callable[[], str],
    say: Callable[[str], None] = print,
    interval: float = DEFAULT_INTERVAL,
    max_builds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Build now, then after every change; return the number of builds when stopped.

    ``rebuild`` builds and returns a one-line summary (or raises CSWOError). ``max_builds`` bounds the
    run (for tests and scripts); otherwise it runs until Ctrl-C.
    """
    builds = 0
    state = snapshot(watched_files(project, year))
    pending = ["first build"]
    try:
        while True:
            if pending:
                say("changed: " + ", ".join(pending))
                try:
                    say(rebuild())
                except CSWOError as error:
                    say(f"Error: {error} (the last good papers are unchanged; still watching)")
                builds += 1
                if max_builds is not None and builds >= max_builds:
                    return builds
            sleep(interval)
            current = snapshot(watched_files(project, year))
            pending = changes(state, current)
            state = current
    except KeyboardInterrupt:
        say("Stopped watching.")
        return builds
