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
import signal
import tempfile
from pathlib import Path

PREFIX = "cswo-kernel-"
LIBREOFFICE_PREFIX = "cswo-lo-"
PREFIXES = (PREFIX, LIBREOFFICE_PREFIX)


def kernel_root() -> Path:
    return Path(tempfile.gettempdir())


def new_folder(build_pid: int, prefix: str = PREFIX) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{build_pid}-", dir=kernel_root()))


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
    prefix = next((p for p in PREFIXES if folder.name.startswith(p)), PREFIX)
    parts = folder.name[len(prefix) :].split("-", 1)
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
    pids = [_kernel_using(folder)]
    if folder.name.startswith(LIBREOFFICE_PREFIX):  # a LibreOffice its build's end never stopped
        pids += _processes_using(folder)
    for pid in {p for p in pids if p is not None and p != os.getpid()}:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


def _processes_using(folder: Path) -> list[int]:
    """Processes started with a path in this folder (LibreOffice names its profile there)."""
    needle, found = str(folder).encode(), []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if needle in entry.read_bytes():
                found.append(int(entry.parent.name))
        except (OSError, ValueError):
            continue
    return found


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
