"""The build: load -> validate -> execute -> render -> check -> publish.

Each step takes what it needs and returns what it made. Only ``publish``
writes to ``outputs/<year>/``; every failure before it leaves the last good
outputs untouched.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from cswo.cache import keys, uptodate
from cswo.cache import store as cache
from cswo.cache.store import DocumentRecord
from cswo.data.load import Dataset, load_dataset
from cswo.errors import CSWOError, IncompleteNarrativeError, PublishCheckError
from cswo.narrative.completeness import narrative_gaps
from cswo.narrative.typed import notebook_typed_numbers
from cswo.pipeline.documents import (
    Document,
    RenderTask,
    plan_documents,
    render_documents,
    scan_published_files,
)
from cswo.pipeline.inputs import check_inputs
from cswo.project import templates, twins
from cswo.project.parameters import Parameters, load_year
from cswo.project.paths import Project
from cswo.publish import audit
from cswo.publish import release as publish
from cswo.render import engines as render
from cswo.render.quarto import book_folder, output_formats, toc_depth, write_book
from cswo.render.reference_doc import reference_docx
from cswo.run import execute
from cswo.safeguards import identifiers
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


class Progress:
    """Hooks the CLI uses to show progress; silent by default."""

    def step(self, text: str) -> None: ...
    def section_started(self, job: execute.Job) -> None: ...
    def section_done(self, job: execute.Job) -> None: ...


def dataset_folder(project: Project, year: str) -> Path:
    """Where the validated data is kept for the sections to read."""
    return project.cache_dir(year) / "dataset"


def dataset_current(project: Project, params: Parameters, sections: list[str]) -> bool:
    """Whether the last validation still stands (no data file, nor anything else it was made from, changed)."""
    manifest = cache.read_manifest(project.cache_dir(params.year) / "dataset-key.json")
    stored = dataset_folder(project, params.year) / "dataset.json"
    key = keys.dataset_key(project, params.year, sections)
    return bool(manifest) and manifest.get("key") == key and stored.exists()


def validated_dataset(project: Project, params: Parameters, sections: list[str]) -> tuple[Dataset, Path]:
    """Validate the data (or reuse the last validation when no data file changed)."""
    folder = project.cache_dir(params.year)
    folder.mkdir(parents=True, exist_ok=True)
    key = keys.dataset_key(project, params.year, sections)
    stored = dataset_folder(project, params.year)
    manifest = cache.read_manifest(folder / "dataset-key.json")
    if manifest and manifest.get("key") == key and (stored / "dataset.json").exists():
        try:
            return Dataset.read(stored), stored
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt, never trusted
    dataset = load_dataset(project, params.year)  # what the narrative needs is checked separately
    dataset.save(stored)
    cache.write_manifest(folder / "dataset-key.json", {"key": key})
    return dataset, stored


def scan_inputs(project: Project, params: Parameters) -> list[str]:
    """Identifiers in the data files and in every notebook the year runs (code, markdown, outputs)."""
    allow = set(params.public_contact_details)
    found = identifiers.scan_files(keys.data_files(project), project.root, allow=allow)
    for name in [*params.sections, *params.appendix_notebooks()]:
        notebook = project.notebook(params.year, name)
        if notebook.exists():
            found += identifiers.scan_notebook(notebook, project.root, allow=allow)
    return [str(f) for f in found]


def make_jobs(
    project: Project, params: Parameters, dataset_path: Path, notes: list[str] | None = None
) -> list[execute.Job]:
    """A job per section, reading the newer of each notebook and its .md twin (said in ``notes``)."""
    names = [*params.sections, *params.appendix_notebooks()]
    jobs = []
    for name in names:
        notebook = project.notebook(params.year, name)
        if not notebook.exists() and not notebook.with_suffix(twins.TWIN_SUFFIX).exists():
            raise CSWOError(f"Section '{name}' has no notebook: expected {notebook.relative_to(project.root)}")
        source = twins.section_source(notebook, name)
        if source.note and notes is not None:
            notes.append(source.note)
        notebook = twins.materialise(source, project.cache_dir(params.year) / ".twins")
        jobs.append(
            execute.Job(
                name=name,
                notebook=notebook,
                folder=project.cache_dir(params.year) / name,
                key=keys.job_key(project, params, notebook),
                parameters={
                    "year": params.year,
                    "project_root": str(project.root),
                    "dataset_path": str(dataset_path),
                },
            )
        )
    return jobs


SECTION_TEXT = "section.json"


def section_text(job: execute.Job) -> render.SectionText:
    """The section as readers see it: the run's outputs with the notebook's current prose.

    A prose edit changes only markdown cells, which the run did not depend on, so they are merged
    into the cached run here (no kernel). The exported text is kept beside the run, keyed on both
    notebooks, so an unchanged section is not exported again.
    """
    import nbformat

    key = keys.section_text_key(job.notebook, job.executed)
    saved = cache.read_manifest(job.folder / SECTION_TEXT)
    if saved and saved.get("key") == key:
        return render.SectionText(**saved["text"])
    executed = nbformat.read(job.executed, as_version=4)
    if render.with_current_prose(executed, nbformat.read(job.notebook, as_version=4)):
        nbformat.write(executed, job.executed)  # the audit-trail copy carries the prose that was published
        key = keys.section_text_key(job.notebook, job.executed)
    text = render.section_text(executed, job.name)
    if not text.bundle:
        raise CSWOError(f"Section '{job.name}' did not publish its figures: its last cell must call s.finish()")
    cache.write_manifest(job.folder / SECTION_TEXT, {"key": key, "text": dataclasses.asdict(text)})
    return text


def section_texts(jobs: list[execute.Job]) -> dict[str, render.SectionText]:
    return {job.name: section_text(job) for job in jobs}


def build(project: Project, options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the year's committee papers. Raises a CSWOError subclass on any failure, before publishing."""
    progress = progress or Progress()
    started = time.perf_counter()
    progress.step("Checking parameters")
    params = load_year(project, options.year)
    committees = options.committees or list(params.committees)
    unknown = [c for c in committees if c not in params.committees]
    if unknown:
        raise CSWOError(
            f"parameters/{params.year}.yml has no committee {', '.join(repr(c) for c in unknown)}; "
            f"its committees are {', '.join(params.committees)}"
        )

    check_inputs(project, params)  # notebooks and _quarto.yml, before anything else reads them

    formats = options.formats or output_formats(project)
    depth = toc_depth(project)
    notes: list[str] = []
    jobs = make_jobs(project, params, dataset_folder(project, params.year), notes)
    pool = sections_pool(project, params, jobs, options)
    try:
        dataset = checked_dataset(project, params, options, progress)
        warnings: list[str] = [f"To confirm before committee: {item}" for item in params.review_required]
        warnings += dataset.slip_warnings() + notes
        if options.force:
            for job in jobs:
                shutil.rmtree(job.folder, ignore_errors=True)
        progress.step("Running sections")
        execute.run_jobs(
            jobs,
            project.private_dir(params.year) / "failed",
            dataset.fingerprint,
            workers=options.workers,
            on_start=progress.section_started,
            on_done=progress.section_done,
            timeout=options.cell_timeout,
            pool=pool,
        )
    except BaseException:
        if pool is not None:
            pool.stop()  # at once: a failed check leaves no worker or kernel running behind its message
        raise
    progress.step("Writing documents")
    texts = section_texts(jobs)
    markers = [str(m) for text in texts.values() for m in text.missing]
    if markers and not options.draft:
        raise IncompleteNarrativeError(markers, [])
    warnings += [w for text in texts.values() for w in text.bundle.get("omitted", [])]
    unreviewed = [name for name, text in texts.items() if text.unreviewed]
    if unreviewed:
        warnings.append(
            "Narrative carried forward from last year and not yet reviewed in: "
            + ", ".join(unreviewed)
            + " (delete the 'unreviewed' cell at the top of each notebook once reviewed)"
        )
    typed = [m for job in jobs for m in notebook_typed_numbers(job.notebook, job.name)]
    if options.checks:
        missing_alt = audit.chart_alt_problems({name: t.bundle for name, t in texts.items()})
        if missing_alt:
            raise PublishCheckError(missing_alt)
    published = project.draft_outputs(params.year) if options.draft else project.year_outputs(params.year)
    staging = project.staging_dir(f"{params.year}-draft" if options.draft else params.year)
    keep = [c for c in params.committees if c not in committees] + committees
    publish.prepare_staging(staging, published, keep)
    work = project.cache_dir(params.year) / "render"
    shutil.rmtree(work, ignore_errors=True)
    render.copy_figures([job.folder for job in jobs], work)
    documents: list[Document] = []
    try:
        progress.step("Writing and checking " + " and ".join(params.committees[c].name for c in committees) + " papers")
        tasks = plan_documents(
            project, params, committees, texts, formats, staging, work, depth, annual_report=options.annual_report
        )
        documents += render_documents(
            tasks,
            work,
            lambda: render_reference_doc(project, params),
            options.workers or default_workers(),
            typst=templates.typst_template(project),
            record=DocumentRecord(project.cache_dir(params.year) / document_record_name(options), staging),
            allow=set(params.public_contact_details) if options.checks else None,
        )
        write_quarto_books(project, params, tasks, work)
        bundles = {name: t.bundle for name, t in texts.items()}
        audit.write_figures_csv(bundles, staging / "figures.csv")
        if options.checks:
            progress.step("Checking documents (accessibility, identifiers, typed numbers)")

            style = templates.house_style(project)
            colours = {f"chart colour {c}": c for c in style.palette} | {"chart text": style.text_colour}
            problems = typed + check_palette(colours, background=style.background)
            problems += [problem for document in documents for problem in document.problems]
            problems += scan_published_files(staging, params)
            if problems:
                raise PublishCheckError(problems)
        elif typed:
            warnings += typed
    except BaseException:
        publish.discard(staging)
        raise
    suppressions = [s for text in texts.values() for s in text.bundle.get("suppressions", [])]
    if params.disclosure.default or params.disclosure.tables:
        policy = [
            f"{name}: below {rule.threshold} shown as {rule.symbol}" for name, rule in params.disclosure.tables.items()
        ]
        if params.disclosure.default:
            policy.insert(0, f"every table: below {params.disclosure.default.threshold}")
        suppressions.insert(0, "Policy: " + "; ".join(policy))
    progress.step("Publishing")
    publish.publish(staging, published)
    write_private(project.private_dir(params.year), jobs, bundles, audit.qa_notes(dataset.tables))
    final = [Document(d.committee, d.kind, published / d.path.relative_to(staging), d.rendered) for d in documents]

    uptodate.record(project, params.year, stamp_options(options), warnings)
    return BuildResult(
        params.year,
        jobs,
        final,
        warnings,
        suppressions,
        time.perf_counter() - started,
        markers=markers,
        out_of_date=out_of_date(published, final),
        draft=options.draft,
    )


