"""The documents of a build: which papers to write, writing those whose inputs changed, and
reading each new one back for the accessibility and identifier checks.

Each committee gets its paper (cover report with the annual report as an appendix) and the
annual report on its own, in each format asked for. A document is written only when its
markdown, metadata, figures, house style, the library or a tool version changed, and identical
documents (the annual report is the same for every committee) are written once and copied.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cswo.cache import keys
from cswo.cache.store import DocumentRecord
from cswo.compose.cover import anchored_cover, cover_markdown
from cswo.compose.papers import annual_report_markdown, committee_markdown
from cswo.compose.section import SectionText
from cswo.project.parameters import Parameters
from cswo.project.paths import Project
from cswo.render import contents
from cswo.render import engines as render
from cswo.review.wordfile import BUILD_PROPERTY
from cswo.safeguards import accessibility, identifiers


@dataclass
class Document:
    committee: str
    kind: str  # "committee paper" or "annual report"
    path: Path
    rendered: bool  # False when reused unchanged from the last build
    copy_of: Path | None = None  # an identical document written once for another committee
    problems: list[str] = field(default_factory=list)  # accessibility and identifier findings (copies: none)


def paper_name(params: Parameters, committee: str) -> str:
    return params.output_names.paper.format(year=params.year, committee=committee)


def report_name(params: Parameters) -> str:
    return params.output_names.report.format(year=params.year)


# --- steps -------------------------------------------------------------------


@dataclass
class RenderTask:
    """One document to write, with everything it is made from."""

    committee: str
    kind: str
    fmt: str
    path: Path
    markdown: str
    meta: dict
    key: str = ""
    anchors: list[dict] = field(default_factory=list)  # what each anchored paragraph was made from
    parts: list[str] = field(default_factory=list)  # the report's sections: converted once for every paper

    @property
    def build_id(self) -> str:
        """The id a Word paper carries (a custom document property), naming the inputs it was made from."""
        return keys.build_id(self.key)


def plan_documents(
    project: Project,
    params: Parameters,
    committees: list[str],
    texts: dict[str, SectionText],
    formats: list[str],
    staging: Path,
    work: Path,
    depth: int = 2,
    annual_report: bool = True,
    draft: bool = False,
    open_year: bool = False,
) -> list[RenderTask]:
    """The committee papers and the annual report on its own, for each committee asked for (``draft``:
    a --draft build or an open year's, whose Word contents say Word fills their page numbers;
    ``open_year``: each marked DRAFT on every page, with the document status Draft)."""
    highlights = [h for name in params.sections for h in texts[name].highlights]
    priorities = [p for name in params.sections for p in texts[name].priorities]
    report = annual_report_markdown(params, texts, standalone=False, depth=depth, draft=draft)
    standalone = annual_report_markdown(params, texts, standalone=True, depth=depth, draft=draft)
    meta = document_meta(params, open_year)
    sections = [anchor for text in texts.values() for anchor in text.anchors]
    tasks = []
    for committee in committees:
        cover, on_cover = anchored_cover(
            project, params, committee, cover_markdown(project, params, committee, highlights, priorities)
        )
        paper = committee_markdown(params, committee, cover, report, texts)
        folder = staging / committee
        for fmt in formats:
            name = f"{paper_name(params, committee)}.{fmt}"
            tasks.append(
                RenderTask(
                    committee, "committee paper", fmt, folder / name, paper, meta(committee), "", on_cover + sections
                )
            )
            if annual_report:
                name = f"{report_name(params)}.{fmt}"
                tasks.append(
                    RenderTask(committee, "annual report", fmt, folder / name, standalone, meta(None), "", sections)
                )
    shared = keys.render_inputs(project, work / "figures")
    parts = [texts[name].markdown for name in params.sections]
    for task in tasks:
        task.key = keys.render_key(task.markdown, task.meta, task.fmt, shared)
        task.parts = parts
        if task.fmt == "docx":
            task.meta = {**task.meta, BUILD_PROPERTY: task.build_id}
    return tasks


def document_meta(params: Parameters, open_year: bool = False) -> Callable[[str | None], dict]:
    """The metadata of a committee's paper (or, for None, of the annual report on its own)."""
    title = f"{params.report_title} {params.label}"
    common = {
        "author": params.cswo.name,
        "lang": params.language,
        "region": params.language.split("-")[-1],
        "date": params.report_date,
        "status": "Draft" if open_year else "Final",
    }
    if params.raw_markup.allowed:  # the guard filter reads it (templates/guard.lua)
        common["cswo-raw-markup"] = "allowed"

    def meta(committee: str | None) -> dict:
        if committee is None:
            council = params.council.name
            return {**common, "title": f"{council} {title}", "footer": f"{council} · {title}", "subject": title}
        c = params.committees[committee]
        return {
            **common,
            "title": f"{title}: {c.name} paper {c.report_number}",
            "footer": f"{params.council.name} · {title} · {c.report_number}",
            "subject": c.name,
            "identifier": c.report_number,
        }

    return meta


