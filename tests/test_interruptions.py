"""Builds killed, interrupted or terminated at points spread over the whole build, the publish window
included: the year's outputs are always present and intact, and no kernel or connection file of the
stopped build is left.

`make test` kills a build at three points and interrupts one; `make soak` runs every kill point and
more interrupts, and writes the figures to docs/robustness.md.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from interruptions import (
    FAST_KILL_POINTS,
    KILL_POINTS,
    YEAR,
    KillPoint,
    edit_prose,
    interrupt,
    kernel_folders,
    kernel_processes,
    kernels_gone,
    kill_at,
    leftovers_after_next_start,
    outputs_damage,
    prepared_project,
    said_after,
    start,
    wait_for,
)
from support import ROOT
from test_malformed import write_section

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("interruptions")]

STOP_WITHIN = 5.0  # seconds from Ctrl-C or SIGTERM to the build's exit (issue #15)
STOPPED = "The build was stopped"
# "checking documents" is a short stage since the checks run as each document is written: the interrupt is
# sent as soon as it starts (half a second later the build had printed its summary and was shutting down)
INTERRUPTS = [
    ("Ctrl-C", KillPoint("kernels running cells", force=True, path="kernel", after=3.0)),
    ("Ctrl-C", KillPoint("pandoc and Typst writing", line=" papers", after=0.5)),
    ("Ctrl-C", KillPoint("checking documents", line="Checking documents")),
    ("SIGTERM", KillPoint("kernels running cells", force=True, path="kernel", after=3.0)),
    ("SIGTERM", KillPoint("pandoc and Typst writing", line=" papers", after=0.5)),
    ("SIGTERM", KillPoint("checking documents", line="Checking documents")),
]


@pytest.fixture(scope="session")
def probe(tmp_path_factory):
    """A project with a good published set and a warm cache, and the files that set holds.
    Session-wide: xdist hands a worker one test at a time, and a module fixture would be built
    again (a cold build) whenever the worker's queue ran empty."""
    return prepared_project(tmp_path_factory.mktemp("interruptions"))


