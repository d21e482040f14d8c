"""Is the last build still current? Decided from file hashes, before the pipeline is imported.

A build with nothing changed would otherwise pay for importing pandas, nbconvert and the rest of
the pipeline just to find every section and document reusable. The last successful build records
a digest of everything it was made from (the year's notebooks, parameters, data, ``_quarto.yml``,
the project's catalogue and templates,
the library, tool versions and the options) and of what it published; when both still match,
the CLI says so and stops. Anything else, including a deleted or edited output, builds as usual.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cswo.cache.store import library_fingerprint, read_manifest, sha256_file, tool_versions, write_manifest
from cswo.project.paths import Project

STAMP = "last-build.json"


def _inputs(project: Project, year: str) -> list[Path]:
    files = [p for p in project.year_notebooks(year).rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts]
    files += [p for p in project.data_dir.rglob("*") if p.is_file()]
    files += [project.parameters_file(year), project.root / "_quarto.yml", project.catalogue_file]
    if project.templates_dir.is_dir():  # the project's house style and cover template
        files += [p for p in project.templates_dir.rglob("*") if p.is_file()]
    return sorted(p for p in files if p.exists())


def inputs_digest(project: Project, year: str, options: dict) -> str:
    digest = hashlib.sha256()
    for path in _inputs(project, year):
        digest.update(str(path.relative_to(project.root)).encode() + b"\0" + sha256_file(path).encode())
    extra = {"lib": library_fingerprint(), "tools": tool_versions(), "options": options}
    digest.update(json.dumps(extra, sort_keys=True).encode())
    return digest.hexdigest()


def outputs_digest(project: Project, year: str) -> str:
    """What is published: names, sizes and modification times (a changed or missing file differs)."""
    folder = project.year_outputs(year)
    entries = [
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


def record(project: Project, year: str, options: dict, warnings: list[str]) -> None:
    folder = project.cache_dir(year)
    folder.mkdir(parents=True, exist_ok=True)
    write_manifest(
        folder / STAMP,
        {
            "inputs": inputs_digest(project, year, options),
            "outputs": outputs_digest(project, year),
            "warnings": warnings,
        },
    )


def current(project: Project, year: str, options: dict) -> dict | None:
    """The last build's record if nothing it was made from, nor anything it published, changed."""
    saved = read_manifest(project.cache_dir(year) / STAMP)
    if not saved or not project.year_outputs(year).is_dir():
        return None
    if saved.get("outputs") != outputs_digest(project, year):
        return None
    return saved if saved.get("inputs") == inputs_digest(project, year, options) else None
