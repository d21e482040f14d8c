"""Benchmark: `cswo build` against the pipeline an analyst would script by hand.

Run with `make bench`. Everything happens in a temporary copy of the project, so
the working tree is never touched. Prints a table of medians and ratios and
writes docs/benchmarks.md.

Scenarios (each run --runs times, median wall time, peak memory of the whole
process tree):
  baseline   papermill CLI on each section notebook in turn, nbconvert to
             markdown, then pandoc (Word) and pandoc + Typst (PDF) for each
             document the suite writes
  cold       `cswo build` with no cache and no previous outputs
  unchanged  `cswo build` again with nothing changed
  narrative  after editing one section's narrative
  data       after changing one data file (only the sections reading it re-run)
  preview    `cswo preview` after one prose edit: the first committee's paper as a
             draft PDF (a fresh process)
  live       the analyst's loop while writing: a prose edit saved while `cswo preview`
             is watching, timed until it says the draft PDF is re-rendered
Then the stages of one cold build and one prose-edit build, timed in-process.
Then a growth run on a synthetic project: 20 years of history and twice the
sections, cold and after one narrative edit.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YEAR = "2021-22"
# in U: a fresh `python -c "import pandas, altair, vl_convert"`, measured in the same run
TARGETS = {"cold": 10, "unchanged": 0.5, "narrative": 8, "draft": 4, "live": 1}
MEMORY_TARGET_MIB = 1024
UNIT_CODE = "import sys; sys.modules['rfc3987_syntax'] = None; import pandas, altair, vl_convert"


def copy_project(target: Path) -> Path:
    """A copy of the reference project, its year closed as for committee (so a build is final)."""
    from cswo.project.paths import Project

    root = Project(ROOT).copy_to(target).root
    close_year(root)
    return root


def close_year(root: Path) -> None:
    """Fill the reference year's only open items (the Policy and Resources meeting date and report number,
    one review_required note), as tests/support.py's close_reference_year does, so its builds are final and
    do the final-only work. Raises SystemExit if the parameters no longer read as expected."""
    path = root / "parameters" / f"{YEAR}.yml"
    text = path.read_text(encoding="utf-8")
    filled = text.replace('"[TO COMPLETE: Policy and Resources Committee meeting date]"', "2022-12-12")
    filled = filled.replace('"[TO COMPLETE: report number]"', "PAC123-2022")
    filled = re.sub(r"\nreview_required:\n(  - .*\n)+", "\n", filled)
    if "[TO COMPLETE" in filled or "review_required" in filled or filled == text:
        raise SystemExit(f"bench: {path.name} no longer has the open items close_year fills")
    path.write_text(filled, encoding="utf-8")


def sign_off(project: Path, section: str) -> None:
    """The reviewer signs the edited section off again, so the year stays final (outside the timing)."""
    env = {**os.environ, "CSWO_PROJECT": str(project)}
    command = [str(BIN / "cswo"), "review", "sign", section, "--year", YEAR, "--by", "Benchmark"]
    subprocess.run(command, cwd=project, env=env, capture_output=True, check=True)


def tree_memory(pid: int) -> list[tuple[str, int, object]]:
    """(kind, pid, memory_full_info) of every process of the tree under ``pid`` now: RSS, USS and PSS read
    together (smaps_rollup); empty once the tree has gone."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return []
    rows = []
    for proc in procs:
        try:
            rows.append((process_kind(proc, root), proc.pid, proc.memory_full_info()))
        except psutil.Error:
            pass
    return rows


