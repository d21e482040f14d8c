"""The build: load -> validate -> run -> compose -> render -> check -> publish -> record.

:func:`build` only coordinates: each step takes what it needs and returns what it made. Only
``publish`` writes to ``outputs/<year>/``; every failure before it leaves the last good outputs
untouched, with the section workers stopped and the staging folder removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cswo.cache import keys, uptodate
from cswo.cache.memo import remembered
from cswo.cache.store import DocumentRecord
from cswo.compose.section import SectionText
from cswo.data.dataset import Dataset
from cswo.data.queries import queried
from cswo.errors import CSWOError, IncompleteNarrativeError, PublishCheckError
from cswo.narrative.typed import notebook_typed_numbers
from cswo.pipeline import openitems
from cswo.pipeline.documents import (
    Document,
    RenderTask,
    plan_documents,
    render_documents,
    scan_published_files,
)
from cswo.pipeline.inputs import check_inputs
from cswo.pipeline.openitems import OpenItem
from cswo.pipeline.sections import (
    checked_dataset,
    dataset_folder,
    make_jobs,
    section_texts,
    sections_pool,
    with_queries_marked,
)
from cswo.project import templates
from cswo.project.parameters import Parameters, load_year
from cswo.project.paths import Project
from cswo.publish import audit
from cswo.publish import release as publish
from cswo.render import engines as render
from cswo.render.quarto import book_folder, output_formats, toc_depth, write_book
from cswo.review import manifest
from cswo.run import execute
from cswo.safeguards.accessibility import check_palette


@dataclass
class BuildOptions:
    year: str
    committees: list[str] | None = None
    formats: list[str] | None = None  # default: the formats _quarto.yml lists
    force: bool = False
    workers: int | None = None
    checks: bool = True
    draft: bool = False  # build with figures missing, each marked in the papers; never published as final
    final: bool = False  # refuse (YearOpenError) while anything is open, instead of marking the papers DRAFT
    cell_timeout: float | None = None  # seconds per cell; None: $CSWO_CELL_TIMEOUT or 600
    annual_report: bool = True  # also the annual report on its own (the papers carry it as an appendix)


@dataclass
class BuildResult:
    year: str
    jobs: list[execute.Job]
    documents: list[Document]
    warnings: list[str]
    suppressions: list[str]
    seconds: float
    markers: list[str] = field(default_factory=list)  # draft: each [MISSING: name] in the papers
    out_of_date: list[Path] = field(default_factory=list)  # documents this (partial) build did not rewrite
    draft: bool = False
    open_items: list[OpenItem] = field(default_factory=list)  # while any is open, the papers say DRAFT


class Progress:
    """Hooks the CLI uses to show progress; silent by default."""

    def step(self, text: str) -> None: ...
    def section_started(self, job: execute.Job) -> None: ...
    def section_done(self, job: execute.Job) -> None: ...


@dataclass
class Plan:
    """What :func:`load` found: the year's parameters, what was asked for, and a job per section."""

    params: Parameters
    committees: list[str]
    formats: list[str]
    depth: int  # contents depth, from _quarto.yml
    jobs: list[execute.Job]
    notes: list[str]  # e.g. a .md twin read instead of its notebook


@dataclass
class Composed:
    """What :func:`compose` made: each section's text as readers see it, and what it found on the way."""

    texts: dict[str, SectionText]
    markers: list[str]  # draft: each [MISSING: name]
    typed: list[str]  # numbers typed into the narrative
    warnings: list[str]  # tables and charts left out, narrative not yet reviewed

    @property
    def bundles(self) -> dict[str, dict]:
        return {name: text.bundle for name, text in self.texts.items()}


def build(project: Project, options: BuildOptions, progress: Progress | None = None, forked=None) -> BuildResult:
    """Build the year's committee papers. Raises a CSWOError subclass on any failure, before publishing.
    ``forked``: section workers forked before the pipeline was imported (execute.fork_workers), used or stopped."""
    progress = progress or Progress()
    started = time.perf_counter()
    with stopped_on_failure(forked):
        plan = load(project, options, progress)
        pool = sections_pool(project, plan.params, plan.jobs, options.force, options.workers, forked)
    with stopped_on_failure(pool):
        dataset = validate(project, plan, options, progress)
        run(project, plan, dataset, options, progress, pool)
    composed = compose(plan, options, progress)
    items = open_items(project, plan, dataset, composed, options, progress)
    printed = dataclasses.replace(
        composed, texts=with_queries_marked(plan.jobs, composed.texts, queried(dataset.queries))
    )
    published = project.draft_outputs(plan.params.year) if options.draft else project.year_outputs(plan.params.year)
    with staged(project, plan, options, published) as staging:
        documents = render_papers(project, plan, printed, staging, options, progress, open_year=bool(items))
        check(project, plan, composed, documents, staging, options, progress)
    final = publish_papers(staging, published, documents, progress)
    warnings = build_warnings(plan, dataset, composed, options)
    record(project, plan, dataset, composed, options, warnings + [f"DRAFT: open item: {item}" for item in items])
    return BuildResult(
        plan.params.year,
        plan.jobs,
        final,
        warnings,
        suppressions(plan.params, composed),
        time.perf_counter() - started,
        markers=composed.markers,
        out_of_date=out_of_date(published, final),
        draft=options.draft,
        open_items=items,
    )


