"""Running sections: which will run (known before the data is checked), in what order, and that the order
changes nothing in what they publish."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from cswo.cache.store import write_manifest
from cswo.errors import SectionExecutionError
from cswo.pipeline.sections import make_jobs, validated_dataset
from cswo.project.parameters import load_year
from cswo.run import execute
from support import REFERENCE_YEAR, copy_project, section_notebook


def _job(folder: Path, name: str, code: list[str] | None = None) -> execute.Job:
    notebook = folder / "notebooks" / f"{name}.ipynb"
    notebook.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(section_notebook(name, ["Some prose."], code=code), notebook)
    return execute.Job(name, notebook, folder / "cache" / name, key={"notebook": name}, parameters={})


def _cached(job: execute.Job, key: dict | None = None, seconds: float = 1.0) -> None:
    job.folder.mkdir(parents=True, exist_ok=True)
    job.executed.write_text("{}", encoding="utf-8")
    write_manifest(job.folder / execute.MANIFEST, {"key": key or job.key, "tables": {"t": "x"}, "seconds": seconds})


def test_sections_that_will_run_are_known_before_the_data_is_checked(tmp_path):
    never, same, edited = (_job(tmp_path, name) for name in ("never_run", "unchanged", "code_edited"))
    _cached(same)
    _cached(edited, key={"notebook": "as it was"})
    jobs = [never, same, edited]
    assert [j.name for j in execute.likely_to_run(jobs, data_current=True)] == ["never_run", "code_edited"]
    assert execute.likely_to_run(jobs, data_current=False) == jobs  # which tables changed is not yet known


def test_the_longest_section_starts_first(tmp_path):
    chart = 's.show(s.trend_chart([f], s.years(3), "A chart"))'
    plain, one, three = _job(tmp_path, "plain"), _job(tmp_path, "one", [chart]), _job(tmp_path, "three", [chart] * 3)
    assert sorted([plain, one, three], key=execute.expected_seconds, reverse=True) == [three, one, plain]
    _cached(plain, seconds=9.5)  # once run, its own time counts, not the guess
    assert execute.expected_seconds(plain) == 9.5
    assert sorted([plain, one, three], key=execute.expected_seconds, reverse=True)[0] is plain


def _published(job: execute.Job) -> dict:
    """What a run gives the papers: every output but execution counts, and every figure file's bytes."""
    cells = json.loads(job.executed.read_text(encoding="utf-8"))["cells"]
    outputs = [
        {key: value for key, value in output.items() if key != "execution_count"}
        for cell in cells
        for output in cell.get("outputs", [])
    ]
    figures = {p.name: p.read_bytes() for p in sorted((job.folder / "figures").glob("*"))}
    return {"outputs": outputs, "figures": figures}


@pytest.mark.e2e
def test_sections_give_the_same_outputs_in_any_order_in_one_kernel(tmp_path, private_tmp, monkeypatch):
    project = copy_project(tmp_path / "project")
    params = load_year(project, REFERENCE_YEAR)
    dataset, stored = validated_dataset(project, params, params.sections)
    names = ["complaints", "adults", "finance", "children"]  # charts and none, each after the others
    jobs = [job for job in make_jobs(project, params, stored) if job.name in names]
    failed = tmp_path / "failed"

    def run() -> tuple[list[str], dict]:
        started: list[str] = []
        execute.run_jobs(jobs, failed, dataset.fingerprint, workers=1, on_start=lambda j: started.append(j.name))
        published = {job.name: _published(job) for job in jobs}
        for job in jobs:
            shutil.rmtree(job.folder)
            job.reused = False
        return started, published

    first_order, first = run()
    assert first_order[:2] == ["adults", "children"]  # the sections with charts first, most charts first
    monkeypatch.setattr(execute, "expected_seconds", lambda job: first_order.index(job.name))
    second_order, second = run()
    assert second_order == first_order[::-1]
    assert second == first


def test_a_failing_cell_keeps_its_number_code_and_the_kernels_traceback(tmp_path, private_tmp):
    notebook = tmp_path / "broken.ipynb"
    cells = [nbformat.v4.new_code_cell("total = 1"), nbformat.v4.new_code_cell("total += 1\nraise ValueError('late')")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    job = execute.Job("broken", notebook, tmp_path / "cache" / "broken", key={}, parameters={})
    with pytest.raises(SectionExecutionError) as error:
        execute.run_jobs([job], tmp_path / "failed", lambda table: "", workers=1, warm=False)
    failure = error.value.failures[0]
    assert (failure.cell, failure.source) == (2, "total += 1\nraise ValueError('late')")
    assert failure.traceback.splitlines()[-1] == "ValueError: late" and "\x1b[" not in failure.traceback
    assert error.value.details().startswith("--- section 'broken', cell 2 ---\ntotal += 1\n")
    assert str(error.value).startswith("Section 'broken' failed in cell 2: ValueError: late; see ")
