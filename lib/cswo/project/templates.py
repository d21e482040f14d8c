"""Where a project's templates come from: its own ``templates/`` folder first, then the package's.

A council owns its cover report wording and its house style. The package ships
neutral defaults in ``lib/cswo/templates/``; a file of the same name in the
project's ``templates/`` folder replaces it:

- ``cover.md.j2`` (every committee) or ``cover-<committee>.md.j2`` (one committee):
  the cover report, a Jinja2 template that writes pandoc markdown;
- ``reference.docx``: the Word house style, page set-up and footer (restyle it in
  Word; the build takes them as given);
- ``report.typ``: the Typst template for the PDF;
- ``style.yml``: chart colours and font, laid over the package's ``style.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cswo.errors import ParametersError
from cswo.project.paths import TEMPLATES_DIR, Project
from cswo.project.reading import load_yaml, read_text

COVER = "cover.md.j2"
STYLE = "style.yml"
TYPST = "report.typ"
REFERENCE_DOCX = "reference.docx"
DEFAULT_REFERENCE_DOCX = TEMPLATES_DIR / REFERENCE_DOCX


def find(project: Project, name: str) -> Path:
    """The project's own copy of a template when it has one, else the package default."""
    own = project.templates_dir / name
    return own if own.is_file() else TEMPLATES_DIR / name


def cover_template(project: Project, committee: str) -> Path:
    """``cover-<committee>.md.j2``, else ``cover.md.j2``, from the project, else the package."""
    own = project.templates_dir / f"cover-{committee}.md.j2"
    return own if own.is_file() else find(project, COVER)


def typst_template(project: Project) -> Path:
    return find(project, TYPST)


def reference_docx(project: Project) -> Path:
    """The project's Word house style, else the package's (pandoc's reference document, restyled)."""
    return find(project, REFERENCE_DOCX)


@dataclass(frozen=True)
class HouseStyle:
    """Chart colours and font. Every colour must reach 3:1 contrast on the background (checked)."""

    palette: tuple[str, ...]
    text_colour: str
    background: str
    chart_font: str


def _style_mapping(text: str, label: str) -> dict:
    """The strict reader's mapping (a duplicate key or bad YAML is refused, naming the file and line)."""
    raw = load_yaml(text, label) or {}
    if not isinstance(raw, dict):
        raise ParametersError(label, ["expected a mapping of keys to values"])
    return raw


@lru_cache(maxsize=8)
def _house_style(base_text: str, own_text: str, own_path: str) -> HouseStyle:
    base = _style_mapping(base_text, "the package's style.yml")
    own = _style_mapping(own_text, own_path) if own_text else {}
    unknown = sorted(set(own) - set(base))
    if unknown:
        raise ParametersError(own_path, [f"unknown key '{k}'; the keys are {', '.join(base)}" for k in unknown])
    merged = base | own
    palette = merged["palette"]
    if not isinstance(palette, list) or not palette or not all(isinstance(c, str) for c in palette):
        raise ParametersError(own_path, ["key 'palette' must be a list of colours like '#0072B2'"])
    return HouseStyle(tuple(palette), merged["text_colour"], merged["background"], merged["chart_font"])


def default_house_style() -> HouseStyle:
    """The package's own chart style, for charts drawn outside a project."""
    return _house_style((TEMPLATES_DIR / STYLE).read_text(encoding="utf-8"), "", "")


def house_style(project: Project) -> HouseStyle:
    """The package's ``style.yml`` with the project's laid over it, key by key."""
    own = project.templates_dir / STYLE
    label = f"templates/{STYLE}"
    own_text = read_text(own, label) if own.is_file() else ""  # a file not in UTF-8 is the file's problem
    return _house_style((TEMPLATES_DIR / STYLE).read_text(encoding="utf-8"), own_text, label)


def fingerprint_files(project: Project) -> list[Path]:
    """The template files a build reads, for cache keys: edit one and the papers are written afresh."""
    own = sorted(p for p in project.templates_dir.glob("*") if p.is_file()) if project.templates_dir.is_dir() else []
    return [*own, *(TEMPLATES_DIR / n for n in (COVER, STYLE, TYPST))]
