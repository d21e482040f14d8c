"""An executed section notebook -> the markdown readers see (nbconvert, cell tags, roles filled).

Cell tags decide what readers see: ``remove-cell`` and the parameters are dropped, ``highlight``
and ``priorities`` cells are also kept for the cover report, an ``unreviewed`` banner is dropped. A
role whose figure is missing becomes a visible marker, listed for the build's summary.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.exporters.markdown import MarkdownExporter
from nbconvert.preprocessors.base import Preprocessor

from cswo.compose import anchors as anchoring
from cswo.data.queries import QUERY_MARK
from cswo.figures import vocabulary
from cswo.figures.formatting import MISSING_PHRASE
from cswo.figures.markup import literal
from cswo.narrative import roles as prose
from cswo.project.paths import FIGURES_MIME

HIGHLIGHT_TAG = "highlight"
PRIORITIES_TAG = "priorities"
UNREVIEWED_TAG = "unreviewed"
HIDDEN_TAGS = {"remove-cell", UNREVIEWED_TAG, "parameters", "injected-parameters"}


@dataclass
class SectionText:
    """A section as the documents need it."""

    section: str
    markdown: str
    highlights: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    bundle: dict = field(default_factory=dict)
    missing: list[MissingFigure] = field(default_factory=list)
    anchors: list[dict] = field(default_factory=list)  # each anchored paragraph (anchors.Anchor, as a dict)


@dataclass(frozen=True)
class MissingFigure:
    """A name in prose whose figure is missing: the paper shows a marker there, never a broken sentence."""

    section: str
    cell: int
    name: str

    def __str__(self) -> str:
        return f"section '{self.section}', cell {self.cell}: {marker(self.name)} in place of {prose.role(self.name)}"


def marker(name: str) -> str:
    """What a draft prints where a figure is missing: unmistakable, and naming the figure."""
    return f"**[MISSING: {name}]**"


def _with_markers(
    text: str, placeholders: dict[str, str], section: str, cell: int, found: list, queried: set[str] = frozenset()
) -> str:
    """Fill ``text``, putting a marker where a figure is missing (noted in ``found``), and marking a
    figure under query (``queried``: figure names) after its words."""
    used = set(prose.references(text))
    # a phrase holds labels, names and sources from the data: the prose's markup is the analyst's, its text is not
    marked = {name: literal(phrase) for name, phrase in placeholders.items()}
    for name in sorted(used):
        if MISSING_PHRASE in placeholders.get(name, ""):
            marked[name] = marker(name)
            found.append(MissingFigure(section, cell, name))
        elif name.split(".")[0] in queried and name in placeholders:
            marked[name] = f"{literal(placeholders[name])} **{QUERY_MARK}**"
    return prose.fill(text, marked, section)


def queried_names(bundle: dict, queried: set[tuple]) -> set[str]:
    """The figures of a section's bundle read from a row under query ((table, measure, breakdown, year))."""
    return {
        f["name"]
        for f in bundle.get("figures", [])
        if (f.get("table"), f.get("measure"), f.get("breakdown"), f.get("year")) in queried
    }


class SectionPreprocessor(Preprocessor):
    """Take the section bundle, fill placeholders, collect highlights, drop what readers don't see."""

    def preprocess(self, nb, resources):
        section = resources["section"]
        bundle, cells = {}, []
        for cell in nb.cells:
            if cell.cell_type == "code":
                kept = []
                for output in cell.get("outputs", []):
                    data = output.get("data", {})
                    if FIGURES_MIME in data:
                        bundle = data[FIGURES_MIME]
                    elif output.get("output_type") in ("display_data", "execute_result") and ("text/markdown" in data):
                        # readers see the markdown form only, set apart as its own block
                        output.data = {"text/markdown": "\n" + data["text/markdown"].strip() + "\n"}
                        output.metadata = {}
                        kept.append(output)
                cell.outputs = kept
            cells.append(cell)
        queried = queried_names(bundle, resources.get("queried", set()))
        highlights, priorities, shown, missing, number = [], [], [], [], 0
        found: list[anchoring.Anchor] = []
        for cell in cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if "injected-parameters" not in tags:
                number += 1  # cells as the analyst's notebook numbers them (Papermill adds one)
            if tags & HIDDEN_TAGS:
                continue
            if cell.cell_type == "markdown":
                cell.source = _anchored_prose(cell, section, number, bundle, missing, found, queried)
                if HIGHLIGHT_TAG in tags:
                    # highlights summarise the section for the cover report only
                    highlights.append(anchoring.as_cover_copies(_highlight(cell.source)))
                    continue
                if PRIORITIES_TAG in tags:
                    priorities.extend(anchoring.as_cover_copies(item) for item in _list_items(cell.source))
            elif cell.cell_type == "code":
                _anchor_outputs(cell, section, number, found)
            if cell.cell_type == "raw":
                continue
            shown.append(cell)
        nb.cells = shown
        resources.update(bundle=bundle, highlights=highlights, priorities=priorities, missing=missing)
        resources["anchors"] = [a.as_dict() for a in found] + [
            {**a.as_dict(), "name": a.name + anchoring.COVER_COPY} for a in found if a.kind == "prose"
        ]
        return nb, resources


