"""Helpers for tests: a copy of the project to build in, and small in-memory notebooks."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from cswo.project.paths import Project

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_YEAR = "2021-22"
REFERENCE = Project(ROOT)


def copy_project(target: Path, with_notebooks: bool = True) -> Project:
    """A copy of the real project (parameters, data, catalogue, templates, notebooks) without any outputs."""
    for name in ("parameters", "data", "_quarto.yml", "catalogue.yml", "templates"):
        source = ROOT / name
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    if with_notebooks:
        shutil.copytree(ROOT / "notebooks", target / "notebooks")
    (target / "outputs").mkdir()
    return Project(target)


def section_notebook(
    section: str, markdown: list[str], code: list[str] | None = None, year: str = REFERENCE_YEAR
) -> nbformat.NotebookNode:
    """A minimal section notebook built in memory, in the shape the build expects."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(
        f'year = "{year}"\nproject_root = "../.."\noutput_dir = None\ndataset_path = None'
    )
    params.metadata["tags"] = ["parameters", "remove-cell"]
    start = nbformat.v4.new_code_cell(
        "import cswo.notebook.section\n"
        f's = cswo.notebook.section.start("{section}", year=year, project_root=project_root, '
        "output_dir=output_dir, dataset_path=dataset_path)\n" + "\n".join(code or [])
    )
    start.metadata["tags"] = ["remove-cell"]
    finish = nbformat.v4.new_code_cell("s.finish()")
    finish.metadata["tags"] = ["remove-cell"]
    nb.cells = [params, start, *[nbformat.v4.new_markdown_cell(m) for m in markdown], finish]
    return nb
