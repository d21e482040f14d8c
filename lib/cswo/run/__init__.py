"""Running sections: the Papermill engine, warm kernels, the worker pool and signals."""

# Papermill first: importing it loads every engine its entry points name, cswo.run.engine among them,
# which must not be half-imported at that moment (as it would be if it were imported before Papermill).
import papermill  # noqa: F401