def sections_pool(project: Project, params: Parameters, jobs: list[execute.Job], options: BuildOptions):
    """Workers for the sections that will run, started now: their kernels warm up while the data is checked.

    None when every section looks reusable (the rare section a data change turns out to touch gets its
    workers when the sections run)."""
    if options.force:
        to_run = jobs
    else:
        to_run = execute.likely_to_run(jobs, dataset_current(project, params, params.sections))
    return execute.start_pool(to_run, options.workers) if to_run else None


def checked_dataset(project: Project, params: Parameters, options: BuildOptions, progress: Progress) -> Dataset:
    """The year's data, validated, with every figure the narrative needs and (with checks) no identifiers."""
    progress.step("Validating data")
    dataset, _ = validated_dataset(project, params, params.sections)
    progress.step("Checking the data has every figure the narrative needs")
    check_completeness(project, params, dataset, draft=options.draft)
    if options.checks:
        progress.step("Scanning inputs for personal identifiers")
        found = scan_inputs(project, params)
        if found:
            raise PublishCheckError(found)
    return dataset


def check_completeness(project: Project, params: Parameters, dataset: Dataset, draft: bool) -> None:
    """Refuse a final build whose narrative needs figures the data lacks (a draft marks them instead).

    Unknown names in prose are refused in every mode: there is nothing to mark them with.
    Raises IncompleteNarrativeError listing every gap at once.
    """
    gaps, needs = narrative_gaps(project, params, dataset)
    if needs.unknown or (gaps and not draft):
        raise IncompleteNarrativeError([] if draft else gaps, needs.unknown)


