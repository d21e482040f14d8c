"""From a paper's markdown to Word and PDF, with pandoc and Typst (the engines Quarto drives).

  markdown -> .docx (pandoc, council reference document, then Word finishing)
  markdown -> .pdf (pandoc -> Typst, PDF/UA-1)

The markdown comes from :mod:`cswo.compose`.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from cswo.errors import PublishCheckError, RenderError
from cswo.project.paths import TEMPLATES_DIR

LUA_FILTER = TEMPLATES_DIR / "cswo.lua"
GUARD_FILTER = TEMPLATES_DIR / "guard.lua"  # runs first: what markup may not do (images, raw code)
REFUSED = "cswo refuses:"
MARKDOWN = "markdown-implicit_figures+implicit_figures"
TYPST_TEMPLATE = TEMPLATES_DIR / "report.typ"
# A draft: "DRAFT" across every page, under the text, whatever the project's template sets (a later
# `set page` keeps a background it does not name). Set first, so it holds for the first page too.
DRAFT_PAGE = (
    '#set page(background: rotate(-40deg, text(size: 110pt, weight: "bold", '
    'fill: rgb("#C00000").transparentize(82%), [DRAFT])), '
    'header: align(right, text(size: 12pt, weight: "bold", fill: rgb("#C00000"), [DRAFT])))\n'
)


# --- documents ---------------------------------------------------------------


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _pandoc(args: list[str], markdown: str, cwd: Path) -> None:
    result = subprocess.run(
        [pandoc_path(), "--from", MARKDOWN, "--lua-filter", str(GUARD_FILTER), *args],
        input=markdown.encode(),
        cwd=cwd,
        capture_output=True,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        if REFUSED in message:  # the guard's own sentences, without pandoc's wrapping
            problems = message.split(REFUSED, 1)[1].split("stack traceback", 1)[0].strip().splitlines()
            raise PublishCheckError([f"the paper's markup: {p.strip()}" for p in problems if p.strip()])
        raise RenderError(f"pandoc could not write the document: {message}")


def _metadata_args(meta: dict) -> list[str]:
    args = []
    for key, value in meta.items():
        args += ["--metadata", f"{key}={value}"]
    return args


def render_docx(markdown: str, out: Path, resource_dir: Path, meta: dict, reference_doc: Path) -> Path:
    """Word document with the council reference style; contents field refreshes on open.

    The contents list gets its page numbers afterwards, for all documents at once (contents.py).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    # title, author and date go into the document properties, not a title block: a committee
    # paper opens with REPORT TO
    shown = {k: v for k, v in meta.items() if k not in ("title", "author", "date", "subject")}
    _pandoc(
        [
            "--to",
            "docx",
            "--output",
            str(out),
            "--number-sections",
            "--reference-doc",
            str(reference_doc),
            "--lua-filter",
            str(LUA_FILTER),
            "--resource-path",
            str(resource_dir),
            *_metadata_args(shown),
        ],
        markdown,
        resource_dir,
    )
    _finish_docx(out, meta)
    return out


def _finish_docx(path: Path, meta: dict) -> None:
    """Word numbering, table layout, footer and properties, set to refresh its fields on open."""
    import docx

    from cswo.render import word  # lazy: python-docx loads only when a Word paper is written

    document = docx.Document(str(path))
    word.finish(document, meta)
    document.save(str(path))


def render_pdf(
    markdown: str, out: Path, resource_dir: Path, meta: dict, font_dirs: list[Path], template: Path = TYPST_TEMPLATE
) -> Path:
    """Tagged PDF/UA-1 through Typst; pandoc writes the Typst source with the project's template."""
    import typst

    out.parent.mkdir(parents=True, exist_ok=True)
    source = resource_dir / (out.stem + ".typ")
    _pandoc(
        [
            "--to",
            "typst",
            "--standalone",
            "--template",
            str(template),
            "--lua-filter",
            str(LUA_FILTER),
            "--output",
            str(source),
            *_metadata_args(meta),
        ],
        markdown,
        resource_dir,
    )
    if meta.get("status") == "Draft":
        source.write_text(DRAFT_PAGE + source.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        typst.compile(
            str(source),
            output=str(out),
            root=str(resource_dir),
            font_paths=[str(d) for d in font_dirs],
            pdf_standards=["ua-1"],
        )
    except Exception as exc:  # typst raises its own error types with the Typst diagnostic text
        raise RenderError(f"Typst could not write {out.name}: {exc}") from None
    return out


def font_dirs() -> list[Path]:
    """Fonts shipped with the Python environment, so PDFs look the same on every machine."""
    import font_source_sans_pro

    return [Path(font_source_sans_pro.__file__).parent / "files"]


def copy_figures(sources: list[Path], target: Path) -> None:
    (target / "figures").mkdir(parents=True, exist_ok=True)
    for folder in sources:
        figures = folder / "figures"
        if figures.is_dir():
            for image in [*figures.glob("*.png"), *figures.glob("*.svg")]:  # PNG for Word, SVG for the PDF
                shutil.copy2(image, target / "figures" / image.name)
