"""The lab's save hook: a notebook is written as git keeps it; any other file as it is."""

from __future__ import annotations

import nbformat

from cswo.tools.labsave import strip_for_saving


def test_a_saved_notebook_keeps_its_prose_code_tags_and_ids_but_no_outputs_or_results():
    code = nbformat.v4.new_code_cell("s.show(chart)", execution_count=4, metadata={"tags": ["remove-input"]})
    code.id = "8e99ba6d"
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
    code.metadata["execution"] = {"iopub.status.idle": "2026-12-03T07:00:00Z"}
    prose = nbformat.v4.new_markdown_cell("In {eval}`s.label`.", metadata={"user_expressions": [{"expression": "x"}]})
    notebook = nbformat.v4.new_notebook(cells=[code, prose], metadata={"language_info": {"name": "python"}})
    model = {"type": "notebook", "content": nbformat.from_dict(notebook)}
    strip_for_saving(model, path="complaints.ipynb", contents_manager=None)
    saved = model["content"]
    assert saved["cells"][0]["outputs"] == [] and saved["cells"][0]["execution_count"] is None
    assert saved["cells"][0]["metadata"] == {"tags": ["remove-input"]} and saved["cells"][0]["id"] == "8e99ba6d"
    assert saved["cells"][1]["metadata"] == {} and saved["cells"][1]["source"] == "In {eval}`s.label`."
    assert "language_info" not in saved["metadata"]


def test_other_files_are_saved_as_they_are():
    model = {"type": "file", "format": "text", "content": "outputs: keep me"}
    strip_for_saving(model, path="complaints.md")
    assert model == {"type": "file", "format": "text", "content": "outputs: keep me"}
