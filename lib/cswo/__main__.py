"""``python -m cswo``: the command line, for a machine where the ``cswo`` script is not on PATH."""

from cswo.cli import app

app()
