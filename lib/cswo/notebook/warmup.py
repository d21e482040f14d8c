"""Readying a kernel for sections before the first one runs.

The build runs :func:`warm_up` in each of its kernels while it checks the data, so the first section
in a kernel does not wait for the imports every section makes nor, when sections draw charts, for
vl-convert's JavaScript engine to start (together two seconds or more).
"""

from __future__ import annotations

import gc
from pathlib import Path

from cswo.project.parameters import load_year
from cswo.project.paths import Project


def warm_up(charts: bool = True, project_root: str | None = None, year: str | None = None) -> None:
    """Import what sections use, read the year's parameters and catalogue (kept once read) and, with
    ``charts``, draw a small chart so vl-convert's engine is up. Raises nothing: a section that meets
    the same problem reports it."""
    import pyarrow.parquet  # noqa: F401  (how a section reads the validated data)

    import cswo.notebook  # noqa: F401  # lazy: warming a kernel is importing what sections use

    if project_root and year:
        try:
            load_year(Project(Path(project_root).resolve()), year)
        except Exception:  # noqa: BLE001  the first section reports it, located
            pass
    if charts:
        _draw_a_chart()
    # What is loaded now stays for every section: frozen, it is no longer walked by each garbage
    # collection (every %reset between sections runs one, a tenth of a second over all of pandas).
    gc.collect()
    gc.freeze()


def _draw_a_chart() -> None:
    import altair as alt
    import pandas as pd
    import vl_convert as vlc

    chart = alt.Chart(pd.DataFrame({"Year": ["2020-21", "2021-22"], "Value": [1, 2]}))
    spec = chart.mark_bar().encode(x="Year:O", y="Value:Q").properties(title="warm-up").to_dict()
    vlc.svg_to_png(vlc.vegalite_to_svg(spec), scale=1)
