"""From a paper's markdown to Word and PDF, with pandoc and Typst (the engines Quarto drives).

  markdown -> .docx (pandoc, council reference document, then Word finishing)
  markdown -> .pdf (pandoc -> Typst, PDF/UA-1)

The markdown comes from :mod:`cswo.compose`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

from cswo.errors import PublishCheckError, RenderError
from cswo.project.paths import TEMPLATES_DIR
from cswo.render.parts import PartConverter, fill_tree, fill_typst

LUA_FILTER = TEMPLATES_DIR / "cswo.lua"
GUARD_FILTER = TEMPLATES_DIR / "guard.lua"  # runs first: what markup may not do (images, raw code)
REFUSED = "cswo refuses:"
MARKDOWN = "markdown-implicit_figures+implicit_figures"
TYPST_TEMPLATE = TEMPLATES_DIR / "report.typ"
# A draft: "DRAFT" at the top of every page, in the top margin (never over the text), whatever the
# project's template sets (a later `set page` keeps a header it does not name). Set first, so it holds
# for the first page too.
DRAFT_PAGE = '#set page(header: align(right, text(size: 12pt, weight: "bold", fill: rgb("#C00000"), [DRAFT])))\n'


# --- documents ---------------------------------------------------------------


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _pandoc(args: list[str], text: str, cwd: Path, source: str = MARKDOWN) -> bytes:
    """Run pandoc on ``text`` (markdown unless ``source`` says otherwise); its output, if not to a file."""
    result = subprocess.run(
        [pandoc_path(), "--from", source, "--lua-filter", str(GUARD_FILTER), *args],
        input=text.encode(),
        cwd=cwd,
        capture_output=True,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        if REFUSED in message:  # the guard's own sentences, without pandoc's wrapping
            problems = message.split(REFUSED, 1)[1].split("stack traceback", 1)[0].strip().splitlines()
            raise PublishCheckError([f"the paper's markup: {p.strip()}" for p in problems if p.strip()])
        raise RenderError(f"pandoc could not write the document: {message}")
    return result.stdout


def part_converter(resource_dir: Path, folder: Path | None, shared: dict, meta: dict | None = None) -> PartConverter:
    """Converts the papers' shared parts once: to Typst (with the Lua filter), or to pandoc's tree.

    ``meta`` is what the guard filter reads (cswo-raw-markup), as in every paper; it is part of each key.
    """
    meta = meta or {}

    def convert(markdown: str, fmt: str) -> str:
        lua = ["--lua-filter", str(LUA_FILTER)] if fmt == "typst" else []
        return _pandoc(["--to", fmt, *lua, *_metadata_args(meta)], markdown, resource_dir).decode()

    return PartConverter(convert, folder, {**shared, "meta": meta})


def _metadata_args(meta: dict) -> list[str]:
    args = []
    for key, value in meta.items():
        args += ["--metadata", f"{key}={value}"]
    return args


def render_docx(
    markdown: str,
    out: Path,
    resource_dir: Path,
    meta: dict,
    reference_doc: Path,
    parts: list[str] = (),
    converter: PartConverter | None = None,
) -> Path:
    """Word document with the council reference style; contents field refreshes on open.

    Each of ``parts`` in the markdown (the report's sections) comes already read by ``converter``,
    which reads each once for every paper. The contents list gets its page numbers afterwards, for
    all documents at once (contents.py).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    # title, author and date go into the document properties, not a title block: a committee
    # paper opens with REPORT TO
    shown = {k: v for k, v in meta.items() if k not in ("title", "author", "date", "subject")}
    source = MARKDOWN
    if converter is not None:
        markdown, found = converter.split(markdown, list(parts))
        if found:
            args = ["--to", "json", *_metadata_args(shown)]
            text = converter.paper(
                markdown, "json", args, None, lambda text: _pandoc(args, text, resource_dir).decode()
            )
            markdown, source = json.dumps(fill_tree(json.loads(text), converter.blocks(found))), "json"
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
        source,
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
    markdown: str,
    out: Path,
    resource_dir: Path,
    meta: dict,
    font_dirs: list[Path],
    template: Path = TYPST_TEMPLATE,
    parts: list[str] = (),
    converter: PartConverter | None = None,
) -> Path:
    """Tagged PDF/UA-1 through Typst; pandoc writes the Typst source with the project's template.

    Each of ``parts`` in the markdown (the report's sections) comes as Typst from ``converter``,
    which converts each once for every paper (and keeps it for the next build).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    source = resource_dir / (out.stem + ".typ")
    args = ["--to", "typst", "--standalone", "--template", str(template), "--lua-filter", str(LUA_FILTER)]
    args += _metadata_args(meta)
    if converter is None:
        text = _pandoc(args, markdown, resource_dir).decode()
    else:
        markdown, found = converter.split(markdown, list(parts))
        text = converter.paper(
            markdown, "typst", args, template, lambda text: _pandoc(args, text, resource_dir).decode()
        )
        text = fill_typst(text, converter.typst(found)) if found else text
    source.write_text((DRAFT_PAGE if meta.get("status") == "Draft" else "") + text, encoding="utf-8")
    compiler = _compilers.take(resource_dir, font_dirs)
    try:
        compiler.compile(input=str(source), output=str(out), pdf_standards=["ua-1"])
    except Exception as exc:  # typst raises its own error types with the Typst diagnostic text
        raise RenderError(f"Typst could not write {out.name}: {exc}") from None
    finally:
        _compilers.give_back(resource_dir, font_dirs, compiler)
    return out


class _Compilers:
    """Typst compilers kept warm between papers and between a preview's saves (fonts loaded once,
    Typst's memoised layout reused); one per thread at a time, as a compiler is not shared."""

    def __init__(self) -> None:
        self._idle: dict[tuple, list] = {}
        self._lock = threading.Lock()

    def take(self, root: Path, font_dirs: list[Path]):
        import typst

        key = (str(root), tuple(map(str, font_dirs)))
        with self._lock:
            if self._idle.get(key):
                return self._idle[key].pop()
        return typst.Compiler(root=str(root), font_paths=[str(d) for d in font_dirs])

    def give_back(self, root: Path, font_dirs: list[Path], compiler) -> None:
        with self._lock:
            self._idle.setdefault((str(root), tuple(map(str, font_dirs))), []).append(compiler)


_compilers = _Compilers()


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
