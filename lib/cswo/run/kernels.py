"""Kernel folders: where a build's kernels keep their connection files, and their removal.

Each kernel gets ``<tmp>/cswo-kernel-<build pid>-<random>/`` holding its connection
file (which carries the kernel's key), its local sockets and ``kernel.pid``. The
build removes its own folders when it ends, however it ends; a build that was
killed cannot, so every build first sweeps folders whose build is no longer
running, stopping any kernel still using them.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

PREFIX = "cswo-kernel-"


def kernel_root() -> Path:
    return Path(tempfile.gettempdir())


def new_folder(build_pid: int) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{build_pid}-", dir=kernel_root()))


def record_pid(folder: Path, pid: int | None) -> None:
    if pid:
        (folder / "kernel.pid").write_text(str(pid), encoding="ascii")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(folder: Path) -> int | None:
    parts = folder.name[len(PREFIX) :].split("-", 1)
    return int(parts[0]) if len(parts) == 2 and parts[0].isdigit() else None


def _kernel_using(folder: Path) -> int | None:
    """The kernel process started with this folder's connection file, if it still runs."""
    try:
        pid = int((folder / "kernel.pid").read_text(encoding="ascii").strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if str(folder).encode() in cmdline else None  # a reused pid is someone else's process


def remove(folder: Path) -> None:
    """Stop the folder's kernel (if any) and delete the folder with its connection file."""
    pid = _kernel_using(folder)
    if pid is not None:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


def _in_use(folder: Path) -> bool:
    """Whether any running process was started with a path in this folder (a kernel of an older build)."""
    needle = str(folder).encode()
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if needle in entry.read_bytes():
                return True
        except OSError:
            continue
    return False


def sweep(own_pid: int | None = None) -> int:
    """Remove folders of builds no longer running (and, with ``own_pid``, this build's). Returns how many."""
    removed = 0
    for folder in kernel_root().glob(f"{PREFIX}*"):
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
    """Kernel folders present now (the interruption probe asserts there are none after a build)."""
    return sorted(p for p in kernel_root().glob(f"{PREFIX}*") if p.is_dir())
