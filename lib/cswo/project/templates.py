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

import yaml

from cswo.errors import ParametersError
from cswo.project.paths import TEMPLATES_DIR, Project

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


def _style_mapping(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParametersError(path, [f"not valid YAML: {exc}"]) from None
    if not isinstance(raw, dict):
        raise ParametersError(path, ["expected a mapping of keys to values"])
    return raw


@lru_cache(maxsize=8)
def _house_style(base_text: str, own_text: str, own_path: str) -> HouseStyle:
    base = yaml.safe_load(base_text) or {}
    own = _style_mapping(Path(own_path)) if own_text else {}
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
    own_text = own.read_text(encoding="utf-8") if own.is_file() else ""
    return _house_style((TEMPLATES_DIR / STYLE).read_text(encoding="utf-8"), own_text, str(own))


def fingerprint_files(project: Project) -> list[Path]:
    """The template files a build reads, for cache keys: edit one and the papers are written afresh."""
    own = sorted(p for p in project.templates_dir.glob("*") if p.is_file()) if project.templates_dir.is_dir() else []
    return [*own, *(TEMPLATES_DIR / n for n in (COVER, STYLE, TYPST))]
