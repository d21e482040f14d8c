"""One year never breaks another: an earlier year with measures and breakdowns of its own leaves
the reference year's validation, figures and papers exactly as they were."""

from __future__ import annotations

import csv
import io

import nbformat
import pytest
import yaml
from docx import Document
from typer.testing import CliRunner

from cswo.cli import app
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


# A measure the reference year also uses (a calendar-year measure from Public Health Scotland there),
# given by the earlier year's report for the financial year and from another source, in years the
# reference year's seven-year chart spans: the rows' period keeps each year to its own.
SHARED = "emergency_bed_day_rate"
SHARED_ROWS = [("2016-17", "2100"), ("2014-15", "2300")]
SHARED_SOURCE = "NHS Tayside acute hospital activity returns"


def add_shared_measure_rows(project) -> None:
    """The earlier year's own rows of the shared measure, with a `period` column added to its file."""
    path = project.data_dir / "adult_health.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = [*rows[0].keys(), "period"]
    for year, value in SHARED_ROWS:
        rows.append(
            {"year": year, "measure": SHARED, "breakdown": "total", "value": value, "unit": "number"}
            | {"source": SHARED_SOURCE, "note": f"Financial year {year}.", "period": "financial"}
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


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
    add_shared_measure_rows(project)
    nb = section_notebook(
        "summary",
        [
            "## Complaints",
            "We received {eval}`complaints.value` complaints, {eval}`complaints.education_services` of them "
            "about education services; {eval}`stage_two.value` went to stage two.",
            "The emergency bed day rate was {eval}`beds.value` in the financial year.",
        ],
        code=[
            'complaints = s.figure("complaints", "complaints", "complaints_received")',
            'stage_two = s.figure("stage_two", "complaints", "complaints_escalated_to_stage_two")',
            'beds = s.figure("beds", "adult_health", "emergency_bed_day_rate")',
        ],
        shown=[
            's.show(s.breakdown_table("Complaints by service", "complaints", "complaints_received", [s.year]))',
            's.show(s.years_table("Emergency bed days", [beds], s.years(3)))',
            's.show(s.trend_chart([beds], s.years(3), "Emergency bed day rate", kind="bar"))',
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


def chart_alt_texts(result) -> list[str]:
    """The alt text of every chart in the year's annual report (Word)."""
    paper = next(d.path for d in result.documents if d.path.suffix == ".docx" and d.kind != "committee paper")
    return [shape._inline.docPr.get("descr") or "" for shape in Document(str(paper)).inline_shapes]


def validate_output(project, year: str) -> str:
    return CliRunner().invoke(app, ["--project", str(project.root), "validate", "--year", year]).output


@pytest.fixture(scope="session")  # session: in a random order another module's test may come between this one's
def two_years(tmp_path_factory):
    """The reference year built, then an earlier year added and built, then the reference year again."""
    project = copy_project(tmp_path_factory.mktemp("years") / "project")
    reference = load_year(project, REFERENCE_YEAR)
    options = BuildOptions(year=REFERENCE_YEAR, formats=["docx"])
    before = build(project, options)
    seen = {
        "check": check_year(project, reference),
        "validate": validate_output(project, REFERENCE_YEAR),
        "figures": (project.outputs_dir / REFERENCE_YEAR / "figures.csv").read_text(encoding="utf-8"),
        "papers": papers_text(before),
        "charts": chart_alt_texts(before),
    }
    add_earlier_year(project)
    earlier_check = check_year(project, load_year(project, EARLIER))
    earlier = build(project, BuildOptions(year=EARLIER, formats=["docx"]))
    after_check, after_validate = check_year(project, reference), validate_output(project, REFERENCE_YEAR)
    after = build(project, BuildOptions(year=REFERENCE_YEAR, formats=["docx"], force=True))
    return (
        project,
        seen,
        {
            "check": after_check,
            "validate": after_validate,
            "figures": (project.outputs_dir / REFERENCE_YEAR / "figures.csv").read_text(encoding="utf-8"),
            "papers": papers_text(after),
            "charts": chart_alt_texts(after),
            "earlier_check": earlier_check,
            "earlier": earlier,
        },
    )


def test_an_earlier_year_with_its_own_measures_leaves_the_reference_year_unchanged(two_years):
    _, before, after = two_years
    earlier = after["earlier_check"]
    assert earlier.ok, [str(p) for p in (*earlier.data_problems, *earlier.gaps, *earlier.unknown)]
    text = "\n".join(papers_text(after["earlier"]).values())
    assert "We received 77 complaints, 5 of them about education services; 11 went to stage two." in text

    assert after["check"].ok == before["check"].ok and after["check"].count() == before["check"].count()
    assert after["validate"] == before["validate"]
    assert after["figures"] == before["figures"]
    assert after["papers"] == before["papers"]


def test_a_shared_measures_period_and_source_are_its_rows_own_and_never_leak_between_years(two_years):
    project, before, after = two_years
    earlier_text = "\n".join(papers_text(after["earlier"]).values())
    reference_text = "\n".join(after["papers"].values())
    # each year's table and chart cite only the source of its own year's rows
    assert "The emergency bed day rate was 2,100 in the financial year." in earlier_text
    assert f"Source: {SHARED_SOURCE}." in earlier_text
    assert "Public Health Scotland, national integration indicators" not in earlier_text
    assert SHARED_SOURCE not in reference_text
    # each year's chart has its own year's bars only, on its own period's axis
    [earlier_chart] = [alt for alt in chart_alt_texts(after["earlier"]) if "Emergency bed day rate" in alt]
    assert (
        "Bar chart, 2014-15 to 2016-17. Emergency bed day rate: 2,100 in 2016-17, compared with 2,300 in "
        "2014-15. No figures for 2015-16." in earlier_chart
    )
    [reference_chart] = [alt for alt in after["charts"] if "Emergency bed day rate" in alt]
    assert "2,100" not in reference_chart and "2,300" not in reference_chart
    assert "No figures for 2016, 2017, 2018, 2019." in reference_chart
    assert after["charts"] == before["charts"]
    # the reference year's figures still read its own (calendar-year) rows
    figures = after["figures"]
    assert f"{SHARED},total,2021-22,105538.0" in figures and SHARED_SOURCE not in figures


def test_a_period_other_than_financial_or_calendar_is_refused_at_its_row(project_copy):
    path = project_copy.data_dir / "mental_health.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",period", lines[1] + ",weekly", *[line + "," for line in lines[2:]]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate_output(project_copy, REFERENCE_YEAR)
    assert (
        "data/mental_health.csv, row 2, column 'period': the period must be blank (the measure's year_basis "
        "in the catalogue) or one of: financial, calendar (value: 'weekly')" in " ".join(result.split())
    )
