"""`cswo preview`: a bounded watch that rebuilds on each save, and stops cleanly on Ctrl-C."""

from __future__ import annotations

from cswo.errors import CSWOError
from cswo.tools.preview import watch
from support import REFERENCE_YEAR


def test_rebuilds_after_each_save_and_says_what_changed(project_copy):
    notebook = project_copy.notebook(REFERENCE_YEAR, "complaints")
    lines, builds = [], []

    def rebuild() -> str:
        builds.append(1)
        return f"build {len(builds)}"

    def save_between_polls(_seconds: float) -> None:
        if len(builds) == 1:  # the analyst saves once after the first build
            notebook.write_text(notebook.read_text().replace("Complaints and Compliments", "Complaints"))

    count = watch(
        project_copy, REFERENCE_YEAR, rebuild, say=lines.append, interval=0, max_builds=2, sleep=save_between_polls
    )
    assert count == 2
    assert lines == ["changed: first build", "build 1", "changed: edited complaints.ipynb", "build 2"]


def test_a_failed_build_is_reported_and_watching_goes_on_until_ctrl_c(project_copy):
    lines = []

    def rebuild() -> str:
        raise CSWOError("Section 'complaints' uses unknown figure(s)")

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    count = watch(project_copy, REFERENCE_YEAR, rebuild, say=lines.append, interval=0, sleep=interrupt)
    assert count == 1
    assert lines[1].startswith("Error: Section 'complaints' uses unknown figure(s)") and "still watching" in lines[1]
    assert lines[-1] == "Stopped watching."
