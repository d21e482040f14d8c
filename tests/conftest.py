"""Shared fixtures."""

from __future__ import annotations

import pytest

from cswo.project.paths import Project
from support import copy_project


@pytest.fixture
def project_copy(tmp_path) -> Project:
    return copy_project(tmp_path / "project")