class TreeSampler:
    """Calls :meth:`take` with :func:`tree_memory` every ``interval`` seconds, in a thread, until :meth:`stop`.
    A subclass sets what ``take`` fills before calling ``__init__`` (the thread starts at once)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval = pid, interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def take(self, rows: list[tuple[str, int, object]]) -> None:
        raise NotImplementedError

    def _sample(self) -> None:
        while not self._done.is_set():
            self.take(tree_memory(self.pid))
            time.sleep(self.interval)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


class PeakMemory(TreeSampler):
    """The largest total memory (MiB) of a process and its children, sampled every 50 ms.

    ``peak`` is the largest sum of resident memory (RSS), the figure the target is set for: it counts a
    page shared by several processes once in each (the section workers are forked from `cswo`, the
    kernels share their libraries). ``peak_pss`` is the largest proportional sum (PSS: each shared page
    split between its sharers), the memory the build really takes from the machine."""

    def __init__(self, pid: int) -> None:
        self.peak, self.peak_pss = 0.0, 0.0
        self.parts: dict[str, float] = {}  # at the RSS peak: MiB by kind of process (main, workers, kernels, ...)
        self.pss_parts: dict[str, float] = {}  # at the PSS peak: PSS MiB by kind of process
        self.seen: dict[str, set[int]] = {}  # pandoc and LibreOffice processes seen (each lives > 50 ms)
        super().__init__(pid)

    def take(self, rows: list[tuple[str, int, object]]) -> None:
        parts: dict[str, float] = {}
        pss: dict[str, float] = {}
        for kind, pid, info in rows:
            parts[kind] = parts.get(kind, 0) + info.rss / 2**20
            pss[kind] = pss.get(kind, 0) + info.pss / 2**20
            if kind in ("pandoc", "LibreOffice"):
                self.seen.setdefault(kind, set()).add(pid)
        if sum(parts.values()) > self.peak:
            self.peak, self.parts = sum(parts.values()), parts
        if sum(pss.values()) > self.peak_pss:
            self.peak_pss, self.pss_parts = sum(pss.values()), pss

    def stop(self) -> float:
        super().stop()
        return self.peak


def process_kind(proc, root) -> str:
    """What a process of the build is, for the memory breakdown."""
    if proc.pid == root.pid:
        return "main"
    name = proc.name().lower()
    if "pandoc" in name:
        return "pandoc"
    if "soffice" in name or "oosplash" in name:
        return "LibreOffice"
    line = proc.cmdline()
    if "ipykernel" in " ".join(line):
        return "kernels"
    joined = " ".join(line)
    # a section worker is forked from the build: it has the build's own command line
    if line == root.cmdline() or "multiprocessing" in joined or "forkserver" in joined or name.startswith("python"):
        return "workers"
    return "other"


LAST: dict = {}  # the breakdown of the last measure(): memory by kind of process, processes seen, CPU time


def measure(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of the whole process tree.

    Also, in LAST: the CPU seconds of the whole tree (every process the command waited for), the
    memory at the peak by kind of process, and the pandoc and LibreOffice processes seen.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        memory = PeakMemory(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        peak = memory.stop()
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode(errors='replace')[-3000:]}")
    LAST.clear()
    LAST.update(
        cpu=usage.ru_utime + usage.ru_stime,
        parts={k: round(v) for k, v in sorted(memory.parts.items())},
        pss=round(memory.peak_pss),
        pss_parts={k: round(v) for k, v in sorted(memory.pss_parts.items())},
        seen={k: len(v) for k, v in memory.seen.items()},
    )
    return elapsed, peak


def baseline_script(project: Path, sections: list[str], work: Path) -> list[list[str]]:
    """The commands a hand-rolled pipeline runs: one process per step, nothing reused."""
    commands = []
    notebooks = project / "notebooks" / YEAR
    md = work / "md"
    for name in sections:
        commands.append(
            [
                str(BIN / "papermill"),
                str(notebooks / f"{name}.ipynb"),
                str(work / f"{name}.ipynb"),
                "-p",
                "project_root",
                str(project),
                "-p",
                "output_dir",
                str(md),
                "--cwd",
                str(notebooks),
                "--no-progress-bar",
            ]
        )
    commands.append(
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--to",
            "markdown",
            "--no-input",
            "--NbConvertBase.display_data_priority=['text/markdown', 'image/png', 'text/plain']",
            "--output-dir",
            str(md),
            *[str(work / f"{n}.ipynb") for n in sections],
        ]
    )
    pandoc = subprocess.run(
        [sys.executable, "-c", "import pypandoc;print(pypandoc.get_pandoc_path())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    markdown = [str(md / f"{n}.md") for n in sections]
    compile_typst = (
        "import sys, typst, font_source_sans_pro, pathlib; typst.compile(sys.argv[1], "
        "output=sys.argv[2], font_paths=[str(pathlib.Path(font_source_sans_pro.__file__).parent)])"
    )
    templates = ROOT / "lib" / "cswo" / "templates"
    style = [
        "--lua-filter",
        str(templates / "cswo.lua"),
        "--metadata",
        "title=CSWO Annual Report",
        "--metadata",
        "lang=en-GB",
    ]
    for document in ("ijb-paper", "policy-resources-paper", "annual-report"):
        commands.append([pandoc, *markdown, *style, "--resource-path", str(md), "-o", str(work / f"{document}.docx")])
        commands.append(
            [
                pandoc,
                *markdown,
                *style,
                "-s",
                "-t",
                "typst",
                "--template",
                str(templates / "report.typ"),
                "-o",
                str(md / f"{document}.typ"),
            ]
        )
        commands.append(
            [sys.executable, "-c", compile_typst, str(md / f"{document}.typ"), str(work / f"{document}.pdf")]
        )
    return commands


def run_baseline(project: Path, sections: list[str]) -> tuple[float, float]:
    work = Path(tempfile.mkdtemp(prefix="cswo-baseline-"))
    (work / "md").mkdir()
    total, peak = 0.0, 0.0
    for command in baseline_script(project, sections, work):
        seconds, memory = measure(command, project)
        total += seconds
        peak = max(peak, memory)
    shutil.rmtree(work, ignore_errors=True)
    return total, peak


def cswo_build(project: Path, draft: bool = False) -> tuple[float, float, dict]:
    env = {**os.environ, "CSWO_PROJECT": str(project)}
    command = [str(BIN / "cswo"), "build", "--year", YEAR, *(["--draft"] if draft else [])]
    return (*measure(command, project, env), dict(LAST))


def cswo_preview(project: Path) -> tuple[float, float, dict]:
    env = {**os.environ, "CSWO_PROJECT": str(project)}
    return (*measure([str(BIN / "cswo"), "preview", "--year", YEAR, "--max-builds", "1"], project, env), dict(LAST))


def live_preview(project: Path, section: str, counter: int) -> tuple[float, float]:
    """Seconds from saving a prose edit to a running `cswo preview` saying the PDF is re-rendered.

    What the analyst waits for while writing: the watcher is already running (imports paid), notices
    the save (it looks every tenth of a second, its default) and re-renders the draft.
    """
    env = {**os.environ, "CSWO_PROJECT": str(project), "COLUMNS": "400"}
    command = [str(BIN / "cswo"), "preview", "--year", YEAR, "--max-builds", "2"]  # its own look-for-changes interval
    # the CLI prints to stderr, as every message goes through its one masking console
    process = subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    memory = PeakMemory(process.pid)

    def next_build() -> str:
        for line in process.stderr:
            if line.startswith(("built in", "Error")):
                return line
        raise SystemExit(f"cswo preview stopped: exit {process.wait()}")

    def cpu() -> float:  # the watcher's CPU time, with every process it waited for (pandoc, pdftotext)
        times = psutil.Process(process.pid).cpu_times()
        return times.user + times.system + times.children_user + times.children_system

    next_build()  # the first build, when the watcher starts
    time.sleep(1.0)  # a save lands while the watcher is idle, as when an analyst types
    saved, before = time.perf_counter(), cpu()
    edit_narrative(project, section, counter)
    line = next_build()
    elapsed, used = time.perf_counter() - saved, cpu() - before
    process.wait(timeout=60)
    peak = memory.stop()
    if not line.startswith("built in") or "PDF re-rendered" not in line:
        raise SystemExit(f"cswo preview did not re-render after the edit: {line}")
    return elapsed, peak, {"cpu": used}


def stage_times(project: Path) -> dict:
    """The build's own steps, timed in a fresh process: cold, then after one prose edit."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("stages.py")), str(project), YEAR],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CSWO_PROJECT": str(project)},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def edit_narrative(project: Path, section: str, counter: int) -> None:
    import nbformat

    path = project / "notebooks" / YEAR / f"{section}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and not c.metadata.get("tags"))
    cell.source += " (Reviewed by the service manager" + " again" * counter + ".)"
    saving = path.with_name(f".~{path.name}")  # saved in one step, as JupyterLab saves: never read half-written
    nbformat.write(nb, saving)
    saving.replace(path)


