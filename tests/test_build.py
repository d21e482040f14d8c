"""Builds of a small fictional council: any council, incremental builds, failures that touch nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
import yaml
from docx import Document

from cswo.cache import keys, uptodate
from cswo.errors import IncompleteNarrativeError, PublishCheckError, SectionExecutionError
from cswo.pipeline.build import BuildOptions, build, stamp_options
from cswo.project.catalogue import load_catalogue
from cswo.project.paths import Project
from cswo.tools.newyear import roll_forward
from support import ROOT, section_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fictional")]
YEAR = "2023-24"


def fictional_project(root: Path) -> Project:
    """Glenmorven Council: its own parameters, data and a different section list."""
    (root / "data").mkdir(parents=True)
    (root / "outputs").mkdir()
    rows = list(csv.DictReader(io.StringIO((ROOT / "data" / "community_justice.csv").read_text())))
    national = load_catalogue(Project(root))["community_justice"].measures  # no catalogue.yml of its own
    rows = [row for row in rows if row["measure"] in national]  # Dundee's own measures are not Glenmorven's
    for row in rows:  # move Dundee's years on two years and make the numbers Glenmorven's own
        start = int(row["year"][:4]) + 2
        row["year"] = f"{start}-{(start + 1) % 100:02d}"
        if row["value"] and row["unit"] == "count":
            row["value"] = str(int(float(row["value"])) + 3)
        row["source"] = "Glenmorven returns"
    with (root / "data" / "community_justice.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    params = yaml.safe_load((ROOT / "parameters" / "2021-22.yml").read_text())
    params.update(
        year=YEAR,
        year_label_style="slash",
        report_date="2024-10-01",
        review_required=[],
        council={
            "name": "Glenmorven Council",
            "area": "Glenmorven",
            "nhs_board": "NHS Highlands and Islands",
            "partnership": "Glenmorven Health and Social Care Partnership",
        },
        cswo={"name": "Morag Fictional", "title": "Chief Social Work Officer"},
        chapters=[
            {"title": "Overview", "sections": ["overview"]},
            {"title": "Justice Services", "sections": ["justice"]},
        ],
        disclosure={},
    )
    ijb = params["committees"]["ijb"]
    ijb.update(
        meeting_date="2024-11-20",
        report_number="GIJB12-2024",
        date="2024-10-01",
        signatories=[{"name": "Morag Fictional", "title": "Chief Social Work Officer"}],
        consultations="The Glenmorven Leadership Team and the Clerk were consulted.",
        appendices=[{"title": "CSWO Annual Report 2023/24", "source": "annual_report"}],
    )
    params["committees"] = {"ijb": ijb}
    (root / "parameters").mkdir()
    (root / "parameters" / f"{YEAR}.yml").write_text(yaml.safe_dump(params, sort_keys=False))
    folder = root / "notebooks" / YEAR
    folder.mkdir(parents=True)
    overview = section_notebook(
        "overview", ["## About this report", "This is {eval}`s.council`'s report for {eval}`s.label`."], year=YEAR
    )
    justice = section_notebook(
        "justice",
        ["## Community payback", "Community payback orders imposed in {eval}`s.label`: {eval}`cpo.compared`."],
        code=['cpo = s.figure("cpo", "community_justice", "community_payback_orders_imposed")'],
        year=YEAR,
    )
    highlight = nbformat.v4.new_markdown_cell("Orders imposed: {eval}`cpo.value`.")
    highlight.metadata["tags"] = ["highlight"]
    justice.cells.insert(-1, highlight)
    nbformat.write(overview, folder / "overview.ipynb")
    nbformat.write(justice, folder / "justice.ipynb")
    return Project(root)


@contextmanager
def edited_notebook(project: Project, section: str, change):
    """Change a section notebook for one build, then put the analyst's file back exactly."""
    path = project.notebook(YEAR, section)
    original = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)
    try:
        yield
    finally:
        path.write_bytes(original)


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def ran(result) -> set[str]:
    return {job.name for job in result.jobs if not job.reused}


@pytest.fixture(scope="module")
def glenmorven_built(tmp_path_factory):
    """Glenmorven built once, and a pristine copy of the whole project as that build left it."""
    root = tmp_path_factory.mktemp("glenmorven")
    project = fictional_project(root / "project")
    first = build(project, BuildOptions(year=YEAR))
    shutil.copytree(project.root, root / "pristine", symlinks=True)  # copy2 keeps sizes and mtimes
    return project, first, root / "pristine"


