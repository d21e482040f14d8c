"""Hundreds of generated bad inputs: each is refused with a located message, never a traceback or silence.

`make test` runs a spread of them (a few of every kind); `make soak` runs them all and writes the
figures to docs/robustness.md.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cswo.cli import app
from malformed import Case, all_cases, controls
from support import ROOT, copy_project

CASES = all_cases()
FAST_PER_KIND = 2
OUTCOMES = ("refused", "traceback", "silent failure", "silent acceptance", "unlocated", "wrong exit code")


def _fast(cases: list[Case]) -> list[Case]:
    """A few cases of every kind, spread over the kind's list (the same ones every run)."""
    by_kind: dict[str, list[Case]] = {}
    for case in cases:
        by_kind.setdefault(case.kind, []).append(case)
    # offset by i so two picks from a file-by-file list land on different faults
    return [
        group[(i * len(group) // FAST_PER_KIND + 5 * i) % len(group)]
        for group in by_kind.values()
        for i in range(FAST_PER_KIND)
    ]


FAST = _fast(CASES)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("malformed") / "project")


def validate_with(project, case: Case):
    """`cswo validate` with the case's files in place; the project is restored afterwards."""
    changes = {case.file: case.raw, **case.also}
    saved = {}
    for relative, raw in changes.items():
        path = project.root / relative
        saved[path] = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(raw)
    try:
        return CliRunner().invoke(app, ["--project", str(project.root), "validate", "--year", "2021-22"])
    finally:
        for path, raw in saved.items():
            if raw is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(raw)


def outcome(project, case: Case) -> tuple[str, str]:
    """How `cswo validate` handled one bad input: one of OUTCOMES, and what it printed."""
    result = validate_with(project, case)
    output = re.sub(r"\s+", " ", result.output)
    if "Traceback" in output or (result.exception and not isinstance(result.exception, SystemExit)):
        return "traceback", f"{type(result.exception).__name__}: {result.exception}"[:300]
    if result.exit_code == 0:
        return "silent acceptance", output[:300]
    if not output.strip():
        return "silent failure", f"exit {result.exit_code}"
    if result.exit_code != 2:
        return "wrong exit code", f"exit {result.exit_code}: {output[:300]}"
    if case.file not in output:
        return "unlocated", output[:300]
    return "refused", output[:300]


@pytest.mark.parametrize("case", controls(), ids=[c.id for c in controls()])
def test_the_generators_controls_are_accepted(project, case):
    result = validate_with(project, case)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", FAST, ids=[c.id for c in FAST])
def test_a_bad_input_is_refused_with_a_located_message(project, case):
    assert outcome(project, case)[0] == "refused", outcome(project, case)[1]


def summary(tally: dict[str, Counter]) -> str:
    """The sweep's figures as the Markdown table docs/robustness.md shows."""
    lines = ["| Kind | Cases | " + " | ".join(o.capitalize() for o in OUTCOMES) + " |"]
    lines.append("|---" * (len(OUTCOMES) + 2) + "|")
    total = Counter()
    for kind, counts in sorted(tally.items()):
        total.update(counts)
        lines.append(f"| {kind} | {sum(counts.values())} | " + " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
    lines.append(f"| **all** | **{sum(total.values())}** | " + " | ".join(f"**{total[o]}**" for o in OUTCOMES) + " |")
    return "\n".join(lines)


def write_section(path: Path, marker: str, body: str) -> None:
    """Replace the text between ``<!-- marker -->`` and ``<!-- /marker -->`` in ``path``."""
    text = path.read_text(encoding="utf-8")
    start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    before, rest = text.split(start, 1)
    path.write_text(before + start + "\n" + body + "\n" + end + rest.split(end, 1)[1], encoding="utf-8")


@pytest.mark.soak
def test_the_full_sweep_of_bad_inputs(project):
    tally: dict[str, Counter] = {}
    wrong = {}
    for case in CASES:
        what, said = outcome(project, case)
        tally.setdefault(case.kind, Counter())[what] += 1
        if what != "refused":
            wrong[case.id] = f"{what}: {said}"
            print(f"{case.id}: {wrong[case.id]}", flush=True)  # seen as they come with -s
    table = summary(tally)
    write_section(ROOT / "docs" / "robustness.md", "malformed-sweep", table)
    print(f"\nmalformed-input sweep over {len(CASES)} cases\n{table}")
    assert len(CASES) >= 300
    assert wrong == {}
