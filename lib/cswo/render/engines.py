"""From executed notebooks to Word and PDF, with pandoc and Typst (the engines Quarto drives).

Steps, each a function of its inputs:
  notebook -> section markdown (nbconvert, cell tags, placeholders filled)
  sections -> annual report markdown -> committee paper markdown (cover + appendices)
  markdown -> .docx (pandoc, council reference document) and .pdf (pandoc -> Typst, PDF/UA-1)
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat
from nbconvert.exporters.markdown import MarkdownExporter
from nbconvert.preprocessors.base import Preprocessor

from cswo.errors import RenderError
from cswo.figures.formatting import MISSING_PHRASE
from cswo.narrative import roles as prose
from cswo.project.paths import FIGURES_MIME, TEMPLATES_DIR

HIGHLIGHT_TAG = "highlight"
PRIORITIES_TAG = "priorities"
UNREVIEWED_TAG = "unreviewed"
HIDDEN_TAGS = {"remove-cell", UNREVIEWED_TAG, "parameters", "injected-parameters"}
LUA_FILTER = TEMPLATES_DIR / "cswo.lua"
TYPST_TEMPLATE = TEMPLATES_DIR / "report.typ"


@dataclass
class SectionText:
    """A section as the documents need it."""

    section: str
    markdown: str
    highlights: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    bundle: dict = field(default_factory=dict)
    unreviewed: bool = False
    missing: list[MissingFigure] = field(default_factory=list)


@dataclass(frozen=True)
class MissingFigure:
    """A name in prose whose figure is missing: the paper shows a marker there, never a broken sentence."""

    section: str
    cell: int
    name: str

    def __str__(self) -> str:
        return f"section '{self.section}', cell {self.cell}: {marker(self.name)} in place of {prose.role(self.name)}"


def marker(name: str) -> str:
    """What a draft prints where a figure is missing: unmistakable, and naming the figure."""
    return f"**[MISSING: {name}]**"


def _with_markers(text: str, placeholders: dict[str, str], section: str, cell: int, found: list) -> str:
    """Fill ``text``, putting a marker where a figure is missing, and note each marker in ``found``."""
    used = set(prose.references(text))
    marked = dict(placeholders)
    for name in sorted(used):
        if MISSING_PHRASE in placeholders.get(name, ""):
            marked[name] = marker(name)
            found.append(MissingFigure(section, cell, name))
    return prose.fill(text, marked, section)


class SectionPreprocessor(Preprocessor):
    """Take the section bundle, fill placeholders, collect highlights, drop what readers don't see."""

    def preprocess(self, nb, resources):
        section = resources["section"]
        bundle, cells = {}, []
        for cell in nb.cells:
            if cell.cell_type == "code":
                kept = []
                for output in cell.get("outputs", []):
                    data = output.get("data", {})
                    if FIGURES_MIME in data:
                        bundle = data[FIGURES_MIME]
                    elif output.get("output_type") in ("display_data", "execute_result") and ("text/markdown" in data):
                        # readers see the markdown form only, set apart as its own block
                        output.data = {"text/markdown": "\n" + data["text/markdown"].strip() + "\n"}
                        output.metadata = {}
                        kept.append(output)
                cell.outputs = kept
            cells.append(cell)
        placeholders = bundle.get("placeholders", {})
        highlights, priorities, unreviewed, shown, missing, number = [], [], False, [], [], 0
        for cell in cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if "injected-parameters" not in tags:
                number += 1  # cells as the analyst's notebook numbers them (Papermill adds one)
            if UNREVIEWED_TAG in tags:
                unreviewed = True
            if tags & HIDDEN_TAGS:
                continue
            if cell.cell_type == "markdown":
                cell.source = _with_markers(cell.source, placeholders, section, number, missing)
                if HIGHLIGHT_TAG in tags:
                    # highlights summarise the section for the cover report only
                    highlights.append(_one_paragraph(cell.source))
                    continue
                if PRIORITIES_TAG in tags:
                    priorities.extend(_list_items(cell.source))
            if cell.cell_type == "raw":
                continue
            shown.append(cell)
        nb.cells = shown
        resources.update(
            bundle=bundle, highlights=highlights, priorities=priorities, unreviewed=unreviewed, missing=missing
        )
        return nb, resources


def _one_paragraph(text: str) -> str:
    return " ".join(line.strip() for line in text.strip().splitlines() if not line.startswith("#"))


def _list_items(text: str) -> list[str]:
    items = []
    for line in text.splitlines():
        match = re.match(r"^\s*[-*]\s+(.*)$", line)
        if match:
            items.append(match.group(1).strip())
    return items


