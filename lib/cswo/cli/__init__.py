"""The `cswo` command: build, validate, list, init, new-year, data-template, house-style, data-docs,
preview, workbook-text, migrate, lab, review (status, sign, import), redline (``cswo = "cswo.cli:app"``).

- :mod:`cswo.cli.app`: the command group, ``--debug`` anywhere, one message and an exit code per failure;
- :mod:`cswo.cli.printer`: the one printer, which masks everything it prints;
- :mod:`cswo.cli.build`, :mod:`~cswo.cli.checks`, :mod:`~cswo.cli.review`, :mod:`~cswo.cli.setup`,
  :mod:`~cswo.cli.tools`: the commands.
"""

import sys

# jsonschema (imported by nbformat and Altair) loads rfc3987_syntax when it is installed, which compiles
# a Lark grammar at import: about 0.9 s in every process, for an IRI format check nothing here uses.
# The entry points (this CLI and the kernels it starts) mark it unavailable; importing cswo does not.
sys.modules.setdefault("rfc3987_syntax", None)

from cswo.cli import build, checks, review, setup, tools  # noqa: E402, F401  (each registers its commands)
from cswo.cli.app import app  # noqa: E402

__all__ = ["app"]
