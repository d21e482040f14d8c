"""The catalogue of tables and measures, as typed objects.

The package ships a base catalogue of the national CSWO template's measures
(``cswo/project/catalogue.yml``). A council's project extends it in its own
``catalogue.yml``: new tables, new measures, new breakdowns, text tables, and
new labels or rules for the base's measures. The package file is never edited.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from cswo.errors import CatalogueError, UnreadableTextError, YAMLProblems
from cswo.project.catalogue_schema import schema_problems
from cswo.project.paths import BASE_CATALOGUE_FILE, Project, year_label
from cswo.project.reading import decode, parse_yaml

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
YEAR_BASES = ("financial", "calendar")  # what a measure's years are: 2021-22 means April 2021 to March 2022, or 2021
# How a figure the published text gives only in words is qualified (column ``approximate`` in the data)
APPROXIMATIONS = ("just under", "just over", "almost", "nearly", "around", "about", "over", "under", "more than")
TOTAL = "total"
RULE_KINDS = ("parts_sum_to_total", "shares_sum_to_100", "share_of", "rate_of", "average_of")
DERIVED_RULES = ("share_of", "rate_of", "average_of")  # a figure worked out from others: it keeps their suppression


@dataclass(frozen=True)
class Rule:
    kind: str  # one of RULE_KINDS
    tolerance: float | None = None
    count: str | None = None
    denominator: str | None = None
    per: float | None = None
    of: str | None = None  # average_of: the measure averaged
    years: int | None = None  # average_of: over how many years (the report year and those before it)

    @property
    def sources(self) -> tuple[str, ...]:
        """The measures a derived figure is worked out from (its count and denominator, or what it averages)."""
        return tuple(m for m in (self.count, self.denominator, self.of) if m)


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
    year_basis: str = "financial"  # one of YEAR_BASES: how a chart names the years
    unit_label: str = ""  # what a value is, where the unit is only "number" (a chart's axis says it)
    decimals: int | None = None  # the paper's number style for the unit (None: as the data gives it)
    scale: tuple[int, int] | None = None  # a grade: whole numbers from the first to the second

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


class Catalogue(dict):
    """Tables by name (a dict, as before), plus the text tables' columns and the number style."""

    def __init__(
        self,
        tables: dict[str, Table],
        text_tables: dict[str, dict[str, str]],
        number_style: dict[str, int | None] | None = None,
    ):
        super().__init__(tables)
        self.text_tables = text_tables
        self.number_style = dict(number_style or {})

    def decimals(self, unit: str) -> int | None:
        """Decimal places every figure in ``unit`` is shown with (None: as the data gives it)."""
        return self.number_style.get(unit)


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
        of=options.get("measure"),
        years=options.get("years"),
    )


def _required(raw) -> tuple[str, ...]:
    if raw is True:
        return (TOTAL,)
    if not raw:
        return ()
    return tuple(raw)


def _measure(table_name: str, name: str, m: dict, number_style: dict) -> Measure:
    breakdowns = m.get("breakdowns")
    return Measure(
        table=table_name,
        name=name,
        label=m["label"],
        unit=m["unit"],
        description=m.get("description", ""),
        breakdowns=None if breakdowns == "any" else dict(breakdowns or {}),
        required=_required(m.get("required")),
        rules=tuple(_rule(r) for r in m.get("rules") or ()),
        year_basis=m.get("year_basis") or "financial",
        unit_label=m.get("unit_label") or "",
        decimals=m["decimals"] if "decimals" in m else number_style.get(m["unit"]),
        scale=tuple(m["scale"]) if m.get("scale") else None,
    )


def parse_catalogue(raw: dict) -> Catalogue:
    """Typed tables from a catalogue mapping (already merged). Raises KeyError for a missing key."""
    tables: dict[str, Table] = {}
    number_style = dict(raw.get("number_style") or {})
    for table_name, table in (raw.get("tables") or {}).items():
        measures = {
            name: _measure(table_name, name, m, number_style) for name, m in (table.get("measures") or {}).items()
        }
        tables[table_name] = Table(
            name=table_name,
            title=table["title"],
            description=table.get("description", ""),
            sections=tuple(table.get("sections") or ()),
            measures=measures,
        )
    text_tables = {name: dict(columns) for name, columns in (raw.get("text_tables") or {}).items()}
    return Catalogue(tables, text_tables, number_style)


