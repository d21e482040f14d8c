"""Section workers started ahead of the sections: their kernels warm up, and go however the build ends."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
import time

import psutil
import pytest

from cswo.run import kernels
from cswo.run.workers import SectionPool, WarmKernel
from interruptions import kernel_processes
from support import REFERENCE_YEAR, ROOT, copy_project

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("workers")]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _until(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _imported(pool: SectionPool, module: str) -> bool:
    """Whether the pool's (one) kernel has imported ``module``, asked in the worker."""
    return _kernel_holds(pool, f"{module!r} in __import__('sys').modules")


def _kernel_holds(pool: SectionPool, expression: str) -> bool:
    return pool.submit(_kernel_evaluates, expression).result(timeout=120)


def _kernel_evaluates(expression: str) -> bool:
    if WarmKernel.client is None:
        return False
    try:
        WarmKernel.run(f"assert {expression}")
    except RuntimeError:
        return False
    return True


def test_a_pool_starts_and_warms_its_kernels_before_any_section(private_tmp):
    pool = SectionPool(1, "python3", ROOT, {"charts": True})
    try:
        assert _imported(pool, "cswo.notebook") and _imported(pool, "vl_convert")
        # jsonschema (under Altair) left without the rfc3987 grammar, as the CLI leaves it
        assert _kernel_holds(pool, "__import__('sys').modules['rfc3987_syntax'] is None")
        assert not _imported(pool, "lark")
        assert len(kernels.leftovers()) == 1
    finally:
        pool.close()
    assert kernels.leftovers() == [] and kernel_processes(private_tmp) == []


def _threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if not t.daemon}


def test_stopping_a_pool_while_its_kernels_start_leaves_nothing(private_tmp):
    before = _threads()
    for wait in (0.0, 0.3, 1.0):  # before, during and after the kernels' start
        pool = SectionPool(2, "python3", ROOT, {"charts": True})
        time.sleep(wait)
        pool.stop()
        # nor the pool's manager thread, which at interpreter exit raced concurrent.futures' exit handler
        assert _threads() == before, f"threads left after {wait}s: {_threads() - before}"
        assert _until(lambda: not kernel_processes(private_tmp), 5), f"kernels left after {wait}s"
        assert kernels.leftovers() == []


# Run in a process of its own that adopts orphans, as a container's init or a service manager does: the
# kernel of a killed worker is not handed to pid 1, so a check for "my parent is now pid 1" would miss it.
_ORPHAN_PROBE = """
import ctypes, os, signal, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
from cswo.run import kernels
from cswo.run.workers import SectionPool
from test_workers import _alive, _imported, _until
from pathlib import Path
pool = SectionPool(1, "python3", Path.cwd(), {"charts": False})
assert _imported(pool, "cswo.notebook")
kernel = [int((folder / "kernel.pid").read_text()) for folder in kernels.leftovers()]
assert len(kernel) == 1 and _alive(kernel[0]), kernel
os.kill(pool.workers[0].pid, signal.SIGKILL)
gone = _until(lambda: not _alive(kernel[0]), 10)
if not gone:
    os.kill(kernel[0], signal.SIGKILL)
pool.stop()
print("kernel gone" if gone else "kernel outlived its worker")
"""


def test_a_kernel_leaves_when_its_worker_is_killed_outright(private_tmp):
    # the probe imports this module's helpers: the tests folder on its path, as pytest has it
    path = os.pathsep.join(p for p in (str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, TMPDIR=str(private_tmp), PYTHONPATH=path)
    done = subprocess.run(
        [sys.executable, "-c", _ORPHAN_PROBE, str(private_tmp)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.stdout.strip().splitlines()[-1:] == ["kernel gone"], done.stdout + done.stderr


def test_a_validation_failure_stops_the_early_kernels_with_one_sentence(tmp_path):
    project = copy_project(tmp_path / "project")
    data = project.data_dir / "complaints.csv"
    rows = list(csv.DictReader(io.StringIO(data.read_text(encoding="utf-8"))))
    rows[0]["value"] = "many"  # not a number: validation refuses it, naming the file and cell
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    command = [sys.executable, "-c", "from cswo.cli import app; app()", "--project", str(project.root)]
    env = dict(os.environ, TMPDIR=str(tmp), COLUMNS="200")
    done = subprocess.run(
        [*command, "build", "--year", REFERENCE_YEAR], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "complaints.csv" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not list(tmp.glob(f"{kernels.PREFIX}*")), "kernel folders left behind"
    assert _until(lambda: not kernel_processes(tmp), 5), "kernels left running"


@pytest.mark.parametrize("how", ["Ctrl-C", "SIGTERM"])
def test_stopping_a_build_while_its_kernels_warm_up_leaves_nothing(tmp_path, how):
    """Ctrl-C or SIGTERM while the data is checked and the early kernels start: one sentence, nothing left."""
    from interruptions import KillPoint, interrupt, kernels_gone, said_after, start, wait_for

    project = copy_project(tmp_path / "project")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    run = start(project, tmp, force=True)
    assert wait_for(KillPoint("validating data", force=True, line="Validating data", after=0.3), run, project)
    mark = len(run.lines)
    code = interrupt(run, how)
    said = said_after(run, mark)
    assert code == 130 and len(said) == 1 and how in said[0], said
    assert kernels_gone(tmp, patience=2.0) == []
    assert not list(tmp.glob(f"{kernels.PREFIX}*")), "kernel folders left behind"


# The build's command, with fork_workers replaced by a probe that reports what the build had imported when
# its section workers were forked (a fork carries every module imported so far as its own resident memory).
_FORK_PROBE = """
import sys
import cswo.run.execute as execute

def probe(workers=None):
    heavy = sorted(m for m in ("cswo.pipeline.build", "cswo.compose.section", "nbconvert", "docx") if m in sys.modules)
    print("imported when forked:", ", ".join(heavy) or "none")
    raise SystemExit(0)

execute.fork_workers = probe
from cswo.cli import app
app()
"""


def test_the_section_workers_are_forked_before_the_pipeline_is_imported(tmp_path):
    project = copy_project(tmp_path / "project")
    command = [sys.executable, "-c", _FORK_PROBE, "--project", str(project.root), "build", "--year", REFERENCE_YEAR]
    done = subprocess.run([*command, "--force"], capture_output=True, text=True, timeout=120)
    assert "imported when forked: none" in done.stdout.splitlines(), done.stdout + done.stderr
