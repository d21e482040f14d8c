"""The validated data of a report year, as notebooks and the build receive it.

:func:`cswo.data.load.validate_tables` makes a :class:`Dataset`; the build saves it once as Parquet
and JSON (never a pickle), and each section's kernel reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cswo.cache.keys import text_digest
from cswo.data.queries import Query, as_records, from_records


@dataclass
class Dataset:
    """Validated tables for a report year (rows up to and including that year)."""

    year: str
    tables: dict[str, pd.DataFrame]
    text_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    unfilled: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict)
    slips: list[dict] = field(default_factory=list)  # known slips kept as published, up to this year
    queries: list[Query] = field(default_factory=list)  # rows under query, up to this year

    def slip_warnings(self) -> list[str]:
        return [
            f"Kept as published (known slip) in {s['file']}, row {s['row']}: {s['message']}. Why: {s['reason']}"
            for s in self.slips
        ]

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            raise KeyError(f"no data table called '{name}'; known tables: {', '.join(sorted(self.tables))}")
        return self.tables[name]

    def fingerprint(self, name: str) -> str:
        """Content hash of the rows this year's report can see: edits to later years don't count."""
        kept = self.__dict__.setdefault("_fingerprints", {})  # asked once per section and table
        if name not in kept:
            kept[name] = self._fingerprint(name)
        return kept[name]

    def _fingerprint(self, name: str) -> str:
        frame = self.tables.get(name)
        if frame is None:
            frame = self.text_tables.get(name)
        if frame is None:
            return "absent"
        text = frame.drop(columns=["file", "row"], errors="ignore").to_csv(index=False)
        return text_digest(text)

    # Kernels receive the dataset as data, never as a pickle: loading a pickle runs whatever code
    # it names, so a planted cache file would run on the next build.
    def save(self, folder: Path) -> Path:
        """Write the tables as Parquet and the rest as JSON into ``folder``; returns the folder."""
        import json
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for kind, frames in (("table", self.tables), ("text", self.text_tables)):
            for position, frame in enumerate(frames.values()):
                frame.to_parquet(folder / f"{kind}-{position}.parquet")
        meta = {
            "year": self.year,
            "tables": list(self.tables),
            "text_tables": list(self.text_tables),
            "files": self.files,
            "unfilled": [[*key, *where] for key, where in self.unfilled.items()],
            "slips": self.slips,
            "queries": as_records(self.queries),
        }
        (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
        return folder

    @classmethod
    def read(cls, folder: Path) -> Dataset:
        """The dataset :meth:`save` wrote."""
        import json

        meta = json.loads((Path(folder) / "dataset.json").read_text(encoding="utf-8"))

        def frames(kind: str, names: list[str]) -> dict[str, pd.DataFrame]:
            return {name: pd.read_parquet(Path(folder) / f"{kind}-{i}.parquet") for i, name in enumerate(names)}

        return cls(
            year=meta["year"],
            tables=frames("table", meta["tables"]),
            text_tables=frames("text", meta["text_tables"]),
            files={name: list(labels) for name, labels in meta["files"].items()},
            unfilled={(t, m, b): (label, int(row)) for t, m, b, label, row in meta["unfilled"]},
            slips=list(meta.get("slips", [])),
            queries=from_records(meta.get("queries", [])),
        )