def with_current_prose(executed: nbformat.NotebookNode, source: nbformat.NotebookNode) -> bool:
    """Give an executed notebook the source's markdown cells, keeping its code cells and outputs.

    The execution cache keys on code cells only, so after a prose edit the cached run is still
    valid: its outputs (and the section's recorded figures) are merged with today's markdown and
    the roles are filled from those, with no kernel. Returns False (and changes nothing) when the
    code cells do not line up, which the cache key rules out.
    """
    code = [c for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    code = [c for c in code if c.cell_type == "code"]
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    if [c.source for c in code] != [c.source for c in source.cells if c.cell_type == "code"]:
        return False
    merged, queue = [], iter(code)
    for cell in source.cells:
        if cell.cell_type != "code":
            merged.append(copy.deepcopy(cell))
            continue
        ran = next(queue)
        ran.metadata = copy.deepcopy(cell.metadata)
        merged.append(ran)
        if injected and "parameters" in cell.metadata.get("tags", []):
            merged.append(injected.pop())

    def shape(cells):
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in cells]

    if shape(merged) == shape(executed.cells):
        return False
    executed.cells = merged
    return True


def notebook_to_section(path: Path, section: str) -> SectionText:
    """Executed notebook -> markdown readers see. Raises MissingFigureError for unknown placeholders."""
    nb = nbformat.read(path, as_version=4)
    return section_text(nb, section)


def section_text(nb: nbformat.NotebookNode, section: str) -> SectionText:
    exporter = MarkdownExporter()
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(SectionPreprocessor(), enabled=True)
    body, resources = exporter.from_notebook_node(copy.deepcopy(nb), resources={"section": section})
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return SectionText(
        section=section,
        markdown=body,
        highlights=resources["highlights"],
        priorities=resources["priorities"],
        bundle=resources["bundle"],
        unreviewed=resources["unreviewed"],
        missing=resources["missing"],
    )


# --- documents ---------------------------------------------------------------


def annual_report_markdown(params, sections: dict[str, SectionText], standalone: bool, depth: int = 2) -> str:
    """The annual report's chapters in the year's order, with its own title block and contents."""
    parts = []
    if standalone:
        parts += [
            "::: {.title-block}",
            f"**{params.council.name}**",
            "",
            f"**{params.report_title}**",
            "",
            f"**{params.label}**",
            ":::",
            "",
        ]
    scope = "" if standalone else ' scope="report"'
    parts += [f'::: {{.toc{scope} depth="{depth}"}}', *contents_entries(params, sections, depth), ":::", ""]
    parts += ["::: {.pagebreak}", ":::", ""]
    for chapter in params.chapters:
        parts += [f"# {chapter.title}", ""]
        for name in chapter.sections:
            parts += [sections[name].markdown, ""]
    return "\n".join(parts)


def contents_entries(params, sections: dict[str, SectionText], depth: int) -> list[str]:
    """The report's numbered headings as 'L1 1 Introduction' lines, for the Word contents field."""
    entries = []
    for number, chapter in enumerate(params.chapters, start=1):
        entries += [f"L1 {number} {chapter.title}", ""]
        sub = 0
        for name in chapter.sections:
            for line in sections[name].markdown.splitlines():
                match = re.match(r"^## (?!#)(.*?)\s*(\{[^}]*\})?$", line)
                if match and depth >= 2 and "unnumbered" not in (match.group(2) or ""):
                    sub += 1
                    entries += [f"L2 {number}.{sub} {match.group(1)}", ""]
    return entries


def committee_markdown(params, committee_key: str, cover: str, report: str, appendices: dict[str, SectionText]) -> str:
    committee = params.committees[committee_key]
    parts = [cover, "::: {.pagebreak}", ":::", ""]
    first = committee.appendices[0]
    parts += [
        f"# Appendix 1: {first.title} {{.unnumbered}}",
        "",
        f"**{params.council.name}** — {params.report_title} {params.label}",
        "",
        "::: {.report-start}",
        ":::",
        "",
        report,
        "::: {.report-end}",
        ":::",
        "",
    ]
    for number, appendix in enumerate(committee.appendices[1:], start=2):
        parts += [
            "::: {.pagebreak}",
            ":::",
            "",
            "::: {.unnumbered-headings}",
            f"# Appendix {number}: {appendix.title} {{.unnumbered}}",
            "",
            appendices[appendix.source].markdown,
            ":::",
            "",
        ]
    return "\n".join(parts)


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _pandoc(args: list[str], markdown: str, cwd: Path) -> None:
    result = subprocess.run(
        [pandoc_path(), "--from", "markdown-implicit_figures+implicit_figures", *args],
        input=markdown.encode(),
        cwd=cwd,
        capture_output=True,
    )
    if result.returncode != 0:
        raise RenderError(f"pandoc could not write the document: {result.stderr.decode(errors='replace').strip()}")


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
    """Word numbering, table layout, footer, page set-up and properties; contents refresh on open."""
    import docx

    from cswo.render import word  # lazy: python-docx loads only when a Word paper is written

    document = docx.Document(str(path))
    word.finish(document, meta)
    document.save(str(path))
    _rewrite_zip_member(
        path,
        "word/settings.xml",
        lambda xml: (
            xml
            if "w:updateFields" in xml
            else xml.replace("</w:settings>", '<w:updateFields w:val="true"/></w:settings>')
        ),
    )


def _rewrite_zip_member(path: Path, member: str, change) -> None:
    temp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(item, data)
    temp.replace(path)


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
