"""Ctrl-C and SIGTERM: stop the build promptly and tidily, with one sentence.

The main process turns SIGTERM into the same KeyboardInterrupt Ctrl-C raises, so
the one clean-up path (kill the section workers and their kernels, drop staging)
runs for both; :func:`stop_on_signals` then reports it as :class:`Interrupted`.
Worker processes ignore SIGINT (the terminal sends it to the whole process group;
the main process decides) and on SIGTERM kill their kernel and leave at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

from cswo.errors import Interrupted

_received = {"name": "Ctrl-C"}


def _on_sigterm(signum, frame) -> None:
    _received["name"] = "SIGTERM"
    raise KeyboardInterrupt


@contextlib.contextmanager
def stop_on_signals():
    """Run the body; Ctrl-C or SIGTERM inside it becomes one Interrupted error (after clean-up ran)."""
    from cswo.pipeline import kernels

    kernels.sweep()  # leftovers of builds that were killed outright
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    _received["name"] = "Ctrl-C"
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(_received["name"]) from None
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        kernels.sweep(own_pid=os.getpid())


def quiet_worker() -> None:
    """Pool initializer for workers without kernels: leave Ctrl-C to the main process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
