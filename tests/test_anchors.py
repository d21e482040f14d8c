"""Anchors: each paragraph, heading, list item, caption and table of a Word paper names its source
(section, cell id, paragraph; or the cover and its parameters key), invisibly, and keeps doing so
through LibreOffice; the PDF has none."""

from __future__ import annotations

import base64
import datetime as dt
import shutil

import nbformat
import pytest

from cswo.compose import anchors
from cswo.compose.cover import anchored_cover, cover_markdown
from cswo.compose.section import section_text
from cswo.project.parameters import load_year
from cswo.project.paths import FIGURES_MIME, TEMPLATES_DIR
from cswo.render import engines
from cswo.review import wordfile
from reviewing import libreoffice_round_trip
from support import REFERENCE, REFERENCE_YEAR

MARKDOWN = """### Complaints

We received {eval}`complaints.compared`. It was a *busy* year.

- First priority.
- Second priority, which runs
  on to a second line.

> "A quote."
>
> — Someone

![A chart](figures/chart.png){#fig-chart fig-alt="Line chart"}

| A | B |
|---|---|
| 1 | 2 |

: Complaints by service {#tbl-complaints}

```python
not = "a paragraph"
```
"""
PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
META = {"title": "Paper", "author": "A Officer", "lang": "en-GB", "date": dt.date(2024, 11, 1)}


def test_each_paragraph_item_quote_and_caption_has_its_own_anchor_and_source():
    filled, found = anchors.anchored(MARKDOWN, lambda i: anchors.anchor_name("demo", "cell1", i), str.upper)
    sources = [source for _, _, source in found]
    assert sources == [
        "### Complaints",
        "We received {eval}`complaints.compared`. It was a *busy* year.",
        "- First priority.",
        "- Second priority, which runs\n  on to a second line.",
        '> "A quote."',
        "> — Someone",
        '![A chart](figures/chart.png){#fig-chart fig-alt="Line chart"}',
        ": Complaints by service {#tbl-complaints}",
    ]
    assert len({name for _, name, _ in found}) == len(found)
    assert "### []{#" + found[0][1] + "}COMPLAINTS" in filled
    assert "![[]{#" in filled  # inside the caption: the image stays alone in its paragraph, a figure
    assert '```PYTHON\nNOT = "A PARAGRAPH"\n```' in filled  # filled as before, but not a paragraph
    assert anchors.strip(filled).count("[]{#") == 0


def test_names_are_stable_and_differ_by_place():
    assert anchors.anchor_name("demo", "c1", 0) == anchors.anchor_name("demo", "c1", 0)
    assert len({anchors.anchor_name("demo", "c1", 0), anchors.anchor_name("demo", "c1", 1),
                anchors.anchor_name("demo", "c2", 0)}) == 3  # fmt: skip
    assert anchors.NAME.fullmatch(anchors.anchor_name("x")) and not anchors.NAME.fullmatch("cswo_appendix_1")


def executed(cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    finish = nbformat.v4.new_code_cell("s.finish()")
    finish.metadata["tags"] = ["remove-cell"]
    bundle = {
        "section": "demo",
        "year": "2021-22",
        "placeholders": {"complaints.compared": "93, compared with 67", "complaints.childrens_services": "36"},
        "figures": [
            {"name": "complaints", "table": "complaints", "measure": "complaints_received", "breakdown": "total",
             "year": "2021-22"},
        ],
    }  # fmt: skip
    finish.outputs = [nbformat.v4.new_output("display_data", data={FIGURES_MIME: bundle, "text/plain": "x"})]
    nb.cells = [*cells, finish]
    return nb


def test_a_section_records_each_anchored_paragraph_with_its_cell_roles_and_figure_rows():
    prose = nbformat.v4.new_markdown_cell(
        "## Complaints\n\nWe received {eval}`complaints.compared`, {eval}`complaints.childrens_services` for children."
    )
    highlight = nbformat.v4.new_markdown_cell("Complaints rose to {eval}`complaints.compared`.")
    highlight.metadata["tags"] = ["highlight"]
    text = section_text(executed([prose, highlight]), "demo")
    by_source = {a["source"]: a for a in text.anchors if a["kind"] == "prose" and not a["name"].endswith("c")}
    sentence = by_source["We received {eval}`complaints.compared`, {eval}`complaints.childrens_services` for children."]
    assert (sentence["section"], sentence["cell"], sentence["number"], sentence["paragraph"]) == (
        "demo", prose.id, 1, 1,
    )  # fmt: skip
    assert sentence["roles"]["complaints.compared"] == "93, compared with 67"
    assert sentence["figures"]["complaints.compared"]["breakdown"] == "total"
    assert sentence["figures"]["complaints.childrens_services"]["breakdown"] == "childrens_services"
    assert "[]{#" + sentence["name"] + "}We received 93, compared with 67, 36 for children." in text.markdown
    (copy,) = anchors.names(text.highlights[0])
    assert copy.endswith(anchors.COVER_COPY) and copy in {a["name"] for a in text.anchors}


def test_cover_paragraphs_name_the_parameters_key_they_show():
    params = load_year(REFERENCE, REFERENCE_YEAR)
    markdown = cover_markdown(REFERENCE, params, "ijb", [], [])
    _, found = anchored_cover(REFERENCE, params, "ijb", markdown)
    purpose = next(a for a in found if "brings forward for information" in a["source"])
    assert purpose["kind"] == "cover" and purpose["key"] == "committees.ijb.purpose"
    assert next(a for a in found if "REPORT BY" in a["source"])["key"] == ""


def anchored_paper(tmp_path):
    filled, found = anchors.anchored(MARKDOWN.replace("{eval}`complaints.compared`", "93"), anchors.anchor_name)
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "chart.png").write_bytes(base64.b64decode(PIXEL))
    out = tmp_path / "paper.docx"
    engines.render_docx(
        filled, out, tmp_path, {**META, wordfile.BUILD_PROPERTY: "babc"}, TEMPLATES_DIR / "reference.docx"
    )
    return out, found


def test_word_keeps_each_anchor_as_an_empty_bookmark_and_the_paper_its_build_id(tmp_path):
    out, found = anchored_paper(tmp_path)
    paragraphs = wordfile.paragraphs(out)
    shown = {p.anchor: p.text for p in paragraphs if p.anchor}
    names = [name for _, name, _ in found]
    assert set(names) <= set(shown)
    assert shown[names[1]] == "We received 93. It was a busy year."
    assert shown[names[7] + "#table"].split("\n")[:2] == ["A", "B"]
    assert wordfile.build_id(out) == "babc"


def test_the_pdf_carries_no_anchors(tmp_path):
    filled, _ = anchors.anchored("A paragraph.\n\n## A heading\n", anchors.anchor_name)
    out = tmp_path / "paper.typ"
    engines._pandoc(["--to", "typst", "--lua-filter", str(engines.LUA_FILTER), "--output", str(out)], filled, tmp_path)
    assert "cswo_" not in out.read_text(encoding="utf-8") and "A paragraph." in out.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_anchors_survive_a_round_trip_through_libreoffice(tmp_path):
    out, _ = anchored_paper(tmp_path)
    again = libreoffice_round_trip(out, tmp_path / "libreoffice")
    before = [(p.anchor, p.text) for p in wordfile.paragraphs(out) if p.anchor]
    after = [(p.anchor, p.text) for p in wordfile.paragraphs(again) if p.anchor]
    assert after == before and len(before) >= 7
    assert wordfile.build_id(again) == "babc"
