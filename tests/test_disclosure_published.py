"""Disclosure control across every published channel: tables, prose, charts' alt text, figures file.

The dataset is protected once (``disclosure.protect_dataset``); these tests publish everything a
section can say about a small table -- every phrase of every figure, sums and differences, the
breakdown table, the trend chart's alt text and the public figures file -- and then solve the
linear system over every published number, as an attacker would, to check that no suppressed
count can be worked out.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cswo.data.dataset import Dataset
from cswo.figures.figure import Figure
from cswo.notebook.charts import trend_alt_text
from cswo.notebook.section import Section
from cswo.notebook.tables import breakdown_table
from cswo.project.catalogue import TOTAL, Measure
from cswo.publish.audit import write_figures_csv, write_qa_csv
from cswo.safeguards.disclosure import NOT_PUBLISHED, determined, protect_dataset, protect_frame

YEARS = ["2019-20", "2020-21", "2021-22"]
YEAR = YEARS[-1]
NUMBER = re.compile(r"^\d[\d,]*$")


def measure(parts: list[str]) -> Measure:
    return Measure("t", "m", "People", "count", "", {p: p.title() for p in parts}, (), ())


def frame(values: dict[tuple[str, str], float]) -> pd.DataFrame:
    rows = [
        {
            "year": year,
            "measure": "m",
            "breakdown": breakdown,
            "value": str(number),
            "unit": "count",
            "status": "",
            "source": "test",
            "note": "",
            "number": float(number),
            "file": "data/t.csv",
            "row": i + 2,
        }
        for i, ((breakdown, year), number) in enumerate(values.items())
    ]
    return pd.DataFrame(rows)


def with_totals(parts: dict[str, list[int]]) -> dict[tuple[str, str], float]:
    values = {(p, y): float(v) for p, row in parts.items() for y, v in zip(YEARS, row, strict=True)}
    for i, y in enumerate(YEARS):
        values[(TOTAL, y)] = float(sum(row[i] for row in parts.values()))
    return values


@dataclass
class Published:
    """Everything published about the table, and the linear facts it gives away."""

    texts: list[str] = field(default_factory=list)
    equations: list[dict] = field(default_factory=list)
    known: dict = field(default_factory=dict)  # cell -> the value published for it
    section: dict = field(default_factory=dict)  # phrases the section registered (sums, gaps)


def publish_everything(values, threshold, tmp_path) -> tuple[Published, set, dict]:
    parts = sorted({b for b, _ in values if b != TOTAL})
    spec = measure(parts)
    protected, record = protect_frame(frame(values), "t", threshold, ["m"])
    hidden = {(r["breakdown"], r["year"]) for r in record}
    figures = {b: Figure.from_table(b, protected, spec, YEAR, b, threshold, symbol="[c]") for b in [TOTAL, *parts]}
    total_fig = figures[TOTAL]
    out = Published()
    # prose: every phrase of every figure
    for b, fig in figures.items():
        for key, text in fig.placeholders().items():
            out.texts.append(text)
            attribute = key.split(".", 1)[1].removesuffix("_exact")
            attribute = "value" if attribute == "exact" else attribute
            cell = None
            if attribute == "value":
                cell = (b, YEAR)
            elif attribute.startswith("in_"):
                cell = (b, attribute[3:].replace("_", "-"))
            elif b == TOTAL and attribute in parts:
                cell = (attribute, YEAR)
            if cell and NUMBER.match(text):
                out.known[cell] = float(text.replace(",", ""))
            if attribute == "average_5y_value" and NUMBER.match(text):
                out.equations.append({(b, y): 1.0 for y in YEARS})
            if attribute == "change" and (m := re.search(r"of (\d+)%", text)):
                ratio = 1 + (1 if "increase" in text else -1) * int(m.group(1)) / 100
                out.equations.append({(b, YEAR): 1.0, (b, YEARS[-2]): -ratio})
    # prose: sums and differences registered by the section
    section = Section.__new__(Section)
    section.id, section.year, section._extra = "t", YEAR, {}
    total_text = section.total("all", total_fig)
    out.texts.append(total_text)
    if NUMBER.match(total_text):
        out.equations.append({(p, YEAR): 1.0 for p in parts})
    for a in parts:
        for b in parts:
            if a < b:
                gap = section.difference(f"gap_{a}_{b}", figures[a], figures[b])
                out.texts.append(gap)
                if NUMBER.match(gap):
                    out.equations.append({(a, YEAR): 1.0, (b, YEAR): -1.0})
    out.section = dict(section._extra)
    # the table: every shown cell, and its total row
    table = breakdown_table("People", protected, spec, YEARS, threshold=threshold, symbol="[c]")
    out.texts.append(table._repr_markdown_())
    for row in table.rows:
        breakdown = next(b for b in [TOTAL, *parts] if spec.breakdown_label(b) == row[0])
        for year in YEARS:
            cell = row[table.columns.index(f"{year} Number")]
            if NUMBER.match(cell):
                out.known[(breakdown, year)] = float(cell.replace(",", ""))
    for year in YEARS:  # the parts add up to the total, and everyone knows it
        out.equations.append({**{(p, year): 1.0 for p in parts}, (TOTAL, year): -1.0})
    # the chart's alt text
    alt = trend_alt_text(
        [figures[b] for b in [TOTAL, *parts]], YEARS, [spec.breakdown_label(b) for b in [TOTAL, *parts]], "Line"
    )
    out.texts.append(alt)
    starts = sorted((alt.index(f"{spec.breakdown_label(b)}: "), b) for b in [TOTAL, *parts])
    for (start, b), (end, _) in zip(starts, [*starts[1:], (len(alt), None)], strict=True):
        for m in re.finditer(r"(\d[\d,]*) in (\d{4}-\d{2})", alt[start:end]):
            out.known[(b, m.group(2))] = float(m.group(1).replace(",", ""))
    # the public figures file
    bundle = {"figures": [r for f in figures.values() for r in f.audit_rows("t")], "table_cells": table.audit}
    bundle["suppressed_cells"] = record
    write_figures_csv({"t": bundle}, tmp_path / "figures.csv")
    with (tmp_path / "figures.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        out.texts += [",".join(r.values()) for r in rows]
    for r in rows:
        if r["kind"] == "narrative figure" and r["value"]:
            out.known[(r["breakdown"], r["year"])] = float(r["value"])
    write_qa_csv({"t": bundle}, tmp_path / "qa.csv")
    return out, hidden, {(r["breakdown"], r["year"]): r["value"] for r in record}


def assert_nothing_recoverable(out: Published, hidden: set, raw: dict, values: dict) -> None:
    for cell, value in out.known.items():
        assert cell not in hidden, f"{cell} is suppressed but published as {value}"
        assert value == values[cell]
    facts = out.equations + [{cell: 1.0} for cell in out.known]
    assert determined(facts, hidden) == [], "a suppressed count can be worked out"


def test_complaints_scenario_total_and_two_services_do_not_give_away_the_third(tmp_path):
    # complaints under a threshold of 3: Community Justice 2 of 91, with 36 and 53
    values = with_totals({"children": [30, 32, 36], "partnership": [50, 51, 53], "justice": [9, 8, 2]})
    out, hidden, raw = publish_everything(values, 3, tmp_path)
    assert ("justice", YEAR) in hidden and len([c for c in hidden if c[1] == YEAR]) >= 2
    assert_nothing_recoverable(out, hidden, raw, values)
    assert not any(re.search(r"\b91\b.*\b36\b.*\b53\b", t) for t in out.texts)


def test_self_directed_support_scenario_table_total_and_alt_text(tmp_path):
    # a breakdown of 2 under a threshold of 3: the table's other part is suppressed too, and the
    # chart's alt text never reads "lowest 2"
    values = with_totals({"adults": [300, 310, 320], "children": [5, 4, 2]})
    out, hidden, raw = publish_everything(values, 3, tmp_path)
    assert {("children", YEAR), ("adults", YEAR)} <= hidden
    assert_nothing_recoverable(out, hidden, raw, values)
    alt = next(t for t in out.texts if t.startswith("Line chart"))
    assert "lowest 2" not in alt and "Children: 2 " not in alt


def test_sum_and_difference_are_not_published_with_a_suppressed_part(tmp_path):
    values = with_totals({"a": [10, 10, 1], "b": [10, 10, 20]})
    out, hidden, _ = publish_everything(values, 3, tmp_path)
    assert out.section["all"] == NOT_PUBLISHED  # s.total: the sum of the parts
    assert out.section["gap_a_b"] == NOT_PUBLISHED  # s.difference: 19 would give both away
    assert {("a", YEAR), ("b", YEAR)} <= hidden


def test_public_figures_file_carries_no_raw_value_and_the_qa_file_does(tmp_path):
    values = with_totals({"a": [10, 10, 1], "b": [10, 10, 20]})
    publish_everything(values, 3, tmp_path)
    public = list(csv.DictReader((tmp_path / "figures.csv").open(encoding="utf-8")))
    hidden_rows = [r for r in public if r["year"] == YEAR and r["breakdown"] in ("a", "b")]
    assert hidden_rows and all(r["value"] == "" for r in hidden_rows)
    qa = list(csv.DictReader((tmp_path / "qa.csv").open(encoding="utf-8")))
    assert {("a", "1.0"), ("b", "20.0")} <= {(r["breakdown"], r["value"]) for r in qa}


@st.composite
def small_tables(draw):
    n_parts = draw(st.integers(2, 4))
    count = st.one_of(st.integers(0, 5), st.integers(0, 40))
    parts = {f"p{i}": [draw(count) for _ in YEARS] for i in range(n_parts)}
    return with_totals(parts), draw(st.integers(2, 6))


@settings(max_examples=40, deadline=None)
@given(small_tables())
def test_random_tables_leave_no_suppressed_count_recoverable_from_any_channel(tmp_path_factory, case):
    values, threshold = case
    out, hidden, raw = publish_everything(values, threshold, tmp_path_factory.mktemp("pub"))
    for cell, value in values.items():
        if 0 < value < threshold:
            assert cell in hidden
    assert_nothing_recoverable(out, hidden, raw, values)


@pytest.mark.soak
@settings(max_examples=1500, deadline=None)
@given(small_tables())
def test_soak_no_suppressed_count_recoverable_from_any_channel(tmp_path_factory, case):
    values, threshold = case
    out, hidden, raw = publish_everything(values, threshold, tmp_path_factory.mktemp("pub"))
    assert_nothing_recoverable(out, hidden, raw, values)


def test_protect_dataset_uses_the_policy_for_count_measures_only():
    @dataclass
    class Rule:
        threshold: int
        symbol: str = "[c]"

    class Policy:
        def rule_for(self, table):
            return Rule(3) if table == "t" else None

    class Spec:
        measures = {"m": measure(["a", "b"])}

    data = Dataset(year=YEAR, tables={"t": frame(with_totals({"a": [1, 5, 5], "b": [5, 5, 5]})), "u": frame({})})
    protected, record = protect_dataset(data, Policy(), {"t": Spec(), "u": Spec()})
    assert protected.tables["u"] is data.tables["u"]
    assert {(r["breakdown"], r["year"], r["reason"]) for r in record} >= {("a", "2019-20", "primary")}
    row = protected.tables["t"].query("breakdown == 'a' and year == '2019-20'").iloc[0]
    assert row["status"] == "c" and row["value"] == "" and row["number"] != row["number"]
