"""The one error path: structured errors that survive a process pool, and one message function."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from cswo import errors
from cswo.errors import (
    DataValidationError,
    Interrupted,
    ParametersError,
    Problem,
    PublishCheckError,
    SectionExecutionError,
    SectionFailure,
)

EXAMPLES = [
    PublishCheckError(["Public contact 01382 434000 is not allowed", "chart has no alt text"]),
    ParametersError("parameters/2021-22.yml", ["unknown key 'councl'"]),
    DataValidationError([Problem("data/complaints.csv", 4, "value", "abc", "the value is not a number")]),
    SectionExecutionError(
        [SectionFailure("justice", 2, "ValueError: late", Path("outputs/.failed/x.ipynb"), "ValueError", "late")]
    ),
    Interrupted("SIGTERM"),
]


def _raise(error):
    raise error


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_errors_survive_pickling_with_their_fields(error):
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error) and again.__dict__ == error.__dict__


def test_an_error_raised_in_a_worker_process_arrives_whole():
    error = EXAMPLES[0]
    with ProcessPoolExecutor(max_workers=1) as pool:
        with pytest.raises(PublishCheckError) as raised:
            pool.submit(_raise, error).result()
    assert raised.value.findings == error.findings
    assert "- P - u" not in str(raised.value) and str(raised.value) == str(error)


def test_every_message_passes_through_the_filters(monkeypatch):
    monkeypatch.setattr(errors, "_filters", [])
    errors.add_message_filter(lambda text: text.replace("01382 434000", "01382 ******"))
    assert errors.message(EXAMPLES[0]).count("******") == 1
    assert errors.message("call 01382 434000") == "call 01382 ******"


def test_unforeseen_errors_become_one_sentence_and_exit_codes_differ_by_class():
    text = errors.message(ZeroDivisionError("division by zero"))
    assert text.startswith("Unexpected ZeroDivisionError: division by zero.") and "--debug" in text
    codes = {errors.exit_code(e) for e in EXAMPLES} | {errors.exit_code(ZeroDivisionError())}
    assert codes == {errors.EXIT_REFUSED, errors.EXIT_INPUT, errors.EXIT_FAILED, errors.EXIT_INTERRUPTED, 70}


def test_data_problems_are_grouped_by_file():
    error = DataValidationError(
        [
            Problem("data/a.csv", 2, "value", "x", "not a number"),
            Problem("data/b.csv", 3, "year", "2021", "not a year"),
            Problem("data/a.csv", 5, "value", "y", "not a number"),
        ]
    )
    lines = str(error).splitlines()
    assert lines[0] == "The data has 3 problem(s):"
    assert lines[1] == "data/a.csv (2):" and lines[4] == "data/b.csv (1):"
