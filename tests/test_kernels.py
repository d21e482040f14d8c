"""Temporary folders a build makes (kernels', LibreOffice's) are named for the build and swept
when it ends, or by the next build when it was killed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

from cswo.render.contents import laid_out_pages, libreoffice
from cswo.render.engines import render_docx
from cswo.run import kernels
from support import ROOT

META = {"title": "Paper", "author": "A Person", "lang": "en-GB", "date": dt.date(2025, 10, 1)}


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid  # finished and reaped: no process has it now


def test_the_next_build_sweeps_a_killed_builds_libreoffice_folder(private_tmp):
    killed = private_tmp / f"{kernels.LIBREOFFICE_PREFIX}{dead_pid()}-abc"
    (killed / "profile").mkdir(parents=True)
    (killed / "lu12345.tmp").write_text("left by LibreOffice")
    running = kernels.new_folder(os.getpid(), kernels.LIBREOFFICE_PREFIX)  # a build still running keeps its own
    assert kernels.leftovers() == sorted([killed, running])
    assert kernels.sweep() == 1
    assert not killed.exists() and running.exists()
    kernels.sweep(own_pid=os.getpid())
    assert kernels.leftovers() == []


def test_laying_out_the_contents_leaves_nothing_in_the_temporary_folder(private_tmp, tmp_path):
    if libreoffice() is None:
        return  # nothing to lay out with: the contents keep Word's own numbers
    paper = tmp_path / "paper.docx"
    render_docx("# Heading\n\nText.\n", paper, tmp_path, META, ROOT / "templates" / "reference.docx")
    before = set(private_tmp.iterdir())
    assert laid_out_pages([paper])[paper]
    assert set(private_tmp.iterdir()) == before  # no cswo-lo-* folder, no lu*.tmp
