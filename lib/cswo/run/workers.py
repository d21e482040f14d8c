"""Section workers: one process per core, each with a warm kernel that runs notebooks one after another.

Starting a kernel and importing pandas, Altair and the suite costs seconds; a warm kernel pays that once
per worker, and the build starts its workers early so that this happens while it checks the data
(:class:`SectionPool`). The kernel's client is kept open too: a new client must wait for the kernel to
answer and for its IOPub channel to fall quiet, a fifth of a second each time, for every notebook.

Before each notebook the kernel's namespace is cleared (``%reset -f``, the heap it freed returned to the
system) and its working folder set, so a notebook sees nothing the last one left behind except imported
modules.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from cswo.run import kernels

START_TIMEOUT = 60  # seconds a kernel may take to start answering

# Run in each kernel once: the kernel leaves when its worker does, even if the worker was killed outright
# (ipykernel 7 checks this too; earlier versions waited for the parent to become pid 1, which a container's
# reaper may never be).
# jsonschema (imported by Altair) would otherwise compile rfc3987_syntax's grammar: see cswo.cli.
_KERNEL_START = """
import os as _os, sys as _sys, threading as _threading, time as _time
_sys.modules.setdefault("rfc3987_syntax", None)
if not getattr(_sys, "_cswo_watch", False):
    _sys._cswo_watch = True
    def _cswo_watch(parent=_os.getppid(), getppid=_os.getppid, sleep=_time.sleep, leave=_os._exit):
        while getppid() == parent:  # bound above: the names are deleted below, and by every %reset
            sleep(0.5)
        leave(0)
    _threading.Thread(target=_cswo_watch, daemon=True).start()
del _os, _sys, _threading, _time
"""


# Run in each kernel after %reset: glibc keeps the heap a notebook freed, so without this each kernel grew by
# every section it ran (together the largest part of a cold build's peak memory). Elsewhere it does nothing.
_TRIM = """
import ctypes as _ctypes
try:
    _ctypes.CDLL(None).malloc_trim(0)
except (AttributeError, OSError):
    pass
del _ctypes
"""


def _quiet(_msg) -> None:
    """Output hook for the suite's own code in the kernel: nothing it prints is for the analyst."""


class WarmKernel:
    """The worker's kernel and the client kept open to it (one of each per worker process)."""

    manager = None
    client = None
    folder: Path | None = None  # holds the connection file and sockets: removed with the kernel

    @classmethod
    def start(cls, kernel_name: str, cwd: str) -> None:
        """Start a kernel and wait until it answers. Raises RuntimeError if it does not within a minute."""
        from jupyter_client import KernelManager

        cls.stop()
        cls.folder = kernels.new_folder(build_pid())
        # local sockets: faster than TCP on loopback, and nothing listens on a port
        sockets = str(cls.folder / "kernel-ipc")
        if len(sockets) < 96:  # a socket path is limited to 107 bytes; a deep $TMPDIR falls back to TCP
            manager = KernelManager(kernel_name=kernel_name, transport="ipc")
            manager.ip = sockets
        else:
            manager = KernelManager(kernel_name=kernel_name)
        manager.connection_file = str(cls.folder / "kernel.json")
        # nbclient needs an asynchronous client, or a cell that never finishes blocks it before its timeout
        manager.client_class = "jupyter_client.asynchronous.AsyncKernelClient"
        with _stop_deferred():  # a SIGTERM now would miss the kernel: its pid is not yet recorded
            # the kernel's own log lines (start-up notes, "parent exited" when a worker ends) are not for
            # analysts; errors in cells reach the build through the notebook, not through stderr
            manager.start_kernel(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kernels.record_pid(cls.folder, getattr(manager.provisioner, "pid", None))
            cls.manager = manager
        client = manager.client()
        client.allow_stdin = False
        client.start_channels()
        cls.client = client
        _run(client.wait_for_ready, timeout=START_TIMEOUT)
        cls.run(_KERNEL_START)

    @classmethod
    def run(cls, code: str, timeout: float = START_TIMEOUT) -> None:
        """Run the suite's own code in the kernel. Raises RuntimeError naming the error if it fails."""
        reply = _run(cls.client.execute_interactive, code, store_history=False, timeout=timeout, output_hook=_quiet)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"the kernel was not ready: {content.get('ename')}: {content.get('evalue')}")

    @classmethod
    def ready(cls, kernel_name: str, cwd: str):
        """The worker's kernel manager and client, cleared for the next notebook (started if need be)."""
        if cls.manager is None or not cls.manager.is_alive():
            cls.start(kernel_name, cwd)
        cls.run(f"get_ipython().run_line_magic('reset', '-f')\nimport os as _os\n_os.chdir({cwd!r})\ndel _os\n" + _TRIM)
        return cls.manager, cls.client

    @classmethod
    def stop(cls) -> None:
        """Kill the kernel and delete its connection file (safe to call from a signal handler)."""
        if cls.folder is not None:
            kernels.remove(cls.folder)
        client, cls.manager, cls.client, cls.folder = cls.client, None, None, None
        if client is not None:
            try:
                client.stop_channels()
            except Exception:  # the kernel is gone already; its sockets close with the process
                pass


