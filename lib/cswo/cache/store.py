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
    """Hash of a notebook's code cells (source, tags), ignoring markdown, outputs and execution counts.

    Markdown is not part of it: prose is filled from the section's recorded figures after the run,
    so a prose edit reuses the run and only re-renders.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        (
            "".join(c.get("source", [])) if isinstance(c.get("source"), list) else c.get("source"),
            sorted(c.get("metadata", {}).get("tags", [])),
        )
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code"
    ]
    return sha256_json(cells)


TOOLS = ("pandas", "altair", "vl-convert-python", "pypandoc-binary", "typst", "papermill", "ipykernel", "nbconvert")


@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    """Versions of the tools a section's outputs depend on: an upgrade re-runs everything."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in TOOLS:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


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
