"""The reference year built end to end, and the documents read back as a reader's tools see them."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml
from docx import Document
from pypdf import PdfReader

from cswo.project.catalogue import load_catalogue
from papers import docx_text, paper, pdf_text
from support import ipc_kernel_manager

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reference")]
YEAR = "2021-22"


def test_every_committee_gets_word_and_pdf(built):
    project, result = built
    for committee in ("ijb", "policy-resources"):
        for suffix in ("docx", "pdf"):
            assert paper(project, committee, suffix).stat().st_size > 10_000
        assert (project.year_outputs(YEAR) / committee / f"cswo-annual-report-{YEAR}.pdf").exists()
    executed = project.private_dir(YEAR) / "notebooks"
    assert {p.stem for p in executed.glob("*.ipynb")} >= {"introduction", "children", "complaints", "challenges"}
    assert (project.year_outputs(YEAR) / "figures.csv").exists()
    assert (project.private_dir(YEAR) / "figures-qa.csv").exists()
    # only the papers and the public figures file are published
    published = {p.relative_to(project.year_outputs(YEAR)).parts[0] for p in project.year_outputs(YEAR).iterdir()}
    assert published <= {"ijb", "policy-resources", "figures.csv"}, published
    assert not list(project.year_outputs(YEAR).rglob("*.ipynb"))


def test_ijb_cover_report(built):
    project, _ = built
    document = Document(str(paper(project, "ijb", "docx")))
    first, second = [p.text for p in document.paragraphs if p.text.strip()][:2]
    assert first == "ITEM No …………"  # for the clerk to fill in
    assert second.startswith("REPORT TO: HEALTH AND SOCIAL CARE INTEGRATION JOINT BOARD – 14 DECEMBER 2022")
    text = docx_text(paper(project, "ijb", "docx"))
    assert "REPORT NO: DIJB83-2022" in text
    for number, title in [
        (1, "PURPOSE OF REPORT"),
        (2, "RECOMMENDATIONS"),
        (4, "MAIN TEXT"),
        (8, "DIRECTIONS"),
        (9, "BACKGROUND PAPERS"),
    ]:
        assert f"{number}.0 {title}" in text
    assert re.search(r"1\. No direction required \| X", text)
    assert "DATE: 9 November 2022" in text
    assert "PARTICIPATE" in text.split("5.0 POLICY IMPLICATIONS")[0]  # priorities in the cover's main text


def test_policy_and_resources_has_no_directions(built):
    project, _ = built
    text = docx_text(paper(project, "policy-resources", "docx"))
    assert text.startswith("ITEM No …………\nREPORT TO: POLICY AND RESOURCES COMMITTEE")
    assert "DIRECTIONS" not in text
    assert "8.0 BACKGROUND PAPERS" in text
    assert "Appendix 2: Chief Social Work Officer Governance Framework" in text


CHAPTERS = [
    "Introduction",
    "Governance and Accountability Arrangements",
    "Service Quality and Performance",
    "Resources",
    "Workforce Planning and Development",
    "Challenges for the Year Ahead",
]


def full_text(paragraph) -> str:
    """Every text element of a paragraph, field results (SEQ numbers) included."""
    return "".join(t.text or "" for t in paragraph._p.iter("{*}t"))


def numbered_chapters(document) -> list[str]:
    """Headings at the first level of Word's own list numbering (the report's chapters; in a paper they
    are Heading 2, under the appendix heading)."""
    return [
        full_text(p)
        for p in document.paragraphs
        if p.style.name.startswith("Heading") and p._p.xpath("./w:pPr/w:numPr/w:ilvl[@w:val='0']")
    ]


def test_headings_in_report_order(built):
    project, _ = built
    document = Document(str(paper(project, "ijb", "docx")))
    assert numbered_chapters(document) == CHAPTERS


# The brief's figures, each in the sentence or table row that states it (a bare "36" would be found inside
# "1,360" or another sentence's figure). A row (with " | ") must be a whole row of a table; a sentence part
# must be in one paragraph, with no digit running on after it.
BRIEF_FIGURES = {
    "Service Quality and Performance": [
        # children's services
        "Children de-registered from the Child Protection Register within 12 months | 95% | 84% | 95%",
        "with 95% de-registered after less than 12 months",
        "percentage points on 2020-21, when it was 84%.",
        "Child Protection Orders | 36 | 44 | 36",
        "remains relatively high at 36, but is the same as in 2019-20",
        "at the height of the pandemic in 2020-21, when it was 44.",
        "Children and young people experiencing care at home or away from home | [x] | 480 | 435",
        "with attendance of 87.7% in 2021-22",
        "Young people receiving aftercare support | [x] | 148 | 144",
        "There are currently 144 young people receiving aftercare support",
        "compared with 148 last year, including 28 in Continuing Care. This is 79% of all young people",
        "compares well with the national rate of 67%.",
        "Eligible young people receiving aftercare support: Scotland | [x] | [x] | 67%",
        "New Permanence Orders | [x] | 14 | 22",
        "the number of new Permanence Orders increased from 14 to 22 in 2021-22",
        "it made 1,255 visits to vulnerable service users",
        # community justice
        "court reports made 252 recommendations for Community Payback Orders, an increase of 37% on the",
        "Community Payback Orders imposed | 532 | 204 | 353",
        "A total of 353 Community Payback Orders were imposed, up from 204 in 2020-21 but still below the high of "
        "532 in 2019-20.",
        "Community Payback Orders successfully completed | 68% | 77% | 72%",
        "Overall, 72% of Community Payback Orders were successfully completed in 2021-22.",
        "on the previous year\u2019s 77%, but higher than the 68% of 2019-20.",
        "The courts imposed 30,591 hours of unpaid work in 2021-22, compared with 14,461 in 2020-21",
        "The courts imposed 16 Drug Treatment and Testing Orders",
        "there were 139 registered sex offenders subject to statutory supervision",
        "52 of whom live in Dundee.",
        "There were 150 people serving prison sentences of more than four years",
        "subject to statutory supervision on release, compared with 151 the year before.",
        # adult health and social care, including SDS and Care Inspectorate grades
        "For every hundred people aged 75 and over, 79.9 bed days were lost to delayed discharge, a deterioration "
        "on 2020-21, when 32.7 were lost.",
        "across the whole year 98% of hospital discharges",
        "in 2021, 13.9% of people discharged from hospital after an emergency admission",
        "a result of falls: 31.8 admissions for every thousand people",
        "Of the people who died during 2021, 91.6% of their time in the last six months of life",
        "found that 26.8% of Dundee respondents who provide unpaid care felt supported",
        "lower than the Scottish average of 29.7%.",
        "In 2021-22, 3,085 adult protection referrals were received, an increase of 30% on the previous year.",
        "Option 1 children | \u00a3109,068 | \u00a3234,529 | \u00a3731,424 | \u00a31,099,854 | \u00a31,524,145",
        "4 Good | 3 | 23.1% | 3 | 16.7%",
        "3 Adequate | 10 | 76.9% | 13 | 72.2%",
        # mental health officer service, with 5-year averages
        "there were 97 emergency detentions of people in hospital, compared with 100 in 2020-21, and an average of "
        "98 a year",
        "Emergency detentions | 100 | 97 | 98*",
        "There were 166 short-term detentions, compared with 155 the year before and an average of 160 a year",
        "Short-term detentions | 155 | 166 | 160*",
        "There were 41 Compulsory Treatment Orders, compared with 45 the year before and an average of 42 a year",
        "Compulsory Treatment Orders | 45 | 41 | 42*",
        "Mental Health Officers completed 69 Social Circumstance Reports, compared with 83 the year before.",
        "Social Circumstance Reports completed | 83 | 69 | [x]",
        "In 2021-22, 44 new local authority welfare guardianship orders were made",
        # complaints
        "the total number of social work complaints received was 93, compared with 67 the year before.",
        "There were 36 complaints relating to Children\u2019s Services, 53 in Dundee Health and Social Care "
        "Partnership",
        "investigations were met in 64% of cases",
        "upheld 10%, partially upheld 16%, not upheld 53%, and closed as a service enquiry or resolved 20%.",
    ],
    "Resources": [
        "Total | 122,739",
        "Children\u2019s Services | 35,158",
        "Adult Social Care Services | 82,671",
        "Community Justice Services, ring-fenced Scottish Government grant | 4,716",
        "Total | 7,839",
        "Social care budgets | 5,969",
        "Health budgets | 1,870",
    ],
    "Workforce Planning and Development": [
        "is made up of 1,377 people: 382 in the Dundee City Council Children and Families Service and 995 in the",
        "Most of the workforce, 82%, are women.",
        "Of the workforce, 5.5% identify as having a disability and 4.43% as being of black or minority ethnic origin.",
        "During 2021-22, 136 people left the social work and social care workforce and 108 joined it.",
        "Excluding absence related to COVID-19, 20.2 working days were lost per full-time equivalent (FTE) employee",
        "the whole Dundee City Council workforce of {days} days",
    ],
}


def stated(expected: str, lines: list[str]) -> bool:
    """A table row is one of ``lines``; a sentence part is in one, with no digit running on after it."""
    if " | " in expected:
        return expected in lines
    return any(re.search(re.escape(expected) + r"(?!\d)", line) for line in lines)


def test_brief_figures_appear_in_their_sections(built):
    project, _ = built
    text = docx_text(paper(project, "ijb", "docx"))
    report = text.split("Appendix 1")[-1]
    # the brief quotes the published report, whose percentages vary in precision; the paper shows
    # each figure as the data gives it (the base style), or in the style the catalogue declares
    catalogue = load_catalogue(project)
    decimals = catalogue.decimals("percent")
    days = f"{12.11:.{catalogue.decimals('days_per_fte')}f}"

    def styled(figure: str) -> str:
        if decimals is not None:
            figure = re.sub(r"(\d+(?:\.\d+)?)%", lambda m: f"{float(m.group(1)):.{decimals}f}%", figure)
        return figure.replace("{days}", days)

    expected = {chapter: [styled(f) for f in figures] for chapter, figures in BRIEF_FIGURES.items()}
    starts = [report.index(f"\n{title}\n") for title in CHAPTERS]
    bodies = {
        title: report[start : ([*starts[1:], len(report)])[i]]
        for i, (title, start) in enumerate(zip(CHAPTERS, starts, strict=True))
    }
    for chapter, figures in expected.items():
        lines = bodies[chapter].split("\n")
        missing = [f for f in figures if not stated(f, lines)]
        assert not missing, f"{chapter} lacks {missing}"


def test_contents_lists_the_chapters_before_word_refreshes_it(built):
    project, _ = built
    document = Document(str(paper(project, "ijb", "docx")))
    entries = [
        "".join(t.text or "" for t in p.iter("{*}t"))
        for p in document.element.body.iter("{*}p")
        if p.xpath("./w:pPr/w:pStyle[@w:val='TOC2']")  # the chapters, under the appendix heading
    ]
    entries = [re.sub(r"\s*\d+$", "", entry) for entry in entries]  # the page number LibreOffice filled in
    assert entries[0] == "1 Introduction" and entries[-1] == "6 Challenges for the Year Ahead"
    assert any("TOC \\o" in (t.text or "") for t in document.element.body.iter("{*}instrText"))


def test_word_captions_are_numbered_in_order_from_one_in_the_appendix(built):
    project, _ = built
    texts = [full_text(p) for p in Document(str(paper(project, "ijb", "docx"))).paragraphs]
    appendix = texts[next(i for i, t in enumerate(texts) if t.startswith("Appendix 1:")) :]
    captions = [text for text in appendix if re.match(r"(Figure|Table) \d+: ", text)]
    figures = [int(re.match(r"Figure (\d+)", c).group(1)) for c in captions if c.startswith("Figure")]
    tables = [int(re.match(r"Table (\d+)", c).group(1)) for c in captions if c.startswith("Table")]
    assert figures == list(range(1, len(figures) + 1)) and len(figures) >= 5
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 10


def test_tables_have_repeating_header_rows(built):
    project, _ = built
    document = Document(str(paper(project, "ijb", "docx")))
    assert len(document.tables) >= 10
    for table in document.tables:
        first_row = table.rows[0]._tr
        assert first_row.trPr is not None and first_row.trPr.xpath("./w:tblHeader"), table.rows[0].cells[0].text


def test_every_chart_has_data_derived_alt_text_in_word_and_pdf(built):
    project, _ = built
    document = Document(str(paper(project, "ijb", "docx")))
    descriptions = [d.get("descr") for d in document.element.body.iter("{*}docPr")]
    assert len(descriptions) >= 5
    for alt in descriptions:
        assert alt and re.search(r"\d", alt) and "chart" in alt.lower() and ".png" not in alt
    embedded = [
        b.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        for b in document.element.body.iter("{*}blip")
    ]
    targets = {document.part.related_parts[r].partname for r in embedded}
    assert len(targets) == len(embedded) == len(set(descriptions)), "each chart is its own image"
    reader = PdfReader(str(paper(project, "ijb", "pdf")))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    alts = []

    def walk(node, depth=0):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    if depth < 60:
                        walk(kid, depth + 1)
        elif isinstance(node, list):
            for kid in node:
                walk(kid, depth + 1)

    walk(root["/StructTreeRoot"])
    assert len(alts) == len(descriptions)
    assert all(re.search(r"\d", alt) for alt in alts)


def test_pdf_is_titled_tagged_and_text_matches(built):
    project, _ = built
    reader = PdfReader(str(paper(project, "ijb", "pdf")))
    assert "Chief Social Work Officer Annual Report 2021-22" in reader.metadata.title
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("en")
    assert len(reader.pages) > 20
    assert reader.outline, "headings become bookmarks"
    text = pdf_text(paper(project, "ijb", "pdf"))
    assert "REPORT TO: HEALTH AND SOCIAL CARE INTEGRATION JOINT BOARD" in text
    assert "93, compared with 67" in text


def test_figure_audit_lists_sources(built):
    project, _ = built
    with (project.year_outputs(YEAR) / "figures.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    complaints = [r for r in rows if r["section"] == "complaints" and r["name"] == "complaints" and r["year"] == YEAR]
    assert complaints and complaints[0]["value"] == "93.0" and "complaints records" in complaints[0]["source"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_and_converts_each_docx(built, tmp_path):
    project, _ = built
    for committee in ("ijb", "policy-resources"):
        source = paper(project, committee, "docx")
        result = subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert result.returncode == 0, result.stderr
        converted = tmp_path / (source.stem + ".pdf")
        assert converted.exists() and len(PdfReader(str(converted)).pages) > 10


def test_every_measure_with_three_years_has_a_trend_chart(built):
    project, result = built
    import json

    import nbformat

    from cswo.data.load import load_dataset
    from cswo.project.paths import FIGURES_MIME

    charted = set()
    for path in (project.private_dir(YEAR) / "notebooks").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                bundle = output.get("data", {}).get(FIGURES_MIME)
                if bundle:
                    charted |= {m for chart in bundle["charts"] for m in chart["measures"]}
    dataset = load_dataset(project, YEAR)
    needed = set()
    for name, frame in dataset.tables.items():
        years = frame[frame["number"].notna()].groupby(["measure", "breakdown"])["year"].nunique()
        needed |= {f"{name}.{m}.{b}" for (m, b), n in years.items() if n >= 3}
    assert needed and needed <= charted, json.dumps(sorted(needed - charted))


# how jupyterlab-myst shows a role's text/plain result: the value, without surrounding quotes
LAB_PLAIN_TEXT = re.compile(r"^([\"'])(.*)\1$")
MARKDOWN_SYNTAX = re.compile(r"[*_`\[\]#|>]|^\s*[-\d]")


def _normalised(text: str) -> str:
    """Pandoc's typography (curly quotes, dashes) as straight text, whitespace collapsed."""
    for curly, plain in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2026", "...")):
        text = text.replace(curly, plain)
    return " ".join(text.split())


