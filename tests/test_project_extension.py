"""A council extends the suite in its own project, never in the package.

Starting from `cswo init`, a council adds 30 measures in 2 new tables, a new breakdown of a base
measure and a section of its own that reads them, as docs/project.md says: in ``catalogue.yml``,
``parameters/`` and ``notebooks/``. Its data-entry workbook then asks for the new figures, the
filled workbook validates, and the build puts every new figure in the committee paper. The
package's files are the same bytes before and after.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import nbformat
import pytest
import yaml
from docx import Document

import cswo
from cswo.data.load import validate_tables
from cswo.narrative.needs import year_needs
from cswo.pipeline.build import BuildOptions, build
from cswo.project.catalogue import load_catalogue
from cswo.project.parameters import load_year
from cswo.project.paths import previous_year
from cswo.tools.init import init_project
from cswo.tools.workbook import write_template
from support import PLAUSIBLE, fill_workbook, section_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("init")]

YEAR = "2024-25"
PER_TABLE = 15
NEW_TABLES = {"carers_support": "Support for unpaid carers", "housing_support": "Housing support"}


def _measure(table: str, number: int) -> tuple[str, dict]:
    name = f"{table}_measure_{number:02d}"
    return name, {
        "label": f"{NEW_TABLES[table]}: indicator {number}",
        "unit": "count",
        "breakdowns": {},
        "required": True,
        "rules": [],
        "description": f"Indicator {number} of the council's own {table.replace('_', ' ')} return.",
    }


def _catalogue() -> dict:
    tables = {
        table: {
            "title": title,
            "description": f"The council's own {title.lower()} figures.",
            "sections": ["local_services"],
            "measures": dict(_measure(table, n) for n in range(1, PER_TABLE + 1)),
        }
        for table, title in NEW_TABLES.items()
    }
    # a new breakdown of a base measure: only the key added is given; the base's stay
    tables["complaints"] = {
        "measures": {"complaints_received": {"breakdowns": {"financial_charging": "Financial charging"}}}
    }
    return {"tables": tables}


def _local_section() -> nbformat.NotebookNode:
    code = [
        f'{table}_{n:02d} = s.figure("{table}_{n:02d}", "{table}", "{table}_measure_{n:02d}")'
        for table in NEW_TABLES
        for n in range(1, PER_TABLE + 1)
    ]
    prose = ["## Local services"]
    for table, title in NEW_TABLES.items():
        roles = ", ".join(f"{{eval}}`{table}_{n:02d}.value`" for n in range(1, PER_TABLE + 1))
        prose.append(f"{title} in {{eval}}`s.label`: the indicators stood at {roles}.")
    nb = section_notebook("local_services", prose, code, year=YEAR)
    tables = [
        f's.show(s.years_table("{title}", [{", ".join(f"{table}_{n:02d}" for n in range(1, PER_TABLE + 1))}], '
        "s.years(1)))"
        for table, title in NEW_TABLES.items()
    ]
    tables.append('s.show(s.breakdown_table("Complaints by service", "complaints", "complaints_received", s.years(1)))')
    shown = nbformat.v4.new_code_cell("\n".join(tables))
    shown.metadata["tags"] = ["remove-input"]
    nb.cells.insert(-1, shown)
    return nb


def _package_digest() -> str:
    digest = hashlib.sha256()
    package = Path(cswo.__file__).parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _add_section(project, year: str) -> None:
    path = project.parameters_file(year)
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params["chapters"][-1]["sections"].append("local_services")
    path.write_text(yaml.safe_dump(params, sort_keys=False, allow_unicode=True), encoding="utf-8")
    nbformat.write(_local_section(), project.notebook(year, "local_services"))


def _filler(catalogue):
    """Distinct values for the new measures, so each can be found in the paper; a base measure's
    total is the sum of its parts, as a service's return would give it."""
    parts = {
        (table.name, measure.name): len([b for b in measure.breakdowns if b != "total"])
        for table in catalogue.values()
        for measure in table.measures.values()
        if any(rule.kind == "parts_sum_to_total" for rule in measure.rules)
    }

    def value_for(key, value):
        table, measure, breakdown = key
        if table in NEW_TABLES:
            return _new_value(table, measure)
        return value * parts[table, measure] if breakdown == "total" and (table, measure) in parts else value

    return value_for


def _new_value(table: str, measure: str) -> int:
    return 100 + list(NEW_TABLES).index(table) * PER_TABLE + int(measure[-2:])


def _add_last_year(project, year: str, value_for) -> int:
    """A new council's first report compares with the year before: give the figures its narrative
    needs for that year in the data tables (replacing the rows `cswo init` marked x for them), as an
    analyst copies them from last year's report."""
    last = previous_year(year)
    dataset, _ = validate_tables(project, year)
    sections = load_year(project, year).sections
    keys = year_needs(project, year, sections, dataset).for_year(last)
    for key in keys:
        path = project.data_dir / f"{key.table}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            kept = [
                r
                for r in csv.DictReader(handle)
                if (r["year"], r["measure"], r["breakdown"]) != (last, key.measure, key.breakdown)
            ]
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(kept)
        unit = load_catalogue(project)[key.table].measures[key.measure].unit
        value = value_for((key.table, key.measure, key.breakdown), PLAUSIBLE.get(unit, 5))
        row = {"year": last, "measure": key.measure, "breakdown": key.breakdown, "value": value, "unit": unit}
        with path.open("a", encoding="utf-8", newline="") as handle:
            csv.DictWriter(handle, header, restval="").writerow(row | {"source": "Last year's report"})
    return len(keys)


def test_a_council_adds_measures_tables_and_breakdowns_in_its_project(tmp_path):
    before = _package_digest()
    project = init_project(tmp_path / "council", council="Example Council", year=YEAR).project
    project.catalogue_file.write_text(yaml.safe_dump(_catalogue(), sort_keys=False), encoding="utf-8")
    _add_section(project, YEAR)

    catalogue = load_catalogue(project)
    added = [m for t in NEW_TABLES for m in catalogue[t].measures]
    assert len(added) == 2 * PER_TABLE
    breakdowns = catalogue["complaints"].measures["complaints_received"].breakdowns
    assert "financial_charging" in breakdowns and len(breakdowns) > 1  # the base's breakdowns stay

    write_template(project, YEAR)
    assert fill_workbook(project, YEAR, _filler(catalogue)) > 2 * PER_TABLE
    assert _add_last_year(project, YEAR, _filler(catalogue)) > 0
    dataset, problems = validate_tables(project, YEAR, load_year(project, YEAR).sections)
    assert problems == []
    assert set(NEW_TABLES) <= set(dataset.tables)

    committee = next(iter(load_year(project, YEAR).committees))
    result = build(project, BuildOptions(year=YEAR, committees=[committee], formats=["docx"]))
    paper = next(d.path for d in result.documents if d.kind == "committee paper")
    document = Document(str(paper))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    expected = {str(_new_value(t, f"{t}_measure_{n:02d}")) for t in NEW_TABLES for n in range(1, PER_TABLE + 1)}
    assert len(expected) == 2 * PER_TABLE
    assert expected <= set(text.replace(",", " ").replace(".", " ").split()), "every new figure is in the prose"
    assert expected <= cells, "and in the tables"
    assert "Financial charging" in cells
    assert _package_digest() == before
