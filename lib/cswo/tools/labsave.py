"""What the lab saves is what git keeps: a notebook without outputs, execution counts or results.

`cswo lab` sets :func:`strip_for_saving` as the Jupyter server's ``ContentsManager.pre_save_hook``,
so every save (Ctrl-S, or JupyterLab's autosave) writes the notebook as the repository's git filter
(``make git-filters``: nbstripout with the Makefile's extra keys) stores it:

* no chart images or tables saved into the notebook, which a build would otherwise scan and refuse
  (an image's encoded bytes read like postcodes), and no private figure left behind in it;
* the cell ids kept as they are, so saving an unchanged notebook leaves ``git status`` clean.

The lab keeps showing the outputs until the tab is closed; running the notebook again brings them back.
"""

from __future__ import annotations

# nbstripout's own defaults, plus the keys the Makefile's git filter adds (NBSTRIP_KEYS)
NOTEBOOK_KEYS = ("signature", "widgets", "language_info")
CELL_KEYS = ("collapsed", "scrolled", "ExecuteTime", "execution", "heading_collapsed", "hidden", "user_expressions")


def strip_for_saving(model: dict, **_context) -> None:
    """Strip a notebook model in place before the server writes it; other files pass unchanged.

    Called by jupyter_server as ``hook(model=..., path=..., contents_manager=...)``; raises nothing
    (the server logs a failing hook and saves anyway)."""
    notebook = model.get("content")
    if model.get("type") != "notebook" or not isinstance(notebook, dict):
        return
    for key in NOTEBOOK_KEYS:
        notebook.get("metadata", {}).pop(key, None)
    for cell in notebook.get("cells", []):
        for key in CELL_KEYS:
            cell.get("metadata", {}).pop(key, None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
