"""Publishing: the only step that writes to ``outputs/<year>``, and at no instant is the year's set missing.

The new set is assembled under ``outputs/.staging/<year>/``. When it is complete it is
moved (one rename) to ``outputs/.releases/<year>/<id>/``, and ``outputs/<year>`` -- a
symbolic link -- is switched to it with one ``os.replace``. Either the old link or the
new one is in place at every instant, so a build killed at any point leaves a complete
set, and the previous set is deleted only after the new one is published. A real
folder left by an older version is exchanged for the link atomically (renameat2).

The interruption probe (tests/test_interruptions.py) kills builds inside this window. The
microseconds between its steps are too short to hit from outside, so each step has a pause
point: with ``CSWO_TEST_PAUSE_AT=<point>`` in the environment the build stops itself there
(SIGSTOP) for the probe to kill. Without that variable the pause points do nothing.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import time
from pathlib import Path

RELEASES = ".releases"
PAUSE_AT = "CSWO_TEST_PAUSE_AT"  # test-only; see the module's docstring
PAUSE_POINTS = ("staging-prepared", "staged-as-release", "link-made", "switched", "exchanged")


def pause_point(name: str) -> None:
    """Stop this process here when $CSWO_TEST_PAUSE_AT names this point (the probe then kills it)."""
    if os.environ.get(PAUSE_AT) == name and hasattr(signal, "SIGSTOP"):
        os.kill(os.getpid(), signal.SIGSTOP)


_unfinished: set[Path] = set()  # staging folders of this process not yet published or discarded


def prepare_staging(staging: Path, published: Path, keep: list[str]) -> Path:
    """A fresh staging folder holding copies of published parts this build won't replace."""
    shutil.rmtree(staging, ignore_errors=True)
    _unfinished.add(staging)
    staging.mkdir(parents=True)
    recover(published)
    for name in keep:
        source = published / name
        if source.is_dir():
            shutil.copytree(source, staging / name)
        elif source.is_file():
            shutil.copy2(source, staging / name)
    pause_point("staging-prepared")
    return staging


def releases_dir(published: Path) -> Path:
    return published.parent / RELEASES / published.name


def publish(staging: Path, published: Path) -> Path:
    """Switch ``published`` to the staged set, atomically; then delete the sets no longer published."""
    releases = releases_dir(published)
    releases.mkdir(parents=True, exist_ok=True)
    release = releases / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    staging.rename(release)
    _unfinished.discard(staging)
    pause_point("staged-as-release")
    link = published.with_name(f".{published.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    try:
        os.symlink(os.path.relpath(release, published.parent), link, target_is_directory=True)
    except OSError:  # no symbolic links here (some Windows set-ups): the two-rename swap
        _swap_by_renames(release, published)
        return published
    pause_point("link-made")
    if published.exists() and not published.is_symlink():
        if not _exchange(link, published):  # no renameat2: a brief gap, but never a lost set
            aside = published.with_name(f".{published.name}.old")
            shutil.rmtree(aside, ignore_errors=True)
            published.rename(aside)
            os.replace(link, published)
            link = aside
        pause_point("exchanged")
        shutil.rmtree(link, ignore_errors=True)  # after the exchange `link` names the old folder
    else:
        os.replace(link, published)
    pause_point("switched")
    prune(published)
    return published


def prune(published: Path) -> None:
    """Delete every release of the year except the one published, and stray links of killed builds."""
    current = Path(os.path.realpath(published)) if published.is_symlink() else None
    releases = releases_dir(published)
    if current is None or not current.is_dir():
        return
    for release in releases.iterdir() if releases.is_dir() else []:
        if release.resolve() != current:
            shutil.rmtree(release, ignore_errors=True)
    for stray in published.parent.glob(f".{published.name}.link-*"):
        if stray.is_symlink():
            stray.unlink(missing_ok=True)
        elif stray.is_dir():  # an older version's folder, exchanged out by a build killed before deleting it
            shutil.rmtree(stray, ignore_errors=True)


def recover(published: Path) -> None:
    """Point ``published`` back at the newest complete release if a killed build left it missing."""
    if published.exists():
        return
    releases = releases_dir(published)
    candidates = sorted(releases.iterdir(), key=lambda p: p.name) if releases.is_dir() else []
    if not candidates:
        return
    if published.is_symlink():
        published.unlink()
    link = published.with_name(f".{published.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(candidates[-1], published.parent), link, target_is_directory=True)
    os.replace(link, published)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return result == 0


def _swap_by_renames(release: Path, published: Path) -> None:
    old = published.with_name(f".{published.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if published.exists():
        published.rename(old)
    release.rename(published)
    shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    """Remove a staging folder, again if a writer still finishing put a file in it while it was removed."""
    for _ in range(10):
        shutil.rmtree(staging, ignore_errors=True)
        if not staging.exists():
            break
        time.sleep(0.05)
    _unfinished.discard(staging)


def discard_unfinished() -> None:
    """Remove every staging folder this process started and did not publish (a build stopped hard)."""
    for staging in list(_unfinished):
        discard(staging)
