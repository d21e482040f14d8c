"""project/paths.py: every path and financial year the suite uses, derived in one place."""

from __future__ import annotations

from pathlib import Path

from cswo.project.paths import Project, shown_path


def test_a_path_is_shown_from_the_project_folder_and_one_outside_it_in_full(tmp_path):
    project = Project(tmp_path / "council")
    assert project.shown(project.templates_dir / "cover.md.j2") == "templates/cover.md.j2"
    package = Path("/usr/lib/cswo/templates/cover.md.j2")
    assert project.shown(package) == str(package)
    assert shown_path(package, None) == str(package)


def test_a_tables_file_is_named_after_the_table_in_the_data_folder(tmp_path):
    project = Project(tmp_path)
    assert project.shown(project.table_file("complaints")) == "data/complaints.csv"
    assert project.shown(project.table_file("complaints", ".xlsx")) == "data/complaints.xlsx"