def test_a_kernel_fills_every_role_as_the_paper_does(built, tmp_path):
    """As jupyterlab-myst does after Run All: each {eval} role evaluated as a kernel user expression.

    Every role must evaluate (no error), and each filled paragraph must be in the paper word for word.
    """
    from cswo.narrative import roles as prose

    project, _ = built
    # Appendix 2 (the governance framework) is in the Policy and Resources paper only
    paper_text = _normalised(" ".join(docx_text(paper(project, c, "docx")) for c in ("ijb", "policy-resources")))
    manager = ipc_kernel_manager(tmp_path)
    manager.start_kernel(cwd=str(project.year_notebooks(YEAR)))
    client = manager.client()
    client.start_channels()
    checked, missing, errors = 0, [], []
    try:
        client.wait_for_ready(timeout=60)
        for notebook in sorted(project.year_notebooks(YEAR).glob("*.ipynb")):
            nb = nbformat.read(notebook, as_version=4)
            client.execute_interactive("get_ipython().run_line_magic('reset', '-f')", timeout=60)
            for cell in nb.cells:
                if cell.cell_type == "code" and "s.finish()" not in cell.source:
                    reply = client.execute_interactive(cell.source, timeout=120, output_hook=lambda msg: None)
                    assert reply["content"]["status"] == "ok", f"{notebook.name}: {reply['content']}"
            for cell in nb.cells:
                names = prose.references(cell.source) if cell.cell_type == "markdown" else []
                if not names:
                    continue
                expressions = {str(i): name for i, name in enumerate(names)}
                reply = client.execute_interactive("", user_expressions=expressions, timeout=60, silent=True)
                results = reply["content"]["user_expressions"]
                shown = {}
                for key, name in expressions.items():
                    result = results[key]
                    if result["status"] != "ok":
                        errors.append(f"{notebook.stem}: {name}: {result.get('ename')}: {result.get('evalue')}")
                        continue
                    shown[name] = LAB_PLAIN_TEXT.sub(r"\2", result["data"]["text/plain"])
                if errors:
                    continue
                filled = prose.fill(cell.source, shown, notebook.stem)
                for paragraph in filled.split("\n\n"):
                    if not MARKDOWN_SYNTAX.search(paragraph) and paragraph.strip():
                        checked += 1
                        if _normalised(paragraph) not in paper_text:
                            missing.append(f"{notebook.stem}: {paragraph[:120]}")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert errors == []
    assert missing == []
    assert checked > 50  # most of the report's narrative is plain paragraphs


