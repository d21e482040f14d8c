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
