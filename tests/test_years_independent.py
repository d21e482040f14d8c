"""One year never breaks another: an earlier year with measures and breakdowns of its own leaves
the reference year's validation, figures and papers exactly as they were."""

from __future__ import annotations

import csv
import io

import nbformat
import pytest
import yaml
from docx import Document

from cswo.narrative.completeness import check_year
from cswo.pipeline.build import BuildOptions, build
from cswo.project.parameters import load_year
from support import REFERENCE_YEAR, copy_project, section_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("years")]

EARLIER = "2016-17"
ROWS = [  # the earlier year's own figures: a breakdown and a measure the reference year never reports
    ("complaints_received", "total", "77"),
    ("complaints_received", "childrens_services", "30"),
    ("complaints_received", "health_and_social_care_partnership", "40"),
    ("complaints_received", "community_justice", "2"),
    ("complaints_received", "education_services", "5"),
    ("complaints_escalated_to_stage_two", "total", "11"),
]
CATALOGUE = """
  complaints:
    measures:
      complaints_received:
        breakdowns: {education_services: Education Services}
      complaints_escalated_to_stage_two:
        label: Complaints escalated to stage two
        unit: count
        breakdowns: {}
        description: Complaints escalated to the second stage of the procedure in the year.
"""


def add_earlier_year(project) -> None:
    """2016-17, with one chapter of one section of its own, as docs/project.md shows."""
    raw = yaml.safe_load(project.catalogue_file.read_text(encoding="utf-8"))
    own = raw["tables"].setdefault("complaints", {}).setdefault("measures", {})
    for name, spec in yaml.safe_load(CATALOGUE)["complaints"]["measures"].items():
        own.setdefault(name, {}).update(spec)  # the project's own complaints measures stay
    project.catalogue_file.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    path = project.data_dir / "complaints.csv"
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="", lineterminator="\n")
        for measure, breakdown, value in ROWS:
            writer.writerow(
                {
                    "year": EARLIER,
                    "measure": measure,
                    "breakdown": breakdown,
                    "value": value,
                    "unit": "count",
                    "source": "CSWO Annual Report 2016-17",
                }
            )
    params = yaml.safe_load(project.parameters_file(REFERENCE_YEAR).read_text(encoding="utf-8"))
    params["year"] = EARLIER
    params["chapters"] = [{"title": "Complaints", "sections": ["summary"]}]
    params["committees"] = {"ijb": params["committees"]["ijb"]}
    params["committees"]["ijb"]["appendices"] = [{"title": "CSWO Annual Report 2016-17", "source": "annual_report"}]
    project.parameters_file(EARLIER).write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    project.year_notebooks(EARLIER).mkdir(parents=True)
    nb = section_notebook(
        "summary",
        [
            "## Complaints",
            "We received {eval}`complaints.value` complaints, {eval}`complaints.education_services` of them "
            "about education services; {eval}`stage_two.value` went to stage two.",
        ],
        code=[
            'complaints = s.figure("complaints", "complaints", "complaints_received")',
            'stage_two = s.figure("stage_two", "complaints", "complaints_escalated_to_stage_two")',
            's.show(s.breakdown_table("Complaints by service", "complaints", "complaints_received", [s.year]))',
        ],
        year=EARLIER,
    )
    nbformat.write(nb, project.notebook(EARLIER, "summary"))


def papers_text(result) -> dict[str, str]:
    """Each Word paper's paragraphs and table cells, by file name (the PDFs carry build dates)."""
    found = {}
    for document in result.documents:
        if document.path.suffix == ".docx":
            word = Document(str(document.path))
            cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
            found[document.path.name] = "\n".join([p.text for p in word.paragraphs] + cells)
    return found


def test_an_earlier_year_with_its_own_measures_leaves_the_reference_year_unchanged(tmp_path):
    project = copy_project(tmp_path / "project")
    reference = load_year(project, REFERENCE_YEAR)
    before_check = check_year(project, reference)
    options = BuildOptions(year=REFERENCE_YEAR, formats=["docx"])
    before = build(project, options)
    before_figures = (project.outputs_dir / REFERENCE_YEAR / "figures.csv").read_text(encoding="utf-8")
    before_papers = papers_text(before)

    add_earlier_year(project)

    earlier = check_year(project, load_year(project, EARLIER))
    assert earlier.ok, [str(p) for p in (*earlier.data_problems, *earlier.gaps, *earlier.unknown)]
    built = build(project, BuildOptions(year=EARLIER, formats=["docx"]))
    text = "\n".join(papers_text(built).values())
    assert "We received 77 complaints, 5 of them about education services; 11 went to stage two." in text

    after_check = check_year(project, reference)
    assert after_check.ok == before_check.ok and after_check.count() == before_check.count()
    after = build(project, BuildOptions(year=REFERENCE_YEAR, formats=["docx"], force=True))
    assert (project.outputs_dir / REFERENCE_YEAR / "figures.csv").read_text(encoding="utf-8") == before_figures
    assert papers_text(after) == before_papers