# --- a project's additions and overrides -------------------------------------


def _merge_measure(base: dict | None, extra: dict) -> dict:
    merged = copy.deepcopy(base or {})
    for key, value in extra.items():
        if key == "breakdowns" and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}  # new breakdowns, or new labels for the base's
        else:
            merged[key] = value
    return merged


def merge_catalogues(base: dict, extra: dict) -> dict:
    """The base catalogue with a project's additions and overrides applied (neither is changed)."""
    merged = copy.deepcopy(base)
    tables = merged.setdefault("tables", {})
    for name, table in (extra.get("tables") or {}).items():
        target = tables.setdefault(name, {})
        for key, value in (table or {}).items():
            if key != "measures":
                target[key] = value
        measures = target.setdefault("measures", {})
        for measure, spec in ((table or {}).get("measures") or {}).items():
            measures[measure] = _merge_measure(measures.get(measure), spec or {})
    text_tables = merged.setdefault("text_tables", {})
    for name, columns in (extra.get("text_tables") or {}).items():
        text_tables[name] = columns
    merged["number_style"] = {**(base.get("number_style") or {}), **(extra.get("number_style") or {})}
    return merged


def _problems(raw: dict) -> list[str]:
    """What a merged catalogue lacks, key by key, so every gap is named at once."""
    problems = []
    for name, table in (raw.get("tables") or {}).items():
        if "title" not in table:
            problems.append(f"table '{name}' has no title")
        for measure, spec in (table.get("measures") or {}).items():
            where = f"tables.{name}.measures.{measure}"
            for key in ("label", "unit"):
                if key not in spec:
                    problems.append(f"{where} has no {key}")
            if spec.get("unit") is not None and spec.get("unit") not in UNITS:
                problems.append(f"{where}: unit '{spec['unit']}' is not one of {', '.join(UNITS)}")
            if spec.get("year_basis", "financial") not in YEAR_BASES:
                problems.append(f"{where}: year_basis '{spec['year_basis']}' is not one of {', '.join(YEAR_BASES)}")
            problems += _decimals_problems(where, spec)
            scale = spec.get("scale")
            if scale is not None and not (
                isinstance(scale, list)
                and len(scale) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
                and scale[0] < scale[1]
            ):
                problems.append(f"{where}: scale must be [lowest, highest] in whole numbers, e.g. [1, 6]")
            for rule in spec.get("rules") or ():
                kind = rule if isinstance(rule, str) else next(iter(rule), None)
                if kind not in RULE_KINDS:
                    problems.append(f"{where}: rule '{kind}' is not one of {', '.join(RULE_KINDS)}")
    for name, columns in (raw.get("text_tables") or {}).items():
        if not isinstance(columns, dict) or not columns:
            problems.append(f"text_tables.{name} must list its columns, each with what it holds")
    return problems + _number_style_problems(raw.get("number_style") or {})


def _decimals_problems(where: str, spec: dict) -> list[str]:
    """A measure's own ``decimals``: 0 to 4 places, or blank (as the data gives it)."""
    places = spec.get("decimals")
    if places is not None and (isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 4):
        return [f"{where}: decimals must be 0 to 4 decimal places, or blank (as the data gives it)"]
    if places and spec.get("unit") in WHOLE_NUMBER_UNITS:
        return [f"{where}: decimals: {spec['unit']} figures are whole numbers, so 0 decimal places"]
    return []


