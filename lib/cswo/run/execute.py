"""Running section notebooks with Papermill, in parallel, reusing unchanged results.

Each notebook runs into a fresh folder under ``outputs/.cache/<year>/``; only
a successful run replaces the cached one. A failed run's notebook is kept
under ``outputs/.private/<year>/failed/`` so the analyst can open it at the error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path
from traceback import format_exception

import papermill
from nbclient.exceptions import CellTimeoutError
from papermill.exceptions import PapermillExecutionError

from cswo.cache.store import read_manifest, write_manifest
from cswo.errors import CellTimedOut, SectionExecutionError, SectionFailure
from cswo.project.paths import FIGURES_MIME
from cswo.run import engine
from cswo.run.workers import SectionPool, WarmKernel

MANIFEST = "manifest.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in a kernel's traceback
CELL_TIMEOUT = 600.0  # seconds one cell may run; `cswo build --cell-timeout` or CSWO_CELL_TIMEOUT change it
# a guess at a notebook's seconds before it has run once, to start the longest first (charts dominate)
NOTEBOOK_SECONDS, CHART_SECONDS = 0.5, 0.3


@dataclass
class Job:
    """One notebook to run (a report section or an appendix)."""

    name: str
    notebook: Path
    folder: Path  # outputs/.cache/<year>/<name>
    key: dict  # notebook, parameters and library fingerprints
    parameters: dict  # injected by Papermill
    reused: bool = False
    seconds: float = 0.0
    tables_read: list[str] = field(default_factory=list)

    @property
    def executed(self) -> Path:
        return self.folder / f"{self.name}.ipynb"


def current_manifest(job: Job, table_fingerprint: Callable[[str], str] | None) -> dict | None:
    """The cached run's manifest when it was made from exactly these inputs, else None.

    Without ``table_fingerprint`` the tables it read are not compared (the data is not validated yet)."""
    manifest = read_manifest(job.folder / MANIFEST)
    if not manifest or not job.executed.exists() or manifest.get("key") != job.key:
        return None
    if table_fingerprint is None:
        return manifest
    tables = manifest.get("tables", {})
    return manifest if all(table_fingerprint(name) == digest for name, digest in tables.items()) else None


def _run_one(
    name: str,
    notebook: str,
    run_dir: str,
    parameters: dict,
    kernel: str,
    warm: bool = True,
    timeout: float | None = CELL_TIMEOUT,
) -> tuple[str, float]:
    started = time.perf_counter()
    output = Path(run_dir) / f"{name}.ipynb"
    try:
        papermill.execute_notebook(
            notebook,
            str(output),
            parameters={**parameters, "output_dir": run_dir},
            kernel_name=kernel,
            progress_bar=False,
            log_output=False,
            cwd=str(Path(notebook).parent),
            engine_name=engine.registered() if warm else None,
            execution_timeout=timeout,
        )
    except PapermillExecutionError:
        raise
    except CellTimeoutError:  # Papermill's own engine (not warm): which cell is read from the notebook
        raise CellTimedOut(timeout) from None
    except Exception:
        # a timed-out cell is still running in the kernel, and a kernel that died is no use: start afresh
        WarmKernel.stop()
        raise
    return name, time.perf_counter() - started


def _analyst_cell(executed: Path | None, index: int | None) -> int | None:
    """The failing cell's number as the analyst counts it in their notebook (1-based).

    The executed copy has cells the analyst never wrote: Papermill's injected parameters and, once a cell
    fails, its error banner at the top. Without ``index`` (a timeout) the last cell that started
    is the one.
    """
    if executed is None or not executed.exists():
        return None if index is None else index + 1
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:  # an unreadable copy: fall back to Papermill's own count
        return None if index is None else index + 1
    banner = [i for i, c in enumerate(cells) if "papermill-error-cell-tag" in c.metadata.get("tags", [])]
    if index is None:
        # Papermill marks every cell completed at the end; the cell that hung is the last one that started
        started = [i for i, c in enumerate(cells) if c.metadata.get("papermill", {}).get("start_time")]
        if not started:
            return None
        index = started[-1] - sum(1 for b in banner if b < started[-1])  # position as executed, banner removed
    ran = [c for c in cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    injected = sum(1 for i, c in enumerate(ran[:index]) if "injected-parameters" in c.metadata.get("tags", []))
    return index - injected + 1


def _failure(name: str, exc: BaseException, failed: Path | None, notebook: Path | None = None) -> SectionFailure:
    """The failure as the analyst counts it: the cell's number in their notebook, its code and the
    kernel's traceback (papermill's PapermillExecutionError carries both; a timeout, neither)."""
    index = getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if not ename:
        ename, evalue = type(exc).__name__, str(exc)
    number = _analyst_cell(failed, index)
    lines = getattr(exc, "traceback", None)
    if isinstance(lines, list | tuple):
        trace = ANSI.sub("", "\n".join(str(line) for line in lines))
    else:
        trace = "".join(format_exception(exc))
    return SectionFailure(
        section=name,
        cell=number,
        error=f"{ename}: {evalue}".strip(),
        notebook=failed,
        ename=str(ename),
        evalue=str(evalue),
        source=getattr(exc, "source", None) or _cell_source(notebook, number),
        traceback=trace,
    )


def _cell_source(notebook: Path | None, number: int | None) -> str:
    """The code of the analyst's cell ``number`` (1-based), or "" when it cannot be read."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        source = cells[number - 1]["source"]
    except (AttributeError, OSError, ValueError, KeyError, IndexError, TypeError):
        return ""
    return "".join(source) if isinstance(source, list) else str(source)


