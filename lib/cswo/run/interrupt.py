"""Ctrl-C and SIGTERM: stop the build promptly and tidily, with one sentence.

The main process turns Ctrl-C and SIGTERM into one KeyboardInterrupt, so the one clean-up
path (kill the section workers and their kernels, drop staging) runs for both;
:func:`stop_on_signals` then reports it as :class:`Interrupted`. Worker processes ignore
SIGINT (the terminal sends it to the whole process group; the main process decides) and on
SIGTERM kill their kernel and leave at once.

Some steps cannot be interrupted from Python: the main thread waits for the writer threads
(pandoc and Typst) to finish every queued paper before the KeyboardInterrupt can leave. So
the first signal also starts a deadline: if the build has not stopped by then, it stops
itself hard: every process it started (workers, kernels, pandoc) is killed, its kernel
folders and unfinished staging are removed, the sentence is printed and the process exits.
Either way the published outputs are untouched: publishing is atomic.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable

import psutil

from cswo.errors import EXIT_INTERRUPTED, Interrupted, is_interrupt, message
from cswo.publish import release as publish
from cswo.run import kernels

HARD_STOP_AFTER = 2.0  # seconds the tidy path gets before the build stops itself hard

_state: dict = {"name": "Ctrl-C", "stopping": False}
_finishing = threading.Lock()  # held by whichever ends the build: the tidy path or the hard stop


def _print_to_stderr(error: Interrupted) -> None:
    print(f"Error: {message(error)}", file=sys.stderr, flush=True)


def kill_children() -> None:
    """SIGKILL every process this one started, kernels (in their own sessions) included."""
    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        children = []
    for child in children:  # the whole tree was read first, so nothing is missed once its parent dies
        with contextlib.suppress(psutil.Error):
            child.kill()


def hard_stop(report: Callable[[Interrupted], None]) -> None:
    """Stop now: kill every child, remove kernel folders and unfinished staging, say so once, exit 130."""
    if not _finishing.acquire(blocking=False):
        return  # the tidy path got there first and is saying so
    kill_children()
    kernels.sweep(own_pid=os.getpid())
    publish.discard_unfinished()
    with contextlib.suppress(Exception):
        report(Interrupted(_state["name"]))
    os._exit(EXIT_INTERRUPTED)


def _signal_name(signum: int) -> str:
    """How the sentence names the stop: a terminal's Ctrl-C (SIGINT) or a service manager's SIGTERM."""
    return "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C"


def _on_signal(report: Callable[[Interrupted], None], deadline: float) -> Callable:
    def handle(signum, frame) -> None:
        if _state.get("late") is not None:
            _state["late"](signum, frame)  # the body had finished: see stop_on_signals' ``outlive``
        if _state["stopping"]:
            return  # a second Ctrl-C: the first is already being handled, and the deadline stands
        _state["stopping"] = True
        _state["name"] = _signal_name(signum)
        timer = threading.Timer(deadline, hard_stop, args=(report,))
        timer.daemon = True
        timer.start()
        _state["timer"] = timer
        raise KeyboardInterrupt

    return handle


def _after_finishing(report: Callable[[Interrupted], None]) -> Callable:
    def handle(signum, frame) -> None:
        with contextlib.suppress(Exception):
            report(Interrupted(_signal_name(signum), finished=True))
        os._exit(EXIT_INTERRUPTED)

    return handle


@contextlib.contextmanager
def stop_on_signals(
    report: Callable[[Interrupted], None] = _print_to_stderr, deadline: float = HARD_STOP_AFTER, outlive: bool = False
):
    """Run the body; Ctrl-C or SIGTERM inside it becomes one Interrupted error (after clean-up ran).

    ``report`` prints the sentence if the build has to stop itself hard after ``deadline`` seconds.
    With ``outlive`` (a command that ends soon after the build), a stop that comes once the body has
    finished, while the summary prints or the interpreter shuts down, says the build had finished and
    exits 130 at once, instead of dying silently (SIGTERM) or claiming nothing was published."""
    kernels.sweep()  # leftovers of builds that were killed outright
    main = threading.current_thread() is threading.main_thread()
    handler = _on_signal(report, deadline)
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)} if main else {}
    _state.update(name="Ctrl-C", stopping=False, timer=None, late=None)
    swallowed = None
    try:
        yield
    except BaseException as error:
        # once a stop was asked for, whatever leaves the body is that stop (a worker killed mid-task, an
        # interrupt Python wrapped in a RuntimeError on the way up): one sentence naming the signal
        if not (_state["stopping"] or is_interrupt(error)):
            raise
        publish.discard_unfinished()  # the signal may land between preparing staging and the step that owns it
        raise Interrupted(_state["name"]) from None
    else:
        if _state["stopping"]:  # the body caught the interrupt and still finished: it did publish
            swallowed = Interrupted(_state["name"], finished=True)
        elif outlive:
            _state["late"] = _after_finishing(report)
    finally:
        if _state.get("timer") is not None:
            _state["timer"].cancel()  # the tidy path finished in time
        if not _finishing.acquire(blocking=False):
            threading.Event().wait()  # the hard stop is under way and ends the process; say nothing twice
        try:
            for signum, handler_before in previous.items():
                signal.signal(signum, _state["late"] or handler_before)
            kernels.sweep(own_pid=os.getpid())
        finally:
            _finishing.release()
    if swallowed is not None:
        raise swallowed


def quiet_worker() -> None:
    """Pool initializer for workers without kernels: leave Ctrl-C to the main process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
