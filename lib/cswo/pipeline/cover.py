"""The committee cover report (REPORT TO … 9.0 Background papers), as pandoc markdown.

Everything comes from the year's parameters, except the highlights (4.0) and
next year's priorities, which come from the report's own sections.
"""

from __future__ import annotations

import datetime as dt

from cswo.project.parameters import Committee, Parameters


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _numbered(chapter: int, paragraphs: list[str], start: int = 1) -> list[str]:
    return [f"{chapter}.{i} {text.strip()}" for i, text in enumerate(paragraphs, start)]


def _heading(number: int, title: str) -> str:
    return f"# {number}.0 {title.upper()} {{.unnumbered}}"


def directions_table(params: Parameters, committee: Committee) -> list[str]:
    council, board = params.council.name, params.council.nhs_board
    options = [
        ("none", "No direction required"),
        ("council", council),
        ("nhs_board", board),
        ("both", f"{council} and {board}"),
    ]
    rows = [
        f"| {i}. {label} | {'X' if committee.directions.required == key else ''} |"
        for i, (key, label) in enumerate(options, 1)
    ]
    return [
        "| Direction to | Required |",
        "|:---|:---:|",
        *rows,
        "",
        f": Direction required to {council}, {board} or both {{#tbl-directions}}",
    ]


def cover_markdown(
    params: Parameters,
    committee_key: str,
    highlights: list[str],
    priorities: list[str],
) -> str:
    """The cover report for one committee. Sections 1.0 to 9.0; 8.0 Directions only for the IJB."""
    c = params.committees[committee_key]
    report_on = c.report_on or f"{params.report_title} {params.label}"
    lines = [
        "::: {.cover-fields}",
        f"**REPORT TO:** {c.name.upper()} – {long_date(c.meeting_date).upper()}",
        "",
        f"**REPORT ON:** {report_on.upper()}",
        "",
        f"**REPORT BY:** {c.report_by.upper()}",
        "",
        f"**REPORT NO:** {c.report_number}",
        ":::",
        "",
        _heading(1, "Purpose of report"),
        "",
        *_numbered(1, [c.purpose]),
        "",
        _heading(2, "Recommendations"),
        "",
        c.recommendations_intro,
        "",
        *[p + "\n" for p in _numbered(2, c.recommendations)],
        _heading(3, "Financial implications"),
        "",
        *_numbered(3, [c.financial_implications]),
        "",
        _heading(4, "Main text"),
        "",
    ]
    main = list(c.statutory_basis)
    paragraph = len(main) + 1
    lines += [p + "\n" for p in _numbered(4, main)]
    if highlights:
        lines += [f"4.{paragraph} {c.main_text_intro.strip()}", ""]
        lines += [f"- {h}" for h in highlights] + [""]
        paragraph += 1
    if c.challenges:
        lines += [f"4.{paragraph} {c.challenges.strip()}", ""]
        paragraph += 1
    if priorities:
        lines += [f"4.{paragraph} {c.priorities_intro.strip()}", ""]
        lines += [f"- {p}" for p in priorities] + [""]
    lines += [
        _heading(5, "Policy implications"),
        "",
        *_numbered(5, [c.policy_implications]),
        "",
        _heading(6, "Risk assessment"),
        "",
        *_numbered(6, [c.risk_assessment]),
        "",
        _heading(7, "Consultations"),
        "",
        *_numbered(7, [c.consultations]),
        "",
    ]
    number = 8
    if c.directions is not None:
        lines += [
            _heading(8, "Directions"),
            "",
            f"8.1 The Integration Joint Board requires a mechanism to action its strategic commissioning "
            f"plans and this is provided for in sections 26 to 28 of the Public Bodies (Joint Working) "
            f"(Scotland) Act 2014. This mechanism takes the form of binding directions from the Integration "
            f"Joint Board to one or both of {params.council.name} and {params.council.nhs_board}.",
            "",
            *directions_table(params, c),
            "",
        ]
        number = 9
    lines += [_heading(number, "Background papers"), ""]
    papers = c.background_papers or ["None."]
    lines += [p + "\n" for p in _numbered(number, papers)]
    lines += ["::: {.signatories}"]
    for person in c.signatories:
        lines += [f"{person.name}  ", f"{person.title}", ""]
    lines += [f"**DATE:** {long_date(c.date)}", ":::", ""]
    return "\n".join(lines)
