"""Content fingerprints: what a build made something from, recorded beside what it made.

A section is reused only when its notebook, the section-relevant parameters,
the library code and every data table it read are unchanged.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from cswo.project.paths import PACKAGE_DIR


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def sha256_json(value) -> str:
    return sha256_bytes(json.dumps(value, sort_keys=True, default=str).encode())


@lru_cache(maxsize=1)
def library_fingerprint() -> str:
    """Hash of the package's code, catalogue and templates: a code change re-runs everything."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yml", ".lua", ".typ"}:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def notebook_fingerprint(path: Path) -> str:
    """Hash of a notebook's cells (source, type, tags), ignoring outputs and execution counts."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        (
            c.get("cell_type"),
            "".join(c.get("source", [])) if isinstance(c.get("source"), list) else c.get("source"),
            sorted(c.get("metadata", {}).get("tags", [])),
        )
        for c in nb.get("cells", [])
    ]
    return sha256_json(cells)


def parameters_fingerprint(params) -> str:
    """The parameters a section can see: everything except committee papers and review notes."""
    return sha256_json(params.model_dump(mode="json", exclude={"committees", "review_required"}))


def read_manifest(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_manifest(path: Path, manifest: dict) -> None:
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str), encoding="utf-8")
    temp.replace(path)
