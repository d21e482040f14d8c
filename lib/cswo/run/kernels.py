"""Kernel folders: where a build's kernels keep their connection files, and their removal.

LibreOffice's folders (``<tmp>/cswo-lo-<build pid>-<random>/``: its profile, the copies it lays
out and, as its TMPDIR, its own ``lu*.tmp`` files) are named and swept the same way, so a build
stopped while LibreOffice lays out the contents leaves nothing behind after the next one.

Each kernel gets ``<tmp>/cswo-kernel-<build pid>-<random>/`` holding its connection
file (which carries the kernel's key), its local sockets and ``kernel.pid``. The
build removes its own folders when it ends, however it ends; a build that was
killed cannot, so every build first sweeps folders whose build is no longer
running, stopping any kernel still using them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import psutil

PREFIX = "cswo-kernel-"
LIBREOFFICE_PREFIX = "cswo-lo-"
PREFIXES = (PREFIX, LIBREOFFICE_PREFIX)
STOP_PATIENCE = 3.0  # seconds to wait for a killed kernel to be gone (it dies at once; a busy machine shows it late)


def kernel_root() -> Path:
    return Path(tempfile.gettempdir())


def new_folder(build_pid: int, prefix: str = PREFIX) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{build_pid}-", dir=kernel_root()))


def record_pid(folder: Path, pid: int | None) -> None:
    if pid:
        (folder / "kernel.pid").write_text(str(pid), encoding="ascii")


def _alive(pid: int) -> bool:
    return psutil.pid_exists(pid)


def _owner(folder: Path) -> int | None:
    prefix = next((p for p in PREFIXES if folder.name.startswith(p)), PREFIX)
    parts = folder.name[len(prefix) :].split("-", 1)
    return int(parts[0]) if len(parts) == 2 and parts[0].isdigit() else None


def _started_with(process: psutil.Process, folder: Path) -> bool:
    """Whether ``process`` was started with a path in ``folder`` (a kernel given its connection file)."""
    try:
        return any(str(folder) in part for part in process.cmdline())
    except psutil.Error:  # gone, a zombie, or not ours to read
        return False


def _kernel_using(folder: Path) -> psutil.Process | None:
    """The kernel process started with this folder's connection file, if it still runs."""
    try:
        process = psutil.Process(int((folder / "kernel.pid").read_text(encoding="ascii").strip()))
    except (OSError, ValueError, psutil.Error):
        return None
    return process if _started_with(process, folder) else None  # a reused pid is someone else's process


def remove(folder: Path) -> None:
    """Stop the folder's kernel (if any) and delete the folder with its connection file."""
    processes = [_kernel_using(folder)]
    if folder.name.startswith(LIBREOFFICE_PREFIX):  # a LibreOffice its build's end never stopped
        processes += [p for p in psutil.process_iter() if p.pid != os.getpid() and _started_with(p, folder)]
    killed = [p for p in processes if p is not None]
    for process in killed:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(killed, timeout=STOP_PATIENCE)  # gone (and reaped, if ours) when this returns
    shutil.rmtree(folder, ignore_errors=True)


def _in_use(folder: Path) -> bool:
    """Whether any running process was started with a path in this folder (a kernel of an older build)."""
    return any(_started_with(process, folder) for process in psutil.process_iter())


def sweep(own_pid: int | None = None) -> int:
    """Remove folders of builds no longer running (and, with ``own_pid``, this build's). Returns how many."""
    removed = 0
    for folder in [f for prefix in PREFIXES for f in kernel_root().glob(f"{prefix}*")]:
        if not folder.is_dir():
            continue
        owner = _owner(folder)
        if owner is None:
            stale = not _in_use(folder)  # named by an older version: keep it while a process uses it
        else:
            stale = owner == own_pid or not _alive(owner)
        if stale:
            remove(folder)
            removed += 1
    return removed


def leftovers() -> list[Path]:
    """Kernel and LibreOffice folders present now (the interruption probe asserts there are none after a build)."""
    return sorted(p for prefix in PREFIXES for p in kernel_root().glob(f"{prefix}*") if p.is_dir())