def _run(method, *args, **kwargs):
    """Run one of the asynchronous client's methods to completion (nbclient runs its own the same way)."""
    from jupyter_core.utils import run_sync

    return run_sync(method)(*args, **kwargs)


_stop = {"starting": False, "asked": False}


@contextlib.contextmanager
def _stop_deferred():
    """A SIGTERM that lands while a kernel is being started waits until the kernel's pid is recorded."""
    _stop["starting"] = True
    try:
        yield
    finally:
        _stop["starting"] = False
        if _stop["asked"]:
            leave()


def leave(*_) -> None:
    """Kill the worker's kernel and end the worker now (deferred while a kernel is being started)."""
    if _stop["starting"]:
        _stop["asked"] = True
        return
    WarmKernel.stop()
    os._exit(0)


def build_pid() -> int:
    return int(os.environ.get("CSWO_BUILD_PID") or os.getppid())


def worker_start(
    build_pid: int, kernel: str | None = None, cwd: str = ".", warm: dict | None = None, orders=None
) -> None:
    """Pool initializer: tidy exits for a section worker and its kernel, however the build ends;
    then, given a ``kernel`` name, start it and warm it up (``warm``: see :func:`warm_up`). Given
    ``orders`` (a queue), the kernel name, folder and warm-up are the first thing read from it
    (see :meth:`SectionPool.start_kernels`)."""
    import logging
    from multiprocessing.util import Finalize

    os.environ["CSWO_BUILD_PID"] = str(build_pid)
    logging.getLogger("papermill").setLevel(logging.CRITICAL)  # failures reach the analyst as one sentence
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C is the main process's to handle
    signal.signal(signal.SIGTERM, leave)
    Finalize(None, WarmKernel.stop, exitpriority=10)  # pool workers end without running atexit

    def watch() -> None:  # the build was killed outright: take the kernel with us
        while os.getppid() == build_pid:
            time.sleep(0.5)
        leave()

    threading.Thread(target=watch, daemon=True).start()
    if orders is not None:
        kernel, cwd, warm = orders.get()
    if kernel:
        warm_up(kernel, cwd, warm or {})


def warm_up(kernel: str, cwd: str, arguments: dict) -> None:
    """Start the worker's kernel and run :func:`cswo.notebook.warmup.warm_up` in it with ``arguments``.

    It runs while the build checks the data. A kernel that fails here is stopped and left for the
    first notebook to start again, so the failure is reported against a section.
    """
    try:
        WarmKernel.start(kernel, cwd)
        WarmKernel.run(f"import cswo.notebook.warmup as _warmup\n_warmup.warm_up(**{arguments!r})\ndel _warmup")
    except Exception:
        WarmKernel.stop()


class SectionPool:
    """The section workers, one process each, started ahead of the sections so their kernels warm up.

    With ``kernels_later`` the workers are forked now and wait, before taking any work, to be told
    which kernel to start (:meth:`start_kernels`). A worker is a fork of the build: forked before the
    build imports the rest of the pipeline (nbconvert, the renderers, the checks: about 70 MiB that a
    worker never uses), it does not carry that memory as its own resident memory while it runs."""

    def __init__(
        self,
        size: int,
        kernel: str | None = "python3",
        cwd: Path | None = None,
        warm: dict | None = None,
        kernels_later: bool = False,
    ):
        self.size = size
        self.orders = multiprocessing.SimpleQueue() if kernels_later else None
        before = {process.pid for process in multiprocessing.active_children()}
        self.executor = ProcessPoolExecutor(
            max_workers=size,
            initializer=worker_start,
            initargs=(os.getpid(), kernel, str(cwd or Path.cwd()), warm, self.orders),
        )
        for _ in range(size):  # workers start when work arrives: this starts them (and their kernels) now
            self.executor.submit(int)
        # the executor starts its workers within submit(), so the children new since then are this pool's
        self.workers = [p for p in multiprocessing.active_children() if p.pid not in before]

    def start_kernels(self, count: int, kernel: str | None = "python3", cwd: Path | None = None, warm=None) -> None:
        """Tell the waiting workers (``kernels_later``) to start and warm their kernels: ``count`` of them
        (the others start none: there are fewer sections to run than workers)."""
        for number in range(self.size):
            self.orders.put((kernel, str(cwd or Path.cwd()), warm) if number < count else (None, ".", None))

    def submit(self, fn, *args) -> Future:
        return self.executor.submit(fn, *args)

    def stop(self) -> None:
        """Stop every worker now (each kills its kernel on SIGTERM), without waiting for running notebooks.

        The executor is shut down only once its workers are gone, and waited for: its manager thread then
        ends at once, before the interpreter's exit handlers run. Left running, it could close its wake-up
        pipe just as concurrent.futures' exit handler writes to it (EBADF, a traceback at exit: CPython
        3.11 checks and writes without a lock)."""
        for process in self.workers:
            if process.is_alive():
                process.terminate()
        for process in self.workers:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=1)
        self.executor.shutdown(wait=True, cancel_futures=True)
        kernels.sweep(own_pid=os.getpid())

    def close(self) -> None:
        """Let the workers finish and leave (each stops its kernel), then remove this build's kernel folders."""
        try:
            self.executor.shutdown(wait=True)
        finally:
            kernels.sweep(own_pid=os.getpid())