def render_documents(
    tasks: list[RenderTask],
    work: Path,
    reference_doc: Callable[[], Path],
    workers: int,
    typst: Path,
    record: DocumentRecord,
    allow: set[str] | None = None,
    layout_contents: bool = True,
    converter: render.PartConverter | None = None,
) -> list[Document]:
    """Write each document whose inputs changed; identical documents are written once and copied.

    With `allow` (the public contact details), each new document is also checked for accessibility
    and identifiers as soon as it is final, while the others are still being written; the findings
    are on each Document's `problems`. ``record`` (in the cache) says which key each document was made
    from, and is updated with those written here. ``layout_contents`` False (a draft) leaves the Word
    contents' page numbers to Word; ``converter`` converts each section once for every document.
    """
    reused = {id(t) for t in tasks if record.current(t.path, t.key)}
    unique: dict[str, RenderTask] = {}
    for task in tasks:
        if id(task) not in reused:
            unique.setdefault(task.key, task)
    problems: dict[Path, list[str]] = {}

    def write(task: RenderTask) -> None:
        task.path.parent.mkdir(parents=True, exist_ok=True)
        if task.fmt == "docx":
            render.render_docx(task.markdown, task.path, work, task.meta, style, task.parts, converter)
        else:
            fonts = render.font_dirs()
            render.render_pdf(task.markdown, task.path, work, task.meta, fonts, typst, task.parts, converter)
            check(task.path)

    def check(path: Path) -> None:
        if allow is not None:
            problems[path] = check_document(path, allow)

    # Word documents first: once they are all written, LibreOffice lays them out for their contents
    # page numbers in one run, while the pool goes on with the PDFs and their checks
    order = sorted(unique.values(), key=lambda task: task.fmt != "docx")
    words = [task.path for task in order if task.fmt == "docx"]
    if words:
        style = reference_doc()  # made only when a Word document is to be written
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        convert_parts_first(pool, converter, order)
        futures = [pool.submit(write, task) for task in order]
        for future in futures[: len(words)]:
            future.result()
        if layout_contents:
            contents.number_contents(words)
        futures += [pool.submit(check, path) for path in words]
        for future in futures:
            future.result()
    documents = [_document(task, id(task) in reused, unique.get(task.key), problems) for task in tasks]
    record.remember({t.path: t.key for t in tasks if id(t) not in reused})
    return documents


def convert_parts_first(pool, converter: render.PartConverter | None, order: list[RenderTask]) -> None:
    """The report's sections for Word and for the PDF, converted side by side before the papers that
    carry them (each paper then waits for them, and a failure is raised there)."""
    if converter is None or not order:
        return
    for fmt in dict.fromkeys(task.fmt for task in order):
        pool.submit(converter.blocks if fmt == "docx" else converter.typst, order[0].parts)


def _document(task: RenderTask, reused: bool, first: RenderTask | None, problems: dict[Path, list[str]]) -> Document:
    """What became of one task: reused, written, or a copy of an identical document written once."""
    if reused:
        return Document(task.committee, task.kind, task.path, rendered=False)
    if first is not task:
        task.path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(first.path, task.path)
        return Document(task.committee, task.kind, task.path, rendered=True, copy_of=first.path)
    return Document(task.committee, task.kind, task.path, rendered=True, problems=problems.get(task.path, []))


def check_document(path: Path, allow: set[str]) -> list[str]:
    """Accessibility and identifier findings in one written document. A PDF's text is read back
    (poppler's pdftotext, a process of its own) while its tags are checked here."""
    if path.suffix == ".docx":
        problems = accessibility.check_docx(path)
        return problems + [str(f) for f in identifiers.scan_document(path, allow=allow)]
    with ThreadPoolExecutor(max_workers=1) as beside:
        scanned = beside.submit(identifiers.scan_document, path, allow=allow)
        problems = accessibility.check_pdf(path)
        return problems + [str(f) for f in scanned.result()]


def scan_published_files(staging: Path, params: Parameters) -> list[str]:
    """Identifiers in every file to be published other than the papers (checked above)."""
    allow = set(params.public_contact_details)
    found = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file() and p.suffix in (".csv", ".json", ".md")):
        label = path.relative_to(staging).as_posix()
        # the text itself, line by line: the column heuristics are for data files ('name' here is a figure's)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += identifiers.scan_text(line, f"outputs/{params.year}/{label}, line {number}", allow)
    return [str(f) for f in found]


# --- the whole build ---------------------------------------------------------
