"""Contents page numbers: LibreOffice lays out a copy of each Word document without its images."""

from __future__ import annotations

import io
import shutil
import zipfile

import docx
import pytest
from docx.shared import Cm
from PIL import Image

from cswo.render import contents


def _picture(colour: str, size=(1600, 900)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_the_layout_copy_keeps_every_part_but_the_pictures(tmp_path):
    document = docx.Document()
    document.add_paragraph("Before the chart")
    document.add_picture(_picture("navy"), width=Cm(15))
    source = tmp_path / "paper.docx"
    document.save(source)

    copy = contents._layout_copy(source, tmp_path / "copy.docx")

    with zipfile.ZipFile(source) as original, zipfile.ZipFile(copy) as light:
        assert original.namelist() == light.namelist()
        for name in original.namelist():
            if name.startswith("word/media/"):
                assert Image.open(io.BytesIO(light.read(name))).size == (1, 1)
                assert len(light.read(name)) < len(original.read(name)) / 10
            else:
                assert light.read(name) == original.read(name), name
    # the picture keeps its size on the page, which is what the layout depends on
    shape = docx.Document(str(copy)).inline_shapes[0]
    assert abs(shape.width - Cm(15)) < Cm(0.01)


@pytest.mark.skipif(contents.libreoffice() is None, reason="LibreOffice is not installed")
def test_one_libreoffice_run_lays_out_every_document(tmp_path):
    paths = []
    for name, pictures in (("one", 1), ("three", 3)):
        document = docx.Document()
        document.add_paragraph("Opening words")
        for _ in range(pictures):
            document.add_picture(_picture("teal"), width=Cm(15), height=Cm(20))  # one picture fills a page
        document.add_paragraph("Closing words")
        paths.append(tmp_path / f"{name}.docx")
        document.save(paths[-1])
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a Word file")

    pages = contents.laid_out_pages([*paths, broken])

    assert set(pages) == set(paths), "a document LibreOffice cannot read is left out, the others are laid out"
    assert "Closing words" in pages[paths[0]][-1] and "Opening words" in pages[paths[0]][0]
    assert len(pages[paths[1]]) >= 3 > len(pages[paths[0]])  # pages break around the pictures as sized


def test_without_libreoffice_nothing_is_laid_out(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    document = docx.Document()
    document.add_paragraph("Words")
    document.save(tmp_path / "a.docx")
    assert contents.laid_out_pages([tmp_path / "a.docx"]) == {}
    assert contents.number_contents([tmp_path / "a.docx"]) == 0
