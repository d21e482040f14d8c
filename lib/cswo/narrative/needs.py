"""What a year's narrative needs from the data, worked out from its notebooks without running them.

Code cells are parsed (never run) for the section API's registering calls: ``s.figure``,
``s.total``, ``s.difference``, ``s.grades_summary``, and the tables and charts it shows. Prose is
read only through :mod:`cswo.narrative.roles`. The result, one :class:`YearNeeds`, drives the rows of
the data-entry workbook, ``cswo validate`` and the build's completeness check.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from cswo.cache.instep import InStep
from cswo.figures.vocabulary import EXACT, GRADES_KEYS, SECTION_NAMES, figure_names, years_read
from cswo.narrative import roles as prose
from cswo.narrative.codenames import UnknownCodeName, name_problem, shown_call
from cswo.project.catalogue import TOTAL, Table, load_catalogue
from cswo.project.paths import Project, previous_year, years_up_to
from cswo.project.twins import section_source


@dataclass(frozen=True)
class Use:
    """Where a notebook uses a figure: section, cell (1-based, as the lab numbers them) and name."""

    section: str
    cell: int
    name: str  # as prose writes it (``kinship.statutory``), or what registers it (``table 'Kinship'``)
    in_prose: bool = False

    def __str__(self) -> str:
        shown = prose.role(self.name) if self.in_prose else self.name
        return f"section '{self.section}', cell {self.cell}, {shown}"


@dataclass(frozen=True)
class Key:
    """One figure in the data: a table's measure and breakdown in a year."""

    table: str
    measure: str
    breakdown: str
    year: str


@dataclass(frozen=True)
class UnknownName:
    section: str
    cell: int
    name: str
    suggestion: str | None

    def __str__(self) -> str:
        hint = f"; did you mean {prose.role(self.suggestion)}?" if self.suggestion else ""
        return (
            f"Section '{self.section}', cell {self.cell}: {prose.role(self.name)} is not a figure this "
            f"section registers{hint}"
        )


@dataclass
class YearNeeds:
    year: str
    needs: dict[Key, list[Use]] = field(default_factory=dict)
    unknown: list[UnknownName | UnknownCodeName] = field(default_factory=list)  # in prose and in code
    notes: list[str] = field(default_factory=list)  # e.g. a .md twin read instead of its notebook
    shown: dict[str, list[str]] = field(default_factory=dict)  # section -> "table 'caption'", in order

    def add(self, key: Key, use: Use) -> None:
        uses = self.needs.setdefault(key, [])
        if use not in uses:
            uses.append(use)

    def for_year(self, year: str) -> list[Key]:
        return [k for k in self.needs if k.year == year]


@dataclass
class _Registered:
    table: str
    measure: str
    breakdown: str


@dataclass
class _SectionScan:
    """What one section's code cells register, by prose name and by Python variable."""

    figures: dict[str, _Registered] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # variable -> figure name
    lists: dict[str, list[str]] = field(default_factory=dict)  # variable -> the figure names a list holds
    texts: set[str] = field(default_factory=set)
    grades: dict[str, str] = field(default_factory=dict)  # summary name -> table
    dynamic: bool = False  # a name not written as a literal: unknown-name checks are skipped


