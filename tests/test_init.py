"""`cswo init`: a new council's project from the defaults validates and builds, and lib/ is untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from docx import Document

from cswo.data.load import validate_tables
from cswo.errors import CSWOError
from cswo.pipeline.build import BuildOptions, build
from cswo.project.catalogue import load_catalogue
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from cswo.tools.init import init_project, last_financial_year

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("init")]


def test_a_new_project_validates_builds_and_says_what_to_fill(tmp_path):
    made = init_project(tmp_path / "example", council="Example Council", year="2024-25", year_style="slash")
    project = made.project
    params = load_year(project, "2024-25")
    assert params.council.name == "Example Council" and params.year_label_style == "slash"
    assert (project.templates_dir / "reference.docx").is_file() and (project.templates_dir / "cover.md.j2").is_file()
    base = load_catalogue(Project(tmp_path / "no-project"))
    assert load_catalogue(project).keys() == base.keys()  # the base catalogue, nothing added yet
    _dataset, problems = validate_tables(project, "2024-25", params.sections)
    assert problems == []
    assert any("marked x (not yet collected)" in item for item in made.to_fill)
    assert any(item.startswith("to confirm:") for item in made.to_fill)
    committee = next(iter(params.committees))
    # figures marked x cannot go in a sentence: a new project builds as a draft, each gap marked
    result = build(project, BuildOptions(year="2024-25", committees=[committee], formats=["docx"], draft=True))
    paper = next(d.path for d in result.documents if d.kind == "committee paper")
    text = "\n".join(p.text for p in Document(str(paper)).paragraphs)
    assert "Example Council" in text and "2024/25" in text
    assert result.markers and "[MISSING: " in text and "not yet available" not in text


def test_init_never_overwrites(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CSWOError, match="not empty"):
        init_project(tmp_path / "taken", council="Example Council", year="2024-25")
    assert (tmp_path / "taken" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_default_year_is_the_last_one_ended():
    assert last_financial_year(dt.date(2025, 11, 1)) == "2024-25"
    assert last_financial_year(dt.date(2026, 2, 1)) == "2024-25"
