"""What a catalogue file may hold, key by key: read as strictly as the parameters.

The base catalogue and a project's ``catalogue.yml`` are each checked against this schema before
they are merged, so a wrong type (a table written as a string, ``measures`` as a list, a label
that is a number, ``sections: children``) is a sentence naming the file and the key, all at once,
never a fault in the suite. The rules each measure states are checked after the merge
(:func:`cswo.project.catalogue._problems`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

Text = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RuleOptions(_Strict):
    tolerance: float | int | None = None
    count: Text | None = None
    denominator: Text | None = None
    population: Text | None = None
    per: float | int | None = None
    measure: Text | None = None
    years: int | None = None


Rule = Text | dict[Text, RuleOptions | None]


class MeasureSpec(_Strict):
    label: Text | None = None
    unit: Text | None = None
    description: Text | None = None
    breakdowns: dict[Text, Text] | Literal["any"] | None = None
    required: bool | list[Text] | None = None
    rules: list[Rule] | None = None
    year_basis: Text | None = None
    unit_label: Text | None = None
    scale: list[int] | None = None
    decimals: int | None = None


class TableSpec(_Strict):
    title: Text | None = None
    description: Text | None = None
    sections: list[Text] | None = None
    measures: dict[Text, MeasureSpec | None] | None = None


class CatalogueFile(_Strict):
    tables: dict[Text, TableSpec | None] | None = None
    text_tables: dict[Text, dict[Text, Text]] | None = None
    number_style: dict[Text, int | None] | None = None


def schema_problems(raw: dict) -> list[str]:
    """Every key of ``raw`` whose value has the wrong type, each once: 'tables.t.measures.m.label:
    give text (got 42)'. Empty when the file's shape is right."""
    try:
        CatalogueFile.model_validate(raw)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            key, value = _located(raw, error["loc"])
            problems.setdefault(key, _sentence(key, error, value))
        return list(problems.values())
    return []


def _located(raw: object, loc: tuple) -> tuple[str, object]:
    """The key path as the file writes it, and the value there: the error's location followed
    through the data only (the schema's own union names, such as 'str', are not keys)."""
    parts, node = [], raw
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break  # a name of the schema's own (a union's member), not a key in the file
        parts.append(f"[{part + 1}]" if isinstance(part, int) else str(part))
    return ".".join(parts).replace(".[", "["), node


WANTED = {
    str: "text",
    list: "a list",
    dict: "a mapping of keys to values",
}


def _sentence(key: str, error: dict, value: object) -> str:
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key (see the keys described at the top of the base catalogue)"
    got = "" if isinstance(value, (dict, list)) else f" (got {value!r})"[:80]
    expected = _expected(key)
    return f"{key}: {expected}{got}" if expected else f"{key}: {error['msg']}{got}"


def _expected(key: str) -> str:
    """What a key holds, in words, for the keys a council writes by hand."""
    parts = key.split(".")
    parent, last = (parts[-2] if len(parts) > 1 else ""), parts[-1].split("[", 1)[0]
    if parent == "tables":
        return "a table: a mapping with title, sections and measures"
    if parent == "measures":
        return "a measure: a mapping with label and unit"
    return {
        "tables": "a mapping of table names to tables",
        "measures": "a mapping of measure names to measures (each with label and unit)",
        "sections": "a list of section names, like [children]",
        "label": "give the label as text",
        "title": "give the title as text",
        "unit": "give the unit as text (e.g. count)",
        "description": "give the description as text",
        "breakdowns": "a mapping of breakdown names to labels, or 'any'",
        "required": "true, false, or a list of breakdowns",
        "rules": "a list of rules, like [parts_sum_to_total]",
        "scale": "[lowest, highest] in whole numbers",
        "decimals": "0 to 4 decimal places, or blank (as the data gives it)",
        "number_style": "a mapping of units to decimal places",
        "text_tables": "a mapping of text table names to their columns",
    }.get(last, "")
