"""Every cache key, fingerprint and stamp the suite uses, and the one way they are hashed.

A key is the SHA-256 of a JSON value (:func:`digest`) describing what something was made from; a
new input to a step is one more entry in that step's key here, never a hash made elsewhere. The
keys, from the data up:

- :func:`catalogue_fingerprint`, :func:`project_fingerprint`: the catalogue and the chart style;
- :func:`dataset_key`: the validated data (data files, catalogue, library, sections, year);
- :func:`kernel_inputs_key`: what a kernel keeps between sections (parameters, validated data);
- :func:`job_key`: a section's run (its code cells, parameters, library, project, tools);
- :func:`section_text_key`: a section's exported text (the notebook and its run);
- :func:`render_key`: a document (its markdown, metadata, figures, templates, library, tools),
  recorded with the document's own digest by :class:`cswo.cache.store.DocumentRecord`;
- :func:`part_key`: a section's markdown converted by pandoc once for every paper (its markdown,
  the figures beside it, the library's Lua filter, the tools); :func:`paper_text_key`: a paper's own
  text converted (the same, with pandoc's arguments and template);
- :func:`scan_key`, :func:`gaps_key`, :func:`findings_key`: what a running preview keeps between saves
  (cache/memo.py): one file's identifier scan, a notebook's typed numbers, the completeness check
  (parameters, data, notebooks), one section's typed years and comparisons;
- :func:`inputs_digest`, :func:`outputs_digest`: the stamp of the last build (nothing changed?).

Only the standard library and :mod:`cswo.project` are imported, so the CLI can decide "nothing
changed" without the pipeline, and a kernel can key what it keeps.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from cswo.project.paths import BASE_CATALOGUE_FILE, PACKAGE_DIR, Project
from cswo.project.templates import STYLE, fingerprint_files

TOOLS = ("pandas", "altair", "vl-convert-python", "pypandoc-binary", "typst", "papermill", "ipykernel", "nbconvert")
DATA_SUFFIXES = (".csv", ".xlsx")


def digest(value) -> str:
    """The one hashing method: SHA-256 of ``value`` as canonical JSON (keys sorted)."""
    return _sha256(json.dumps(value, sort_keys=True, default=str).encode())


def twin_digest(cells: list[tuple[str, str]]) -> str:
    """A section's cells (kind and text) as a notebook or its .md twin holds them: equal when in step."""
    return digest(cells)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return _sha256(Path(path).read_bytes())


def text_digest(text: str) -> str:
    """SHA-256 of a text (UTF-8)."""
    return _sha256(text.encode())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(paths, root: Path) -> dict[str, str]:
    return {str(Path(p).relative_to(root)): file_digest(p) for p in paths}


@lru_cache(maxsize=1)
def library_fingerprint() -> str:
    """The package's code, catalogue and templates: a code change re-runs everything."""
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix in {".py", ".yml", ".lua", ".typ"})
    return digest(_files(files, PACKAGE_DIR))


@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    """Versions of the tools a section's outputs depend on: an upgrade re-runs everything."""
    found = {}
    for name in TOOLS:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def notebook_fingerprint(path: Path) -> str:
    """A notebook's code cells (source, tags), ignoring markdown, outputs and execution counts.

    Markdown is not part of it: prose is filled from the section's recorded figures after the run,
    so a prose edit reuses the run and only re-renders.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [
        (
            "".join(c.get("source", [])) if isinstance(c.get("source"), list) else c.get("source"),
            sorted(c.get("metadata", {}).get("tags", [])),
        )
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code"
    ]
    return digest(cells)


def parameters_fingerprint(params) -> str:
    """The parameters a section can see: everything except committee papers and review notes."""
    return digest(params.model_dump(mode="json", exclude={"committees", "review_required"}))


def catalogue_fingerprint(project: Project) -> str:
    """The package's base catalogue and the project's own ``catalogue.yml``."""
    own = project.catalogue_file
    return digest({"base": file_digest(BASE_CATALOGUE_FILE), "own": file_digest(own) if own.is_file() else None})


def project_fingerprint(project: Project) -> str:
    """The project's own catalogue and chart style: sections read both, so an edit re-runs them."""
    files = [project.catalogue_file, project.templates_dir / STYLE]
    return digest({p.name: file_digest(p) for p in files if p.is_file()})


def data_files(project: Project) -> list[Path]:
    """The data files a year is validated from (CSV tables and returns workbooks)."""
    return sorted(p for p in project.data_dir.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES)


def dataset_key(project: Project, year: str, sections: list[str]) -> str:
    """What the validated data was made from: the data files, the library, the project's catalogue."""
    return digest(
        {
            "files": _files(data_files(project), project.data_dir),
            "lib": library_fingerprint(),
            "project": project_fingerprint(project),
            "sections": sections,
            "year": year,
        }
    )


def kernel_inputs_key(project: Project, year: str, dataset_folder: Path) -> str:
    """What a kernel keeps between sections: the year's parameters and the validated data it read."""
    folder = Path(dataset_folder)
    files = [project.parameters_file(year)] if project.parameters_file(year).is_file() else []
    files += sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return digest(
        {
            "root": str(project.root),
            "year": year,
            "catalogue": catalogue_fingerprint(project),
            "files": {p.name: file_digest(p) for p in files},
        }
    )


def job_key(project: Project, params, notebook: Path) -> dict:
    """What a section's run is made from (compared whole with the cached run's manifest)."""
    return {
        "notebook": notebook_fingerprint(notebook),
        "parameters": parameters_fingerprint(params),
        "library": library_fingerprint(),
        "project": project_fingerprint(project),
        "tools": tool_versions(),
    }


