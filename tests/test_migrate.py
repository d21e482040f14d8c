"""`cswo migrate`: {{ }} placeholders rewritten as MyST {eval} roles, in both halves of a pair."""

import jupytext
import nbformat
import pytest

from cswo.errors import UnreadableTextError
from cswo.narrative import roles as prose
from cswo.tools.migrate import migrate_paths
from support import section_notebook


def test_migrate_rewrites_markdown_in_the_notebook_and_its_twin(tmp_path):
    nb = section_notebook(
        "justice",
        ["In {{ year }} {{ council }} imposed {{ cpo }} orders ({{ cpo.compared }})."],
        code=['cpo = s.figure("cpo", "community_justice", "community_payback_orders_imposed")', 'x = "{{ year }}"'],
    )
    path = tmp_path / "justice.ipynb"
    nbformat.write(nb, path)
    jupytext.write(nb, path.with_suffix(".md"), fmt="md:myst")

    report = migrate_paths([tmp_path])

    assert report == {path: 4, path.with_suffix(".md"): 4}
    expected = "In {eval}`s.label` {eval}`s.council` imposed {eval}`cpo.value` orders ({eval}`cpo.compared`)."
    for migrated in (nbformat.read(path, as_version=4), jupytext.read(path.with_suffix(".md"))):
        markdown = [c.source for c in migrated.cells if c.cell_type == "markdown"]
        assert markdown == [expected]
        assert 'x = "{{ year }}"' in migrated.cells[1].source  # code is never touched
    assert prose.references(expected) == ["s.label", "s.council", "cpo.value", "cpo.compared"]
    assert migrate_paths([tmp_path]) == {}  # a second run changes nothing


def test_migrate_renames_old_module_imports_in_code_cells_of_both_twins(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'import cswo.section\nfrom cswo.formatting import number\ns = cswo.section.start("justice", year=year)'
            ),
            nbformat.v4.new_markdown_cell("The cswo.section module is named here in prose, and stays."),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "justice.ipynb"
    nbformat.write(nb, path)
    jupytext.write(nb, path.with_suffix(".md"), fmt="md:myst")

    report = migrate_paths([tmp_path])

    assert report == {path: 3, path.with_suffix(".md"): 3}
    for migrated in (nbformat.read(path, as_version=4), jupytext.read(path.with_suffix(".md"))):
        assert migrated.cells[0].source == (
            "import cswo.notebook\n"
            "from cswo.figures.formatting import number\n"
            's = cswo.notebook.start("justice", year=year)'
        )
        assert migrated.cells[1].source == "The cswo.section module is named here in prose, and stays."


def test_a_twin_not_saved_as_utf8_is_a_sentence_naming_it_not_a_traceback(tmp_path):
    nb = section_notebook("justice", ["In {{ year }} we did well."])
    path = tmp_path / "justice.ipynb"
    nbformat.write(nb, path)
    jupytext.write(nb, path.with_suffix(".md"), fmt="md:myst")
    twin = path.with_suffix(".md")
    twin.write_bytes(twin.read_bytes() + "Caf\u00e9 opened.\n".encode("latin-1"))
    with pytest.raises(UnreadableTextError) as refused:
        migrate_paths([tmp_path])
    assert str(refused.value).startswith(f"{twin}, line ")
    assert "is not UTF-8 text" in str(refused.value)