def edit_data(project: Path, table: str, counter: int) -> None:
    path = project / "data" / f"{table}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[0]["note"] = f"checked by the benchmark, edit {counter}"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def sections_of(project: Path) -> list[str]:
    import yaml

    params = yaml.safe_load((project / "parameters" / f"{YEAR}.yml").read_text())
    names = [s for chapter in params["chapters"] for s in chapter["sections"]]
    for committee in params["committees"].values():
        names += [a["source"] for a in committee["appendices"][1:] if a["source"] not in names]
    return names


def unit(cwd: Path) -> tuple[float, float, dict]:
    """U: a fresh Python importing pandas, Altair and vl-convert (the rfc3987 grammar left out, as the suite does)."""
    return (*measure([sys.executable, "-c", UNIT_CODE], cwd), dict(LAST))


def scenarios(
    project: Path, runs: int, narrative_section: str, data_table: str, baseline: bool = False
) -> dict[str, list]:
    results: dict[str, list] = {
        k: [] for k in ("unit", "baseline", "cold", "unchanged", "narrative", "draft", "data", "preview", "live")
    }
    sections = sections_of(project)
    for run in range(runs):
        results["unit"].append(unit(project))
        if baseline:
            print(f"  run {run + 1}/{runs}: baseline", flush=True)
            results["baseline"].append(run_baseline(project, sections))
        shutil.rmtree(project / "outputs")
        (project / "outputs").mkdir()
        print(f"  run {run + 1}/{runs}: cold, unchanged, narrative (final, draft), data, preview", flush=True)
        results["unit"].append(unit(project))
        results["cold"].append(cswo_build(project))
        results["unchanged"].append(cswo_build(project))
        edit_narrative(project, narrative_section, run)
        sign_off(project, narrative_section)
        results["narrative"].append(cswo_build(project))
        cswo_build(project, draft=True)  # the draft's own papers, once (as a team's first draft of the year)
        edit_narrative(project, narrative_section, run + 50)
        results["draft"].append(cswo_build(project, draft=True))
        edit_data(project, data_table, run)
        results["data"].append(cswo_build(project))
        cswo_preview(project)  # the first preview writes the draft from scratch
        edit_narrative(project, narrative_section, run + 100)
        results["preview"].append(cswo_preview(project))
        results["live"].append(live_preview(project, narrative_section, run + 200))
    return results