def load(project: Project, options: BuildOptions, progress: Progress) -> Plan:
    """The year's parameters, notebooks and _quarto.yml, checked before anything else reads them."""
    progress.step("Checking parameters")
    params = load_year(project, options.year)
    committees = options.committees or list(params.committees)
    unknown = [c for c in committees if c not in params.committees]
    if unknown:
        raise CSWOError(
            f"parameters/{params.year}.yml has no committee {', '.join(repr(c) for c in unknown)}; "
            f"its committees are {', '.join(params.committees)}"
        )
    check_inputs(project, params, draft=options.draft)
    audit.lock_private(project.private_dir(params.year).parent)  # before a failed run writes there
    notes: list[str] = []
    jobs = make_jobs(project, params, dataset_folder(project, params.year), notes)
    formats = options.formats or output_formats(project)
    return Plan(params, committees, formats, toc_depth(project), jobs, notes)


@contextlib.contextmanager
def stopped_on_failure(pool) -> Iterator:
    """The section workers, stopped at once if a step fails: a failed check leaves no kernel behind."""
    try:
        yield pool
    except BaseException:
        if pool is not None:
            pool.stop()
        raise


def validate(project: Project, plan: Plan, options: BuildOptions, progress: Progress) -> Dataset:
    """The year's data, validated, complete for the narrative and (with checks) free of identifiers."""
    return checked_dataset(project, plan.params, options.draft, options.checks, progress.step)


def run(project: Project, plan: Plan, dataset: Dataset, options: BuildOptions, progress: Progress, pool) -> None:
    """Run every section whose inputs changed (all with ``force``); the jobs say which ran."""
    if options.force:
        for job in plan.jobs:
            shutil.rmtree(job.folder, ignore_errors=True)
    progress.step("Running sections")
    execute.run_jobs(
        plan.jobs,
        project.failed_dir(plan.params.year),
        dataset.fingerprint,
        workers=options.workers,
        on_start=progress.section_started,
        on_done=progress.section_done,
        timeout=options.cell_timeout,
        pool=pool,
    )


def compose(plan: Plan, options: BuildOptions, progress: Progress) -> Composed:
    """Each section's text; a final build refuses a missing figure, and (with checks) a chart without alt text."""
    progress.step("Writing documents")
    texts = section_texts(plan.jobs)
    markers = [str(m) for text in texts.values() for m in text.missing]
    if markers and not options.draft:
        raise IncompleteNarrativeError(markers, [])
    warnings = [w for text in texts.values() for w in text.bundle.get("omitted", [])]
    typed = [
        m
        for job in plan.jobs
        for m in remembered(
            keys.typed_key(job.notebook, job.name), lambda j=job: notebook_typed_numbers(j.notebook, j.name)
        )
    ]
    if options.checks:
        missing_alt = audit.chart_alt_problems({name: t.bundle for name, t in texts.items()})
        if missing_alt:
            raise PublishCheckError(missing_alt)
    return Composed(texts, markers, typed, warnings)


def open_items(
    project: Project, plan: Plan, dataset: Dataset, composed: Composed, options: BuildOptions, progress: Progress
) -> list[OpenItem]:
    """Everything still open in the year (the papers are DRAFT while any is). Raises YearOpenError when a
    final build was asked for and anything is open."""
    progress.step("Listing what is still open (reviews, queries, placeholders)")
    return openitems.for_build(project, plan.params, composed.texts, dataset.queries, options.final, dataset)


@contextlib.contextmanager
def staged(project: Project, plan: Plan, options: BuildOptions, published: Path) -> Iterator[Path]:
    """A staging folder holding the published set (committees not asked for are kept); removed on failure."""
    year = plan.params.year
    staging = project.build_staging(year, options.draft)
    keep = [c for c in plan.params.committees if c not in plan.committees] + plan.committees
    publish.prepare_staging(staging, published, keep)
    try:
        yield staging
    except BaseException:
        publish.discard(staging)
        raise


def render_papers(
    project: Project,
    plan: Plan,
    composed: Composed,
    staging: Path,
    options: BuildOptions,
    progress: Progress,
    open_year: bool = False,
) -> list[Document]:
    """Write the papers whose inputs changed into ``staging``, and figures.csv beside them. A draft (``--draft``,
    or any build of an open year) leaves out the final-only work (the Word contents' page numbers) and says so."""
    params = plan.params
    draft = options.draft or open_year
    work = project.render_dir(params.year)
    shutil.rmtree(work, ignore_errors=True)
    render.copy_figures([job.folder for job in plan.jobs], work)
    guard = {"cswo-raw-markup": "allowed"} if params.raw_markup.allowed else {}  # as in document_meta
    converter = render.part_converter(work, project.parts_dir(params.year), keys.part_inputs(work / "figures"), guard)
    progress.step(f"Writing and checking {' and '.join(params.committees[c].name for c in plan.committees)} papers")
    tasks = plan_documents(
        project,
        params,
        plan.committees,
        composed.texts,
        plan.formats,
        staging,
        work,
        plan.depth,
        annual_report=options.annual_report,
        draft=draft,
        open_year=open_year,
    )
    documents = render_documents(
        tasks,
        work,
        lambda: templates.reference_docx(project),
        options.workers or default_workers(),
        typst=templates.typst_template(project),
        record=DocumentRecord(project.document_record(params.year, options.draft), staging),
        allow=set(params.public_contact_details) if options.checks else None,
        layout_contents=not draft,  # final-only: a draft's Word contents get their numbers in Word
        converter=converter,
    )
    converter.prune(every_paper=set(plan.committees) == set(params.committees) and options.annual_report)
    manifest.record_documents(project, params.year, tasks)
    write_quarto_books(project, params, tasks, work)
    audit.write_figures_csv(composed.bundles, staging / "figures.csv")
    return documents


