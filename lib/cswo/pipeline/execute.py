"""Running section notebooks with Papermill, in parallel, reusing unchanged results.

Each notebook runs into a fresh folder under ``outputs/.cache/<year>/``; only
a successful run replaces the cached one. A failed run's notebook is kept
under ``outputs/.private/<year>/failed/`` so the analyst can open it at the error.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

from cswo.errors import SectionExecutionError, SectionFailure
from cswo.pipeline.cache import read_manifest, write_manifest

MANIFEST = "manifest.json"


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


class _WarmKernel:
    """One kernel per worker process, kept between notebooks.

    Starting a kernel and importing pandas, Altair and the suite costs seconds per notebook;
    a warm kernel pays that once per worker. Before each notebook the kernel's namespace is
    cleared (``%reset -f``) and its working folder set, so a notebook sees nothing the last
    one left behind except imported modules.
    """

    manager = None

    @classmethod
    def get(cls, kernel_name: str, cwd: str):
        from jupyter_client import KernelManager

        if cls.manager is None or not cls.manager.is_alive():
            # local sockets: faster than TCP on loopback, and nothing listens on a port
            cls.manager = KernelManager(kernel_name=kernel_name, transport="ipc")
            cls.manager.connection_file = str(Path(tempfile.mkdtemp(prefix="cswo-kernel-")) / "kernel.json")
            cls.manager.ip = cls.manager.connection_file[: -len("kernel.json")] + "kernel-ipc"
            # the kernel's own log lines (start-up notes, "parent exited" when a worker ends) are not for
            # analysts; errors in cells reach the build through the notebook, not through stderr
            cls.manager.start_kernel(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            atexit.register(cls.stop)
        client = cls.manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute_interactive(
                f"get_ipython().run_line_magic('reset', '-f')\nimport os as _os, sys as _sys\n"
                f"_sys.modules.setdefault('rfc3987_syntax', None)\n_os.chdir({cwd!r})\ndel _os, _sys",
                store_history=False,
                timeout=60,
            )
        finally:
            client.stop_channels()
        return cls.manager

    @classmethod
    def stop(cls) -> None:
        if cls.manager is not None and cls.manager.is_alive():
            cls.manager.shutdown_kernel(now=True)
        cls.manager = None


class WarmKernelEngine(NBClientEngine):
    """Papermill's nbclient engine, run against the worker's warm kernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        manager = _WarmKernel.get(kernel_name, kwargs.get("cwd") or os.getcwd())
        client = PapermillNotebookClient(
            nb_man,
            km=manager,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        try:
            return client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register("cswo-warm", WarmKernelEngine)


def _run_one(
    name: str, notebook: str, run_dir: str, parameters: dict, kernel: str, warm: bool = True
) -> tuple[str, float]:
    import papermill

    started = time.perf_counter()
    output = Path(run_dir) / f"{name}.ipynb"
    papermill.execute_notebook(
        notebook,
        str(output),
        parameters={**parameters, "output_dir": run_dir},
        kernel_name=kernel,
        progress_bar=False,
        log_output=False,
        cwd=str(Path(notebook).parent),
        engine_name="cswo-warm" if warm else None,
    )
    return name, time.perf_counter() - started


def _source_cell_number(executed: Path | None, index: int | None) -> int | None:
    """The failing cell's number as the analyst sees it in their notebook (1-based).

    Papermill adds an injected-parameters cell to the executed copy, which shifts later cells by one.
    """
    if index is None:
        return None
    if executed is not None and executed.exists():
        import nbformat

        cells = nbformat.read(executed, as_version=4).cells
        injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])]
        if injected and injected[0] < index:
            index -= 1
    return index + 1


def _failure(name: str, exc: BaseException, failed: Path | None) -> SectionFailure:
    cell = getattr(exc, "exec_count", None)
    index = getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    message = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    number = _source_cell_number(failed, index)
    return SectionFailure(
        section=name, cell=number if number is not None else cell, error=message.strip(), notebook=failed
    )


def run_jobs(
    jobs: list[Job],
    failed_dir: Path,
    table_fingerprint: Callable[[str], str],
    workers: int | None = None,
    kernel: str = "python3",
    warm: bool = True,
    on_start: Callable[[Job], None] = lambda job: None,
    on_done: Callable[[Job], None] = lambda job: None,
) -> list[Job]:
    """Run every job whose cache is stale; raise SectionExecutionError naming each failure."""
    workers = workers or os.cpu_count() or 1
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
        with ProcessPoolExecutor(max_workers=min(workers, len(stale))) as pool:
            futures = {}
            for job in stale:
                run_dir = job.folder.with_name(job.folder.name + ".run")
                shutil.rmtree(run_dir, ignore_errors=True)
                run_dir.mkdir(parents=True)
                on_start(job)
                futures[
                    pool.submit(_run_one, job.name, str(job.notebook), str(run_dir), job.parameters, kernel, warm)
                ] = (
                    job,
                    run_dir,
                )
            for future in as_completed(futures):
                job, run_dir = futures[future]
                try:
                    _, job.seconds = future.result()
                except Exception as exc:  # papermill's and the kernel's errors, reported per section
                    failed = None
                    produced = run_dir / f"{job.name}.ipynb"
                    if produced.exists():
                        failed_dir.mkdir(parents=True, exist_ok=True)
                        failed = failed_dir / produced.name
                        shutil.copy2(produced, failed)
                    shutil.rmtree(run_dir, ignore_errors=True)
                    failures.append(_failure(job.name, exc, failed))
                    continue
                _promote(job, run_dir, table_fingerprint)
                on_done(job)
    if failures:
        raise SectionExecutionError(sorted(failures, key=lambda f: f.section))
    return jobs


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
