"""The malformed-input sweep over council projects in the states a real one passes through.

Each state (tests/project_states.py) is first checked alone: it validates, or `cswo validate` and
`cswo build` refuse it with what is wrong with it. Then the generator's bad inputs are put into
it one at a time, and both commands must exit 0 or 2 (never 70, never a traceback), name the
bad input's file, and still say what is wrong with the state itself: every problem at once.
`make test` puts one bad input into each state; `make soak` a spread of every kind, and writes
the figures to docs/robustness.md.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from typer.testing import CliRunner

from cswo.cli import app
from malformed import OUTCOMES, Case, all_cases, classify, run_with, spread, summary, write_section
from project_states import STATES, State, half_migrated
from support import ROOT

pytestmark = pytest.mark.e2e

SOAK_PER_KIND = 3
STATE_OUTCOMES = (*OUTCOMES, "not all at once")
# a year's parameters name its notebooks, and the catalogue is what the data and names are read by:
# a case that breaks either is reported alone, as nothing behind it can be read yet
READ_FIRST = ("parameters/", "catalogue.yml")
# the kind of bad input `make test` puts into each state, one each, so together they cover the kinds
FAST_KIND = ["data (CSV)", "catalogue.yml", "data (Excel)", "notebooks", "data (CSV)"]


def commands(state: State) -> list[list[str]]:
    return [["validate", "--year", state.year], ["build", "--year", state.year, "--format", "docx"]]


def unsaid(state: State, output: str, touched: set[str] = frozenset()) -> list[str]:
    """What the state's own problems should have said and the output does not (a file the case
    itself replaced is not asked about)."""
    output = re.sub(r"\s+", " ", output)
    return [
        words
        for read_from, expected in state.said.items()
        if not any(file.startswith(changed) for file in touched for changed in read_from)
        for words in expected
        if words not in output
    ]


def state_outcome(root, state: State, case: Case, args: list[str]) -> tuple[str, str]:
    """How a command handled one bad input in one state: one of STATE_OUTCOMES, and what it printed."""
    result = run_with(root, case, args)
    what, said = classify(result, case.file)
    if what != "refused" or case.file.startswith(READ_FIRST):
        return what, said
    missing = unsaid(state, result.output, {case.file, *case.also})
    return ("not all at once", f"did not say {missing}: {said}") if missing else (what, said)


def control_outcome(root, state: State, args: list[str]) -> tuple[str, str]:
    """The state alone: it validates and builds (exit 0), or is refused saying what is wrong with it."""
    result = CliRunner().invoke(app, ["--project", str(root), *args])
    output = re.sub(r"\s+", " ", result.output)
    if "Traceback" in output or (result.exception and not isinstance(result.exception, SystemExit)):
        return "traceback", f"{type(result.exception).__name__}: {result.exception}"[:300]
    expected = 2 if state.said else 0
    if result.exit_code != expected:
        return "wrong exit code", f"exit {result.exit_code} (expected {expected}): {output[-600:]}"
    missing = unsaid(state, output)
    return ("not all at once", f"did not say {missing}: {output[-600:]}") if missing else ("as expected", "")


@pytest.mark.parametrize("index", range(len(STATES)), ids=[s.name.replace(" ", "-") for s in STATES])
def test_each_state_alone_and_with_a_bad_input_is_told_all_at_once(tmp_path, index):
    state = STATES[index]
    project = state.make(tmp_path / "project")
    assert control_outcome(project.root, state, commands(state)[0]) == ("as expected", "")
    kind = FAST_KIND[index % len(FAST_KIND)]
    cases = spread(all_cases(project.root, state.year, kinds=(kind,)), 1)
    assert cases, f"the generator made no {kind} case for this state"
    for args in commands(state):
        what, said = state_outcome(project.root, state, cases[0], args)
        assert what == "refused", f"{cases[0].id}, cswo {args[0]}: {what}: {said}"


def test_a_half_migrated_project_validates_once_cswo_migrate_has_run(tmp_path):
    project = half_migrated(tmp_path / "project")
    runner = CliRunner()
    assert runner.invoke(app, ["--project", str(project.root), "migrate"]).exit_code == 0
    result = runner.invoke(app, ["--project", str(project.root), "validate", "--year", "2021-22"])
    assert result.exit_code == 0, result.output


@pytest.mark.soak
def test_the_sweep_over_council_projects_in_every_state(tmp_path):
    tally: dict[str, Counter] = {}
    wrong = {}
    for state in STATES:
        project = state.make(tmp_path / re.sub(r"\W+", "-", state.name))
        for args in commands(state):  # alone: a state that validates builds, in full
            what, said = control_outcome(project.root, state, args)
            if what != "as expected":
                wrong[f"{state.name}: alone, cswo {args[0]}"] = f"{what}: {said}"
        for case in spread(all_cases(project.root, state.year), SOAK_PER_KIND):
            for args in commands(state):
                what, said = state_outcome(project.root, state, case, args)
                tally.setdefault(f"{state.name}, `cswo {args[0]}`", Counter())[what] += 1
                if what != "refused":
                    wrong[f"{state.name}: {case.id}, cswo {args[0]}"] = f"{what}: {said}"
                    print(f"{state.name}: {case.id}, cswo {args[0]}: {what}: {said}", flush=True)
    table = summary(tally, "State, command", STATE_OUTCOMES)
    write_section(ROOT / "docs" / "robustness.md", "malformed-states-sweep", table)
    print(f"\nmalformed-input sweep over project states\n{table}")
    assert sum(sum(c.values()) for c in tally.values()) >= 150  # runs: cases of every kind, by two commands
    assert wrong == {}
