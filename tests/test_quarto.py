"""The Quarto hand-over: each committee paper as a complete, filled Quarto book project."""

from __future__ import annotations

import pytest
import yaml

from cswo.narrative import roles as prose
from cswo.render.quarto import book_chapters, book_folder

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reference")]
YEAR = "2021-22"


def test_book_chapters_keep_the_cover_whole():
    paper = "# 1.0 PURPOSE\n\ntext\n\n# 2.0 RECOMMENDATIONS\n\nmore\n\n# Appendix 1: Report\n\n# Introduction\n\nx\n"
    chapters = book_chapters(paper)
    assert chapters[0].startswith("# 1.0 PURPOSE") and "# 2.0 RECOMMENDATIONS" in chapters[0]
    assert [c.splitlines()[0] for c in chapters[1:]] == ["# Appendix 1: Report", "# Introduction"]


@pytest.mark.parametrize("committee", ["ijb", "policy-resources"])
def test_build_writes_a_complete_filled_quarto_book(built, committee):
    project, _ = built
    folder = book_folder(project, YEAR, committee)
    config = yaml.safe_load((folder / "_quarto.yml").read_text())
    chapters = config["book"]["chapters"]
    assert chapters[0] == "index.qmd" and len(chapters) >= 6
    assert all((folder / name).exists() for name in chapters)
    assert (folder / "cswo.lua").exists() and "cswo.lua" in config["filters"]
    cover = (folder / "index.qmd").read_text()
    assert "REPORT TO:" in cover
    text = "".join((folder / name).read_text() for name in chapters)
    assert "# Appendix 1" in text and "Introduction" in text
    assert not prose.references(text), "placeholders are filled before the hand-over"
    images = [line.split("](")[1].split(")")[0] for line in text.splitlines() if line.startswith("![")]
    assert images and all((folder / image).exists() for image in images)
