"""`_quarto.yml`: the formats the default renderer uses, and the hand-over to the Quarto CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from cswo.errors import CSWOError, Problem, ProblemsError, RenderError
from cswo.project.paths import Project
from cswo.project.reading import read_yaml
from cswo.render.engines import GUARD_FILTER, LUA_FILTER

FORMAT_FOR = {"docx": "docx", "typst": "pdf", "pdf": "pdf"}


def quarto_config(project: Project) -> dict:
    """The project's _quarto.yml as a mapping (empty when the file is absent), its values checked."""
    path = project.quarto_file
    if not path.exists():
        return {}
    config = read_yaml(path, "_quarto.yml") or {}
    problems = config_problems(config)
    if problems:
        raise ProblemsError([Problem("_quarto.yml", None, None, None, p) for p in problems])
    return config


def config_problems(config: object) -> list[str]:
    """What is wrong with the values this suite reads from _quarto.yml, one sentence each."""
    if not isinstance(config, dict):
        return ["the file must be a mapping of keys to values (for example `format:` on its own line)"]
    formats = config.get("format")
    if formats is None or isinstance(formats, str):
        return []
    if not isinstance(formats, dict):
        return [
            f"key 'format' must list each format on its own line with its options, like `format:` then "
            f"`  docx: {{toc-depth: 2}}` and `  typst: {{}}` (got {formats!r})"
        ]
    problems = []
    for name, options in formats.items():
        if options in (None, "default"):
            continue
        if not isinstance(options, dict):
            problems.append(f"key 'format.{name}' must hold that format's options as a mapping (got {options!r})")
            continue
        depth = options.get("toc-depth")
        if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= 6):
            problems.append(f"key 'format.{name}.toc-depth' must be a whole number from 1 to 6 (got {depth!r})")
    return problems


def output_formats(project: Project) -> list[str]:
    """The documents _quarto.yml asks for, as our format names (docx, pdf)."""
    formats = quarto_config(project).get("format") or {"docx": {}, "typst": {}}
    if isinstance(formats, str):
        formats = {formats: {}}
    found = [FORMAT_FOR[name] for name in formats if name in FORMAT_FOR]
    return list(dict.fromkeys(found)) or ["docx", "pdf"]


def toc_depth(project: Project) -> int:
    formats = quarto_config(project).get("format") or {}
    if isinstance(formats, str):
        return 2
    return int((formats.get("docx") or {}).get("toc-depth", 2))


def book_chapters(markdown: str) -> list[str]:
    """A composed paper split into Quarto book chapters: the cover report first (all of it, with its
    own headings), then one chapter per top-level heading after it."""
    chapters, current, in_code = [], [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("# ") and current and (chapters or line.startswith("# Appendix")):
            chapters.append("\n".join(current).strip() + "\n")
            current = []
        current.append(line)
    if current:
        chapters.append("\n".join(current).strip() + "\n")
    return chapters


def write_book(project: Project, folder: Path, markdown: str, title: str, figures: Path) -> Path:
    """A complete Quarto book project for one committee paper: the same composed, filled markdown
    the pandoc renderer uses (cover report included), our filter and the figures beside it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    names = []
    for number, chapter in enumerate(book_chapters(markdown)):
        name = "index.qmd" if number == 0 else f"chapter-{number:02d}.qmd"
        (folder / name).write_text(chapter, encoding="utf-8")
        names.append(name)
    if figures.is_dir():
        shutil.copytree(figures, folder / "figures")
    shutil.copy2(LUA_FILTER, folder / LUA_FILTER.name)
    shutil.copy2(GUARD_FILTER, folder / GUARD_FILTER.name)
    config = quarto_config(project)
    config.setdefault("project", {})["type"] = "book"
    config.setdefault("book", {}).update(title=title, chapters=names)
    own = [str(project.root / f) for f in config.get("filters", [])]
    config["filters"] = [GUARD_FILTER.name, *own, LUA_FILTER.name]
    (folder / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return folder


def book_folder(project: Project, year: str, committee: str) -> Path:
    return project.quarto_dir(year) / committee


def render_with_quarto(project: Project, year: str) -> list[Path]:
    """Render each committee paper's Quarto book (written by the last build) with the Quarto CLI.
    Raises CSWOError when Quarto is absent or the year has not been built."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise CSWOError(
            "the Quarto CLI is not installed on this machine; `cswo build` (pandoc and Typst, the engines "
            "Quarto drives) makes the same documents"
        )
    books = sorted(p.parent for p in project.quarto_dir(year).glob("*/_quarto.yml"))
    if not books:
        raise CSWOError(f"build {year} first (`cswo build --year {year}`): Quarto renders the composed papers")
    done = []
    for folder in books:
        result = subprocess.run([quarto, "render", str(folder)], capture_output=True, text=True)
        if result.returncode != 0:
            raise RenderError(f"quarto render failed for {folder.name}: {result.stderr.strip()[-2000:]}")
        done.append(folder / quarto_config(project).get("project", {}).get("output-dir", "_book"))
    return done
