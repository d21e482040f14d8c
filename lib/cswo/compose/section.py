"""An executed section notebook -> the markdown readers see (nbconvert, cell tags, roles filled).

Cell tags decide what readers see: ``remove-cell`` and the parameters are dropped, ``highlight``
and ``priorities`` cells are also kept for the cover report, an ``unreviewed`` banner is noted. A
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

from cswo.data.queries import QUERY_MARK
from cswo.figures.formatting import MISSING_PHRASE
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
    unreviewed: bool = False
    missing: list[MissingFigure] = field(default_factory=list)


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
    marked = dict(placeholders)
    for name in sorted(used):
        if MISSING_PHRASE in placeholders.get(name, ""):
            marked[name] = marker(name)
            found.append(MissingFigure(section, cell, name))
        elif name.split(".")[0] in queried and name in placeholders:
            marked[name] = f"{placeholders[name]} **{QUERY_MARK}**"
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
        placeholders = bundle.get("placeholders", {})
        queried = queried_names(bundle, resources.get("queried", set()))
        highlights, priorities, unreviewed, shown, missing, number = [], [], False, [], [], 0
        for cell in cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if "injected-parameters" not in tags:
                number += 1  # cells as the analyst's notebook numbers them (Papermill adds one)
            if UNREVIEWED_TAG in tags:
                unreviewed = True
            if tags & HIDDEN_TAGS:
                continue
            if cell.cell_type == "markdown":
                cell.source = _with_markers(cell.source, placeholders, section, number, missing, queried)
                if HIGHLIGHT_TAG in tags:
                    # highlights summarise the section for the cover report only
                    highlights.append(_one_paragraph(cell.source))
                    continue
                if PRIORITIES_TAG in tags:
                    priorities.extend(_list_items(cell.source))
            if cell.cell_type == "raw":
                continue
            shown.append(cell)
        nb.cells = shown
        resources.update(
            bundle=bundle, highlights=highlights, priorities=priorities, unreviewed=unreviewed, missing=missing
        )
        return nb, resources


def _one_paragraph(text: str) -> str:
    return " ".join(line.strip() for line in text.strip().splitlines() if not line.startswith("#"))


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
        unreviewed=resources["unreviewed"],
        missing=resources["missing"],
    )
