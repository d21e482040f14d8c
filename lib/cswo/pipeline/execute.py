"""Running section notebooks with Papermill, in parallel, reusing unchanged results.

Each notebook runs into a fresh folder under ``outputs/.cache/<year>/``; only
a successful run replaces the cached one. A failed run's notebook is kept
under ``outputs/.private/<year>/failed/`` so the analyst can open it at the error.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from cswo.errors import SectionExecutionError, SectionFailure
from cswo.pipeline import kernels
from cswo.pipeline.cache import read_manifest, write_manifest
from cswo.pipeline.workers import WarmKernel, worker_start

MANIFEST = "manifest.json"
CELL_TIMEOUT = 600.0  # seconds one cell may run; `cswo build --cell-timeout` or CSWO_CELL_TIMEOUT change it


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


def current_manifest(job: Job, table_fingerprint: Callable[[str], str]) -> dict | None:
    """The cached run's manifest when it was made from exactly these inputs, else None."""
    manifest = read_manifest(job.folder / MANIFEST)
    if not manifest or not job.executed.exists() or manifest.get("key") != job.key:
        return None
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
    import papermill
    from papermill.exceptions import PapermillExecutionError

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
            engine_name="cswo-warm" if warm else None,
            execution_timeout=timeout,
        )
    except PapermillExecutionError:
        raise
    except Exception as exc:
        # a timed-out cell is still running in the kernel, and a kernel that died is no use: start afresh
        WarmKernel.stop()
        if type(exc).__name__ == "CellTimeoutError":
            raise TimeoutError(f"a cell ran for more than {timeout:g} seconds and was stopped") from None
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


def _failure(name: str, exc: BaseException, failed: Path | None) -> SectionFailure:
    index = getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if not ename:
        ename, evalue = type(exc).__name__, str(exc)
    number = _analyst_cell(failed, index)
    return SectionFailure(
        section=name,
        cell=number,
        error=f"{ename}: {evalue}".strip(),
        notebook=failed,
        ename=str(ename),
        evalue=str(evalue),
    )


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now (each kills its kernel on SIGTERM), without waiting for running notebooks."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=2)
        if process.is_alive():
            process.kill()
            process.join(timeout=1)


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
) -> list[Job]:
    """Run every job whose cache is stale; raise SectionExecutionError naming each failure."""
    workers = workers or os.cpu_count() or 1
    timeout = cell_timeout(timeout)
    stale = []
    for job in jobs:
        manifest = current_manifest(job, table_fingerprint)
        if manifest is not None:
            job.reused = True
            job.tables_read = sorted(manifest.get("tables", {}))
            on_done(job)
        else:
            stale.append(job)
    failures: list[SectionFailure] = []
    if stale:
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(stale)), initializer=worker_start, initargs=(os.getpid(),)
        )
        futures = {}
        try:
            for job in stale:
                run_dir = job.folder.with_name(job.folder.name + ".run")
                shutil.rmtree(run_dir, ignore_errors=True)
                run_dir.mkdir(parents=True)
                on_start(job)
                args = (job.name, str(job.notebook), str(run_dir), job.parameters, kernel, warm, timeout)
                futures[pool.submit(_run_one, *args)] = (job, run_dir)
            for future in as_completed(futures):
                job, run_dir = futures[future]
                try:
                    _, job.seconds = future.result()
                except Exception as exc:  # papermill's and the kernel's errors, reported per section
                    failures.append(_failure(job.name, exc, _keep_failed(job, run_dir, failed_dir)))
                    continue
                _promote(job, run_dir, table_fingerprint)
                on_done(job)
        except BaseException:
            _stop_pool(pool)
            for _, run_dir in futures.values():
                shutil.rmtree(run_dir, ignore_errors=True)
            raise
        finally:
            pool.shutdown(wait=True)
            kernels.sweep(own_pid=os.getpid())
    if failures:
        raise SectionExecutionError(sorted(failures, key=lambda f: f.section))
    return jobs


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

    from cswo.project.paths import FIGURES_MIME

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