def out_of_date(published: Path, documents: list[Document]) -> list[Path]:
    """Documents in the year's folder that this build did not write or confirm (a partial build)."""
    current = {d.path for d in documents}
    return sorted(p for p in published.rglob("*") if p.suffix in (".docx", ".pdf") and p not in current)


def write_private(
    folder: Path, jobs: list[execute.Job], bundles: dict[str, dict], notes: list[dict] | None = None
) -> Path:
    """The reviewers' record, kept out of ``outputs/<year>/``: the executed notebooks and the
    figures QA file with the values behind every suppressed cell and the data's reviewers' notes."""
    notebooks = folder / "notebooks"
    shutil.rmtree(notebooks, ignore_errors=True)
    notebooks.mkdir(parents=True)
    for job in jobs:
        shutil.copy2(job.executed, notebooks / job.executed.name)
    audit.write_qa_csv(bundles, folder / "figures-qa.csv", notes)
    return folder


def document_record_name(options: BuildOptions) -> str:
    """Which key each paper was made from, kept in the cache (drafts apart: they publish elsewhere)."""
    return "documents-draft.json" if options.draft else "documents.json"


def stamp_options(options: BuildOptions) -> dict:
    """The options that change what a build publishes (for the nothing-changed fast path)."""
    return keys.stamp_options(options.committees, options.formats, options.checks, options.draft)


def write_quarto_books(project: Project, params: Parameters, tasks: list[RenderTask], work: Path) -> None:
    """For `--renderer quarto`: each committee paper, composed and filled, as a Quarto book project."""
    for task in tasks:
        if task.kind == "committee paper" and task.fmt == tasks[0].fmt:
            folder = book_folder(project, params.year, task.committee)
            write_book(project, folder, task.markdown, task.meta["title"], work / "figures")


def render_reference_doc(project: Project, params: Parameters) -> Path:
    """The project's templates/reference.docx, or one made from the package's defaults."""
    own = templates.reference_docx(project)
    if own is not None:
        return own

    return reference_docx(project.outputs_dir / ".cache" / "reference.docx", params.council.name, params.language)


def default_workers() -> int:
    return os.cpu_count() or 1
