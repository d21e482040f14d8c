"""Sections -> the annual report's markdown -> each committee paper's (cover report and appendices)."""

from __future__ import annotations

import re

from cswo.compose import anchors
from cswo.compose.section import SectionText
from cswo.figures.markup import literal

DRAFT_CONTENTS_NOTE = (
    "Draft: the page numbers of this contents list are filled in when Word opens the paper (choose Yes "
    "if it asks to update fields); the final build lays them out in the file."
)


def annual_report_markdown(
    params, sections: dict[str, SectionText], standalone: bool, depth: int = 2, draft: bool = False
) -> str:
    """The annual report's chapters in the year's order, with its own title block and contents.

    A draft's Word contents say their page numbers come when Word opens it (a draft build leaves out
    LibreOffice's layout); the PDF's contents have their page numbers from Typst either way.
    """
    parts = []
    if standalone:
        parts += [
            "::: {.title-block}",
            f"**{literal(params.council.name)}**",
            "",
            f"**{literal(params.report_title)}**",
            "",
            f"**{literal(params.label)}**",
            ":::",
            "",
        ]
    scope = "" if standalone else ' scope="report"'
    parts += [f'::: {{.toc{scope} depth="{depth}"}}', *contents_entries(params, sections, depth), ":::", ""]
    if draft:
        parts += ["::: {.word-only .draft-note}", DRAFT_CONTENTS_NOTE, ":::", ""]
    parts += ["::: {.pagebreak}", ":::", ""]
    for chapter in params.chapters:
        parts += [f"# {literal(chapter.title)}", ""]
        for name in chapter.sections:
            parts += [sections[name].markdown, ""]
    return "\n".join(parts)


def contents_entries(params, sections: dict[str, SectionText], depth: int) -> list[str]:
    """The report's numbered headings as 'L1 1 Introduction' lines, for the Word contents field."""
    entries = []
    for number, chapter in enumerate(params.chapters, start=1):
        entries += [f"L1 {number} {literal(chapter.title)}", ""]
        sub = 0
        for name in chapter.sections:
            for line in anchors.strip(sections[name].markdown).splitlines():
                match = re.match(r"^## (?!#)(.*?)\s*(\{[^}]*\})?$", line)
                if match and depth >= 2 and "unnumbered" not in (match.group(2) or ""):
                    sub += 1
                    entries += [f"L2 {number}.{sub} {match.group(1)}", ""]
    return entries


def committee_markdown(params, committee_key: str, cover: str, report: str, appendices: dict[str, SectionText]) -> str:
    committee = params.committees[committee_key]
    parts = [cover, "::: {.pagebreak}", ":::", ""]
    first = committee.appendices[0]
    parts += [
        f"# Appendix 1: {literal(first.title)} {{.unnumbered #appendix-1}}",
        "",
        f"**{literal(params.council.name)}** — {literal(params.report_title)} {literal(params.label)}",
        "",
        "::: {.report-start}",
        ":::",
        "",
        report,
        "::: {.report-end}",
        ":::",
        "",
    ]
    for number, appendix in enumerate(committee.appendices[1:], start=2):
        parts += [
            "::: {.pagebreak}",
            ":::",
            "",
            "::: {.unnumbered-headings}",
            f"# Appendix {number}: {literal(appendix.title)} {{.unnumbered #appendix-{number}}}",
            "",
            appendices[appendix.source].markdown,
            ":::",
            "",
        ]
    return "\n".join(parts)
