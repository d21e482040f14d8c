"""Time each stage of one `cswo build` (cold, then after one prose edit) and print them as JSON.

Run by bench.py in a fresh process on a copy of the project: `python bench/stages.py PROJECT YEAR`.
The stages are the build's own progress steps, so the table names what the build does.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from cswo.pipeline.build import BuildOptions, build
from cswo.project.paths import Project


class StageClock:
    def __init__(self) -> None:
        self.stages: list[list] = []
        self.started = time.perf_counter()

    def step(self, text: str) -> None:
        now = time.perf_counter()
        if self.stages:
            self.stages[-1][1] = now - self.stages[-1][1]
        self.stages.append([text, now])

    def done(self) -> list[list]:
        self.step("done")
        return [[name, round(seconds, 2)] for name, seconds in self.stages[:-1]]

    def section_started(self, job) -> None: ...

    def section_done(self, job) -> None: ...


def timed_build(project: Project, year: str) -> list[list]:
    clock = StageClock()
    build(project, BuildOptions(year=year), clock)
    return clock.done()


def main() -> None:
    root, year = Path(sys.argv[1]), sys.argv[2]
    sys.path.insert(0, str(Path(__file__).parent))
    from bench import edit_narrative

    project = Project(root)
    cold = timed_build(project, year)
    edit_narrative(root, "complaints", 1000)
    print(json.dumps({"cold": cold, "narrative": timed_build(project, year)}))


if __name__ == "__main__":
    main()