def cell_timeout(value: float | None = None) -> float | None:
    """Seconds a cell may run: the value given, else $CSWO_CELL_TIMEOUT, else 600 (0 means no limit)."""
    if value is None:
        value = float(os.environ.get("CSWO_CELL_TIMEOUT") or CELL_TIMEOUT)
    return value if value > 0 else None


def run_jobs(
    jobs: list[Job],
    failed_dir: Path,
    table_fingerprint: Callable[[str], str],
    workers: int | None = None,
    kernel: str = "python3",
    warm: bool = True,
    on_start: Callable[[Job], None] = lambda job: None,
    on_done: Callable[[Job], None] = lambda job: None,
    timeout: float | None = None,
    pool: SectionPool | None = None,
) -> list[Job]:
    """Run every job whose cache is stale, the longest first; raise SectionExecutionError naming each failure.

    ``pool`` is the workers started early (see :func:`start_pool`); it is closed here, whatever happens.
    """
    stale = _stale(jobs, table_fingerprint, on_done)
    if not stale:
        if pool is not None:
            pool.stop()  # started for sections the data turned out not to touch: no need to wait for it
        return jobs
    if pool is None:
        pool = start_pool(stale, workers, kernel if warm else None)
    run = _Run(pool, failed_dir, table_fingerprint, on_start, on_done, (kernel, warm, cell_timeout(timeout)))
    try:
        run.submit(sorted(stale, key=expected_seconds, reverse=True))
        run.collect()
    except BaseException:
        pool.stop()
        run.discard()
        raise
    finally:
        pool.close()
    if run.failures:
        raise SectionExecutionError(sorted(run.failures, key=lambda f: f.section))
    return jobs


def _stale(jobs: list[Job], table_fingerprint: Callable[[str], str], on_done: Callable[[Job], None]) -> list[Job]:
    """The jobs whose cached run is out of date; the others are marked reused (and reported done)."""
    stale = []
    for job in jobs:
        manifest = current_manifest(job, table_fingerprint)
        if manifest is None:
            stale.append(job)
            continue
        job.reused = True
        job.tables_read = sorted(manifest.get("tables", {}))
        on_done(job)
    return stale


@dataclass
class _Run:
    """The jobs submitted to one pool, each with its run folder, and the failures they met."""

    pool: SectionPool
    failed_dir: Path
    table_fingerprint: Callable[[str], str]
    on_start: Callable[[Job], None]
    on_done: Callable[[Job], None]
    how: tuple  # kernel name, warm, cell timeout
    futures: dict = field(default_factory=dict)
    failures: list[SectionFailure] = field(default_factory=list)

    def submit(self, jobs: list[Job]) -> None:
        for job in jobs:
            run_dir = job.folder.with_name(job.folder.name + ".run")
            shutil.rmtree(run_dir, ignore_errors=True)
            run_dir.mkdir(parents=True)
            self.on_start(job)
            args = (job.name, str(job.notebook), str(run_dir), job.parameters, *self.how)
            self.futures[self.pool.submit(_run_one, *args)] = (job, run_dir)

    def collect(self) -> None:
        """Each job's result as it comes: promoted into the cache, or kept as a failure to report."""
        for future in as_completed(self.futures):
            job, run_dir = self.futures[future]
            try:
                _, job.seconds = future.result()
            except Exception as exc:  # papermill's and the kernel's errors, reported per section
                failed = _keep_failed(job, run_dir, self.failed_dir)
                self.failures.append(_failure(job.name, exc, failed, job.notebook))
                continue
            _promote(job, run_dir, self.table_fingerprint)
            self.on_done(job)

    def discard(self) -> None:
        for _, run_dir in self.futures.values():
            shutil.rmtree(run_dir, ignore_errors=True)


