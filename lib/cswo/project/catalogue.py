"""The catalogue of tables and measures (``catalogue.yml``), as typed objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from cswo.project.paths import CATALOGUE_FILE

UNITS = {
    "count": "number of people, cases or events (a whole number)",
    "percent": "percentage, 0 to 100",
    "gbp": "pounds sterling",
    "gbp_thousand": "thousands of pounds (£000)",
    "rate_per_100": "rate per 100 people",
    "rate_per_1000": "rate per 1,000 people",
    "days": "days",
    "days_per_fte": "days per full-time equivalent employee",
    "hours": "hours",
    "years": "years",
    "number": "a quantity that is not a count (a grade, an average, a rate)",
}
WHOLE_NUMBER_UNITS = {"count"}
TOTAL = "total"


@dataclass(frozen=True)
class Rule:
    kind: str  # parts_sum_to_total | shares_sum_to_100 | share_of | rate_of
    tolerance: float | None = None
    count: str | None = None
    denominator: str | None = None
    per: float | None = None
    except_years: tuple[str, ...] = ()  # published years known not to add up, kept as published


@dataclass(frozen=True)
class Measure:
    table: str
    name: str
    label: str
    unit: str
    description: str
    breakdowns: dict[str, str] | None  # None means any text is allowed
    required: tuple[str, ...]
    rules: tuple[Rule, ...]

    def allows(self, breakdown: str) -> bool:
        return breakdown == TOTAL or self.breakdowns is None or breakdown in self.breakdowns

    def breakdown_label(self, breakdown: str) -> str:
        if breakdown == TOTAL:
            return "Total"
        if self.breakdowns and breakdown in self.breakdowns:
            return self.breakdowns[breakdown]
        return breakdown


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    sections: tuple[str, ...]
    measures: dict[str, Measure] = field(default_factory=dict)


def _rule(raw) -> Rule:
    if isinstance(raw, str):
        return Rule(kind=raw)
    ((kind, options),) = raw.items()
    options = options or {}
    return Rule(
        kind=kind,
        tolerance=options.get("tolerance"),
        count=options.get("count"),
        denominator=options.get("denominator") or options.get("population"),
        per=options.get("per"),
        except_years=tuple(options.get("except_years") or ()),
    )


def _required(raw) -> tuple[str, ...]:
    if raw is True:
        return (TOTAL,)
    if not raw:
        return ()
    return tuple(raw)


def parse_catalogue(raw: dict) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for table_name, table in (raw.get("tables") or {}).items():
        measures = {}
        for name, m in (table.get("measures") or {}).items():
            breakdowns = m.get("breakdowns")
            measures[name] = Measure(
                table=table_name,
                name=name,
                label=m["label"],
                unit=m["unit"],
                description=m.get("description", ""),
                breakdowns=None if breakdowns == "any" else dict(breakdowns or {}),
                required=_required(m.get("required")),
                rules=tuple(_rule(r) for r in m.get("rules") or ()),
            )
        tables[table_name] = Table(
            name=table_name,
            title=table["title"],
            description=table.get("description", ""),
            sections=tuple(table.get("sections") or ()),
            measures=measures,
        )
    return tables


@lru_cache(maxsize=4)
def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Table]:
    """The catalogue as tables of measures. Raises FileNotFoundError or yaml errors."""
    return parse_catalogue(yaml.safe_load(path.read_text(encoding="utf-8")))


def tables_for_section(section: str, catalogue: dict[str, Table] | None = None) -> list[str]:
    catalogue = catalogue or load_catalogue()
    return [name for name, table in catalogue.items() if section in table.sections]