def section_text_key(notebook: Path, executed: Path) -> str:
    """A section's exported text: the notebook as written (its prose) and the run it is merged into."""
    return digest({"source": file_digest(notebook), "executed": file_digest(executed), "lib": library_fingerprint()})


def render_inputs(project: Project, figures_dir: Path) -> dict:
    """What every document of a build shares: chart images, templates, the library and tools."""
    return {
        "lib": library_fingerprint(),
        "tools": tool_versions(),
        "figures": {p.name: file_digest(p) for p in sorted(Path(figures_dir).glob("*.png"))},
        "templates": {str(p): file_digest(p) for p in fingerprint_files(project)},
    }


def render_key(markdown: str, meta: dict, fmt: str, shared: dict) -> str:
    """A document: its markdown, metadata and format, with what :func:`render_inputs` lists."""
    return digest({"markdown": markdown, "meta": meta, "fmt": fmt, **shared})


def scan_key(path: Path, allow: set[str]) -> str:
    """One input file's identifier scan: its bytes, where it is, the contact details that may be published."""
    return digest({"scan": file_digest(path), "at": str(path), "allow": sorted(allow)})


def findings_key(source: Path, root: Path, section: str, year: str, readings) -> str:
    """One section's typed years and comparisons: the file it is read from (its bytes and where it is),
    the report year and what its roles read from the data (``readings``, None when not judged)."""
    return digest(
        {
            "findings": file_digest(source),
            "at": str(source),
            "root": str(root),
            "section": section,
            "year": year,
            "readings": readings,
            "lib": library_fingerprint(),
        }
    )


def typed_key(notebook: Path, section: str) -> str:
    """The numbers typed by hand into one notebook's prose."""
    return digest({"typed": file_digest(notebook), "section": section, "lib": library_fingerprint()})


def gaps_key(project: Project, params) -> str:
    """The completeness check: the parameters, the data and every notebook (and .md twin) of the year."""
    notebooks = sorted(p for p in project.year_notebooks(params.year).glob("*.*") if p.is_file())
    return digest(
        {
            "gaps": parameters_fingerprint(params),
            "data": dataset_key(project, params.year, params.sections),
            "notebooks": {str(p): file_digest(p) for p in notebooks},
        }
    )


def part_inputs(figures_dir: Path) -> dict:
    """What a converted part depends on besides its markdown: the filter reads which figures exist."""
    names = sorted(p.name for p in Path(figures_dir).glob("*") if p.is_file())
    return {"lib": library_fingerprint(), "tools": tool_versions(), "figures": names}


def part_key(markdown: str, fmt: str, shared: dict) -> str:
    """One part of the papers (a section's markdown) as pandoc converts it to ``fmt``."""
    return digest({"markdown": markdown, "fmt": fmt, **shared})


def paper_text_key(markdown: str, fmt: str, args: list[str], template: Path | None, shared: dict) -> str:
    """A paper's own text (its markdown, a placeholder where each part goes) as pandoc converts it to
    ``fmt`` with ``args`` (metadata, filters): with the pandoc template and every file beside it (a
    template may include partials), and what :func:`part_inputs` lists."""
    beside = [] if template is None else sorted(p for p in Path(template).parent.iterdir() if p.is_file())
    files = _files(beside, Path(template).parent) if template is not None else {}
    return digest({"paper": markdown, "fmt": fmt, "args": args, "template": files, **shared})


def build_id(render_key: str) -> str:
    """A Word paper's build id: short, from the key it was made from, and never read as a number."""
    return "b" + render_key[:11]


def stamp_options(
    committees: list[str] | None,
    formats: list[str] | None,
    checks: bool,
    draft: bool,
    final: bool = False,
    annual_report: bool = True,
) -> dict:
    """The build options that change what a build publishes (part of the stamp)."""
    return {
        "committees": committees,
        "formats": formats,
        "checks": checks,
        "draft": draft,
        "final": final,
        "annual_report": annual_report,
    }


def review_fingerprint(markdown: str, figures: list[dict], highlights: list[str] = ()) -> str:
    """What a reviewer signs off: a section's text as printed, the highlights it gives the cover report
    and the figures it shows (each with its value and year), so a change to any re-opens the section.
    A section with no highlights keeps the fingerprint it was signed off with before they counted."""
    shown = sorted(
        (f.get("table"), f.get("measure"), f.get("breakdown"), f.get("year"), f.get("value")) for f in figures
    )
    signed = {"text": markdown, "figures": shown}
    return digest({**signed, "cover": list(highlights)} if highlights else signed)[:16]


def _stamp_inputs(project: Project, year: str) -> list[Path]:
    files = [p for p in project.year_notebooks(year).rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts]
    files += [p for p in project.data_dir.rglob("*") if p.is_file()]
    files += [project.parameters_file(year), project.quarto_file, project.catalogue_file, project.reviews_file(year)]
    if project.templates_dir.is_dir():  # the project's house style and cover template
        files += [p for p in project.templates_dir.rglob("*") if p.is_file()]
    return sorted(p for p in files if p.exists())


def inputs_digest(project: Project, year: str, options: dict) -> str:
    """Everything a build of the year reads: its notebooks, data, parameters, templates, library, tools."""
    files = _files(_stamp_inputs(project, year), project.root)
    return digest({"files": files, "lib": library_fingerprint(), "tools": tool_versions(), "options": options})


def outputs_digest(folder: Path) -> str:
    """What is published: names, sizes and modification times (a changed or missing file differs)."""
    entries = [
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    return digest(entries)
