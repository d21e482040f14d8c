"""The suite's Papermill engine, ``cswo-warm``: Papermill's nbclient engine run against the worker's warm kernel.

Papermill finds it through the ``papermill.engine`` entry point in pyproject.toml (as it finds any
engine), so this module is imported by Papermill while Papermill itself is still being imported:
``cswo.run`` imports Papermill first, so that this module is never half-imported when Papermill asks
for it. :func:`registered` covers an install made before the entry point was declared.

The notebook is written once, when it has run or failed (so the failed copy shows where): not after
every cell as Papermill's own manager does, which re-encodes every chart so far each time.
"""

from __future__ import annotations

import os

from nbclient.exceptions import CellTimeoutError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.exceptions import PapermillException
from papermill.log import logger

from cswo.errors import CellTimedOut
from cswo.run.workers import WarmKernel

NAME = "cswo-warm"


class WrittenOnce(NotebookExecutionManager):
    """Papermill's execution manager, saving the notebook only when it is complete (run or failed)."""

    complete = False

    def save(self, **kwargs):
        if self.complete:
            super().save(**kwargs)

    def notebook_complete(self, **kwargs):
        self.complete = True
        super().notebook_complete(**kwargs)


class WarmKernelEngine(NBClientEngine):
    """Papermill's nbclient engine with the worker's warm kernel and client, and one write of the notebook."""

    @classmethod
    def execute_notebook(
        cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, autosave_cell_every=30, **kwargs
    ):
        nb_man = WrittenOnce(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        manager, kernel_client = WarmKernel.ready(kernel_name, kwargs.get("cwd") or os.getcwd())
        client = PapermillNotebookClient(
            nb_man,
            km=manager,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = kernel_client  # kept open between notebooks; nbclient leaves a client it was given alone
        try:
            return client.execute()
        except CellTimeoutError:
            raise CellTimedOut(execution_timeout, last_started(nb_man.nb)) from None


def last_started(nb) -> int | None:
    """The index of the last cell that started (the one running when the notebook was stopped)."""
    started = [i for i, cell in enumerate(nb.cells) if cell.metadata.get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def registered() -> str:
    """The engine's name, registered with Papermill if its entry point was not (an install older than it)."""
    try:
        papermill_engines.get_engine(NAME)
    except PapermillException:
        papermill_engines.register(NAME, WarmKernelEngine)
    return NAME
