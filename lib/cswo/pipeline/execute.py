"""Running section notebooks with Papermill, in parallel, reusing unchanged results.

Each notebook runs into a fresh folder under ``outputs/.cache/<year>/``; only
a successful run replaces the cached one. A failed run's notebook is kept
under ``outputs/.private/<year>/failed/`` so the analyst can open it at the error.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

from cswo.errors import SectionExecutionError, SectionFailure
from cswo.pipeline import kernels
from cswo.pipeline.cache import read_manifest, write_manifest

MANIFEST = "manifest.json"
CELL_TIMEOUT = 600.0  # seconds one cell may run; `cswo build --cell-timeout` or CSWO_CELL_TIMEOUT change it

# Run in each kernel once: the kernel leaves when its worker does, even if the worker was killed outright
# (ipykernel's own check waits for the parent to become pid 1, which a container's reaper may never be).
_KERNEL_WATCH = """
import os as _os, sys as _sys, threading as _threading, time as _time
if not getattr(_sys, "_cswo_watch", False):
    _sys._cswo_watch = True
    def _cswo_watch(parent=_os.getppid()):
        while _os.getppid() == parent:
            _time.sleep(0.5)
        _os._exit(0)
    _threading.Thread(target=_cswo_watch, daemon=True).start()
del _os, _sys, _threading, _time
"""


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
    folder: Path | None = None  # holds the connection file: removed with the kernel

    @classmethod
    def get(cls, kernel_name: str, cwd: str):
        from jupyter_client import KernelManager

        if cls.manager is None or not cls.manager.is_alive():
            cls.stop()
            cls.folder = kernels.new_folder(_build_pid())
            # local sockets: faster than TCP on loopback, and nothing listens on a port
            sockets = str(cls.folder / "kernel-ipc")
            if len(sockets) < 96:  # a socket path is limited to 107 bytes; a deep $TMPDIR falls back to TCP
                cls.manager = KernelManager(kernel_name=kernel_name, transport="ipc")
                cls.manager.ip = sockets
            else:
                cls.manager = KernelManager(kernel_name=kernel_name)
            cls.manager.connection_file = str(cls.folder / "kernel.json")
            # nbclient needs an asynchronous client, or a cell that never finishes blocks it before its timeout
            cls.manager.client_class = "jupyter_client.asynchronous.AsyncKernelClient"
            # the kernel's own log lines (start-up notes, "parent exited" when a worker ends) are not for
            # analysts; errors in cells reach the build through the notebook, not through stderr
            cls.manager.start_kernel(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kernels.record_pid(cls.folder, getattr(cls.manager.provisioner, "pid", None))
        client = cls.manager.blocking_client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute_interactive(
                _KERNEL_WATCH + f"get_ipython().run_line_magic('reset', '-f')\nimport os as _os, sys as _sys\n"
                f"_sys.modules.setdefault('rfc3987_syntax', None)\n_os.chdir({cwd!r})\ndel _os, _sys",
                store_history=False,
                timeout=60,
            )
        finally:
            client.stop_channels()
        return cls.manager

    @classmethod
    def stop(cls) -> None:
        """Kill the kernel and delete its connection file (safe to call from a signal handler)."""
        if cls.folder is not None:
            kernels.remove(cls.folder)
        cls.manager, cls.folder = None, None


def _build_pid() -> int:
    return int(os.environ.get("CSWO_BUILD_PID") or os.getppid())


def _worker_start(build_pid: int) -> None:
    """Pool initializer: tidy exits for a section worker and its kernel, however the build ends."""
    import logging
    from multiprocessing.util import Finalize

    os.environ["CSWO_BUILD_PID"] = str(build_pid)
    logging.getLogger("papermill").setLevel(logging.CRITICAL)  # failures reach the analyst as one sentence
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C is the main process's to handle

    def leave(*_):
        _WarmKernel.stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, leave)
    Finalize(None, _WarmKernel.stop, exitpriority=10)  # pool workers end without running atexit

    def watch() -> None:  # the build was killed outright: take the kernel with us
        while os.getppid() == build_pid:
            time.sleep(0.5)
        leave()

    threading.Thread(target=watch, daemon=True).start()


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
        _WarmKernel.stop()
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
            max_workers=min(workers, len(stale)), initializer=_worker_start, initargs=(os.getpid(),)
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
