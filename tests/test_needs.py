"""What a year's notebooks need from the data, read from the notebooks without running them."""

from __future__ import annotations

import os

import jupytext
import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cswo.narrative.needs import Key, year_needs
from cswo.project.paths import Project
from cswo.project.twins import section_source

YEAR, LAST = "2022-23", "2021-22"
SETUP = 's = cswo.notebook.start("complaints", year=year)\n'


def project_with(tmp_path, *cells) -> Project:
    project = Project(tmp_path)
    folder = project.year_notebooks(YEAR)
    folder.mkdir(parents=True)
    nbformat.write(new_notebook(cells=list(cells)), project.notebook(YEAR, "complaints"))
    return project


def keys(needs) -> set[tuple[str, str, str, str]]:
    return {(k.table, k.measure, k.breakdown, k.year) for k in needs.needs}


def test_prose_needs_the_years_and_breakdowns_each_phrase_reads(tmp_path):
    project = project_with(
        tmp_path,
        new_code_cell(SETUP + 'complaints = s.figure("complaints", "complaints", "complaints_received")'),
        new_markdown_cell(
            "We had {eval}`complaints.compared` ({eval}`complaints.change`), "
            "{eval}`complaints.childrens_services` in children's services, in {eval}`s.label`."
        ),
    )
    needs = year_needs(project, YEAR, ["complaints"])
    assert keys(needs) == {
        ("complaints", "complaints_received", "total", YEAR),
        ("complaints", "complaints_received", "total", LAST),
        ("complaints", "complaints_received", "childrens_services", YEAR),
    }
    uses = needs.needs[Key("complaints", "complaints_received", "childrens_services", YEAR)]
    assert [(u.section, u.cell, u.name) for u in uses] == [("complaints", 2, "complaints.childrens_services")]
    assert not needs.unknown


def test_a_figure_registered_but_never_used_needs_nothing(tmp_path):
    project = project_with(
        tmp_path, new_code_cell(SETUP + 'on_time = s.figure("on_time", "complaints", "complaints_received")')
    )
    assert not year_needs(project, YEAR, ["complaints"]).needs


def test_tables_and_charts_need_their_figures(tmp_path):
    project = project_with(
        tmp_path,
        new_code_cell(
            SETUP
            + 'complaints = s.figure("complaints", "complaints", "complaints_received")\n'
            + 's.show(s.trend_chart([complaints], s.years(3), "Complaints"))\n'
            + 's.show(s.breakdown_table("Outcomes", "complaints", "complaint_outcome_share", [s.year], '
            + "include_total=False))"
        ),
    )
    found = keys(year_needs(project, YEAR, ["complaints"]))
    assert ("complaints", "complaints_received", "total", YEAR) in found
    assert ("complaints", "complaint_outcome_share", "total", YEAR) not in found  # include_total=False
    assert {b for t, m, b, _ in found if m == "complaint_outcome_share"} == {
        "upheld",
        "partially_upheld",
        "not_upheld",
        "resolved",
    }


def test_an_unknown_name_is_reported_with_its_cell_and_a_suggestion(tmp_path):
    project = project_with(
        tmp_path,
        new_code_cell(SETUP + 'complaints = s.figure("complaints", "complaints", "complaints_received")'),
        new_markdown_cell("Intro."),
        new_markdown_cell("We had {eval}`complaints.compard` and {eval}`complants.value`."),
    )
    unknown = year_needs(project, YEAR, ["complaints"]).unknown
    assert [(u.cell, u.name, u.suggestion) for u in unknown] == [
        (3, "complaints.compard", "complaints.compared"),
        (3, "complants.value", "complaints.value"),
    ]
    assert "did you mean {eval}`complaints.compared`" in str(unknown[0])


def test_a_newer_differing_md_twin_is_read_and_said(tmp_path):
    project = project_with(
        tmp_path,
        new_code_cell(SETUP + 'complaints = s.figure("complaints", "complaints", "complaints_received")'),
        new_markdown_cell("We had {eval}`complaints.value`."),
    )
    notebook = project.notebook(YEAR, "complaints")
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[1].source = "We had {eval}`complaints.last_year` last year."
    twin = notebook.with_suffix(".md")
    jupytext.write(nb, twin, fmt="md:myst")
    later = notebook.stat().st_mtime + 10
    os.utime(twin, (later, later))
    source = section_source(notebook, "complaints")
    assert source.from_twin and "complaints.md is newer" in source.note
    needs = year_needs(project, YEAR, ["complaints"])
    assert keys(needs) == {("complaints", "complaints_received", "total", LAST)}
    assert needs.notes == [source.note]


def test_an_older_or_identical_twin_is_not_read(tmp_path):
    project = project_with(tmp_path, new_markdown_cell("Text."))
    notebook = project.notebook(YEAR, "complaints")
    jupytext.write(nbformat.read(notebook, as_version=4), notebook.with_suffix(".md"), fmt="md:myst")
    assert section_source(notebook, "complaints").path == notebook


