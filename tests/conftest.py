"""Shared fixtures."""

from __future__ import annotations

import pytest
from support import copy_project

from cswo.config import Project


@pytest.fixture
def project_copy(tmp_path) -> Project:
    return copy_project(tmp_path / "project")
