"""Stale years located in a project's notebooks, cover template and parameters (cswo.narrative.stale)."""

from __future__ import annotations

import shutil

import nbformat

from cswo.data.load import validate_tables
from cswo.narrative.stale import stale_years
from cswo.pipeline.openitems import stale_year_items
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from support import REFERENCE, REFERENCE_YEAR, ROOT, section_notebook

YEAR = "2024-25"


def _project(tmp_path, markdown: list[str]) -> Project:
    root = tmp_path / "strathbrae"
    shutil.copytree(ROOT / "tests" / "projects" / "strathbrae", root)
    project = Project(root)
    notebook = project.notebook(YEAR, "performance")
    notebook.with_suffix(".md").unlink()
    nbformat.write(section_notebook("performance", markdown, year=YEAR), notebook)
    return project


def test_each_finding_names_its_file_section_cell_and_the_role_to_use(tmp_path):
    project = _project(
        tmp_path,
        ["We had {eval}`complaints.value` complaints in 2024-25.", "The review will report in June 2024."],
    )
    findings = [f for f in stale_years(project, YEAR) if f.section == "performance"]
    assert [(f.file, f.cell, f.kind, f.text, f.role) for f in findings] == [
        ("notebooks/2024-25/performance.ipynb", 3, "year", "2024-25", "{eval}`s.label`"),
        ("notebooks/2024-25/performance.ipynb", 4, "stale", "June 2024", None),
    ]
    assert findings[0].cell_id == nbformat.read(project.notebook(YEAR, "performance"), 4).cells[2].id
    assert str(findings[0]).startswith("notebooks/2024-25/performance.ipynb, section 'performance', cell 3: '2024-25'")


def test_cover_templates_and_parameters_are_read_too(tmp_path):
    project = _project(tmp_path, ["Nothing dated."])
    cover = project.templates_dir / "cover.md.j2"
    cover.write_text(cover.read_text(encoding="utf-8") + "\nThe report for 2024-25 is attached.\n", encoding="utf-8")
    parameters = project.parameters_file(YEAR)
    parameters.write_text(
        parameters.read_text(encoding="utf-8") + "# the plan will be agreed in 2023-24\n", encoding="utf-8"
    )
    found = stale_years(project, YEAR)
    cover_findings = [f for f in found if f.section == "cover"]
    assert [(f.text, f.role) for f in cover_findings] == [("2024-25", "{{ params.label }}")]
    assert cover_findings[0].line == len(cover.read_text(encoding="utf-8").splitlines())
    assert [f for f in found if f.section == "parameters"] == []  # a comment is not text


def test_the_reference_year_has_no_typed_year_or_stale_future_tense():
    findings = [f for f in stale_years(REFERENCE, REFERENCE_YEAR) if not f.review_only]
    assert findings == [], "\n".join(map(str, findings))


def test_a_cell_that_never_reaches_the_documents_is_not_read(tmp_path):
    project = _project(tmp_path, ["Carried forward from 2023-24: update for 2024-25."])
    notebook = project.notebook(YEAR, "performance")
    nb = nbformat.read(notebook, 4)
    nb.cells[2].metadata["tags"] = ["unreviewed"]
    nbformat.write(nb, notebook)
    assert [f for f in stale_years(project, YEAR) if f.section == "performance"] == []


def test_a_typed_comparison_is_judged_against_the_years_data(tmp_path):
    code = ['complaints = s.figure("complaints", "complaints", "complaints_received")']
    project = _project(tmp_path, [])
    nbformat.write(
        section_notebook(
            "performance",
            ["Complaints fell to {eval}`complaints.value`, from {eval}`complaints.last_year` the year before."],
            code,
            year=YEAR,
        ),
        project.notebook(YEAR, "performance"),
    )
    dataset, _ = validate_tables(project, YEAR)
    judged = [f for f in stale_years(project, YEAR, dataset) if f.section == "performance"]
    assert [(f.kind, f.text, f.review_only) for f in judged] == [("claim", "fell", False)]
    assert "77 (2024-25) and 60 (2023-24)" in judged[0].message
    unjudged = [f for f in stale_years(project, YEAR) if f.section == "performance"]
    assert [(f.kind, f.review_only) for f in unjudged] == [("trend", True)]
    items = stale_year_items(project, load_year(project, YEAR), dataset)
    assert [(i.kind, i.where) for i in items if i.file.endswith("performance.ipynb")] == [("comparison", "cell 3")]


def test_a_running_preview_keeps_the_findings_only_while_the_prose_and_the_figures_are_unchanged(tmp_path):
    code = ['complaints = s.figure("complaints", "complaints", "complaints_received")']
    project = _project(tmp_path, [])
    notebook = project.notebook(YEAR, "performance")

    def write(sentence: str) -> None:
        nbformat.write(section_notebook("performance", [sentence], code, year=YEAR), notebook)

    def judged() -> list[tuple[str, str, str]]:
        dataset, _ = validate_tables(project, YEAR)
        found = [f for f in stale_years(project, YEAR, dataset) if f.section == "performance"]
        return [(f.kind, f.text, f.message) for f in found if not f.review_only]

    write("Complaints fell to {eval}`complaints.value`, from {eval}`complaints.last_year` the year before.")
    first = judged()
    assert [(kind, text) for kind, text, _ in first] == [("claim", "fell")]
    assert judged() == first  # kept: asked again with nothing changed
    data = project.data_dir / "complaints.csv"
    fewer = data.read_text(encoding="utf-8").replace(
        "2024-25,complaints_received,total,77", "2024-25,complaints_received,total,50"
    )
    data.write_text(fewer, encoding="utf-8")
    assert judged() == []  # the figures changed: 50 after 60 did fall
    write("Complaints rose to {eval}`complaints.value`, from {eval}`complaints.last_year` the year before.")
    assert [(kind, text) for kind, text, _ in judged()] == [("claim", "rose")]  # the prose changed


def test_a_folded_paragraph_in_the_parameters_is_read_as_one_text_at_the_line_it_starts(tmp_path):
    """A rolled-forward cover said "priorities to be progressed by Social Work and Social / Care services
    during 2022-23" in a 2022-23 report: the tense and the year are on different lines of one YAML value."""
    project = _project(tmp_path, ["Nothing dated."])
    parameters = project.parameters_file(YEAR)
    text = parameters.read_text(encoding="utf-8")
    folded = (
        "    purpose: >-\n      To present the priorities to be progressed by the services of the\n"
        "      council during 2024-25. # not a comment inside a value\n"
    )
    parameters.write_text(
        text.replace("    purpose: To present the annual report of the Chief Social Work Officer.\n", folded, 1),
        encoding="utf-8",
    )
    found = [f for f in stale_years(project, YEAR) if f.section == "parameters"]
    line = text.splitlines().index("    purpose: To present the annual report of the Chief Social Work Officer.") + 1
    assert [(f.kind, f.text, f.line) for f in found] == [("stale", "2024-25", line)]
