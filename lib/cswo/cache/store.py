"""Manifests: what a build made something from, recorded beside what it made, under ``outputs/.cache/``.

Keys come from :mod:`cswo.cache.keys`; this module only reads and writes the records, atomically.
Nothing here ever writes under ``outputs/<year>/``: that folder holds only what is published.
"""

from __future__ import annotations

import json
from pathlib import Path

from cswo.cache.keys import file_digest


def read_manifest(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_manifest(path: Path, manifest: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str), encoding="utf-8")
    temp.replace(path)


class DocumentRecord:
    """Which key each written document was made from, kept in the cache, not beside the papers.

    Each entry also holds the document's own digest, so a key is trusted only for the very file it
    describes: a build that failed before publishing, or a paper replaced by hand, is written afresh.
    """

    def __init__(self, path: Path, root: Path) -> None:
        self.path, self.root = path, root
        self.entries: dict[str, dict] = (read_manifest(path) or {}).get("documents", {})

    def current(self, document: Path, key: str) -> bool:
        """Whether ``document`` (under the root) exists and was made from ``key``."""
        entry = self.entries.get(self._name(document))
        if not entry or entry.get("key") != key or not document.is_file():
            return False
        return entry.get("digest") == file_digest(document)

    def remember(self, written: dict[Path, str]) -> None:
        """Record each document with its key (others' entries are kept: a partial build)."""
        for document, key in written.items():
            self.entries[self._name(document)] = {"key": key, "digest": file_digest(document)}
        write_manifest(self.path, {"documents": self.entries})

    def _name(self, document: Path) -> str:
        return Path(document).relative_to(self.root).as_posix()
