"""Shared fixtures."""

from __future__ import annotations

import pytest

from cswo.project.paths import Project
from support import copy_project


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The reference year's papers as they go to committee, built once per test session (tests using
    it share the xdist group "reference", so one worker builds them). Its open items are closed in the
    copy, so the papers are final, with the final-only work (the Word contents' page numbers) done."""
    from cswo.pipeline.build import BuildOptions, build
    from support import REFERENCE_YEAR, close_reference_year

    project = close_reference_year(copy_project(tmp_path_factory.mktemp("reference")))
    result = build(project, BuildOptions(year=REFERENCE_YEAR, final=True))
    return project, result


@pytest.fixture
def private_tmp(monkeypatch):
    """Kernel folders of this test only (other builds on the machine share /tmp)."""
    import shutil
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="cswo-test-"))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def project_copy(tmp_path) -> Project:
    return copy_project(tmp_path / "project")


def pytest_collection_modifyitems(config, items):
    """Long sweeps (marked ``soak``) run only when asked for: ``make soak`` (pytest -m soak)."""
    if "soak" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="a long sweep: run it with `make soak`")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)
