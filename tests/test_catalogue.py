"""The catalogue's labels follow the paper's year style."""

from __future__ import annotations

import pytest

from cswo.project.catalogue import load_catalogue, restyle_years, with_year_style
from support import REFERENCE, copy_project


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        ("Reduction since 2015/16", "hyphen", "Reduction since 2015-16"),
        ("Reduction since 2015-16", "slash", "Reduction since 2015/16"),
        ("2019/20 to 2021/22", "hyphen", "2019-20 to 2021-22"),
        ("2015-18 plan, as at 2022-03-31", "slash", "2015-18 plan, as at 2022-03-31"),  # not financial years
    ],
)
def test_restyle_years(text, style, expected):
    assert restyle_years(text, style) == expected


def test_no_label_in_a_hyphen_paper_writes_a_year_with_a_slash():
    catalogue = load_catalogue(REFERENCE)
    labels = [m.label for t in catalogue.values() for m in t.measures.values()]
    assert any("2015/16" in label for label in labels), "the reference project has a label written 2015/16"
    styled = with_year_style(catalogue, "hyphen")
    relabelled = [m.label for t in styled.values() for m in t.measures.values()]
    assert not any("/" in label and restyle_years(label, "hyphen") != label for label in relabelled)
    assert any("since 2015-16" in label for label in relabelled)
    assert styled.number_style == catalogue.number_style and styled.text_tables == catalogue.text_tables


def test_a_duplicate_key_in_a_projects_catalogue_is_refused_with_both_lines(tmp_path):
    from cswo.errors import CatalogueError
    from cswo.project.catalogue import load_catalogue

    project = copy_project(tmp_path / "p", with_notebooks=False)
    own = project.root / "catalogue.yml"
    own.write_text(own.read_text(encoding="utf-8") + "\nnumber_style:\n  percent: 1\n  percent: 0\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_catalogue(project)
    assert "key 'percent' appears twice in the same mapping" in str(error.value)


# --- read like the parameters: the same encodings, every wrong type located at its key ----------

WRONG = {
    "a table as text": ("tables:\n  befriending: complaints\n", "tables.befriending: a table"),
    "measures as a list": ("tables:\n  t:\n    measures: [a, b]\n", "tables.t.measures: a mapping"),
    "required: 7": (
        "tables:\n  t:\n    measures:\n      m: {label: M, unit: count, required: 7}\n",
        "tables.t.measures.m.required: true, false, or a list of breakdowns (got 7)",
    ),
    "share_of: 5": (
        "tables:\n  t:\n    measures:\n      m: {label: M, unit: count, rules: [{share_of: 5}]}\n",
        "tables.t.measures.m.rules[1]",
    ),
    "label: 42": (
        "tables:\n  t:\n    measures:\n      m: {label: 42, unit: count}\n",
        "tables.t.measures.m.label: give the label as text (got 42)",
    ),
    "a label as a list": (
        "tables:\n  t:\n    measures:\n      m: {label: [a, b], unit: count}\n",
        "tables.t.measures.m.label: give the label as text",
    ),
    "sections: children": ("tables:\n  t:\n    sections: children\n", "tables.t.sections: a list of section names"),
}


@pytest.fixture
def bare_project(tmp_path):
    return copy_project(tmp_path / "p", with_notebooks=False)


@pytest.mark.parametrize("case", list(WRONG), ids=list(WRONG))
def test_a_wrong_type_is_refused_at_its_key(bare_project, case):
    from cswo.errors import CatalogueError

    text, expected = WRONG[case]
    (bare_project.root / "catalogue.yml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_catalogue(bare_project)
    assert "catalogue.yml" in str(error.value) and expected in str(error.value)


def test_every_wrong_type_is_reported_at_once(bare_project):
    from cswo.errors import CatalogueError

    text = "tables:\n  t:\n    sections: children\n    measures:\n      m: {label: 42, unit: count, required: 7}\n"
    (bare_project.root / "catalogue.yml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_catalogue(bare_project)
    assert len(error.value.problems) == 3


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (lambda path: path.write_bytes("tables: {}\n".encode("utf-16")), "UTF-16"),
        (lambda path: path.write_bytes("# £ \ntables: {}\n".encode("latin-1")), "not UTF-8"),
        (lambda path: path.mkdir(), "is a folder"),
    ],
    ids=["utf-16", "latin-1", "folder"],
)
def test_an_unreadable_catalogue_is_a_sentence_not_a_fault(bare_project, write, expected):
    from cswo.errors import CatalogueError

    path = bare_project.root / "catalogue.yml"
    path.unlink()
    write(path)
    with pytest.raises(CatalogueError, match=expected) as error:
        load_catalogue(bare_project)
    assert "catalogue.yml" in str(error.value)
