"""Hundreds of generated bad inputs: each is refused with a located message, never a traceback or silence.

`make test` runs a spread of them (a few of every kind); `make soak` runs them all and writes the
figures to docs/robustness.md.
"""

from __future__ import annotations

from collections import Counter

import pytest

from malformed import Case, all_cases, classify, controls, run_with, spread, summary, write_section
from support import ROOT, copy_project

CASES = all_cases()
FAST_PER_KIND = 2
FAST = spread(CASES, FAST_PER_KIND)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("malformed") / "project")


def validate_with(project, case: Case):
    return run_with(project.root, case, ["validate", "--year", "2021-22"])


def outcome(project, case: Case) -> tuple[str, str]:
    """How `cswo validate` handled one bad input: one of OUTCOMES, and what it printed."""
    return classify(validate_with(project, case), case.file)


@pytest.mark.parametrize("case", controls(), ids=[c.id for c in controls()])
def test_the_generators_controls_are_accepted(project, case):
    result = validate_with(project, case)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", FAST, ids=[c.id for c in FAST])
def test_a_bad_input_is_refused_with_a_located_message(project, case):
    assert outcome(project, case)[0] == "refused", outcome(project, case)[1]


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
