"""The suite's Papermill engine: found through Papermill's entry point, whatever is imported first."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tomllib

from papermill.engines import papermill_engines

from cswo.run import engine
from support import ROOT


def test_the_engine_is_declared_as_a_papermill_entry_point():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]
    assert declared["papermill.engine"] == {engine.NAME: "cswo.run.engine:WarmKernelEngine"}
    installed = [e for e in importlib.metadata.entry_points(group="papermill.engine") if e.name == engine.NAME]
    # an install older than the entry point has none: engine.registered() stands in for it
    assert all(e.value == "cswo.run.engine:WarmKernelEngine" for e in installed)


def test_papermill_runs_sections_with_the_warm_engine():
    assert papermill_engines.get_engine(engine.registered()) is engine.WarmKernelEngine


def test_the_engine_module_can_be_imported_before_papermill(tmp_path):
    """Papermill imports the entry point's module while it is itself being imported: that must work
    however a process starts (the engine module first, or Papermill first). The entry point is declared
    here by a distribution of its own, so the test holds whether or not the suite was reinstalled."""
    info = tmp_path / "cswo_entry_point-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cswo-entry-point\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(f"[papermill.engine]\n{engine.NAME} = cswo.run.engine:WarmKernelEngine\n")
    paths = [str(ROOT / "lib"), str(tmp_path), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    for first in ("cswo.run.engine", "papermill", "cswo.run.execute"):
        code = (
            f"import {first}; import cswo.run.engine as e, papermill.engines as p; "
            f"print(p.papermill_engines.get_engine({engine.NAME!r}) is e.WarmKernelEngine)"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert done.stdout.strip() == "True", f"importing {first} first: {done.stderr[-600:]}"
