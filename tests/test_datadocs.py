from cswo.project.catalogue import load_catalogue
from cswo.tools.datadocs import render_data_readme
from support import REFERENCE, ROOT


def test_data_readme_matches_the_catalogue():
    """data/README.md is generated: if this fails, run `cswo data-docs`."""
    assert (ROOT / "data" / "README.md").read_text(encoding="utf-8") == render_data_readme(REFERENCE)


def test_every_table_and_measure_is_documented():
    text = render_data_readme(REFERENCE)
    for name, table in load_catalogue(REFERENCE).items():
        assert f"### `{name}`" in text
        for measure in table.measures:
            assert f"| `{measure}` |" in text
