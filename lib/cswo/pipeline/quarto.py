"""`_quarto.yml`: the formats the default renderer uses, and the hand-over to the Quarto CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from cswo.errors import CSWOError, RenderError
from cswo.project.paths import Project

FORMAT_FOR = {"docx": "docx", "typst": "pdf", "pdf": "pdf"}


def quarto_config(project: Project) -> dict:
    """The project's _quarto.yml as a mapping (empty when the file is absent)."""
    path = project.quarto_file
    if not path.exists():
        return {}
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CSWOError(f"_quarto.yml is not valid YAML: {exc}") from None


def output_formats(project: Project) -> list[str]:
    """The documents _quarto.yml asks for, as our format names (docx, pdf)."""
    formats = quarto_config(project).get("format") or {"docx": {}, "typst": {}}
    found = [FORMAT_FOR[name] for name in formats if name in FORMAT_FOR]
    return list(dict.fromkeys(found)) or ["docx", "pdf"]


def toc_depth(project: Project) -> int:
    formats = quarto_config(project).get("format") or {}
    return int((formats.get("docx") or {}).get("toc-depth", 2))


def render_with_quarto(project: Project, year: str) -> Path:
    """Render the year's executed notebooks with the Quarto CLI. Raises CSWOError when Quarto is absent."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise CSWOError(
            "the Quarto CLI is not installed on this machine; `cswo build` (pandoc and Typst, the engines "
            "Quarto drives) makes the same documents"
        )
    from cswo.project.parameters import load_year

    params = load_year(project, year)
    executed = project.year_outputs(year) / "notebooks"
    if not executed.is_dir():
        raise CSWOError(f"build {year} first (`cswo build --year {year}`): Quarto renders the executed notebooks")
    folder = project.cache_dir(year) / "quarto"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    config = quarto_config(project)
    chapters = []
    for chapter in params.chapters:
        chapters.append({"part": chapter.title, "chapters": [f"{s}.ipynb" for s in chapter.sections]})
        for section in chapter.sections:
            shutil.copy2(executed / f"{section}.ipynb", folder / f"{section}.ipynb")
    (folder / "index.md").write_text(f"# {params.council.name}\n\n{params.report_title} {params.label}\n")
    config.setdefault("book", {})["chapters"] = ["index.md", *chapters]
    config["book"]["title"] = f"{params.report_title} {params.label}"
    config["filters"] = [str(project.root / f) for f in config.get("filters", [])]
    (folder / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = subprocess.run([quarto, "render", str(folder)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RenderError(f"quarto render failed: {result.stderr.strip()[-2000:]}")
    return folder / config.get("project", {}).get("output-dir", "_book")