def test_a_breakdown_another_year_added_is_not_asked_of_this_year(project_copy):
    """Adding a breakdown to a base measure for one year (as docs/project.md shows) never makes
    another year need it: a table needs the breakdowns reported this year or last year."""
    from cswo.narrative.completeness import check_year
    from cswo.project.parameters import load_year

    catalogue = project_copy.root / "catalogue.yml"
    raw = yaml.safe_load(catalogue.read_text())
    measure = raw["tables"].setdefault("complaints", {}).setdefault("measures", {})
    measure.setdefault("complaints_received", {}).setdefault("breakdowns", {})["education_services"] = (
        "Education Services"
    )
    catalogue.write_text(yaml.safe_dump(raw, sort_keys=False))
    result = check_year(project_copy, load_year(project_copy, "2021-22"))
    assert not [g for g in result.gaps if "Education Services" in g.rule or "education_services" in g.rule], [
        str(g) for g in result.gaps
    ]
    assert not result.data_problems, [str(p) for p in result.data_problems]


def test_a_measure_the_catalogue_lacks_is_reported_not_a_crash(tmp_path):
    project = project_with(
        tmp_path,
        new_code_cell(SETUP + 'gone = s.figure("gone", "complaints", "complaints_withdrawn")'),
        new_markdown_cell("We had {eval}`gone.valu` withdrawn."),
    )
    needs = year_needs(project, YEAR, ["complaints"])
    assert [str(u).split(":")[1].strip() for u in needs.unknown] == [
        "s.figure('gone', 'complaints', 'complaints_withdrawn')",
        "{eval}`gone.valu` is not a figure this section registers; did you mean {eval}`gone.value`?",
    ], needs.unknown
    assert not needs.needs  # the misspelt measure is reported once, not also as missing data


def test_misspelt_tables_and_measures_in_code_are_reported_with_their_cell_and_the_closest_name(tmp_path):
    project = project_with(
        tmp_path,
        new_markdown_cell("Intro."),
        new_code_cell(SETUP + 'complaints = s.figure("complaints", "complaints", "complaints_recieved")'),
        new_code_cell('s.show(s.breakdown_table("By service", "complaint", "complaints_received", s.years(2)))'),
        new_code_cell('rows = s.table("complaints")\nother = s.table("complaintz")'),
    )
    found = [str(u) for u in year_needs(project, YEAR, ["complaints"]).unknown]
    assert found == [
        "Section 'complaints', cell 2: s.figure('complaints', 'complaints', 'complaints_recieved'): "
        "table 'complaints' has no measure 'complaints_recieved'; did you mean 'complaints_received'? "
        "(correct the name in the notebook, or declare it in the project's catalogue.yml)",
        "Section 'complaints', cell 3: s.breakdown_table('By service', 'complaint', 'complaints_received'): "
        "there is no table 'complaint' in the catalogue; did you mean 'complaints'? "
        "(correct the name in the notebook, or declare it in the project's catalogue.yml)",
        "Section 'complaints', cell 4: s.table('complaintz'): "
        "there is no table 'complaintz' in the catalogue; did you mean 'complaints'? "
        "(correct the name in the notebook, or declare it in the project's catalogue.yml)",
    ]


def test_figures_passed_in_a_list_variable_or_unpacked_are_needed(tmp_path):
    project = project_with(
        tmp_path,
        new_code_cell(
            SETUP
            + 'children = s.figure("children", "complaints", "complaints_received", "childrens_services")\n'
            + 'justice = s.figure("justice", "complaints", "complaints_received", "community_justice")\n'
            + 'total = s.figure("total", "complaints", "complaints_received")\n'
            + "services = [children, justice]\n"
        ),
        new_code_cell('s.show(s.years_table("Complaints", [*services, total], [s.year]))'),
        new_code_cell('s.show(s.trend_chart(services, s.years(3), "Complaints by service"))'),
    )
    needs = year_needs(project, YEAR, ["complaints"])
    assert keys(needs) == {
        ("complaints", "complaints_received", "childrens_services", YEAR),
        ("complaints", "complaints_received", "community_justice", YEAR),
        ("complaints", "complaints_received", "total", YEAR),
    }


def test_a_breakdown_the_catalogue_lacks_is_shown_in_its_call(tmp_path):
    project = project_with(
        tmp_path, new_code_cell(SETUP + 'e = s.figure("e", "complaints", "complaints_received", "education")')
    )
    [found] = [str(u) for u in year_needs(project, YEAR, ["complaints"]).unknown]
    assert found.startswith(
        "Section 'complaints', cell 1: s.figure('e', 'complaints', 'complaints_received', 'education'): "
        "measure 'complaints_received' of table 'complaints' has no breakdown 'education'"
    )
    assert found.endswith("declare it in the project's catalogue.yml)")
