"""The prose merge: a cached run given the notebook's current prose, with no kernel.

The execution cache keys on code cells only (:func:`cswo.cache.keys.notebook_fingerprint`), so a
prose edit leaves the cached run valid; this is the one place its outputs meet today's markdown.
"""

from __future__ import annotations

import copy

import nbformat


def with_current_prose(executed: nbformat.NotebookNode, source: nbformat.NotebookNode) -> bool:
    """Give an executed notebook the source's markdown cells, keeping its code cells and outputs.

    The execution cache keys on code cells only, so after a prose edit the cached run is still
    valid: its outputs (and the section's recorded figures) are merged with today's markdown and
    the roles are filled from those, with no kernel. Returns False (and changes nothing) when the
    code cells do not line up, which the cache key rules out.
    """
    code = [c for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    code = [c for c in code if c.cell_type == "code"]
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    if [c.source for c in code] != [c.source for c in source.cells if c.cell_type == "code"]:
        return False
    merged, queue = [], iter(code)
    for cell in source.cells:
        if cell.cell_type != "code":
            merged.append(copy.deepcopy(cell))
            continue
        ran = next(queue)
        ran.metadata = copy.deepcopy(cell.metadata)
        merged.append(ran)
        if injected and "parameters" in cell.metadata.get("tags", []):
            merged.append(injected.pop())

    def shape(cells):
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in cells]

    if shape(merged) == shape(executed.cells):
        return False
    executed.cells = merged
    return True
