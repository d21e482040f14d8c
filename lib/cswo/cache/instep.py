"""When each notebook and its ``.md`` twin were last in step: ``outputs/.cache/twins.json``.

For each pair (by the notebook's path in the project) it keeps the digest of the cells both held
the last time validate, a build or ``cswo sync`` saw them agree. A twin whose cells no longer
match that digest was edited since; when both were, :mod:`cswo.project.twins` refuses to choose.
"""

from __future__ import annotations

import json
from pathlib import Path

from cswo.cache.keys import twin_digest
from cswo.project.paths import Project


class InStep:
    """The record of pairs last seen in step, read once and written when it changes."""

    def __init__(self, project: Project):
        self.project = project
        self.path = project.twins_record
        try:
            self.digests: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.digests = {}

    def key(self, notebook: Path) -> str:
        try:
            return str(notebook.relative_to(self.project.root))
        except ValueError:
            return str(notebook)

    def digest(self, cells: list[tuple[str, str]]) -> str:
        return twin_digest(cells)

    def last(self, notebook: Path) -> str | None:
        """The digest of the pair's cells when last in step, or None if never seen in step."""
        return self.digests.get(self.key(notebook))

    def mark(self, notebook: Path, cells: list[tuple[str, str]]) -> None:
        """Record the pair as in step, holding ``cells``."""
        digest = self.digest(cells)
        if self.digests.get(self.key(notebook)) != digest:
            self.digests[self.key(notebook)] = digest
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.digests, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
