"""What a kernel keeps between sections: the year's parameters and data, read and protected once.

A build runs many sections in each kernel, all from the same parameters and validated data; reading
them and applying the disclosure policy took about a sixth of a second a section. They are kept,
keyed by the content of every file they were made from, and each section gets its own deep copy,
so nothing one section does to a table can reach the next.
"""

from __future__ import annotations

import copy
from pathlib import Path

from cswo.cache.keys import kernel_inputs_key
from cswo.data.dataset import Dataset
from cswo.project.catalogue import load_catalogue
from cswo.project.parameters import Parameters, load_year
from cswo.project.paths import Project
from cswo.safeguards.disclosure import protect_dataset

_kept: dict[str, tuple[Parameters, Dataset, list[dict]]] = {}


def year_inputs(project: Project, year: str, dataset_folder: Path) -> tuple[Parameters, Dataset, list[dict]]:
    """The year's parameters, its validated data as it may be published, and the private record of what
    was suppressed. Raises what :func:`load_year` and :meth:`Dataset.read` raise."""
    key = kernel_inputs_key(project, year, dataset_folder)
    if key not in _kept:
        parameters = load_year(project, year)
        dataset, suppressed = protected(project, parameters, Dataset.read(dataset_folder))
        _kept.clear()  # one year's inputs at a time
        _kept[key] = (parameters, dataset, suppressed)
    return copy.deepcopy(_kept[key])


def protected(project: Project, parameters: Parameters, dataset: Dataset) -> tuple[Dataset, list[dict]]:
    """The one choke point for a section's data, in a build and in the lab: nothing a section draws
    from ever holds a count the year's disclosure policy suppresses. Also returns what was suppressed."""
    return protect_dataset(dataset, parameters.disclosure, load_catalogue(project))
