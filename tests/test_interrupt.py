"""run/interrupt.py: whatever leaves a stopped build is reported as that stop, naming its signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from cswo.errors import Interrupted
from cswo.run.interrupt import stop_on_signals


def _stopped_inside(signum: int, wrap: type[BaseException] | None) -> BaseException:
    """Send ``signum`` to this process inside ``stop_on_signals``; optionally wrap the interrupt as Python does."""
    try:
        with stop_on_signals(report=lambda error: None, deadline=60):
            try:
                os.kill(os.getpid(), signum)
                time.sleep(10)
            except KeyboardInterrupt as interrupt:
                if wrap is None:
                    raise
                raise wrap("Error calling __set_name__ on '_YearText' instance 'label'") from interrupt
    except BaseException as error:  # noqa: BLE001 - the test looks at what came out
        return error
    raise AssertionError("the body was not stopped")


@pytest.mark.parametrize("signum, name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "Ctrl-C")])
@pytest.mark.parametrize("wrap", [None, RuntimeError])
def test_a_stop_is_one_interrupted_error_naming_its_signal(signum, name, wrap):
    """Also when Python wrapped the interrupt on the way up (CI once printed 'Ctrl-C' for a SIGTERM)."""
    error = _stopped_inside(signum, wrap)
    assert isinstance(error, Interrupted) and error.signal_name == name, repr(error)
    assert f"({name})" in str(error)


def _swallowed_stop(then: BaseException | None) -> Interrupted:
    """SIGTERM inside ``stop_on_signals`` whose interrupt the body catches (as a library may), then ``then``
    raised (None: the body finishes); what came out."""
    try:
        with stop_on_signals(report=lambda error: None, deadline=60):
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(10)
            except KeyboardInterrupt:
                pass
            if then is not None:
                raise then
    except Interrupted as error:
        return error
    raise AssertionError("the stop was not reported")


def test_what_fails_after_a_stop_was_asked_for_is_the_stop():
    """A worker killed by the stop surfaces as some other error; it is still the stop, not a fault."""
    error = _swallowed_stop(OSError("a worker's pipe closed"))
    assert error.signal_name == "SIGTERM" and not error.finished


def test_an_error_without_a_stop_passes_through_unchanged():
    with pytest.raises(RuntimeError, match="a fault"):
        with stop_on_signals(report=lambda error: None, deadline=60):
            raise RuntimeError("a fault")


LATE = """
import sys, time
from cswo.errors import message
from cswo.run.interrupt import stop_on_signals
with stop_on_signals(report=lambda e: print(message(e), file=sys.stderr, flush=True), outlive={outlive}):
    pass
print("finished", flush=True)
time.sleep(60)
"""


def _stopped_after_finishing(signum: int, outlive: bool) -> tuple[int, str]:
    """A process whose body under ``stop_on_signals`` has finished, sent ``signum``: its exit code and stderr."""
    run = subprocess.Popen(
        [sys.executable, "-c", LATE.format(outlive=outlive)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert run.stdout.readline().strip() == "finished"
    run.send_signal(signum)
    _, err = run.communicate(timeout=60)
    return run.returncode, err


@pytest.mark.parametrize("signum, name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "Ctrl-C")])
def test_a_stop_after_the_build_finished_says_so_and_exits_130(signum, name):
    """A stop that lands while the summary prints (the soak's 'checking documents' point, once the checks
    got quick) neither dies silently nor claims that nothing was published."""
    code, err = _stopped_after_finishing(signum, outlive=True)
    assert code == 130, (code, err)
    assert err.strip() == (
        f"The build was stopped ({name}) after it had finished: its papers were published in full; "
        "only the summary was cut short."
    )


def test_without_outlive_the_signal_is_left_to_whoever_handled_it_before():
    code, _ = _stopped_after_finishing(signal.SIGTERM, outlive=False)
    assert code == -signal.SIGTERM


def test_a_body_that_swallowed_the_stop_and_finished_reports_a_finished_build():
    """Caught, and the body went on to the end (it published): the sentence says the build had finished."""
    error = _swallowed_stop(None)
    assert error.signal_name == "SIGTERM" and error.finished