def start_pool(
    jobs: list[Job], workers: int | None = None, kernel: str | None = "python3", forked: SectionPool | None = None
) -> SectionPool:
    """Workers for these jobs (one a core at most), each starting its kernel and warming it up now;
    ``forked``: workers forked earlier (:func:`fork_workers`), told now to start their kernels.

    Kernels read the year's parameters and import the section API, and start vl-convert's engine when
    a job draws charts (see :mod:`cswo.notebook.warmup`)."""
    size = min(workers or os.cpu_count() or 1, len(jobs))
    first = jobs[0]
    warm = {
        "charts": any(chart_calls(job.notebook) for job in jobs),
        "project_root": first.parameters.get("project_root"),
        "year": first.parameters.get("year"),
    }
    if forked is not None:
        forked.start_kernels(size, kernel, first.notebook.parent, warm)
        return forked
    return SectionPool(size, kernel, first.notebook.parent, warm)


def fork_workers(workers: int | None = None) -> SectionPool:
    """Section workers forked now, before the build imports the rest of the pipeline, waiting to be told
    which kernel to start (:func:`start_pool`); stop them (``stop()``) if no section is to run."""
    return SectionPool(workers or os.cpu_count() or 1, kernels_later=True)


def likely_to_run(jobs: list[Job], data_current: bool) -> list[Job]:
    """The jobs that will run, known before the data is validated (to start their workers early).

    A job runs when its cached run was made from other code, parameters or tools (see
    :func:`current_manifest`) or, when the data changed, from other tables: which tables changed is
    known only once the data is validated, so then every job is counted."""
    if not data_current:
        return list(jobs)
    return [job for job in jobs if current_manifest(job, None) is None]


def expected_seconds(job: Job) -> float:
    """How long a job will run: as long as its last run did, else a guess from the charts it draws."""
    manifest = read_manifest(job.folder / MANIFEST) or {}
    seconds = manifest.get("seconds")
    if isinstance(seconds, int | float) and seconds > 0:
        return float(seconds)
    return NOTEBOOK_SECONDS + CHART_SECONDS * chart_calls(job.notebook)


def chart_calls(notebook: Path) -> int:
    """How many charts a notebook's code asks for (each costs vl-convert a third of a second or so)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return 0
    code = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    return sum(source.count("chart(") for source in code)


def _keep_failed(job: Job, run_dir: Path, failed_dir: Path) -> Path | None:
    """Keep the failed run's notebook where the lab (rooted at the project) can open it at the error."""
    failed = None
    produced = run_dir / f"{job.name}.ipynb"
    if produced.exists():
        failed_dir.mkdir(parents=True, exist_ok=True)
        failed = failed_dir / produced.name
        shutil.copy2(produced, failed)
    shutil.rmtree(run_dir, ignore_errors=True)
    return failed


def _promote(job: Job, run_dir: Path, table_fingerprint: Callable[[str], str]) -> None:
    import nbformat

    nb = nbformat.read(run_dir / f"{job.name}.ipynb", as_version=4)
    tables: list[str] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            bundle = output.get("data", {}).get(FIGURES_MIME)
            if bundle:
                tables = bundle.get("tables_read", [])
    job.tables_read = tables
    write_manifest(
        run_dir / MANIFEST,
        {"key": job.key, "tables": {t: table_fingerprint(t) for t in tables}, "seconds": round(job.seconds, 2)},
    )
    old = job.folder.with_name(job.folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if job.folder.exists():
        job.folder.rename(old)
    run_dir.rename(job.folder)
    shutil.rmtree(old, ignore_errors=True)
