"""What a section shows in the lab that a build does not need.

A section knows it is in the lab when the build did not hand it its data (``dataset_path`` is the
parameters cell's default, None): in JupyterLab, and under nbval, which runs a notebook as the lab does.

* Each chart is drawn in its cell (:func:`chart_bundle`): the SVG the PDF uses, with its caption,
  source and alt text. The markdown the build writes into the papers is not shown.
* A mistake in the notebook (a misspelt table or measure, a bad parameter) reads as one sentence,
  not a traceback into the package (:func:`show_errors_as_sentences`).
* The ``cswo-lab`` JupyterLab extension asks :func:`cell_messages` about each markdown cell it
  renders, and shows under the cell what ``cswo validate`` would say about it, in the same words.
"""

from __future__ import annotations

import base64
import html
import json

from IPython import get_ipython

from cswo.errors import CSWOError
from cswo.narrative import roles as prose
from cswo.narrative.needs import UnknownName
from cswo.narrative.readings import figure_readings
from cswo.narrative.typed import typed_numbers_message
from cswo.narrative.years import year_findings

_started: dict[str, object] = {}  # the section the kernel started last, for cell_messages


def chart_bundle(chart, svg: str) -> dict:
    """A chart as the lab shows it: an image of its SVG with its alt text, captioned, with its source."""
    image = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    source = f'<p class="cswo-source">Source: {html.escape(chart.source)}.</p>' if chart.source else ""
    page = (
        f'<figure class="cswo-chart" id="{html.escape(chart.id)}" style="margin:0">'
        f'<img src="data:image/svg+xml;base64,{image}" alt="{html.escape(chart.alt)}" style="max-width:100%">'
        f"<figcaption><strong>{html.escape(chart.caption)}</strong></figcaption>{source}</figure>"
    )
    return {"text/html": page, "text/plain": f"Chart: {chart.caption}. {chart.alt}"}


def _one_sentence(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for the suite's own errors: the message, without the package's traceback."""
    shell._showtraceback(etype, value, [f"{etype.__name__}: {value}"])


def show_errors_as_sentences() -> None:
    """In the lab, show the suite's errors as their sentence (outside a kernel, nothing changes)."""
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((CSWOError,), _one_sentence)


def started(section):
    """Remember the section the kernel started last, for :func:`cell_messages`; return it."""
    _started["section"] = section
    return section


class Messages(list):
    """What validate says about a markdown cell; its repr is JSON, for the lab extension to read."""

    def __repr__(self) -> str:
        return json.dumps(list(self))


def cell_messages(source: str, cell: int, section_id: str) -> Messages:
    """Validate's sentences about one markdown cell (1-based ``cell``, as validate numbers them):
    names no figure registers (with "did you mean"), numbers typed where a figure belongs, and years
    or dates typed where a role belongs (with the role), stale future tense, typed comparisons the
    section's figures contradict and typed verbs of change."""
    section = _started.get("section")
    found = Messages()
    if section is not None and section.id == section_id:
        known = section.placeholders()
        for name in prose.references(source):
            if not prose.is_name(name):
                found.append(str(UnknownName(section_id, cell, name, None)))
            elif name not in known:
                found.append(str(UnknownName(section_id, cell, name, prose.suggestion(name, known))))
    typed = typed_numbers_message(source, cell, section_id)
    if typed:
        found.append(typed)
    if section is not None and section.id == section_id:
        readings = figure_readings(section.registered(), prose.references(source))
        findings = year_findings(source, section.year, readings=readings)
        found.extend(f"Section '{section_id}', cell {cell}: {f.message}" for f in findings)
    return found