def _cell_id(cell, number: int) -> str:
    return cell.get("id") or f"cell-{number}"


def _anchored_prose(
    cell, section: str, number: int, bundle: dict, missing: list, found: list, queried: set[str] = frozenset()
) -> str:
    """A markdown cell filled, each paragraph led by its anchor (noted in ``found``); a figure under
    query (``queried``: figure names) is marked after its words."""
    cell_id, placeholders = _cell_id(cell, number), bundle.get("placeholders", {})
    text, places = anchoring.anchored(
        cell.source,
        lambda index: anchoring.anchor_name(section, cell_id, index),
        lambda part: _with_markers(part, placeholders, section, number, missing, queried),
    )
    for index, name, source in places:
        roles = {n: placeholders.get(n, "") for n in prose.references(source)}
        rows = {n: row for n in roles if (row := figure_row(bundle, n))}
        found.append(anchoring.Anchor(name, "prose", section, cell_id, number, index, source, roles, rows))
    return text


def figure_row(bundle: dict, role: str) -> dict | None:
    """Where the figure a role reads is kept (table, measure, breakdown, year), or None (not a figure)."""
    name, _, attribute = role.partition(".")
    rows = [row for row in bundle.get("figures", []) if row["name"] == name]
    if not rows:
        return None
    attribute = attribute.removesuffix(vocabulary.EXACT)
    year, breakdown = bundle.get("year", rows[0]["year"]), rows[0]["breakdown"]
    if vocabulary.attribute_year(attribute):
        year = vocabulary.attribute_year(attribute)
    elif attribute and attribute not in vocabulary.FIGURE_ATTRIBUTES:
        breakdown = attribute  # a breakdown's own value
    return {"table": rows[0]["table"], "measure": rows[0]["measure"], "breakdown": breakdown, "year": year}


def _anchor_outputs(cell, section: str, number: int, found: list) -> None:
    """Each paragraph and caption a code cell shows (its tables, charts and notes) anchored too."""
    cell_id = _cell_id(cell, number)
    for which, output in enumerate(cell.outputs):
        markdown = output.data["text/markdown"]
        text, places = anchoring.anchored(
            markdown, lambda index, w=which: anchoring.anchor_name(section, cell_id, "output", w, index)
        )
        output.data = {"text/markdown": text}
        for index, name, source in places:
            found.append(anchoring.Anchor(name, "output", section, cell_id, number, index, source))


def _highlight(text: str) -> str:
    """A highlight as the cover lists it: its lead as one paragraph and a list under it, if any, as
    that item's sub-items (markdown indented under the cover's "- "); headings and comments are dropped."""
    lead, items = [], []
    for line in text.strip().splitlines():
        if line.startswith("#") or not line.strip() or anchoring.NOT_TEXT.match(line):
            continue
        match = re.match(r"^\s*[-*]\s+(.*)$", line)
        if match:
            items.append(match.group(1).strip())
        elif items:
            items[-1] += " " + line.strip()  # an item's text running on to the next line
        else:
            lead.append(line.strip())
    return "\n".join([" ".join(lead), *(f"    - {item}" for item in items)])


def _list_items(text: str) -> list[str]:
    items = []
    for line in text.splitlines():
        match = re.match(r"^\s*[-*]\s+(.*)$", line)
        if match:
            items.append(match.group(1).strip())
    return items


def notebook_to_section(path: Path, section: str) -> SectionText:
    """Executed notebook -> markdown readers see. Raises MissingFigureError for unknown placeholders."""
    nb = nbformat.read(path, as_version=4)
    return section_text(nb, section)


def section_text(nb: nbformat.NotebookNode, section: str, queried: set[tuple] = frozenset()) -> SectionText:
    """The section as readers see it; a figure read from a row under query (``queried``) is marked."""
    exporter = MarkdownExporter()
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(SectionPreprocessor(), enabled=True)
    body, resources = exporter.from_notebook_node(
        copy.deepcopy(nb), resources={"section": section, "queried": set(queried)}
    )
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return SectionText(
        section=section,
        markdown=body,
        highlights=resources["highlights"],
        priorities=resources["priorities"],
        bundle=resources["bundle"],
        missing=resources["missing"],
        anchors=resources["anchors"],
    )