@pytest.fixture
def builds_tmp():
    """The builds' temporary folder: their kernel folders, and nobody else's."""
    folder = Path(tempfile.mkdtemp(prefix="cswo-probe-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def after_kill(project, expected, point: KillPoint, tmp: Path) -> dict:
    """Kill a build at ``point``; what it left, including once the next build has started."""
    found = kill_at(project, point, expected, tmp)
    found["left"] = leftovers_after_next_start(project, found["pid"], tmp)
    return found


def kill_problems(found: dict) -> list[str]:
    """Everything wrong after a kill (empty when all is well)."""
    wrong = [] if found["reached"] else [f"the build ended before the kill point: {found['output'][-500:]}"]
    wrong += found["damage"]
    if found["kernels"]:
        wrong.append(f"kernels of the killed build still running: {found['kernels']}")
    if found["left"]:
        wrong.append(f"kernel folders of the killed build once the next build started: {found['left']}")
    return wrong


def after_interrupt(project, expected, how: str, point: KillPoint, tmp: Path) -> dict:
    """Interrupt a build at ``point`` as a terminal (Ctrl-C: SIGINT to the group) or a service manager
    (SIGTERM to the build) would; what it did and left."""
    if not point.force:
        edit_prose(project)
    # a build killed outright earlier in the group (same probe project) cannot remove its staging folder, and a
    # build stopped before it prepares its own never reaches it: what is checked below is this build's own
    shutil.rmtree(project.outputs_dir / ".staging", ignore_errors=True)
    run = start(project, tmp, force=point.force)
    reached = wait_for(point, run, project)
    mark = len(run.lines)
    sent = time.monotonic()
    code = interrupt(run, how)
    seconds = time.monotonic() - sent
    return {
        "reached": reached,
        "code": code,
        "seconds": seconds,
        "said": said_after(run, mark),
        "damage": outputs_damage(project, expected),
        "kernels": kernels_gone(tmp, patience=2.0),
        "folders": [p.name for p in kernel_folders(tmp)],
        "staging": (project.outputs_dir / ".staging" / YEAR).exists(),
    }


def interrupt_problems(found: dict, how: str, timed: bool = False) -> list[str]:
    """What an interrupt got wrong. Only the soak sweep holds it to the issue's 5 s (``timed``):
    `make test` asserts no timings, only that the build stopped (the 60 s hang guard above)."""
    wrong = [] if found["reached"] else ["the build ended before the interrupt"]
    if timed and found["seconds"] > STOP_WITHIN:
        wrong.append(f"took {found['seconds']:.1f}s to stop")
    if found["code"] != 130:
        wrong.append(f"exit code {found['code']}, not 130")
    said = found["said"]
    if len(said) != 1 or STOPPED not in said[0] or how not in said[0]:
        wrong.append(f"said {said!r}, not one sentence that the build was stopped ({how})")
    wrong += found["damage"]
    if found["kernels"] or found["folders"]:
        wrong.append(f"left kernels {found['kernels']} and kernel folders {found['folders']}")
    if found["staging"]:
        wrong.append("left its staging folder")
    return wrong


FAST = [p for p in KILL_POINTS if p.name in FAST_KILL_POINTS]


def test_the_probe_sees_missing_unreadable_and_surviving_things(tmp_path, builds_tmp):
    """The probe's own eyes: without these, every kill point could pass by seeing nothing."""
    import sys

    from cswo.project.paths import Project

    project = Project(tmp_path)
    folder = project.year_outputs(YEAR)
    folder.mkdir(parents=True)
    (folder / "paper.pdf").write_bytes(b"%PDF-1.7 cut short")
    (folder / "paper.docx").write_bytes(b"PK not a document")
    damage = outputs_damage(project, ["figures.csv", "paper.docx", "paper.pdf"])
    assert "missing ['figures.csv']" in damage[0] and len(damage) == 3, damage
    shutil.rmtree(folder)
    assert outputs_damage(project, ["paper.pdf"]) == [f"outputs/{YEAR} is missing"]
    connection = builds_tmp / "cswo-kernel-1-x" / "kernel.json"
    kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", str(connection)])
    try:
        deadline = time.monotonic() + 30  # until the new process has exec'd and shows its command line
        while kernel.pid not in kernel_processes(builds_tmp) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert kernels_gone(builds_tmp, patience=0.5) == [kernel.pid]
    finally:
        kernel.kill()
        kernel.wait()


@pytest.mark.parametrize("point", FAST, ids=[p.name for p in FAST])
def test_a_killed_build_leaves_the_outputs_intact_and_no_kernels(probe, point, builds_tmp):
    project, expected = probe
    assert kill_problems(after_kill(project, expected, point, builds_tmp)) == []


def test_ctrl_c_stops_a_build_with_one_sentence_and_leaves_nothing(probe, builds_tmp):
    project, expected = probe
    how, point = INTERRUPTS[0]
    assert interrupt_problems(after_interrupt(project, expected, how, point, builds_tmp), how) == []


@pytest.mark.soak
def test_the_full_interruption_sweep(probe, builds_tmp):
    project, expected = probe
    assert len(KILL_POINTS) >= 20 and any(p.pause in ("link-made", "switched") for p in KILL_POINTS)
    kills = {point.name: after_kill(project, expected, point, builds_tmp) for point in KILL_POINTS}
    interrupts = {}
    for how, point in INTERRUPTS:
        found = after_interrupt(project, expected, how, point, builds_tmp)
        interrupts[f"{how}: {point.name}"] = (found, interrupt_problems(found, how, timed=True))
    write_section(ROOT / "docs" / "robustness.md", "interruption-sweep", report(kills, interrupts))
    assert {name: kill_problems(found) for name, found in kills.items() if kill_problems(found)} == {}
    assert {name: wrong for name, (_, wrong) in interrupts.items() if wrong} == {}


def report(kills: dict[str, dict], interrupts: dict[str, tuple[dict, list[str]]]) -> str:
    """The sweep's figures as docs/robustness.md shows them."""
    reached = sum(found["reached"] for found in kills.values())
    intact = sum(not found["damage"] for found in kills.values())
    kernels = sum(len(found["kernels"]) for found in kills.values())
    folders = sum(len(found["left"]) for found in kills.values())
    lines = [
        f"Kill points: **{len(kills)}** (SIGKILL to the build's process group), {reached} reached before the "
        f"build ended; outputs present and intact after **{intact}**; kernels of a killed build still running "
        f"(after 15 s): **{kernels}**; its kernel folders left once the next build started: **{folders}**.",
        "",
        "| Kill point | Result |",
        "|---|---|",
        *[f"| {name} | {'; '.join(kill_problems(found)) or 'intact, nothing left'} |" for name, found in kills.items()],
        "",
        "| Interrupt | Stopped in | Exit | Said | Result |",
        "|---|---|---|---|---|",
    ]
    for name, (found, wrong) in interrupts.items():
        said = " / ".join(found["said"])[:90]
        lines.append(f"| {name} | {found['seconds']:.1f} s | {found['code']} | {said} | {'; '.join(wrong) or 'ok'} |")
    return "\n".join(lines)
