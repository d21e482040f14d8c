"""The interruption probe's driver: real `cswo build` processes, stopped at chosen points.

A build runs in its own process group with a private temporary folder (so its kernel folders
are told apart from other builds on the machine). A :class:`KillPoint` says when to stop it:
when a progress line appears on its console, when a file appears, or at one of publish.py's
pause points (the build stops itself there, and the probe then kills it). After each stop,
:func:`damage` lists what is wrong: the year's outputs missing, incomplete or unreadable; a
kernel of the stopped build still running; its kernel folders still present once the next
build has started.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from cswo.project.paths import Project
from cswo.publish.release import PAUSE_AT
from cswo.run.kernels import PREFIX
from support import REFERENCE_YEAR, copy_project

YEAR = REFERENCE_YEAR
GIVE_UP = 600  # seconds: a trigger that never comes means the build ended first


@dataclass(frozen=True)
class KillPoint:
    """When to stop a build. ``force`` re-runs every section (kernels run); otherwise the cache serves them
    and a prose edit makes the papers be written again (pandoc and Typst run)."""

    name: str
    force: bool = False
    line: str | None = None  # a console line containing this, its ``count``-th time
    count: int = 1
    path: str | None = None  # a glob under the project (or, starting "kernel", a kernel folder of this build)
    pause: str | None = None  # a pause point in publish.py
    after: float = 0.0  # seconds to wait once triggered
    legacy: bool = False  # outputs/<year> is a real folder, as an older version left it

    def __str__(self) -> str:
        return self.name


# Spread over the whole build: start-up, checks, sections in kernels, writing, checking, publishing.
KILL_POINTS = [
    KillPoint("start-up (importing)", force=True, line="Checking parameters"),
    KillPoint("validating data", force=True, line="Validating data"),
    KillPoint("identifier scan", force=True, line="Scanning inputs"),
    KillPoint("sections submitted", force=True, line="Running sections"),
    KillPoint("kernel starting", force=True, path="kernel"),
    KillPoint("kernel running cells", force=True, path="kernel", after=3.0),
    KillPoint("first section running", force=True, line="running", after=1.0),
    KillPoint("a section just finished", force=True, line="done ", count=1),
    KillPoint("sections half done", force=True, line="done ", count=6),
    KillPoint("last sections finishing", force=True, line="done ", count=12),
    KillPoint("writing begins", line="Writing documents"),
    KillPoint("staging prepared", pause="staging-prepared"),
    KillPoint("pandoc writing", line=" papers", after=0.5),
    KillPoint("kept papers copied into staging", path=f"outputs/.staging/{YEAR}/**/*.docx"),
    KillPoint("pandoc and Typst writing, later", line=" papers", after=2.0),
    KillPoint("checking documents", line="Checking documents"),
    KillPoint("figures file written, checks starting", path=f"outputs/.staging/{YEAR}/figures.csv"),
    KillPoint("publish: staged as a release", pause="staged-as-release"),
    KillPoint("publish: new link made", pause="link-made"),
    KillPoint("publish: link switched, old set not yet pruned", pause="switched"),
    KillPoint("publish: older version's folder exchanged", pause="exchanged", legacy=True),
    KillPoint("publish: older version's folder, before the exchange", pause="link-made", legacy=True),
]
SUMMARY = "Documents in "  # the title of the table a finished build prints: its work is done
FAST_KILL_POINTS = ["kernel running cells", "pandoc writing", "publish: new link made"]


@dataclass
class Run:
    """One `cswo build` process and what it printed."""

    process: subprocess.Popen
    tmp: Path
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def read(self) -> None:
        for raw in self.process.stdout:  # the console (stdout and stderr together)
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def seen(self, text: str, count: int = 1) -> bool:
        return sum(text in line for line in list(self.lines)) >= count

    def output(self) -> str:
        if self.reader is not None:
            self.reader.join(timeout=10)
        return "\n".join(self.lines)

    def stopped(self) -> bool:
        """Whether the build stopped itself at a pause point."""
        try:
            return psutil.Process(self.process.pid).status() == psutil.STATUS_STOPPED
        except psutil.Error:
            return False


def command() -> list[str]:
    script = Path(sys.executable).with_name("cswo")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from cswo.cli import app; app()"]


def start(project: Project, tmp: Path, force: bool = False, pause: str | None = None) -> Run:
    """`cswo build --year <YEAR>` in its own process group, its kernels' folders under ``tmp``."""
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONUNBUFFERED="1", COLUMNS="200")
    env.pop(PAUSE_AT, None)
    if pause:
        env[PAUSE_AT] = pause
    args = [*command(), "--project", str(project.root), "build", "--year", YEAR, *(["--force"] if force else [])]
    process = subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    run = Run(process, tmp)
    run.reader = threading.Thread(target=run.read, daemon=True)
    run.reader.start()
    return run


def kernel_folders(tmp: Path, pid: int | None = None) -> list[Path]:
    pattern = f"{PREFIX}{pid}-*" if pid else f"{PREFIX}*"
    return sorted(p for p in tmp.glob(pattern) if p.is_dir())


def kernel_processes(tmp: Path) -> list[int]:
    """Running processes started with a connection file under ``tmp`` (kernels of builds using it)."""
    found = []
    for process in psutil.process_iter():
        try:
            line = " ".join(process.cmdline())
        except psutil.Error:
            continue
        if str(tmp) in line and "kernel" in line:
            found.append(process.pid)
    return found


