"""A project's templates: its own style.yml is read by the strict reader, like the parameters."""

from __future__ import annotations

import pytest

from cswo.errors import EXIT_INPUT, InputError, exit_code, message
from cswo.project.paths import Project
from cswo.project.templates import house_style


def project_with_style(tmp_path, content: bytes) -> Project:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "style.yml").write_bytes(content)
    return Project(tmp_path)


def test_the_projects_colours_are_laid_over_the_packages(tmp_path):
    style = house_style(project_with_style(tmp_path, b"background: '#FFFFFE'\n"))
    assert style.background == "#FFFFFE" and style.palette  # the palette is the package's


def test_a_duplicate_key_is_refused_naming_the_file_and_both_lines(tmp_path):
    project = project_with_style(tmp_path, b"background: '#FFFFFF'\ntext_colour: '#000000'\nbackground: '#000000'\n")
    with pytest.raises(InputError) as error:
        house_style(project)
    text = message(error.value)
    assert text.startswith("templates/style.yml: ") and "'background'" in text
    assert "line 3" in text and "line 1" in text


def test_a_file_not_in_utf8_is_the_files_problem_not_a_fault_in_the_suite(tmp_path):
    project = project_with_style(tmp_path, "chart_font: 'Arial'\n# colours chosen by the café\n".encode("latin-1"))
    with pytest.raises(InputError) as error:
        house_style(project)
    assert exit_code(error.value) == EXIT_INPUT
    text = message(error.value)
    assert text.startswith("templates/style.yml") and "fault in the suite" not in text
