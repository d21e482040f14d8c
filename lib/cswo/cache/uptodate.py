"""Is the last build still current? Decided from file hashes, before the pipeline is imported.

A build with nothing changed would otherwise pay for importing pandas, nbconvert and the rest of
the pipeline just to find every section and document reusable. The last successful build records
a digest of everything it was made from (the year's notebooks, parameters, data, ``_quarto.yml``,
the project's catalogue and templates,
the library, tool versions and the options) and of what it published; when both still match,
the CLI says so and stops. Anything else, including a deleted or edited output, builds as usual.
"""

from __future__ import annotations

from cswo.cache.keys import inputs_digest, outputs_digest
from cswo.cache.store import read_manifest, write_manifest
from cswo.project.paths import Project

STAMP = "last-build.json"


def record(project: Project, year: str, options: dict, warnings: list[str]) -> None:
    folder = project.cache_dir(year)
    folder.mkdir(parents=True, exist_ok=True)
    write_manifest(
        folder / STAMP,
        {
            "inputs": inputs_digest(project, year, options),
            "outputs": outputs_digest(project.year_outputs(year)),
            "warnings": warnings,
        },
    )


def current(project: Project, year: str, options: dict) -> dict | None:
    """The last build's record if nothing it was made from, nor anything it published, changed."""
    saved = read_manifest(project.cache_dir(year) / STAMP)
    if not saved or not project.year_outputs(year).is_dir():
        return None
    if saved.get("outputs") != outputs_digest(project.year_outputs(year)):
        return None
    return saved if saved.get("inputs") == inputs_digest(project, year, options) else None