def grow(project: Path, years: int = 20) -> None:
    """Scale the project: every table to ``years`` years of history, and every section twice."""
    import nbformat
    import yaml

    # figures published inconsistently (a known slip kept as published) stay in their real years
    # only: copied into synthetic years they would add one warning per year
    exempt = set()
    for path in sorted((project / "data").glob("*.csv")):
        for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            if r.get("known_slip"):
                exempt.add((path.stem, r["measure"]))
    for path in sorted((project / "data").glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        if not rows or "measure" not in rows[0]:  # a text table (framework, tracker) is left as it is
            continue
        known = {(r["year"], r["measure"]) for r in rows}  # a year that has a measure keeps it as it is
        latest = {}
        for r in rows:  # each figure's latest year, so synthetic years stay as consistent as that year
            key = (r["measure"], r["breakdown"])
            if r["year"] <= YEAR and (key not in latest or r["year"] > latest[key]["year"]):
                latest[key] = r
        extra = []
        start = int(YEAR[:4])
        complete = {k: r for k, r in latest.items() if r["year"] == YEAR and (path.stem, k[0]) not in exempt}
        for back in range(1, years):
            y = start - back
            label = f"{y}-{(y + 1) % 100:02d}"
            for (measure, _breakdown), r in complete.items():
                if (label, measure) not in known:
                    extra.append({**r, "year": label, "source": "synthetic history for the benchmark"})
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + extra)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    params_path = project / "parameters" / f"{YEAR}.yml"
    params = yaml.safe_load(params_path.read_text())
    folder = project / "notebooks" / YEAR
    for chapter in params["chapters"]:
        doubled = []
        for section in chapter["sections"]:
            twin = f"{section}_again"
            nb = nbformat.read(folder / f"{section}.ipynb", as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.source = cell.source.replace(f'start("{section}"', f'start("{twin}"')
                if cell.cell_type == "markdown" and "highlight" in cell.metadata.get("tags", []):
                    cell.metadata["tags"] = []
                if "priorities" in cell.metadata.get("tags", []):
                    cell.metadata["tags"] = []
            nbformat.write(nb, folder / f"{twin}.ipynb")
            doubled += [section, twin]
        chapter["sections"] = doubled
    params_path.write_text(yaml.safe_dump(params, sort_keys=False))


def median(values: list[tuple]) -> tuple[float, float]:
    return statistics.median(v[0] for v in values), max(v[1] for v in values)


def median_cpu(values: list[tuple]) -> float | None:
    cpu = [v[2]["cpu"] for v in values if len(v) > 2 and v[2].get("cpu") is not None]
    return statistics.median(cpu) if cpu else None


def at_peak(values: list[tuple]) -> dict:
    """The breakdown of the run with the highest peak memory."""
    return max(values, key=lambda v: v[1])[2] if values and len(values[0]) > 2 else {}


def peak_pss(values: list[tuple]) -> float | None:
    found = [v[2]["pss"] for v in values if len(v) > 2 and v[2].get("pss") is not None]
    return max(found) if found else None


def pss_sentence(results: dict, builds: list[str]) -> str:
    """The largest proportional sum (PSS) of any build, and its parts: what the build really takes, shared
    pages counted once. The target is judged on the sum of RSS above, which counts them once per process."""
    found = [(peak_pss(results[k]), k) for k in builds if peak_pss(results[k]) is not None]
    if not found:
        return ""
    pss, name = max(found)
    parts = max((v for v in results[name] if len(v) > 2), key=lambda v: v[2].get("pss") or 0)[2].get("pss_parts", {})
    return (
        f"Peak PSS (shared pages split between their sharers): {pss:.0f} MiB, in the '{name}' build ("
        + ", ".join(f"{kind} {mib} MiB" for kind, mib in parts.items())
        + ")."
    )


def stage_table(stages: dict) -> list[str]:
    if not stages:
        return []
    after = dict(stages["narrative"])
    lines = ["## Where the time goes (one build, timed in-process)", ""]
    lines += ["| stage | cold (s) | after one prose edit (s) |", "|---|---:|---:|"]
    for name, seconds in stages["cold"]:
        lines.append(f"| {name} | {seconds:.1f} | {after.get(name, 0):.1f} |")
    total = sum(s for _, s in stages["cold"]), sum(after.values())
    lines += [f"| total | {total[0]:.1f} | {total[1]:.1f} |", ""]
    return lines


def report(results: dict, growth: dict, runs: int, notes: list[str], stages: dict | None = None) -> str:
    u, _ = median(results["unit"])
    u_cpu = median_cpu(results["unit"]) or u
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB memory, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}. "
        f"Measured {time.strftime('%Y-%m-%d')} by `make bench` ({runs} runs each, median wall time; "
        "peak memory is the largest total resident memory (RSS) of the whole process tree, sampled every 50 ms; "
        "peak PSS is the largest proportional total, each page shared between processes split between them). "
        f"Load average over the run: {LOAD.get('text', 'not measured')}.",
        "",
        f'**U = {u:.2f} s** (CPU {u_cpu:.2f} s): a fresh `python -c "import pandas, altair, vl_convert"` '
        "(rfc3987_syntax left out, as the suite does), measured in the same run. Times are compared with U, so "
        "they mean the same on a faster or a busier machine. On a shared machine wall time stretches with the "
        "load; the CPU time of the whole process tree (every process the command waited for) does much less, "
        "so it is given too, also in U's CPU time.",
        "",
        "| scenario | median (s) | in U | target | CPU (s) | CPU in U | peak memory (MiB) | peak PSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if results.get("baseline"):
        base, base_mem = median(results["baseline"])
        lines.append(
            f"| baseline: papermill CLI per notebook, nbconvert, pandoc, Typst | {base:.1f} | {base / u:.1f} | "
            f"| | | {base_mem:.0f} | |"
        )
    for name, label in SCENARIOS:
        if not results.get(name):
            continue
        seconds, memory = median(results[name])
        cpu = median_cpu(results[name])
        target = TARGETS.get(name)
        ok = target is None or seconds / u <= target
        shown = f"≤ {target} U {'✓' if ok else '✗'}" if target is not None else ""
        cpu_text = f"{cpu:.1f} | {cpu / u_cpu:.1f}" if cpu is not None else " | "
        pss = peak_pss(results[name])
        pss_text = f"{pss:.0f}" if pss is not None else ""
        lines.append(
            f"| {label} | {seconds:.1f} | {seconds / u:.1f} | {shown} | {cpu_text} | {memory:.0f} | {pss_text} |"
        )
    builds = [k for k in ("cold", "unchanged", "narrative", "draft", "data") if results.get(k)]
    peak = max(median(results[k])[1] for k in builds)
    worst = max(builds, key=lambda k: median(results[k])[1])
    parts = at_peak(results[worst])
    lines += [
        "",
        f"Peak memory of `cswo build`: {peak:.0f} MiB (target at most {MEMORY_TARGET_MIB} MiB: "
        f"{'met' if peak <= MEMORY_TARGET_MIB else 'not met'}), in the '{worst}' build. At that peak: "
        + ", ".join(f"{kind} {mib} MiB" for kind, mib in parts.get("parts", {}).items())
        + ". "
        + pss_sentence(results, builds),
        "",
        "Processes seen (pandoc, LibreOffice; a process living under 50 ms may be missed): "
        + "; ".join(
            f"{name} {', '.join(f'{k} {v}' for k, v in at_peak(results[name]).get('seen', {}).items()) or 'none'}"
            for name in builds
        )
        + ".",
        "",
        "## Growth: 20 years of history and twice the sections",
        "",
        "| project | sections | cold (s) | cold CPU (s) | one narrative edit (s) | its CPU (s) | peak memory (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in growth.items():
        lines.append(
            f"| {name} | {row['sections']} | {row['cold'][0]:.1f} | {row['cold'][2]['cpu']:.1f} | "
            f"{row['narrative'][0]:.1f} | {row['narrative'][2]['cpu']:.1f} | "
            f"{max(row['cold'][1], row['narrative'][1]):.0f} |"
        )
    if len(growth) == 2:
        small, large = growth["reference"], growth["grown"]
        lines += [
            "",
            f"Sections ×{large['sections'] / small['sections']:.1f}: cold build ×"
            f"{large['cold'][0] / small['cold'][0]:.2f}, one-section edit ×"
            f"{large['narrative'][0] / small['narrative'][0]:.2f} (CPU ×"
            f"{large['cold'][2]['cpu'] / small['cold'][2]['cpu']:.2f} and ×"
            f"{large['narrative'][2]['cpu'] / small['narrative'][2]['cpu']:.2f}).",
        ]
    lines += ["", *stage_table(stages or {}), "## Notes", "", *notes, ""]
    return "\n".join(lines)


SCENARIOS = (
    ("cold", "`cswo build`, cold"),
    ("unchanged", "`cswo build`, nothing changed"),
    ("narrative", "one paragraph of prose edited and signed off again (final build)"),
    ("draft", "one paragraph of prose edited, `cswo build --draft`"),
    ("data", "one data file changed"),
    ("preview", "`cswo preview` after one prose edit, started afresh (draft PDF of one paper)"),
    ("live", "prose edit saved → on the page in a running `cswo preview`"),
)
LOAD: dict = {}


NOTES = [
    "- **Sections** run in a process pool, one worker per core, each with a warm kernel whose namespace "
    "is cleared between notebooks, so pandas, Altair and the suite are imported once per worker. A "
    "section is re-run only when its code cells, data, parameters, the library or a tool version changed;"
    " prose is filled outside the kernel, so a prose edit runs none.",
    "- **Memory**: a cold build's peak is while the sections run: two warm kernels (pandas, Altair and "
    "vl-convert's JavaScript engine: about 300 MiB resident each, 175 MiB of it their own), the build itself "
    "and its two section workers. The workers are forked before the build imports the rest of the pipeline "
    "(nbconvert, the renderers, the checks), so each holds about 80 MiB resident instead of 130 (a fork "
    "counts every page its parent had as resident in both). The target is judged on the sum of resident "
    "memory (RSS), which counts a page shared between processes once in each; the proportional sum (PSS) "
    "splits each shared page between its sharers, and is what the build takes from the machine. "
    "`bench/memory.py` prints RSS, USS and PSS for every process at both peaks, with the stage of the build.",
    "- **Documents**: each distinct document is written once (the annual report on its own is the same "
    "for every committee and is copied), in parallel threads. Each of the report's sections is converted by "
    "pandoc once for every paper that carries it (to Typst for the PDF, to pandoc's document tree for Word), "
    "in one pandoc run for all the sections not converted before; the converted sections are kept in the "
    "cache, so a prose edit converts only its own section. Each paper then converts only its own text (cover, "
    "contents, other appendices) and takes its sections as converted; that text, converted, is kept in the "
    "cache too (its placeholders numbered in order), so a prose edit that leaves it as it was runs pandoc only "
    "for the edited section and each Word paper's final write. Kept parts are named by format, and a preview "
    "(one paper, PDF only) forgets neither the Word parts nor the other papers' texts the next build takes. "
    "Typst compilers stay warm between papers. Each document is checked (accessibility, identifiers) as soon "
    "as it is final.",
    "- **Word contents page numbers**: where LibreOffice is installed, it lays out every new Word document "
    "in one run, so the contents list shows page numbers when opened anywhere. It lays out a copy whose "
    "pictures are one-pixel images of the same size on the page: the pages break exactly as in the paper "
    "(a test compares them with the real paper's layout) and LibreOffice spends no time on chart images, "
    "which were three quarters of its time. The PDFs are written meanwhile. Without LibreOffice the step "
    "is skipped. This is final-only work: a draft (`--draft`, or any build of a year with anything open) "
    "leaves it out, and its Word contents say that Word fills in the page numbers when it opens the file.",
    "- **Charts** are not validated against the Vega-Lite schema at build time (a fifth of a chart's "
    "time); every kind of chart the suite draws is validated in the tests instead.",
    "- **Checks** read every new PDF back with poppler's `pdftotext` (about 0.2 s for a 50-page paper; "
    "pypdf, the fallback, takes about 5 s), while the PDF's tags are checked, and open every Word file with "
    "python-docx.",
    "- **Nothing changed** is decided from file hashes before the pipeline is imported; what remains is "
    "Python start-up and the CLI's imports (typer brings in pydantic, about a quarter of a second).",
    "- **The writing loop** is `cswo preview`: after a save it re-renders only the first committee's "
    "paper as a draft PDF (no Word, no LibreOffice, no kernel for a prose edit). 'Started afresh' pays "
    "Python's start-up and imports each time; the live figure is what the analyst waits for: from saving "
    "the notebook to the watcher reporting the new PDF, its look for changes (every tenth of a second, "
    "about a millisecond of CPU each) included. A running preview keeps what it can between saves: the "
    "validated data, each unchanged file's identifier scan, each unchanged notebook's typed-number check "
    "and typed-year findings, the converted sections (only the edited one is converted again) and a warm "
    "Typst compiler.",
    "- **A prose edit in `cswo build`** re-writes every deliverable that carries the section: both "
    "committee papers and the annual report, each in Word and PDF, with the checks of all six; a final "
    "build adds LibreOffice's layout of the three Word papers for their contents page numbers, which is most "
    "of the difference between the final and the draft figure.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-growth", action="store_true")
    parser.add_argument("--baseline", action="store_true", help="also time the hand-scripted pipeline (slow)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    LOAD["start"] = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="cswo-bench-") as temp:
        project = copy_project(Path(temp) / "reference")
        print(f"Reference project ({len(sections_of(project))} notebooks), {args.runs} runs:", flush=True)
        results = scenarios(project, args.runs, "complaints", "complaints", baseline=args.baseline)
        args.output.write_text(report(results, {}, args.runs, NOTES), encoding="utf-8")  # kept if growth fails
        print("Stages of one build", flush=True)
        stages = stage_times(copy_project(Path(temp) / "stages" / "p"))
        growth = {}
        if not args.no_growth:
            for name, grown in (("reference", False), ("grown", True)):
                target = copy_project(Path(temp) / name / "p")
                if grown:
                    grow(target)
                print(f"Growth: {name}", flush=True)
                cold = cswo_build(target)
                edit_narrative(target, "complaints", 99)
                growth[name] = {"sections": len(sections_of(target)), "cold": cold, "narrative": cswo_build(target)}
    LOAD["text"] = f"{LOAD['start']:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (1-minute)"
    text = report(results, growth, args.runs, NOTES, stages)
    args.output.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"\nWritten to {args.output}")
    json.dumps(results)


if __name__ == "__main__":
    main()
