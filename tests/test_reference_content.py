"""The reference papers read as candidly as the published 2021-22 report, and only as members should read them.

Read back from the built Word and PDF papers: each published adverse benchmark and each restored figure
in its sentence, the CSWO's foreword as she signed it, no reviewer's note or provenance remark in any
paper, and Source lines that name where the figures come from, never the report itself.
"""

from __future__ import annotations

import csv
import re

import pytest

from cswo.project.catalogue import load_catalogue
from papers import docx_text, paper, pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reference")]
YEAR = "2021-22"
COMMITTEES = ("ijb", "policy-resources")

# Sentences of the published report, as the IJB paper words them; {n} is a percentage the paper shows in
# its own number style. Each names its figure in the sentence, so a figure moved elsewhere still fails.
ADVERSE = [
    "In 2021-22 Dundee was the 13th poorest performing Partnership in Scotland for the number of hospital bed days",
    "Dundee has the third highest 28-day readmission rate in Scotland.",
    "In 2021 Dundee was the poorest performing Partnership in Scotland for falls.",
    "Dundee has the second lowest life expectancy in Scotland for males and the fifth lowest for females.",
    "A statutory notice of enforcement was given to 1 care home, Balhousie Clements Park, because of poor grades",
]
RESTORED = [
    "recommendations for Community Payback Orders, an increase of {37} on the previous year.",
    "no supervision requirement increased the most, with a rise of {61} on last year.",
    "found that {40} of the female prison population were untried or awaiting sentence, and {31} were serving",
    "and of those only {17} met the unit's criteria of having at least three months left to serve.",
    "3,085 adult protection referrals were received, an increase of {30} on the previous year.",
    "Of the 3,085 referrals, {77} were screened out by team managers before the duty to inquire stage.",
    "referrals from the NHS continue to increase year on year, by {44} compared with last year.",
    "the vast majority ({77}) did not meet the definition of an adult at risk.",
    "because of their mental health has fallen by 9,934, a reduction of {22}.",
    "the number of mental health emergency admissions fell by {51}.",
    "the Integration Joint Board agreed investments of over £1 million for 2021-22 and the following year",
    "and there are 24 secondary school Young Carer Ambassadors.",
    "7 Community Learning and Development Young Carer Champions",
    "with more than 300 young carers receiving support from Dundee Carers Centre.",
    "1,255 visits to vulnerable service users, an increase of {26} on the previous year,",
    "on Permanence Orders on 31 March 2021, {27} of all care experienced children and young people.",
    "Despite the pandemic, over 80% of rehabilitation assessments have continued to meet their timescales.",
    "was spent at home or in a community setting, {1.5} higher than the Scottish average.",
    "Given a total of over 9,000 social work service users, the number of complaints is a small proportion",
    "Of the 18 services inspected, 5 received grades of good, very good or excellent.",
]
# what a reviewer writes and a member should never read
QA_PHRASES = [
    "was not stated",
    "shown as reported",
    "are as reported",
    "as reported by",
    "kept as published",
    "more than its parts",
    "have not been updated since",
    "check with",
    "taken from the published",
    "known slip",
    "stored under",
    "not stored",
]
# a Source line that cites the report itself (its title or one of its sections) rather than a source
SELF_CITING = re.compile(r"(CSWO|Chief Social Work Officer) Annual Report|\bsection \d|\bthis report\b", re.IGNORECASE)


def readable(text: str) -> str:
    """One line, straight quotes; running footers, a DRAFT watermark and line-end hyphenation gone."""
    text = re.sub(r"^.*\bPage \d+ of \d+\s*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"\bDRAFT\b", " ", text)  # a draft paper's watermark, which PDF text runs through sentences
    text = re.sub("[\u2018\u2019]", "'", text).replace("\u2011", "-").replace("\u00a0", " ")
    text = re.sub(r"(\w)-\s+(\w)", r"\1-\2", text)
    return " ".join(text.split())


def in_style(sentence: str, decimals: int | None) -> str:
    """A sentence with each {n} written as the paper writes a percentage."""
    if decimals is None:  # as the data gives it: 37 is "37%", 1.5 is "1.5%"
        return re.sub(r"\{([\d.]+)\}", r"\1%", sentence)
    return re.sub(r"\{([\d.]+)\}", lambda m: f"{float(m.group(1)):.{decimals}f}%", sentence)


@pytest.fixture(scope="module")
def papers(built):
    project, _ = built
    texts = {
        (c, s): readable(read(paper(project, c, s)))
        for c in COMMITTEES
        for s, read in (("docx", docx_text), ("pdf", pdf_text))
    }
    return project, texts


def test_every_published_adverse_benchmark_and_restored_figure_is_in_the_ijb_paper(papers):
    project, texts = papers
    decimals = load_catalogue(project).decimals("percent")
    expected = [in_style(sentence, decimals) for sentence in ADVERSE + RESTORED]
    missing = [
        f"{suffix}: {sentence}"
        for suffix in ("docx", "pdf")
        for sentence in expected
        if sentence not in texts[("ijb", suffix)]
    ]
    assert missing == []


def test_the_foreword_is_as_the_cswo_signed_it(papers):
    _, texts = papers
    for suffix in ("docx", "pdf"):
        text = texts[("ijb", suffix)]
        start = text.index("My last annual report had a clear focus")
        foreword = text[start : text.index("Diane McCulloch", start)]
        assert "providing ongoing support for kinship carers of over 400 children and young people." in foreword
        assert (
            "across the whole year 98% of hospital discharges in Dundee were not associated with a delay." in foreword
        )
        assert "the investment of over £1 million of additional resources" in foreword
        assert "more than doubled in comparison with 2020-21" in foreword
        # she gave one percentage, and no change or comparison phrase of the suite's
        assert re.findall(r"[\d.]+%", foreword) == ["98%"], suffix
        assert not re.search(r"an (increase|decrease) of|compared with", foreword), suffix


def test_no_reviewers_note_or_provenance_remark_reaches_a_paper(papers):
    project, texts = papers
    private = set()
    for path in project.data_dir.glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                private |= {row[c].strip() for c in ("qa_note", "known_slip") if row.get(c, "").strip()}
    assert len(private) > 50  # the reference data keeps its reasons, privately
    for (committee, suffix), text in texts.items():
        lowered = text.lower()
        assert [p for p in QA_PHRASES if re.search(rf"\b{p}\b", lowered)] == [], (committee, suffix)
        assert [n for n in private if readable(n).lower() in lowered] == [], (committee, suffix)


def test_source_lines_name_the_real_source_once_and_never_the_report(papers):
    project, texts = papers
    for committee in COMMITTEES:
        lines = [line for line in docx_text(paper(project, committee, "docx")).splitlines() if line.strip()]
        sources = [line for line in lines if line.startswith("Source:")]
        assert len(sources) >= 15, committee
        assert [s for s in sources if SELF_CITING.search(s)] == [], committee
        doubled = [
            a for a, b in zip(lines, lines[1:], strict=False) if a.startswith("Source:") and b.startswith("Source:")
        ]
        assert doubled == [], committee
    named = " ".join(texts[("ijb", "docx")].split("Source: ")[1:])
    for body in (
        "Care Inspectorate",
        "Public Health Scotland",
        "Integration Joint Board annual accounts",
        "Human Resources",
        "Mental Health Officer Service",
    ):
        assert body in named, body
