"""What a section notebook's kernel imports: the section API, tables and charts.

Nothing here imports the pipeline: a kernel reads data and shows figures, it never builds.
"""

from cswo.figures.formatting import pounds
from cswo.notebook.section import Section, start

__all__ = ["Section", "start", "pounds"]