def _number_style_problems(style) -> list[str]:
    if not isinstance(style, dict):
        return ["number_style must map each unit to its decimal places, e.g. {percent: 1}"]
    problems = []
    for unit, places in style.items():
        if unit not in UNITS:
            problems.append(f"number_style: unit '{unit}' is not one of {', '.join(UNITS)}")
        elif places is not None and (isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 4):
            problems.append(
                f"number_style.{unit}: give 0 to 4 decimal places, or leave it blank (as the data gives it)"
            )
        elif unit in WHOLE_NUMBER_UNITS and places:
            problems.append(f"number_style.{unit}: {unit} figures are whole numbers, so 0 decimal places")
    return problems


def _read_yaml(text: str, label: str) -> dict:
    """The catalogue's YAML, read as strictly as the parameters (a duplicate key is an error)."""
    try:
        raw = parse_yaml(text) or {}
    except YAMLProblems as exc:
        raise CatalogueError(label, exc.problems) from None
    if not isinstance(raw, dict):
        raise CatalogueError(label, ["expected a mapping with 'tables' (and optionally 'text_tables')"])
    unknown = sorted(set(raw) - {"tables", "text_tables", "number_style"})
    if unknown:
        raise CatalogueError(label, [f"unknown key(s) {unknown}: use 'tables', 'text_tables' and 'number_style'"])
    problems = schema_problems(raw)
    if problems:
        raise CatalogueError(label, problems)
    return raw


@lru_cache(maxsize=8)
def _parsed(base_text: str, project_text: str, label: str) -> Catalogue:
    merged = merge_catalogues(_read_yaml(base_text, "the package's base catalogue"), _read_yaml(project_text, label))
    problems = _problems(merged)
    if problems:
        raise CatalogueError(label, problems)
    return parse_catalogue(merged)


def load_catalogue(project: Project) -> Catalogue:
    """The base catalogue extended by the project's ``catalogue.yml`` (if it has one).

    Cached by the files' content, so an edit is seen at once. Raises CatalogueError.
    """
    base = BASE_CATALOGUE_FILE.read_text(encoding="utf-8")
    path = project.catalogue_file
    if path.is_dir():
        raise CatalogueError(path.name, ["is a folder, not a file: the catalogue is one YAML file, catalogue.yml"])
    try:  # read as the parameters are: UTF-8 only, any other encoding a sentence saying how to re-save
        text = decode(path.read_bytes(), path.name) if path.exists() else ""
    except UnreadableTextError as exc:
        raise CatalogueError(path.name, [exc.rule]) from None
    except OSError as exc:
        raise CatalogueError(path.name, [f"cannot be read ({exc.strerror or exc})"]) from None
    return _parsed(base, text, path.name)


def tables_for_section(section: str, catalogue: dict[str, Table]) -> list[str]:
    return [name for name, table in catalogue.items() if section in table.sections]


_WRITTEN_YEAR = re.compile(r"\b(\d{4})[-/](\d{2})\b")


def restyle_years(text: str, style: str) -> str:
    """Every financial year in ``text`` written in ``style``: 'since 2015/16' -> 'since 2015-16'."""

    def styled(match: re.Match) -> str:
        start, end = int(match.group(1)), int(match.group(2))
        if (start + 1) % 100 != end:  # not a financial year (a range such as 2015-18, say)
            return match.group(0)
        return year_label(f"{start}-{end:02d}", style)

    return _WRITTEN_YEAR.sub(styled, text)


def with_year_style(catalogue: Catalogue, style: str) -> Catalogue:
    """The catalogue with every label's years in the paper's year style, so a label written
    '2015/16' never sits beside '2021-22' in a paper that writes years with hyphens."""

    def measure(m: Measure) -> Measure:
        breakdowns = None if m.breakdowns is None else {k: restyle_years(v, style) for k, v in m.breakdowns.items()}
        return replace(m, label=restyle_years(m.label, style), breakdowns=breakdowns)

    tables = {
        name: replace(
            table,
            title=restyle_years(table.title, style),
            measures={key: measure(m) for key, m in table.measures.items()},
        )
        for name, table in catalogue.items()
    }
    return Catalogue(tables, catalogue.text_tables, catalogue.number_style)