# the calls that draw a table or chart, and where their caption is
SHOWN_CAPTION = {"years_table": 0, "breakdown_table": 0, "grades_table": 0, "list_table": 0, "framework_table": 0,
                 "recommendations_table": 0, "trend_chart": 2}  # fmt: skip


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _argument(call: ast.Call, index: int, keyword: str) -> ast.AST | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _years_of(node: ast.AST | None, year: str) -> list[str]:
    """The years a table or chart shows: ``s.years(3)`` or a literal list; the report year otherwise."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "years":
        count = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else 1
        return years_up_to(year, int(count))
    if isinstance(node, ast.List):
        found = [_literal(e) for e in node.elts]
        return [y for y in found if y] or [year]
    return [year]


def _figure_names(node: ast.AST | None, scan: _SectionScan) -> list[str]:
    """The figures an argument passes, however it is written: ``fig``, ``[a, b]``, a list held in
    a variable, or a list unpacked into another (``[*reasons, council]``)."""
    if isinstance(node, ast.List | ast.Tuple):
        return [name for element in node.elts for name in _figure_names(element, scan)]
    if isinstance(node, ast.Starred):
        return _figure_names(node.value, scan)
    if isinstance(node, ast.Name) and node.id in scan.variables:
        return [scan.variables[node.id]]
    if isinstance(node, ast.Name) and node.id in scan.lists:
        return list(scan.lists[node.id])
    return []


class _Scanner:
    """Walks one section's code cells in order, registering figures and the data they need."""

    def __init__(self, section: str, year: str, catalogue: dict[str, Table], result: YearNeeds, last_rows):
        self.section, self.year, self.catalogue, self.result = section, year, catalogue, result
        self.last_rows = last_rows  # (table, measure) -> breakdowns given this year or last year
        self.scan = _SectionScan()

    def need(self, fig: _Registered | None, cell: int, name: str, years: list[str], breakdown: str | None = None):
        if fig is None or name_problem(self.catalogue, fig.table, fig.measure):
            return  # a misspelt name is reported once, as such, not as missing data too
        use = Use(self.section, cell, name, in_prose="'" not in name)
        for year in years:
            self.result.add(Key(fig.table, fig.measure, breakdown or fig.breakdown, year), use)

    def code_cell(self, source: str, cell: int) -> None:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            self.scan.dynamic = True
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                self._register(node.value, cell, [t.id for t in node.targets if isinstance(t, ast.Name)])
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple):
                held = _figure_names(node.value, self.scan)
                self.scan.lists.update({t.id: held for t in node.targets if isinstance(t, ast.Name)})
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                self._register(node.value, cell, [])
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                self._shown(node, cell)

    def _register(self, call: ast.Call, cell: int, targets: list[str]) -> None:
        if not isinstance(call.func, ast.Attribute):
            return
        method, name = call.func.attr, _literal(_argument(call, 0, "name"))
        if method not in ("figure", "text", "total", "difference", "grades_summary"):
            return
        if name is None:
            self.scan.dynamic = True
            return
        if method == "figure":
            table, measure = _literal(_argument(call, 1, "table")), _literal(_argument(call, 2, "measure"))
            breakdown = _literal(_argument(call, 3, "breakdown")) or TOTAL
            if table is None or measure is None:
                self.scan.dynamic = True
                return
            self._check_names(cell, ("figure", name), table, measure, breakdown)
            fig = _Registered(table, measure, breakdown)
            self.scan.figures[name] = fig
            for target in targets:
                self.scan.variables[target] = name
            return  # registering reads nothing by itself: what prose, tables and charts use does
        self.scan.texts.add(name)
        if method == "total":
            for fig_name in _figure_names(_argument(call, 1, "figure"), self.scan):
                self._all_breakdowns(self.scan.figures[fig_name], cell, f"total '{name}'")
        elif method == "difference":
            for arg in call.args[1:3]:
                for fig_name in _figure_names(arg, self.scan):
                    self.need(self.scan.figures[fig_name], cell, f"difference '{name}'", [self.year])
        elif method == "grades_summary":
            table = _literal(_argument(call, 1, "table"))
            if table:
                self.scan.grades[name] = table
                self._grades(table, cell, f"grades summary '{name}'")

    def _all_breakdowns(self, fig: _Registered, cell: int, what: str) -> None:
        measure = self.catalogue.get(fig.table, Table("", "", "", ())).measures.get(fig.measure)
        # the breakdowns this year or last year reported; the catalogue's full list only for a
        # measure with none yet, so a breakdown another year added is never asked of this one
        reported = self.last_rows.get((fig.table, fig.measure), [])
        listed = list(measure.breakdowns or ()) if measure else []
        for breakdown in reported or listed:
            if breakdown != TOTAL:
                self.need(fig, cell, what, [self.year], breakdown)

    def _grades(self, table: str, cell: int, what: str) -> None:
        spec = self.catalogue.get(table)
        if spec is None:
            return
        for measure in spec.measures.values():
            if measure.unit == "number" and measure.breakdowns is None:
                for breakdown in self.last_rows.get((table, measure.name), []):
                    self.need(_Registered(table, measure.name, breakdown), cell, what, [self.year])

    def _check_names(self, cell: int, call: tuple[str, str | None], table: str, measure=None, breakdown=None):
        """A table, measure or breakdown the catalogue lacks, reported as the lab reports it when run."""
        problem = name_problem(self.catalogue, table, measure, breakdown)
        if problem:
            named = (call[1], table, measure, None if breakdown == TOTAL else breakdown)
            shown = shown_call(call[0], [a for a in named if a is not None])
            self.result.unknown.append(UnknownCodeName(self.section, cell, shown, problem))

    def _shown(self, call: ast.Call, cell: int) -> None:
        method = call.func.attr
        if method in SHOWN_CAPTION:
            caption = _literal(_argument(call, SHOWN_CAPTION[method], "caption"))
            kind = "chart" if method == "trend_chart" else "table"
            self.result.shown.setdefault(self.section, []).append(f"{kind} '{caption or '(no literal caption)'}'")
        if method == "table" and _literal(_argument(call, 0, "name")):
            self._check_names(cell, ("table", None), _literal(_argument(call, 0, "name")))
        elif method == "years_table":
            caption = _literal(_argument(call, 0, "caption")) or "a table"
            years = _years_of(_argument(call, 2, "years"), self.year)
            for fig_name in _figure_names(_argument(call, 1, "figures"), self.scan):
                self.need(self.scan.figures[fig_name], cell, f"table '{caption}'", [self.year] if years else [])
        elif method == "trend_chart":
            caption = _literal(_argument(call, 2, "caption")) or "a chart"
            for fig_name in _figure_names(_argument(call, 0, "figures"), self.scan):
                self.need(self.scan.figures[fig_name], cell, f"chart '{caption}'", [self.year])
        elif method == "breakdown_table":
            caption = _literal(_argument(call, 0, "caption")) or "a table"
            table, measure = _literal(_argument(call, 1, "table")), _literal(_argument(call, 2, "measure"))
            if table and measure:
                self._check_names(cell, ("breakdown_table", caption), table, measure)
            if table and measure and self.year in _years_of(_argument(call, 3, "years"), self.year):
                fig = _Registered(table, measure, TOTAL)
                total = next((k.value for k in call.keywords if k.arg == "include_total"), None)
                if not (isinstance(total, ast.Constant) and total.value is False):
                    self.need(fig, cell, f"table '{caption}'", [self.year])
                self._all_breakdowns(fig, cell, f"table '{caption}'")
        elif method == "grades_table":
            table = _literal(_argument(call, 1, "table"))
            if table:
                self._check_names(cell, ("grades_table", _literal(_argument(call, 0, "caption"))), table)
                self._grades(table, cell, f"table '{_literal(_argument(call, 0, 'caption')) or 'of grades'}'")

    def markdown_cell(self, source: str, cell: int) -> None:
        for name in prose.references(source):
            if not prose.is_name(name):
                self.result.unknown.append(UnknownName(self.section, cell, name, None))
                continue
            self._reference(name, cell)

    def _reference(self, name: str, cell: int) -> None:
        head, _, attribute = name.partition(".")
        if head == "s" and attribute in SECTION_NAMES:
            return
        if name in self.scan.texts:
            return
        if head in self.scan.grades and attribute in GRADES_KEYS:
            return
        fig = self.scan.figures.get(head)
        if fig is not None and "." not in attribute:
            years = self._years_for(fig, attribute)
            if years is not None:
                self.need(fig, cell, name, years[0], years[1])
                return
        if not self.scan.dynamic:
            self.result.unknown.append(UnknownName(self.section, cell, name, prose.suggestion(name, self.known())))

    def _years_for(self, fig: _Registered, attribute: str) -> tuple[list[str], str | None] | None:
        """(years, breakdown) of data a figure's attribute reads, or None if it has no such attribute.

        The vocabulary (:mod:`cswo.figures.vocabulary`) says which years each attribute reads; any
        other attribute is a breakdown of the measure, read in the report year."""
        years = years_read(attribute, self.year)
        if years is not None:
            return years, None
        breakdown = attribute.removesuffix(EXACT)
        measure = self.catalogue.get(fig.table, Table("", "", "", ())).measures.get(fig.measure)
        if measure is not None and (measure.breakdowns is None or breakdown in measure.breakdowns):
            return [self.year], breakdown
        return None

    def known(self) -> list[str]:
        names = [f"s.{n}" for n in SECTION_NAMES] + sorted(self.scan.texts)
        names += [f"{g}.{k}" for g in self.scan.grades for k in GRADES_KEYS]
        for name, fig in self.scan.figures.items():
            measure = self.catalogue.get(fig.table, Table("", "", "", ())).measures.get(fig.measure)
            names += figure_names(name, breakdowns=(measure.breakdowns or ()) if measure else ())
        return names