@pytest.fixture
def glenmorven(glenmorven_built):
    """Each test starts from the project exactly as the first build left it, whatever the tests
    before it edited, published or rolled forward (the tests run in any order)."""
    project, first, pristine = glenmorven_built
    shutil.rmtree(project.root)
    shutil.copytree(pristine, project.root, symlinks=True)
    return project, first


def test_any_council_builds_from_its_own_parameters(glenmorven):
    project, first = glenmorven
    assert ran(first) == {"overview", "justice"}
    paper = project.year_outputs(YEAR) / "ijb" / f"cswo-annual-report-{YEAR}-ijb-paper.docx"
    text = "\n".join(p.text for p in Document(str(paper)).paragraphs)
    assert "REPORT TO: HEALTH AND SOCIAL CARE INTEGRATION JOINT BOARD – 20 NOVEMBER 2024" in text
    assert "REPORT NO: GIJB12-2024" in text
    assert "Glenmorven Council" in text and "Dundee" not in text
    cpo = next(
        r
        for r in csv.DictReader(io.StringIO((project.data_dir / "community_justice.csv").read_text()))
        if r["year"] == YEAR and r["measure"] == "community_payback_orders_imposed"
    )
    assert (
        f"Community payback orders imposed in 2023/24: {int(cpo['value']):,}, compared with" in text
    )  # slash style from parameters
    assert f"Orders imposed: {int(cpo['value']):,}." in text  # highlight carried into the cover report
    headings = [p.text.split("\t")[-1] for p in Document(str(paper)).paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("Overview") < headings.index("Justice Services")


def test_nothing_changed_reuses_everything(glenmorven):
    project, _ = glenmorven
    before = tree_digest(project.year_outputs(YEAR) / "ijb")
    again = build(project, BuildOptions(year=YEAR))
    assert ran(again) == set()
    assert not any(doc.rendered for doc in again.documents)
    assert tree_digest(project.year_outputs(YEAR) / "ijb") == before


def test_only_the_papers_and_figures_csv_are_published(glenmorven):
    project, _ = glenmorven
    build(project, BuildOptions(year=YEAR))
    folder = project.year_outputs(YEAR)
    published = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert published == [
        "figures.csv",
        f"ijb/cswo-annual-report-{YEAR}-ijb-paper.docx",
        f"ijb/cswo-annual-report-{YEAR}-ijb-paper.pdf",
        f"ijb/cswo-annual-report-{YEAR}.docx",
        f"ijb/cswo-annual-report-{YEAR}.pdf",
    ]
    assert project.document_record(YEAR).is_file()  # which key each paper was made from


def test_a_paper_replaced_in_the_outputs_is_written_afresh(glenmorven):
    project, _ = glenmorven
    build(project, BuildOptions(year=YEAR))
    report = project.year_outputs(YEAR) / "ijb" / f"cswo-annual-report-{YEAR}.pdf"
    report.write_bytes(b"%PDF-1.7 not the paper the build wrote")
    result = build(project, BuildOptions(year=YEAR))
    assert [d.path.name for d in result.documents if d.rendered] == [report.name]
    assert report.read_bytes().startswith(b"%PDF-") and report.stat().st_size > 10_000


def test_editing_one_sections_code_reruns_it_alone(glenmorven):
    project, _ = glenmorven
    path = project.notebook(YEAR, "overview")
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source += "\nedited = True"
    nbformat.write(nb, path)
    result = build(project, BuildOptions(year=YEAR))
    assert ran(result) == {"overview"}
    assert not any(doc.rendered for doc in result.documents)  # same outputs, so the documents stand


def test_a_prose_edit_runs_no_kernel_and_reaches_the_paper(glenmorven):
    project, _ = glenmorven
    path = project.notebook(YEAR, "justice")
    nb = nbformat.read(path, as_version=4)
    prose_cell = next(c for c in nb.cells if c.cell_type == "markdown" and "cpo.compared" in c.source)
    prose_cell.source += " The orders were {eval}`cpo.direction` on the year before."
    nbformat.write(nb, path)
    result = build(project, BuildOptions(year=YEAR))
    assert ran(result) == set()  # the build's own report: every section reused, no kernel started
    assert all(job.reused for job in result.jobs)
    assert {doc.kind for doc in result.documents if doc.rendered} == {"committee paper", "annual report"}
    paper = project.year_outputs(YEAR) / "ijb" / f"cswo-annual-report-{YEAR}-ijb-paper.docx"
    text = "\n".join(p.text for p in Document(str(paper)).paragraphs)
    assert "The orders were increased on the year before." in text  # 356 orders, compared with 207
    executed = nbformat.read(project.private_dir(YEAR) / "notebooks" / "justice.ipynb", as_version=4)
    assert any("cpo.direction" in c.source for c in executed.cells)  # the audit trail carries today's prose
    again = build(project, BuildOptions(year=YEAR))
    assert ran(again) == set() and not any(doc.rendered for doc in again.documents)


def test_every_option_that_changes_what_is_published_is_in_the_stamp():
    """The stamp lets `cswo build` skip a build; an option missing from it would skip one that changes the papers."""
    base = stamp_options(BuildOptions(year=YEAR))
    published = [{"committees": ["ijb"]}, {"formats": ["pdf"]}, {"checks": False}, {"draft": True}, {"final": True}]
    for change in [*published, {"annual_report": False}]:
        assert stamp_options(BuildOptions(year=YEAR, **change)) != base, change
    for change in ({"force": True}, {"workers": 1}, {"cell_timeout": 5.0}):  # how a build runs, not what it makes
        assert stamp_options(BuildOptions(year=YEAR, **change)) == base, change


def test_the_last_build_stays_current_until_an_input_or_an_output_changes(glenmorven):
    project, _ = glenmorven
    build(project, BuildOptions(year=YEAR))
    options = stamp_options(BuildOptions(year=YEAR))
    assert uptodate.current(project, YEAR, options) is not None
    path = project.parameters_file(YEAR)
    original = path.read_bytes()
    path.write_bytes(original + b"\n# a comment\n")
    assert uptodate.current(project, YEAR, options) is None
    path.write_bytes(original)
    assert uptodate.current(project, YEAR, options) is not None
    assert uptodate.current(project, YEAR, {**options, "formats": ["pdf"]}) is None
    pdf = next(project.year_outputs(YEAR).rglob("*.pdf"))
    stat = pdf.stat()
    os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert uptodate.current(project, YEAR, options) is None  # a published file was touched: build again


def test_changing_a_data_file_reruns_only_its_readers(glenmorven):
    project, _ = glenmorven
    path = project.data_dir / "community_justice.csv"
    path.write_text(path.read_text().replace("Glenmorven returns", "Glenmorven returns (revised)", 1))
    assert ran(build(project, BuildOptions(year=YEAR))) == {"justice"}


def test_changing_parameters_reruns_sections_but_a_meeting_date_only_rerenders(glenmorven):
    project, _ = glenmorven
    path = project.parameters_file(YEAR)
    params = yaml.safe_load(path.read_text())
    params["committees"]["ijb"]["meeting_date"] = "2024-11-27"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    result = build(project, BuildOptions(year=YEAR))
    assert ran(result) == set()
    assert {doc.kind for doc in result.documents if doc.rendered} == {"committee paper"}  # the report is unchanged
    params["council"]["area"] = "Glenmorven and the Isles"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    assert ran(build(project, BuildOptions(year=YEAR))) == {"overview", "justice"}


def test_library_change_reruns_everything(glenmorven, monkeypatch):
    project, _ = glenmorven
    monkeypatch.setattr(keys, "library_fingerprint", lambda: "a different library")
    assert ran(build(project, BuildOptions(year=YEAR))) == {"overview", "justice"}


def test_a_tool_upgrade_reruns_everything(glenmorven, monkeypatch):
    project, _ = glenmorven
    monkeypatch.setattr(keys, "tool_versions", lambda: {"pandas": "99.0"})
    assert ran(build(project, BuildOptions(year=YEAR))) == {"overview", "justice"}


def test_the_unreviewed_banner_never_reaches_the_paper(glenmorven):
    project, _ = glenmorven
    banner = nbformat.v4.new_markdown_cell("**Carried forward from 2022-23: not yet reviewed.**")
    banner.metadata["tags"] = ["unreviewed"]
    with edited_notebook(project, "overview", lambda nb: nb.cells.insert(0, banner)):
        result = build(project, BuildOptions(year=YEAR))
    assert not any("not yet reviewed" in w for w in result.warnings)  # the sign-off record says what is open
    paper = project.year_outputs(YEAR) / "ijb" / f"cswo-annual-report-{YEAR}-ijb-paper.docx"
    assert "Carried forward" not in "\n".join(p.text for p in Document(str(paper)).paragraphs)


def test_force_reruns_everything(glenmorven):
    project, _ = glenmorven
    assert ran(build(project, BuildOptions(year=YEAR, force=True))) == {"overview", "justice"}


def test_failing_section_names_itself_and_leaves_outputs_intact(glenmorven):
    project, _ = glenmorven
    before = tree_digest(project.year_outputs(YEAR))
    late = nbformat.v4.new_code_cell("raise ValueError('the return from court services is late')")
    with edited_notebook(project, "justice", lambda nb: nb.cells.insert(2, late)):
        with pytest.raises(SectionExecutionError) as error:
            build(project, BuildOptions(year=YEAR))
    message = str(error.value)
    assert "Section 'justice' failed in cell 3" in message
    assert "the return from court services is late" in message
    failed = error.value.failures[0].notebook
    assert failed is not None and failed.exists() and str(failed) in message
    assert tree_digest(project.year_outputs(YEAR)) == before


def test_unknown_placeholder_fails_naming_section_and_name(glenmorven):
    project, _ = glenmorven
    before = tree_digest(project.year_outputs(YEAR))

    def typo(nb):
        nb.cells[2].source += " {eval}`complaints_typo`"

    with edited_notebook(project, "overview", typo):
        with pytest.raises(IncompleteNarrativeError) as error:  # found before any section runs
            build(project, BuildOptions(year=YEAR))
    assert [(u.section, u.name) for u in error.value.unknown] == [("overview", "complaints_typo")]
    assert tree_digest(project.year_outputs(YEAR)) == before


def test_a_chart_without_alt_text_stops_the_build_naming_it(glenmorven):
    project, _ = glenmorven
    before = tree_digest(project.year_outputs(YEAR))
    chart = nbformat.v4.new_code_cell(
        'chart = s.trend_chart([cpo], s.years(3), "Community Payback Orders imposed")\nchart.alt = ""\ns.show(chart)'
    )
    chart.metadata["tags"] = ["remove-input"]
    with edited_notebook(project, "justice", lambda nb: nb.cells.insert(-1, chart)):
        with pytest.raises(PublishCheckError) as error:
            build(project, BuildOptions(year=YEAR))
    message = str(error.value)
    assert "Community Payback Orders imposed" in message and "alt text" in message
    assert tree_digest(project.year_outputs(YEAR)) == before


def test_rolling_forward_leaves_last_years_papers_as_they_were(glenmorven):
    project, _ = glenmorven
    build(project, BuildOptions(year=YEAR))
    paper = project.year_outputs(YEAR) / "ijb" / f"cswo-annual-report-{YEAR}-ijb-paper.docx"
    before = "\n".join(p.text for p in Document(str(paper)).paragraphs)
    roll_forward(project, "2024-25")
    again = build(project, BuildOptions(year=YEAR))
    assert ran(again) == set()  # a new year's workbook changes nothing 2023-24 can see
    assert "\n".join(p.text for p in Document(str(paper)).paragraphs) == before


def test_a_draft_leaves_the_word_contents_page_numbers_to_word_and_says_so(glenmorven, monkeypatch):
    """Asked for (--draft) or because the year is open, a draft leaves out LibreOffice's layout (a final
    build's is in test_draft_final)."""
    from cswo.compose.papers import DRAFT_CONTENTS_NOTE
    from cswo.render import contents

    project, _ = glenmorven
    laid_out = []
    monkeypatch.setattr(contents, "laid_out_pages", lambda paths: laid_out.extend(paths) or {})
    result = build(project, BuildOptions(year=YEAR, draft=True))
    words = [d.path for d in result.documents if d.path.suffix == ".docx"]
    assert words and laid_out == []  # no LibreOffice run in a draft
    for path in words:
        assert DRAFT_CONTENTS_NOTE in "\n".join(p.text for p in Document(str(path)).paragraphs)
    pdfs = [d.path for d in result.documents if d.path.suffix == ".pdf"]
    assert pdfs and all("Draft: the page numbers" not in _pdf_text(path) for path in pdfs)

    def edit(nb):
        nb.cells[2].source += " Checked again."

    with edited_notebook(project, "overview", edit):
        opened = build(project, BuildOptions(year=YEAR))  # not --draft, but the year has open items
    assert opened.open_items
    opened_words = [d.path for d in opened.documents if d.path.suffix == ".docx" and d.rendered]
    assert opened_words and laid_out == []
    for path in opened_words:
        assert DRAFT_CONTENTS_NOTE in "\n".join(p.text for p in Document(str(path)).paragraphs)


def _pdf_text(path: Path) -> str:
    from cswo.safeguards.pdftext import page_texts

    return "\n".join(page_texts(path))
