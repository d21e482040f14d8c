"""The committee cover report (REPORT TO … Background papers), as pandoc markdown.

The structure and wording are the council's: a Jinja2 template found by
:func:`cswo.project.templates.cover_template` (the project's own, else the
package's neutral default). Everything it fills in comes from the year's
parameters, except the highlights and next year's priorities, which come from
the report's own sections.
"""

from __future__ import annotations

import datetime as dt

import jinja2

from cswo.errors import CSWOError
from cswo.project.parameters import Committee, Parameters
from cswo.project.paths import Project
from cswo.project.templates import cover_template


def long_date(day: dt.date | str) -> str:
    """"14 December 2022"; a placeholder ('[TO COMPLETE: meeting date]') prints as it stands."""
    return day if isinstance(day, str) else f"{day.day} {day:%B %Y}"


class _Numbering:
    """Chapter and paragraph numbers as the template writes them (1.0 …, 1.1 …)."""

    def __init__(self) -> None:
        self.chapter = 0
        self.paragraph = 0

    def heading(self, title: str) -> str:
        self.chapter, self.paragraph = self.chapter + 1, 0
        return f"# {self.chapter}.0 {title.upper()} {{.unnumbered}}"

    def para(self, text: str) -> str:
        self.paragraph += 1
        return f"{self.chapter}.{self.paragraph} {str(text).strip()}"


def directions_table(params: Parameters, committee: Committee) -> str:
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
    caption = f": Direction required to {council}, {board} or both {{#tbl-directions}}"
    return "\n".join(["| Direction to | Required |", "|:---|:---:|", *rows, "", caption])


def cover_markdown(
    project: Project,
    params: Parameters,
    committee_key: str,
    highlights: list[str],
    priorities: list[str],
) -> str:
    """The cover report for one committee, from the project's (or the default) template."""
    path = cover_template(project, committee_key)
    committee = params.committees[committee_key]
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # the output is markdown, not HTML
    )
    numbering = _Numbering()
    try:
        template = environment.get_template(path.name)
        return template.render(
            params=params,
            committee=committee,
            key=committee_key,
            report_on=committee.report_on or f"{params.report_title} {params.label}",
            highlights=highlights,
            priorities=priorities,
            heading=numbering.heading,
            para=numbering.para,
            long_date=long_date,
            directions_table=lambda c: directions_table(params, c),
        )
    except jinja2.TemplateError as exc:
        line = f", line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise CSWOError(f"the cover template {path}{line} cannot be used: {exc.message or exc}") from None