def test_every_topic_and_quote_of_chapters_3_and_5_is_in_the_ijb_paper(built):
    """tests/reference/coverage_2021-22.yml against the IJB paper, in Word and in the PDF; every miss at once."""
    from reference_coverage import PARTS, QUOTES, TOPICS, missing

    project, _ = built
    misses = []
    for suffix, read in (("docx", docx_text), ("pdf", pdf_text)):
        text = read(paper(project, "ijb", suffix))
        text = re.sub(r"^.*\bPage \d+ of \d+\s*$", "", text, flags=re.MULTILINE)  # running footers
        text = re.sub(r"^\s*DRAFT\s*$", "", text, flags=re.MULTILINE)  # a draft's running header
        topics, quotes = missing(text)
        misses += [f"{suffix}: topic {t}" for t in topics] + [f"{suffix}: quote {q}" for q in quotes]
        misses += [f"{suffix}: heading {part} {title}" for part, title in PARTS.items() if title not in text]
    assert misses == [], f"{len(TOPICS)} topics, {len(QUOTES)} quotes; missing: {misses}"


def test_framework_is_dated_printed_once_and_names_this_years_leads(built):
    project, _ = built
    ijb = docx_text(paper(project, "ijb", "docx"))
    policy = docx_text(paper(project, "policy-resources", "docx"))
    leads = yaml.safe_load((Path(__file__).parent / "reference" / "governance_framework_2018_leads.yml").read_text())
    named_now = set(leads["named_in_the_2021_22_report"]) | set(leads["roles"])
    officers_2018 = {n for slots in leads["leads_2018"].values() for slot in slots for n in slot} - named_now
    assert "Jane Martin" in officers_2018  # the 2018 CSWO
    for text in (ijb, policy):
        assert [n for n in sorted(officers_2018) if n in text] == []
        for remark in ("being checked with finance", "as published", "not in the data"):
            assert not re.search(rf"\b{remark}\b", text), remark
    assert policy.count("Governance Framework: functions, assurance mechanisms") == 1
    assert "Governance Framework: functions, assurance mechanisms" not in ijb
    # the as-at date and source come from the data, with each table
    assert "approved by the Policy and Resources Committee on 24 September 2018" in policy
    assert "leads updated for the 2021-22 annual report; as at 9 November 2022" in policy
    assert policy.count("Source: Chief Social Work Officer Governance Framework") == 1  # one Source line, dated
    # the 2018 tracker's present tense ("the CSWO is line managed by ...") no longer contradicts Appendix 1
    assert "line managed by the Executive Director" not in policy
    assert "reported to the Policy and Resources Committee with the framework in September 2018" in policy