def reported_breakdowns(dataset, year: str) -> dict[tuple[str, str], list[str]]:
    """(table, measure) -> the breakdowns given for ``year`` or the year before (rows a table repeats).

    Only breakdowns given a value (or suppressed, ``c``) count: a row marked ``x`` and left empty,
    as ``cswo init`` writes them, says nothing about which breakdowns the council reports."""
    if dataset is None:
        return {}
    years = {year, previous_year(year)}
    found: dict[tuple[str, str], list[str]] = {}
    for table, frame in dataset.tables.items():
        given = frame["year"].isin(years) & ((frame["value"] != "") | (frame["status"] == "c"))
        rows = frame[given]
        for measure, breakdown in zip(rows["measure"], rows["breakdown"], strict=True):  # not itertuples: 10x faster
            found.setdefault((table, measure), [])
            if breakdown not in found[(table, measure)]:
                found[(table, measure)].append(breakdown)
    return found


def year_needs(project: Project, year: str, sections: list[str], dataset=None, catalogue=None) -> YearNeeds:
    """Every figure the year's notebooks use, with where each is used. Reads, never runs, the notebooks.

    ``dataset`` (last year's rows) lets tables of free-text breakdowns, such as grades by house,
    ask for the rows they showed last year.
    """
    catalogue = catalogue or load_catalogue(project)
    result = YearNeeds(year)
    last_rows = reported_breakdowns(dataset, year)
    in_step = InStep(project)
    for section in sections:
        notebook = project.notebook(year, section)
        if not notebook.exists() and not notebook.with_suffix(".md").exists():
            continue
        source = section_source(notebook, section, in_step)
        if source.note:
            result.notes.append(source.note)
        scanner = _Scanner(section, year, catalogue, result, last_rows)
        cells = source.read().cells
        for index, cell in enumerate(cells, start=1):
            if cell.cell_type == "code":
                scanner.code_cell(cell.source, index)
        for index, cell in enumerate(cells, start=1):
            if cell.cell_type == "markdown":
                scanner.markdown_cell(cell.source, index)
    return result
