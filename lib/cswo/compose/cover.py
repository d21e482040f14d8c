"""The committee cover report (REPORT TO … Background papers), as pandoc markdown.

The structure and wording are the council's: a Jinja2 template found by
:func:`cswo.project.templates.cover_template` (the project's own, else the
package's neutral default). Everything it fills in comes from the year's
parameters, except the highlights and next year's priorities, which come from
the report's own sections.

The template is markup the council owns; what it fills in is text. Every value a ``{{ }}`` writes
is made literal (:func:`cswo.figures.markup.literal`) unless it is markup already: the helpers'
results, and the highlights and priorities (the notebooks' own markdown).
"""

from __future__ import annotations

import datetime as dt

import jinja2
from markupsafe import Markup

from cswo.compose import anchors
from cswo.errors import CSWOError
from cswo.figures.markup import literal
from cswo.project.parameters import Committee, Parameters
from cswo.project.paths import Project
from cswo.project.reading import read_text, read_yaml
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
        return Markup(f"# {self.chapter}.0 {_text(title.upper())} {{.unnumbered}}")

    def para(self, text: str) -> str:
        self.paragraph += 1
        return Markup(f"{self.chapter}.{self.paragraph} {_text(str(text).strip())}")


def _text(value: object) -> str:
    """What a ``{{ }}`` writes: markup the suite or the notebooks made as it is, anything else as text."""
    return value if isinstance(value, Markup) else literal(value)


def directions_table(params: Parameters, committee: Committee) -> str:
    council, board = params.council.name, params.council.nhs_board
    options = [
        ("none", "No direction required"),
        ("council", council),
        ("nhs_board", board),
        ("both", f"{council} and {board}"),
    ]
    rows = [
        f"| {i}. {literal(label)} | {'X' if committee.directions.required == key else ''} |"
        for i, (key, label) in enumerate(options, 1)
    ]
    caption = f": {literal(f'Direction required to {council}, {board} or both')} {{#tbl-directions}}"
    return Markup("\n".join(["| Direction to | Required |", "|:---|:---:|", *rows, "", caption]))


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
        # through the text reader, so a template not saved as UTF-8 is a sentence naming it and the line
        loader=jinja2.FunctionLoader(lambda name: read_text(path.parent / name, project.shown(path.parent / name))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # the output is markdown, not HTML
        finalize=_text,
    )
    numbering = _Numbering()
    try:
        template = environment.get_template(path.name)
        return template.render(
            params=params,
            committee=committee,
            key=committee_key,
            report_on=committee.report_on or f"{params.report_title} {params.label}",
            highlights=[Markup(item) for item in highlights],
            priorities=[Markup(item) for item in priorities],
            heading=numbering.heading,
            para=numbering.para,
            long_date=long_date,
            directions_table=lambda c: directions_table(params, c),
        )
    except jinja2.TemplateError as exc:
        line = f", line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise CSWOError(f"the cover template {path}{line} cannot be used: {exc.message or exc}") from None


def anchored_cover(project: Project, params: Parameters, committee_key: str, markdown: str) -> tuple[str, list[dict]]:
    """The cover report with each paragraph anchored, naming the parameters key it shows, if one.

    A paragraph showing a highlight or a priority keeps its section's anchor.
    """
    template = cover_template(project, committee_key).name
    values = parameter_texts(read_yaml(project.parameters_file(params.year)))
    text, places = anchors.anchored(
        markdown, lambda index: anchors.anchor_name("cover", committee_key, template, index)
    )
    found = []
    for index, name, source in places:
        shown = [key for key, value in values.items() if len(value) > 3 and value in source]
        key = max(shown, key=lambda k: len(values[k]), default="")
        found.append(anchors.Anchor(name, "cover", "cover", committee_key, 0, index, source, key=key).as_dict())
    return text, found


def parameter_texts(tree: object, prefix: str = "") -> dict[str, str]:
    """Every text value of the parameters, by its dotted key (a list item as key[0])."""
    found: dict[str, str] = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.update(parameter_texts(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found.update(parameter_texts(value, f"{prefix}[{index}]"))
    elif isinstance(tree, str) and tree.strip():
        found[prefix] = tree.strip()
    return found