def check(
    project: Project,
    plan: Plan,
    composed: Composed,
    documents: list[Document],
    staging: Path,
    options: BuildOptions,
    progress: Progress,
) -> None:
    """Refuse to publish (PublishCheckError, every finding at once): typed numbers, chart colours,
    the documents' accessibility and identifier findings, identifiers in the other files."""
    if not options.checks:
        return
    progress.step("Checking documents (accessibility, identifiers, typed numbers)")
    style = templates.house_style(project)
    colours = {f"chart colour {c}": c for c in style.palette} | {"chart text": style.text_colour}
    problems = composed.typed + check_palette(colours, background=style.background)
    problems += [problem for document in documents for problem in document.problems]
    problems += scan_published_files(staging, plan.params)
    if problems:
        raise PublishCheckError(problems)


def publish_papers(staging: Path, published: Path, documents: list[Document], progress: Progress) -> list[Document]:
    """Switch the published folder to the staged set in one step; the documents where they now are."""
    progress.step("Publishing")
    publish.publish(staging, published)
    return [Document(d.committee, d.kind, published / d.path.relative_to(staging), d.rendered) for d in documents]


def record(
    project: Project, plan: Plan, dataset: Dataset, composed: Composed, options: BuildOptions, warnings: list[str]
) -> None:
    """The reviewers' private record, and the stamp that lets an unchanged rebuild stop at once."""
    notes = audit.qa_notes(dataset.tables)
    write_private(project, plan.params.year, plan.jobs, composed.bundles, notes)
    audit.lock_private(project.private_dir(plan.params.year).parent)
    uptodate.record(project, plan.params.year, stamp_options(options), warnings)


def build_warnings(plan: Plan, dataset: Dataset, composed: Composed, options: BuildOptions) -> list[str]:
    """What the summary warns of, in the order the steps met it."""
    warnings = dataset.slip_warnings() + plan.notes + composed.warnings  # review_required: an open item
    return warnings + ([] if options.checks else composed.typed)


def suppressions(params: Parameters, composed: Composed) -> list[str]:
    """The disclosure policy, then each cell it suppressed (for the summary)."""
    found = [s for text in composed.texts.values() for s in text.bundle.get("suppressions", [])]
    if params.disclosure.default or params.disclosure.tables:
        policy = [
            f"{name}: below {rule.threshold} shown as {rule.symbol}" for name, rule in params.disclosure.tables.items()
        ]
        if params.disclosure.default:
            policy.insert(0, f"every table: below {params.disclosure.default.threshold}")
        found.insert(0, "Policy: " + "; ".join(policy))
    return found


def out_of_date(published: Path, documents: list[Document]) -> list[Path]:
    """Documents in the year's folder that this build did not write or confirm (a partial build)."""
    current = {d.path for d in documents}
    return sorted(p for p in published.rglob("*") if p.suffix in (".docx", ".pdf") and p not in current)


def write_private(
    project: Project, year: str, jobs: list[execute.Job], bundles: dict[str, dict], notes: list[dict] | None = None
) -> None:
    """The reviewers' record, kept out of ``outputs/<year>/``: the executed notebooks and the
    figures QA file with the values behind every suppressed cell and the data's reviewers' notes."""
    notebooks = project.executed_notebooks_dir(year)
    shutil.rmtree(notebooks, ignore_errors=True)
    notebooks.mkdir(parents=True)
    for job in jobs:
        shutil.copy2(job.executed, notebooks / job.executed.name)
    audit.write_qa_csv(bundles, project.figures_qa_file(year), notes)


def stamp_options(options: BuildOptions) -> dict:
    """The options that change what a build publishes (for the nothing-changed fast path)."""
    return keys.stamp_options(
        options.committees, options.formats, options.checks, options.draft, options.final, options.annual_report
    )


def write_quarto_books(project: Project, params: Parameters, tasks: list[RenderTask], work: Path) -> None:
    """For `--renderer quarto`: each committee paper, composed and filled, as a Quarto book project."""
    for task in tasks:
        if task.kind == "committee paper" and task.fmt == tasks[0].fmt:
            folder = book_folder(project, params.year, task.committee)
            write_book(project, folder, task.markdown, task.meta["title"], work / "figures")


def default_workers() -> int:
    return os.cpu_count() or 1
