"""Refused and interrupted builds end with their one sentence and nothing after it.

A build starts its section workers early, so a build refused at validation, or stopped while its data is
checked, ends while the workers' kernels are warming up. It once ended, now and then, with a traceback at
interpreter exit (``threading._shutdown`` -> ``atexit_call()`` -> ``OSError: [Errno 9] Bad file
descriptor``): the process pool's manager thread, still closing its wake-up pipe, raced
concurrent.futures' exit handler writing to it. The pool now waits for that thread when it stops.

`make test` runs two refused and two interrupted builds; `make soak` runs 200, two at a time, with every
core kept busy by other processes.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cswo.project.paths import Project
from interruptions import KillPoint, interrupt, kernel_folders, start, wait_for
from support import copy_project

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("shutdown")]

REFUSED_EXIT, INTERRUPTED_EXIT = 2, 130
WARMING_UP = KillPoint("validating data", force=True, line="Validating data", after=0.3)
AT_EXIT = ("Traceback", "Bad file descriptor", "Exception ignored", "OSError")


def refused_project(root: Path) -> Project:
    """The reference project with one value validation refuses (a word where a count belongs)."""
    project = copy_project(root)
    data = project.data_dir / "complaints.csv"
    rows = list(csv.DictReader(io.StringIO(data.read_text(encoding="utf-8"))))
    rows[0]["value"] = "many"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return project


def problems(output: str, code: int, expected: int, tmp: Path) -> list[str]:
    """What is wrong with how a build ended (empty when it ended as it should)."""
    wrong = [] if code == expected else [f"exit {code}, not {expected}"]
    wrong += [f"printed {word!r}" for word in AT_EXIT if word in output]
    if kernel_folders(tmp):
        wrong.append("left kernel folders")
    return [f"{w}: {output[-1500:]}" for w in wrong[:1]] + wrong[1:]


def refused_build(project: Project) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="cswo-shutdown-") as folder:
        tmp = Path(folder)
        run = start(project, tmp)
        try:
            code = run.process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            run.process.kill()
            return ["a refused build did not end within 10 minutes"]
        return problems(run.output(), code, REFUSED_EXIT, tmp)


def interrupted_build(project: Project, how: str = "Ctrl-C") -> list[str]:
    with tempfile.TemporaryDirectory(prefix="cswo-shutdown-") as folder:
        tmp = Path(folder)
        run = start(project, tmp, force=True)
        if not wait_for(WARMING_UP, run, project):
            run.process.kill()
            return [f"the build ended before it was interrupted: {run.output()[-800:]}"]
        code = interrupt(run, how)
        named = [] if f"stopped ({how})" in run.output() else [f"the sentence does not name {how}"]
        return problems(run.output(), code, INTERRUPTED_EXIT, tmp) + named


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> tuple[Project, Project]:
    root = tmp_path_factory.mktemp("shutdown")
    return refused_project(root / "refused"), copy_project(root / "good")


def test_refused_and_interrupted_builds_end_without_a_traceback(projects):
    refused, good = projects
    found = [refused_build(refused) for _ in range(2)]
    found += [interrupted_build(good, how) for how in ("Ctrl-C", "SIGTERM")]
    assert [wrong for wrong in found if wrong] == []


def test_the_check_sees_a_traceback_at_exit(tmp_path):
    """The check above can fail: a process that dies of an exception at exit is caught."""
    code = "import atexit, os\natexit.register(lambda: os.write(987, b''))\nraise SystemExit('Error: refused.')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "Bad file descriptor" in problems(done.stdout + done.stderr, done.returncode, 1, tmp_path)[0]


@pytest.mark.soak
def test_two_hundred_refused_and_interrupted_builds_under_load(tmp_path):
    lanes = [(refused_project(tmp_path / f"refused-{i}"), copy_project(tmp_path / f"good-{i}")) for i in range(2)]
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)
    ]  # every core kept busy: the race shows when the exit handlers and the pool's thread are slow

    def lane(projects: tuple[Project, Project]) -> list[list[str]]:
        refused, good = projects
        found = []
        for i in range(50):
            found.append(refused_build(refused))
            found.append(interrupted_build(good, "Ctrl-C" if i % 2 else "SIGTERM"))
        return found

    try:
        with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
            found = [wrong for results in pool.map(lane, lanes) for wrong in results]
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert len(found) == 200
    assert [wrong for wrong in found if wrong] == []
