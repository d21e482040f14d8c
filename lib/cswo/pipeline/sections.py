"""The sections of a build: the year's validated data, a job per section notebook, and each
section's text as readers see it (the run's outputs merged with the notebook's current prose).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import nbformat

from cswo.cache import keys
from cswo.cache import store as cache
from cswo.cache.instep import InStep
from cswo.cache.memo import remembered
from cswo.cache.prose import with_current_prose
from cswo.compose.section import SectionText, queried_names
from cswo.compose.section import section_text as exported_text
from cswo.data.dataset import Dataset
from cswo.data.load import load_dataset, validate_tables
from cswo.errors import CSWOError, DataValidationError, IncompleteNarrativeError, ProblemsError, PublishCheckError
from cswo.narrative.completeness import narrative_gaps, narrative_problems
from cswo.project import twins
from cswo.project.parameters import Parameters
from cswo.project.paths import Project
from cswo.run import execute
from cswo.run.workers import SectionPool
from cswo.safeguards import identifiers


def dataset_folder(project: Project, year: str) -> Path:
    """Where the validated data is kept for the sections to read."""
    return project.dataset_dir(year)


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
        try:  # a running preview reads it once
            return remembered(key + str(stored), lambda: Dataset.read(stored)), stored
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt, never trusted
    dataset = load_dataset(project, params.year)  # what the narrative needs is checked separately
    dataset.save(stored)
    cache.write_manifest(folder / "dataset-key.json", {"key": key})
    return dataset, stored


def scan_inputs(project: Project, params: Parameters) -> list[str]:
    """Identifiers in the data files and in every notebook the year runs (code, markdown, outputs):
    the notebook and its ``.md`` twin both, so the one the build runs is always read."""
    allow = set(params.public_contact_details)
    found, unreadable = [], []
    for path in keys.data_files(project):  # each file scanned once while it is unchanged (a running preview)
        key = keys.scan_key(path, allow)
        try:
            found += remembered(key, lambda p=path: identifiers.scan_files([p], project.root, allow=allow))
        except DataValidationError as error:
            unreadable += error.problems
    if unreadable:
        raise DataValidationError(unreadable)  # every file that could not be read, at once
    for name in [*params.sections, *params.appendix_notebooks()]:
        notebook = project.notebook(params.year, name)
        for path in (notebook, notebook.with_suffix(twins.TWIN_SUFFIX)):
            if path.exists():  # each scanned once while it is unchanged (a running preview)
                found += remembered(
                    keys.scan_key(path, allow), lambda p=path, n=name: _scan_source(project, n, p, allow)
                )
    return [str(f) for f in found]


def _scan_source(project: Project, name: str, path: Path, allow: set[str]) -> list:
    cells = twins.SectionSource(name, path).read()
    return identifiers.scan_notebook(path, project.root, allow=allow, notebook=cells)


def make_jobs(
    project: Project, params: Parameters, dataset_path: Path, notes: list[str] | None = None
) -> list[execute.Job]:
    """A job per section, reading the newer of each notebook and its .md twin (said in ``notes``)."""
    names = [*params.sections, *params.appendix_notebooks()]
    jobs, in_step = [], InStep(project)
    for name in names:
        notebook = project.notebook(params.year, name)
        if not notebook.exists() and not notebook.with_suffix(twins.TWIN_SUFFIX).exists():
            raise CSWOError(f"Section '{name}' has no notebook: expected {project.shown(notebook)}")
        source = twins.section_source(notebook, name, in_step)
        if source.note and notes is not None:
            notes.append(source.note)
        notebook = twins.materialise(source, project.twins_dir(params.year))
        jobs.append(
            execute.Job(
                name=name,
                notebook=notebook,
                folder=project.section_cache(params.year, name),
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


def section_text(job: execute.Job) -> SectionText:
    """The section as readers see it: the run's outputs with the notebook's current prose.

    A prose edit changes only markdown cells, which the run did not depend on, so they are merged
    into the cached run here (no kernel). The exported text is kept beside the run, keyed on both
    notebooks, so an unchanged section is not exported again.
    """
    key = keys.section_text_key(job.notebook, job.executed)
    saved = cache.read_manifest(job.folder / SECTION_TEXT)
    if saved and saved.get("key") == key:
        return SectionText(**saved["text"])
    executed = nbformat.read(job.executed, as_version=4)
    if with_current_prose(executed, nbformat.read(job.notebook, as_version=4)):
        nbformat.write(executed, job.executed)  # the audit-trail copy carries the prose that was published
        key = keys.section_text_key(job.notebook, job.executed)
    text = exported_text(executed, job.name)
    if not text.bundle:
        raise CSWOError(f"Section '{job.name}' did not publish its figures: its last cell must call s.finish()")
    cache.write_manifest(job.folder / SECTION_TEXT, {"key": key, "text": dataclasses.asdict(text)})
    return text


def section_texts(jobs: list[execute.Job]) -> dict[str, SectionText]:
    return {job.name: section_text(job) for job in jobs}


def with_queries_marked(
    jobs: list[execute.Job], texts: dict[str, SectionText], queried: set[tuple]
) -> dict[str, SectionText]:
    """The texts as a draft prints them: a section showing a figure under query is exported again with
    the figure marked in its sentences (its tables and charts mark it as they are drawn)."""
    marked = dict(texts)
    for job in jobs:
        if queried_names(texts[job.name].bundle, queried):
            marked[job.name] = exported_text(nbformat.read(job.executed, as_version=4), job.name, queried)
    return marked


def sections_pool(
    project: Project,
    params: Parameters,
    jobs: list[execute.Job],
    force: bool,
    workers: int | None,
    forked: SectionPool | None = None,
):
    """Workers for the sections that will run, started now: their kernels warm up while the data is checked.

    ``forked``: workers forked before the pipeline was imported (see :func:`execute.fork_workers`), used
    for these sections or stopped. None when every section looks reusable (the rare section a data change
    turns out to touch gets its workers when the sections run)."""
    if force:
        to_run = jobs
    else:
        to_run = execute.likely_to_run(jobs, dataset_current(project, params, params.sections))
    if to_run:
        return execute.start_pool(to_run, workers, forked=forked)
    if forked is not None:
        forked.stop()
    return None


def checked_dataset(
    project: Project, params: Parameters, draft: bool, checks: bool, step: Callable[[str], None]
) -> Dataset:
    """The year's data, validated, with every figure the narrative needs and (with checks) no identifiers."""
    step("Validating data")
    try:
        dataset, _ = validated_dataset(project, params, params.sections)
    except DataValidationError as error:  # what the notebooks name and lack is listed beside it
        readable, _ = validate_tables(project, params.year)
        sections = [*params.sections, *params.appendix_notebooks()]
        more = narrative_problems(project, params.year, sections, readable, gaps=not draft)
        if not more:
            raise
        raise ProblemsError([*error.problems, *more]) from None
    step("Checking the data has every figure the narrative needs")
    check_completeness(project, params, dataset, draft=draft)
    if checks:
        step("Scanning inputs for personal identifiers")
        found = scan_inputs(project, params)
        if found:
            raise PublishCheckError(found)
    return dataset


def check_completeness(project: Project, params: Parameters, dataset: Dataset, draft: bool) -> None:
    """Refuse a final build whose narrative needs figures the data lacks (a draft marks them instead).

    Unknown names in prose are refused in every mode: there is nothing to mark them with.
    Raises IncompleteNarrativeError listing every gap at once.
    """
    key = keys.gaps_key(project, params)  # checked once while nothing it reads changed (a running preview)
    gaps, needs = remembered(key, lambda: narrative_gaps(project, params, dataset))
    if needs.unknown or (gaps and not draft):
        raise IncompleteNarrativeError([] if draft else gaps, needs.unknown)
