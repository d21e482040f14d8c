"""Where a cold `cswo build`'s memory goes: each process's RSS, USS and PSS, sampled through the build.

Run with `.venv/bin/python bench/memory.py [--runs N] [--after data|prose]` (in a temporary copy of
the project, as bench.py). For each run it prints the peak of the summed RSS (the figure the target is set for) and of
the summed PSS (each shared page split between the processes sharing it), the stage of the build each
peak fell in (the CLI's progress lines), and every process at both peaks.

RSS counts a page shared by several processes (the section workers are forked from `cswo`; the kernels
share their libraries) once per process; PSS counts it once in all; USS is what a process alone holds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import BIN, YEAR, TreeSampler, copy_project, edit_data, edit_narrative  # noqa: E402

MIB = 2**20


class Sampler(TreeSampler):
    """Every process of the tree under ``pid``, sampled every ``interval`` seconds: RSS, USS and PSS."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.samples: list[tuple[float, list[tuple[str, int, float, float, float]]]] = []
        super().__init__(pid, interval)

    def take(self, rows: list[tuple[str, int, object]]) -> None:
        if rows:
            shown = [(kind, pid, i.rss / MIB, i.uss / MIB, i.pss / MIB) for kind, pid, i in rows]
            self.samples.append((time.perf_counter(), shown))


def stage_at(stages: list[tuple[float, str]], moment: float) -> str:
    current = "starting"
    for started, text in stages:
        if started <= moment:
            current = text
    return current


def one_build(project: Path) -> dict:
    env = {**os.environ, "CSWO_PROJECT": str(project), "COLUMNS": "400"}
    command = [str(BIN / "cswo"), "build", "--year", YEAR]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    sampler = Sampler(process.pid)
    stages = [(time.perf_counter(), line.strip()[:70]) for line in process.stderr]
    _, status, usage = os.wait4(process.pid, 0)
    sampler.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("cswo build failed:\n" + "\n".join(text for _, text in stages[-20:]))
    result = {"wall": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime}
    for measure, column in (("rss", 2), ("pss", 4)):
        moment, rows = max(sampler.samples, key=lambda s: sum(row[column] for row in s[1]))
        result[measure] = (sum(row[column] for row in rows), stage_at(stages, moment), rows)
    return result


def show(result: dict) -> None:
    print(f"wall {result['wall']:.1f} s, CPU {result['cpu']:.1f} s")
    for measure in ("rss", "pss"):
        total, stage, rows = result[measure]
        print(f"  peak summed {measure.upper()} {total:.0f} MiB, during: {stage}")
        for kind, pid, rss, uss, pss in sorted(rows):
            print(f"    {kind:<12} {pid:>8}  RSS {rss:6.0f}  USS {uss:6.0f}  PSS {pss:6.0f}")
        by_kind: dict[str, list[float]] = {}
        for kind, _, rss, uss, pss in rows:
            sums = by_kind.setdefault(kind, [0.0, 0.0, 0.0])
            for i, value in enumerate((rss, uss, pss)):
                sums[i] += value
        print("    by kind: " + ", ".join(f"{k} {v[0]:.0f}/{v[1]:.0f}/{v[2]:.0f}" for k, v in sorted(by_kind.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--after",
        choices=["data", "prose"],
        help="measure the build after one data file (complaints.csv) or one section's prose changed, not the cold one",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cswo-memory-") as temp:
        for run in range(args.runs):
            project = copy_project(Path(temp) / f"run{run}")
            if args.after:
                one_build(project)
                edit = edit_data if args.after == "data" else edit_narrative
                edit(project, "complaints", run)
            show(one_build(project))


if __name__ == "__main__":
    main()
