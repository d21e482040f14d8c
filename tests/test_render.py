"""From an executed notebook to the markdown readers see, and the cover report around it."""

from __future__ import annotations

import datetime as dt

import nbformat
import pypandoc
import pytest

from cswo.compose import anchors
from cswo.compose.cover import cover_markdown
from cswo.compose.section import notebook_to_section
from cswo.errors import MissingFigureError, UnreadableTextError
from cswo.project.parameters import load_parameters
from cswo.project.paths import FIGURES_MIME
from support import REFERENCE, ROOT, copy_project, latin1_cover


def executed_notebook(tmp_path, cells, placeholders):
    """An executed section notebook as Papermill leaves it, built in memory."""
    nb = nbformat.v4.new_notebook()
    finish = nbformat.v4.new_code_cell("s.finish()")
    finish.metadata["tags"] = ["remove-cell"]
    finish.outputs = [
        nbformat.v4.new_output(
            "display_data", data={FIGURES_MIME: {"section": "demo", "placeholders": placeholders}, "text/plain": "x"}
        )
    ]
    nb.cells = [*cells, finish]
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    return path


def markdown_cell(text, *tags):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = list(tags)
    return cell


def test_tags_decide_what_readers_see(tmp_path):
    table = nbformat.v4.new_code_cell("s.show(table)")
    table.metadata["tags"] = ["remove-input"]
    table.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/markdown": "| A | B |\n|---|---|\n| 1 | 2 |", "text/html": "<table/>"}
        )
    ]
    hidden = nbformat.v4.new_code_cell("secret = 1")
    hidden.metadata["tags"] = ["remove-cell"]
    hidden.outputs = [nbformat.v4.new_output("stream", name="stdout", text="debug output")]
    path = executed_notebook(
        tmp_path,
        [
            markdown_cell("**Carried forward: review me.**", "unreviewed"),
            markdown_cell("## Complaints\n\nWe received {eval}`complaints.compared`."),
            table,
            hidden,
            markdown_cell("Complaints rose to {eval}`complaints.value`.", "highlight"),
            markdown_cell("- **REVIEW** the complaints process.\n- **PUBLISH** outcomes.", "priorities"),
        ],
        {"complaints.value": "93", "complaints.compared": "93, compared with 67 the year before"},
    )
    text = notebook_to_section(path, "demo")
    assert "We received 93, compared with 67 the year before." in text.markdown
    assert "| A | B |" in text.markdown and "<table" not in text.markdown
    assert "secret" not in text.markdown and "debug output" not in text.markdown
    assert "review me" not in text.markdown
    assert "Complaints rose to 93." not in text.markdown  # the highlight goes to the cover report only
    # each carries its cell's anchor, renamed as the cover's copy (a bookmark name is unique in a paper)
    assert [anchors.strip(h) for h in text.highlights] == ["Complaints rose to 93."]
    assert all(name.endswith(anchors.COVER_COPY) for h in text.highlights for name in anchors.names(h))
    priorities = ["**REVIEW** the complaints process.", "**PUBLISH** outcomes."]
    assert [anchors.strip(p) for p in text.priorities] == priorities
    assert "**REVIEW**" in text.markdown  # priorities stay in the report too


def test_a_highlight_with_a_list_lists_its_items_under_its_lead_on_the_cover(tmp_path, params):
    """As a cover report groups its highlights ("Positive performance ... includes:" then a bullet per service)."""
    lead = "<!-- allow-number: 2 -->\n\nPositive performance across\nstatutory functions includes:\n\n"
    items = "- In children's services, {eval}`orders.value` orders.\n- In justice, more orders\n  than before.\n"
    path = executed_notebook(tmp_path, [markdown_cell(lead + items, "highlight")], {"orders.value": "36"})
    (highlight,) = notebook_to_section(path, "demo").highlights
    assert anchors.strip(highlight) == (
        "Positive performance across statutory functions includes:\n"
        "    - In children's services, 36 orders.\n"
        "    - In justice, more orders than before."
    )
    cover = pypandoc.convert_text(cover_markdown(REFERENCE, params, "ijb", [highlight], []), "native", "markdown")
    nested = cover[cover.index('Str "Positive"') :]
    assert "BulletList" in nested[: nested.index('Str "children')]  # a list inside the highlight's item


def test_unknown_placeholders_are_all_named(tmp_path):
    path = executed_notebook(
        tmp_path,
        [markdown_cell("{eval}`complaints` and {eval}`complaint_typo` {eval}`other`")],
        {"complaints.value": "93"},
    )
    with pytest.raises(MissingFigureError) as error:
        notebook_to_section(path, "demo")
    assert error.value.names == ["complaint_typo", "complaints", "other"]
    assert error.value.suggestions["complaints"] == "complaints.value"  # a bare figure: say which phrase


@pytest.fixture(scope="module")
def params():
    return load_parameters(ROOT / "parameters" / "2021-22.yml")


def test_ijb_cover_has_directions_and_the_report_fields(params):
    cover = cover_markdown(REFERENCE, params, "ijb", ["Highlight one."], ["**ACT** now."])
    assert cover.index(
        "**REPORT TO:** HEALTH AND SOCIAL CARE INTEGRATION JOINT BOARD – 14 DECEMBER 2022"
    ) == cover.index("**REPORT TO:**")
    assert "**REPORT NO:** DIJB83-2022" in cover
    assert "# 8.0 DIRECTIONS {.unnumbered}" in cover and "# 9.0 BACKGROUND PAPERS {.unnumbered}" in cover
    assert "| 1. No direction required | X |" in cover
    assert "- Highlight one." in cover and "- **ACT** now." in cover
    # signed as published: the date under its author
    assert "Chief Social Work Officer\n\nDATE: 9 November 2022" in cover


def test_policy_and_resources_cover_has_no_directions(params):
    cover = cover_markdown(REFERENCE, params, "policy-resources", [], [])
    assert "DIRECTIONS" not in cover
    assert "# 8.0 BACKGROUND PAPERS {.unnumbered}" in cover
    assert "2.2 Notes the Chief Social Work Officer Governance Framework (Appendix 2)" in cover
    assert "Approves" not in cover  # the main text and 6.1 ask no decision


def test_directions_table_marks_the_body_directed(params):
    from cswo.project.parameters import Directions

    ijb = params.committees["ijb"].model_copy(update={"directions": Directions(required="both")})
    changed = params.model_copy(update={"committees": {"ijb": ijb}})
    cover = cover_markdown(REFERENCE, changed, "ijb", [], [])
    assert "| 4. Dundee City Council and NHS Tayside | X |" in cover
    assert "| 1. No direction required |  |" in cover
    assert dt.date(2022, 12, 14) == changed.committees["ijb"].meeting_date


def test_a_cover_template_not_saved_as_utf8_is_a_sentence_naming_it_and_the_line(params, tmp_path):
    project = copy_project(tmp_path / "project", with_notebooks=False)
    latin1_cover(project)
    with pytest.raises(UnreadableTextError) as refused:
        cover_markdown(project, params, "ijb", [], [])
    assert str(refused.value).startswith("templates/cover.md.j2, line 3: the file is not UTF-8 text")
