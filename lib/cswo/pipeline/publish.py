"""Publishing: the only step that writes to ``outputs/<year>/``, and it does so atomically.

The new tree is assembled under ``outputs/.staging/<year>/`` and swapped in by
renaming, so a failed build leaves the last good outputs exactly as they were.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def prepare_staging(staging: Path, published: Path, keep: list[str]) -> Path:
    """A fresh staging folder holding copies of published parts this build won't replace."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in keep:
        source = published / name
        if source.is_dir():
            shutil.copytree(source, staging / name)
        elif source.is_file():
            shutil.copy2(source, staging / name)
    return staging


def publish(staging: Path, published: Path) -> Path:
    """Swap the staged tree in for the published one."""
    published.parent.mkdir(parents=True, exist_ok=True)
    old = published.with_name(f".{published.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if published.exists():
        published.rename(old)
    try:
        staging.rename(published)
    except OSError:
        if old.exists():
            old.rename(published)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return published


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
