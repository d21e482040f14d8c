import pandas as pd
import pytest

from cswo.data.load import load_dataset
from cswo.figures.figure import Figure
from cswo.notebook.tables import breakdown_table, framework_table, years_table
from cswo.project.catalogue import load_catalogue
from cswo.project.paths import Project
from support import REFERENCE, ROOT


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(Project(ROOT), "2021-22")


def measure(table, name):
    return load_catalogue(REFERENCE)[table].measures[name]


def test_grade_shares_are_computed_from_counts(dataset):
    table = breakdown_table(
        "Care Inspectorate grades",
        dataset.table("care_inspectorate_grades"),
        measure("care_inspectorate_grades", "kq7_services_by_grade"),
        ["2020-21", "2021-22"],
    )
    good = next(label for label in (r[0] for r in table.rows) if label.lower().startswith("4"))
    adequate = next(label for label in (r[0] for r in table.rows) if label.lower().startswith("3"))
    assert table.cell(good, "2021-22 Number") == "3"
    assert table.cell(good, "2021-22 %") == "16.7%"  # published, wrongly, as 17.0%
    assert table.cell(adequate, "2021-22 %") == "72.2%"  # published as 72.0%
    assert table.cell(adequate, "2020-21 %") == "76.9%"  # published as 77.0%
    assert any("calculated from the numbers" in note for note in table.notes)


def test_missing_cells_print_x_with_a_note(dataset):
    table = breakdown_table(
        "Complaints by service",
        dataset.table("complaints"),
        measure("complaints", "complaints_received"),
        ["2020-21", "2021-22"],
    )
    assert table.cell("Children's Services", "2020-21 Number") == "[x]"
    assert table.cell("Total", "2020-21 Number") == "67"
    assert table.cell("Total", "2021-22 Number") == "93"
    assert "[x] = not available" in table.notes
    markdown = table._repr_markdown_()
    assert "| Total | 67 | 100.0% | 93 | 100.0% |" in markdown
    assert ": Complaints by service {#tbl-complaints-by-service}" in markdown


def test_years_table_shows_published_average_when_years_are_missing(dataset):
    frame = dataset.table("mental_health")
    detentions = Figure.from_table("ed", frame, measure("mental_health", "emergency_detentions"), "2021-22")
    published = Figure.from_table(
        "ed_avg", frame, measure("mental_health", "emergency_detentions_5yr_average"), "2021-22"
    )
    table = years_table(
        "MH", [detentions], ["2020-21", "2021-22"], average_years=5, published_averages={"ed": published}
    )
    row = table.rows[0]
    assert row[1:] == ["100", "97", "98*"]
    assert "* The average over the last 5 years, including years not shown here." in table.notes
    assert not any("reported" in note for note in table.notes)  # a provenance remark is for reviewers


def test_disclosure_suppresses_small_counts_in_tables(dataset):
    table = breakdown_table(
        "Qualifications",
        dataset.table("qualifications"),
        measure("qualifications", next(iter(load_catalogue(REFERENCE)["qualifications"].measures))),
        ["2021-22"],
        shares=False,
        include_total=False,
        threshold=3,
    )
    cells = [row[1] for row in table.rows]
    assert "[c]" in cells
    assert "1" not in cells and "2" not in cells
    assert [n for n in table.notes if n.startswith("[c]")] == [
        "[c] = figure suppressed to protect confidentiality (fewer than 3), or to stop it being worked out from totals."
    ]


def test_a_count_suppressed_at_source_is_noted_without_a_threshold_the_project_never_set():
    rows = [("total", 10.0, ""), ("childrens_services", None, "c"), ("community_justice", 7.0, "")]
    frame = pd.DataFrame(
        [("2021-22", "complaints_received", b, n, status, "Returns") for b, n, status in rows],
        columns=["year", "measure", "breakdown", "number", "status", "source"],
    )
    received = measure("complaints", "complaints_received")
    table = breakdown_table("Complaints", frame, received, ["2021-22"], shares=False)
    assert table.cell("Children's Services", "2021-22 Number") == "[c]"
    assert [n for n in table.notes if n.startswith("[c]")] == ["[c] = figure suppressed to protect confidentiality."]


def test_year_headings_follow_the_year_style(dataset):
    fig = Figure.from_table(
        "complaints",
        dataset.table("complaints"),
        measure("complaints", "complaints_received"),
        "2021-22",
        year_style="slash",
    )
    table = years_table("Complaints", [fig], ["2020-21", "2021-22"], year_style="slash")
    assert table.columns[1:] == ["2020/21", "2021/22"]
    by_service = breakdown_table(
        "Complaints by service",
        dataset.table("complaints"),
        measure("complaints", "complaints_received"),
        ["2020-21", "2021-22"],
        year_style="slash",
    )
    assert "2021/22 Number" in by_service.columns and "2021/22 %" in by_service.columns
    assert not any("2021-22" in c for c in by_service.columns)


def test_tables_show_one_percentage_style_and_words_for_approximate_figures():
    from dataclasses import replace

    from cswo.project.catalogue import Measure

    spec = replace(Measure("w", "young", "Workforce aged 30 or under", "percent", "", {}, (), ()), decimals=1)
    young = Figure("young", spec, "total", "2021-22", {"2020-21": 84.0, "2021-22": 10.0}, {}, {})
    young.approximate = {"2021-22": "just under"}
    women = Figure(
        "women",
        replace(spec, name="women", label="Women"),
        "total",
        "2021-22",
        {"2020-21": 4.43, "2021-22": 82.0},
        {},
        {},
    )
    table = years_table("Workforce", [young, women], ["2020-21", "2021-22"])
    assert table.rows == [["Workforce aged 30 or under", "84.0%", "just under 10%"], ["Women", "4.4%", "82.0%"]]
    assert table._repr_markdown_().splitlines()[1].endswith("-:|")  # the last column stays a number column


def test_the_governance_framework_has_one_row_per_assurance_mechanism():
    frame = pd.DataFrame(
        {
            "function_number": ["1", "2"],
            "function": ["Give professional advice.", "Promote values and standards."],
            "assurance_mechanisms": ["Membership of the IJB; Meetings with Convenors", "Induction of new staff"],
            "lead": ["The CSWO; Service Manager", "Head of Service"],
            "frequency": ["2 monthly; As required", "As required"],
            "source": ["Framework, 2018", "Framework, 2018"],
        }
    )
    table = framework_table("Framework", frame, source="Framework, 2018; as at 9 November 2022")
    assert table.columns == ["No.", "Function", "Assurance mechanism", "Lead", "Frequency"]
    assert table.rows == [
        ["1", "Give professional advice.", "Membership of the IJB", "The CSWO", "2 monthly"],
        ["1", "", "Meetings with Convenors", "Service Manager", "As required"],
        ["2", "Promote values and standards.", "Induction of new staff", "Head of Service", "As required"],
    ]
    markdown = table._repr_markdown_()
    assert markdown.count("Source:") == 1 and "as at 9 November 2022" in markdown