def wait_for(point: KillPoint, run: Run, project: Project) -> bool:
    """Wait until the kill point is reached; False if the build ended first."""
    deadline = time.monotonic() + GIVE_UP
    while time.monotonic() < deadline:
        if point.pause and run.stopped():
            return True
        if point.line and run.seen(point.line, point.count):
            break
        if point.path == "kernel" and kernel_folders(run.tmp, run.process.pid):
            break
        if point.path and point.path != "kernel" and next(project.root.glob(point.path), None):
            break
        if run.process.poll() is not None:
            return False
        time.sleep(0.02)
    else:
        return False
    time.sleep(point.after)
    return run.process.poll() is None and not run.seen(SUMMARY)  # not yet ended, nor only shutting down


def interrupt(run: Run, how: str) -> int:
    """Stop a build as a terminal (Ctrl-C: SIGINT to the group) or a service manager (SIGTERM to the
    build) would; its exit code. A build still running after 60 s is killed (a hang guard, not a timing)."""
    if how == "Ctrl-C":
        signal_group(run, signal.SIGINT)
    else:
        run.process.send_signal(signal.SIGTERM)
    try:
        return run.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        signal_group(run, signal.SIGKILL)
        return run.process.wait(timeout=30)


def signal_group(run: Run, signum: int) -> None:
    try:
        os.killpg(run.process.pid, signum)
    except ProcessLookupError:
        pass


def published_files(project: Project) -> list[str]:
    folder = project.year_outputs(YEAR)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def unreadable(project: Project) -> list[str]:
    """Published papers that do not open (pdfplumber, python-docx) or are empty."""
    import docx
    import pdfplumber

    bad = []
    folder = project.year_outputs(YEAR)
    for path in sorted(folder.rglob("*")):
        try:
            if path.suffix == ".pdf":
                with pdfplumber.open(path) as pdf:
                    if not pdf.pages or not (pdf.pages[0].extract_text() or "").strip():
                        bad.append(f"{path.name}: no text on page 1")
            elif path.suffix == ".docx":
                if not any(p.text.strip() for p in docx.Document(str(path)).paragraphs):
                    bad.append(f"{path.name}: no paragraphs")
        except Exception as exc:  # any failure to open is the finding
            bad.append(f"{path.name}: {type(exc).__name__}: {exc}")
    return bad


def outputs_damage(project: Project, expected: list[str]) -> list[str]:
    folder = project.year_outputs(YEAR)
    if not folder.is_dir():
        return [f"outputs/{YEAR} is missing"]
    damage = []
    files = published_files(project)
    if files != expected:
        gone, extra = sorted(set(expected) - set(files)), sorted(set(files) - set(expected))
        damage.append(f"outputs/{YEAR} holds other files (missing {gone[:5]}, unexpected {extra[:5]})")
    return damage + unreadable(project)


def kernels_gone(tmp: Path, patience: float = 15.0) -> list[int]:
    """Kernel processes under ``tmp`` still running after ``patience`` seconds (a kernel notices its
    parent is gone within a second or two)."""
    deadline = time.monotonic() + patience
    while (alive := kernel_processes(tmp)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive


def kill_at(project: Project, point: KillPoint, expected: list[str], tmp: Path) -> dict:
    """Run a build, SIGKILL its whole process group at ``point``; what the kill left behind."""
    if point.legacy:
        as_real_folder(project)
    if not point.force:
        edit_prose(project)
    run = start(project, tmp, force=point.force, pause=point.pause)
    reached = wait_for(point, run, project)
    signal_group(run, signal.SIGKILL)
    run.process.wait(timeout=30)
    output = run.output()
    found = {"point": point.name, "reached": reached, "pid": run.process.pid, "output": output[-2000:]}
    found["damage"] = outputs_damage(project, expected)
    found["kernels"] = kernels_gone(tmp)
    found["folders"] = [p.name for p in kernel_folders(tmp, run.process.pid)]
    return found


def edit_prose(project: Project) -> None:
    """A new closing sentence in the introduction: no kernel re-runs, but every paper is written again."""
    import random
    import string

    import nbformat

    path = project.notebook(YEAR, "introduction")
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in reversed(nb.cells) if c.cell_type == "markdown")
    mark = "".join(random.choices(string.ascii_lowercase, k=8))  # letters only: typed digits are refused
    kept = re.sub(r"\n*This copy was checked \(\w+\)\.$", "", cell.source)
    cell.source = f"{kept}\n\nThis copy was checked ({mark})."
    nbformat.write(nb, path)


def as_real_folder(project: Project) -> None:
    """Turn outputs/<year> into a real folder holding the published set, as an older version left it."""
    published = project.year_outputs(YEAR)
    if not published.is_symlink():
        return
    real = published.with_name(f".{published.name}.copy")
    shutil.rmtree(real, ignore_errors=True)
    shutil.copytree(published, real)
    published.unlink()
    real.rename(published)


def leftovers_after_next_start(project: Project, dead_pid: int, tmp: Path) -> list[str]:
    """Kernel folders of the dead build still present once the next build has got going."""
    run = start(project, tmp, force=False)
    try:
        deadline = time.monotonic() + GIVE_UP
        while not run.seen("Validating data") and run.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return [p.name for p in kernel_folders(tmp, dead_pid)]
    finally:
        signal_group(run, signal.SIGKILL)
        run.process.wait(timeout=30)


def prepared_project(base: Path) -> tuple[Project, list[str]]:
    """A copy of the reference project with a good published set and a warm cache; its file list."""
    project = copy_project(base / "project")
    tmp = Path(tempfile.mkdtemp(prefix="cswo-probe-"))
    try:
        run = start(project, tmp)
        code = run.process.wait(timeout=GIVE_UP)
        assert code == 0, run.output()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return project, published_files(project)


PROGRESS = re.compile(r"^\s*(•|running |done |reused )")


def said_after(run: Run, mark: int) -> list[str]:
    """What the build said after its first ``mark`` console lines, progress lines left out."""
    return [line for line in run.output().splitlines()[mark:] if line.strip() and not PROGRESS.match(line)]
