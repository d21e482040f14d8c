"""A second, fictional council (tests/projects/strathbrae) built end to end and read back.

Its project owns everything a council owns: catalogue additions (a measure, a breakdown
and a table), three committees with their own keys, its own cover template, house colours
and output names, a slash-style year, and a known slip kept as published.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from cswo.data.load import validate_tables
from cswo.pipeline.build import BuildOptions, build
from cswo.project.catalogue import load_catalogue
from cswo.project.paths import Project
from support import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("strathbrae")]
SOURCE = ROOT / "tests" / "projects" / "strathbrae"
YEAR = "2024-25"
COMMITTEES = ("care-board", "scrutiny", "full-council")


@pytest.fixture(scope="module")
def strathbrae(tmp_path_factory):
    root = tmp_path_factory.mktemp("strathbrae") / "project"
    shutil.copytree(SOURCE, root)
    (root / "outputs").mkdir()
    project = Project(root)
    return project, build(project, BuildOptions(year=YEAR, formats=["docx"]))


def text_of(path: Path) -> tuple[str, list[list[list[str]]]]:
    document = Document(str(path))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return "\n".join(p.text for p in document.paragraphs), tables


def test_its_catalogue_extends_the_base():
    catalogue = load_catalogue(Project(SOURCE))
    complaints = catalogue["complaints"]
    assert "complaints_resolved_at_frontline" in complaints.measures  # a new measure
    assert "complaint_outcome_share" in complaints.measures  # the base's measures stay
    received = complaints.measures["complaints_received"]
    assert received.label == "Complaints received by social work"  # a label overridden
    assert "island_services" in received.breakdowns and "community_justice" in received.breakdowns
    assert complaints.sections == ("performance",)
    assert "befriending" in catalogue  # a new table
    assert "befriending" not in load_catalogue(Project(ROOT))  # another project never sees it


def test_every_committee_gets_its_papers_under_its_own_names(strathbrae):
    project, result = strathbrae
    for key in COMMITTEES:
        folder = project.year_outputs(YEAR) / key
        assert (folder / f"strathbrae-cswo-{YEAR}-{key}.docx").is_file()
        assert (folder / f"strathbrae-cswo-{YEAR}.docx").is_file()
    assert {d.committee for d in result.documents} == set(COMMITTEES)


def test_its_own_cover_template_and_directions_option(strathbrae):
    project, _ = strathbrae
    board, tables = text_of(project.year_outputs(YEAR) / "care-board" / f"strathbrae-cswo-{YEAR}-care-board.docx")
    assert "STRATHBRAE COUNCIL PAPER FOR: Strathbrae Care Board, 5 November 2025" in board
    assert "1.0 WHAT THIS PAPER IS FOR" in board and "REPORT TO" not in board
    assert "4.1 The Board directs Strathbrae Council under its integration scheme." in board
    assert ["2. Strathbrae Council", "X"] in tables[0]
    panel, _ = text_of(project.year_outputs(YEAR) / "scrutiny" / f"strathbrae-cswo-{YEAR}-scrutiny.docx")
    assert "DIRECTIONS" not in panel  # only the committee with directions set has the chapter


def test_slash_years_in_prose_and_table_headings(strathbrae):
    project, _ = strathbrae
    text, tables = text_of(project.year_outputs(YEAR) / "scrutiny" / f"strathbrae-cswo-{YEAR}.docx")
    assert "In 2024/25 we received 77, compared with 60 the year before" in text
    assert "In 2023/24 we received 60." in text  # last year in the council's style too
    headings = [table[0] for table in tables]
    assert ["Service", "2023/24 Number", "2024/25 Number"] in headings
    assert ["Measure", "2022/23", "2023/24", "2024/25"] in headings
    assert "2024-25" not in text


def test_a_known_slip_builds_with_a_warning_and_its_reason_stays_private(strathbrae):
    project, result = strathbrae
    slips = [w for w in result.warnings if "known slip" in w]
    assert len(slips) == 1 and "add up to 72 but the total is 77" in slips[0]
    text, tables = text_of(project.year_outputs(YEAR) / "scrutiny" / f"strathbrae-cswo-{YEAR}.docx")
    assert "the services add up to 72" not in text  # the reviewers' reason, not the members'
    service = next(t for t in tables if t[0][0] == "Service")
    assert ["Total", "60", "77"] in service  # the figure as published
    qa = (project.private_dir(YEAR) / "figures-qa.csv").read_text(encoding="utf-8")
    assert "published total; the services add up to 72" in qa


def test_the_slip_leaves_other_years_checked(tmp_path):
    """Last year still must add up: break it and validation says so."""
    root = tmp_path / "project"
    shutil.copytree(SOURCE, root)
    csv = root / "data" / "complaints.csv"
    csv.write_text(
        csv.read_text(encoding="utf-8").replace(
            "2023-24,complaints_received,total,60", "2023-24,complaints_received,total,61"
        ),
        encoding="utf-8",
    )
    _, problems = validate_tables(Project(root), YEAR, ["performance"])
    assert [p.row for p in problems] == [2]
    assert "for 2023-24: the breakdowns add up to 60 but the total is 61" in problems[0].rule


def test_charts_use_the_house_colours(strathbrae):
    project, _ = strathbrae
    (png,) = project.cache_dir(YEAR).glob("performance/figures/*.png")
    colours = {c for _, c in Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20)}
    assert (0x6A, 0x1B, 0x4D) in colours  # Strathbrae's first colour, not the package's blue
    assert (0x00, 0x72, 0xB2) not in colours
