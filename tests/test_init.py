"""`cswo init`: a new council's project from the defaults validates and builds, and lib/ is untouched."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from cswo.errors import CSWOError
from cswo.narrative.completeness import check_year
from cswo.pipeline.build import BuildOptions, build
from cswo.project.catalogue import load_catalogue
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from cswo.tools.init import init_project, last_financial_year
from support import fill_what_is_listed, listed_figures, word_state

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("init")]


def test_init_fill_what_it_lists_validate_and_build(tmp_path):
    made = init_project(tmp_path / "example", council="Example Council", year="2024-25", year_style="slash")
    project = made.project
    params = load_year(project, "2024-25")
    assert params.council.name == "Example Council" and params.year_label_style == "slash"
    assert (project.templates_dir / "reference.docx").is_file() and (project.templates_dir / "cover.md.j2").is_file()
    base = load_catalogue(Project(tmp_path / "no-project"))
    assert load_catalogue(project).keys() == base.keys()  # the base catalogue, nothing added yet

    listed = listed_figures(made.to_fill)
    assert ("data/complaints.csv", "2023-24", "complaints_received", "total") in listed  # last year's, too
    assert not check_year(project, params).ok  # nothing is claimed to validate before it is filled
    fill_what_is_listed(project, listed, "2024-25")
    check = check_year(project, params)
    assert check.ok, [str(p) for p in (*check.data_problems, *check.gaps, *check.unknown, *check.typed_numbers)]

    committee = next(iter(params.committees))
    result = build(project, BuildOptions(year="2024-25", committees=[committee], formats=["docx"]))
    paper = next(d.path for d in result.documents if d.kind == "committee paper")
    text = "\n".join(p.text for p in Document(str(paper)).paragraphs)
    assert "Example Council" in text and "2024/25" in text
    assert "[MISSING: " not in text and not result.markers
    # its neutral placeholders are open items, so the papers are marked draft until they are replaced
    placeholders = [str(item) for item in result.open_items if "Describe here" in str(item) or "DESCRIBE" in str(item)]
    assert placeholders, [str(item) for item in result.open_items]
    headers, status = word_state(paper)
    assert status == "Draft" and headers and all(header == "DRAFT" for header in headers)


def test_the_commands_init_prints_run_as_printed(tmp_path):
    """`cswo init` names a command that works where it is printed, and claims no validation it lacks."""
    script = Path(sys.executable).with_name("cswo")
    out = subprocess.run(
        [str(script), "init", str(tmp_path / "p"), "--council", "Example Council", "--year", "2024-25"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": "/usr/bin:/bin", "COLUMNS": "400"},
        check=True,
    )
    out = out.stdout + out.stderr
    assert "It validates" not in out and "It does not validate yet" in out
    commands = re.findall(r"`([^`]*? (?:validate|build|data-template)[^`]*)`", out)
    assert commands, out
    for command in commands:
        program = shlex.split(command.split("&& ")[-1])[0]
        assert program == str(script) or shutil.which(program, path="/usr/bin:/bin"), command


def test_init_never_overwrites(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CSWOError, match="not empty"):
        init_project(tmp_path / "taken", council="Example Council", year="2024-25")
    assert (tmp_path / "taken" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_default_year_is_the_last_one_ended():
    assert last_financial_year(dt.date(2025, 11, 1)) == "2024-25"
    assert last_financial_year(dt.date(2026, 2, 1)) == "2024-25"
