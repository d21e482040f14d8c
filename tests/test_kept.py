"""A kernel reads the year's parameters and data once for all its sections, and never hands one
section's changes to the next."""

from __future__ import annotations

import pytest

from cswo.data.dataset import Dataset
from cswo.notebook import kept
from cswo.pipeline.sections import validated_dataset
from cswo.project.parameters import load_year
from support import REFERENCE_YEAR, copy_project


@pytest.fixture
def reference(tmp_path):
    project = copy_project(tmp_path / "project", with_notebooks=False)
    params = load_year(project, REFERENCE_YEAR)
    _, stored = validated_dataset(project, params, params.sections)
    return project, stored


def test_each_section_gets_its_own_copy(reference):
    project, stored = reference
    params, dataset, suppressed = kept.year_inputs(project, REFERENCE_YEAR, stored)
    name = next(iter(dataset.tables))
    dataset.tables[name].loc[:, "value"] = "changed by a section"
    dataset.slips.append({"table": "planted"})
    params.sections.append("planted")  # frozen parameters still hold lists
    again_params, again, again_suppressed = kept.year_inputs(project, REFERENCE_YEAR, stored)
    assert "changed by a section" not in set(again.tables[name]["value"])
    assert {"table": "planted"} not in again.slips
    assert "planted" not in again_params.sections
    assert again_suppressed == suppressed and again_suppressed is not suppressed


def test_a_changed_file_is_read_again(reference):
    project, stored = reference
    _, dataset, _ = kept.year_inputs(project, REFERENCE_YEAR, stored)
    name = next(iter(dataset.tables))
    data = Dataset.read(stored)
    data.tables[name] = data.tables[name].iloc[:1]
    data.save(stored)
    _, again, _ = kept.year_inputs(project, REFERENCE_YEAR, stored)
    assert len(again.tables[name]) == 1 != len(dataset.tables[name])
    parameters = project.parameters_file(REFERENCE_YEAR)
    text = parameters.read_text(encoding="utf-8")
    name_line = next(line for line in text.splitlines() if line.strip().startswith("name:"))
    parameters.write_text(text.replace(name_line, name_line.split(":")[0] + ": Kept Test Council", 1), encoding="utf-8")
    params, _, _ = kept.year_inputs(project, REFERENCE_YEAR, stored)
    assert params.council.name == "Kept Test Council"
