"""What a section notebook talks to: its year, its data, its figures, tables and charts.

A notebook does::

    s = cswo.notebook.section.start("complaints", year=year, project_root=project_root,
                           output_dir=output_dir, dataset_path=dataset_path)
    complaints = s.figure("complaints", "complaints", "complaints_received")
    s.show(s.years_table(...))
    ...
    s.finish()

Markdown cells name figures with MyST's ``{eval}`` role, e.g. ``{eval}`complaints.compared```.
In JupyterLab (jupyterlab-myst) each role is evaluated in the kernel, so every name prose uses is a
variable here: a figure, a phrase, or an attribute of ``s`` (``s.label``, ``s.council``...).
Displaying ``s`` lists every name with its text. In the lab, see :mod:`cswo.notebook.lab`.

``finish()`` publishes the section's phrases (which the build fills the roles from), its figure
audit and the tables it read, as one hidden output the build reads."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from IPython.display import Markdown, display

from cswo.data.dataset import Dataset
from cswo.data.load import load_dataset
from cswo.data.schemas import text_rows_for_year
from cswo.errors import CSWOError
from cswo.figures.figure import Figure
from cswo.figures.formatting import MISSING_PHRASE, format_value, is_missing, number
from cswo.figures.markup import literal, literal_attribute
from cswo.figures.phrases import Phrase, Phrases
from cswo.figures.vocabulary import SECTION_NAMES, year_texts
from cswo.narrative import roles as prose
from cswo.narrative.codenames import checked_measure, checked_table
from cswo.notebook import kept, lab
from cswo.notebook import tables as tables_module
from cswo.project.catalogue import TOTAL, load_catalogue, restyle_years, with_year_style
from cswo.project.parameters import Parameters, load_year
from cswo.project.paths import FIGURES_MIME, Project, previous_year, year_label, years_up_to
from cswo.project.templates import house_style
from cswo.safeguards.disclosure import NOT_PUBLISHED


@dataclass(frozen=True)
class Omitted:
    """A table or chart left out of the report because it has no values; the build says so."""

    kind: str
    caption: str


class _YearText:
    """``s.<name>``: what a name of the vocabulary's YEAR_NAMES reads in the section's report year, in
    the council's style for year labels."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, section: Section | None, owner: type | None = None):
        if section is None:
            return self
        return Phrase(year_texts(section.year, section.params.year_label_style)[self.name])


class Section:
    """One report section while its notebook runs."""

    def __init__(
        self,
        section_id: str,
        year: str,
        project: Project,
        output_dir: Path,
        dataset: Dataset,
        parameters: Parameters,
        suppressed: list[dict] | None = None,
        in_lab: bool = False,
    ):
        self.id, self.in_lab = section_id, in_lab
        self.year = year
        self.project = project
        self.output_dir = output_dir
        self.figures_dir = output_dir / "figures"
        self.data = dataset
        self.params = parameters
        # labels write their years as the paper does (year_label_style)
        self.catalogue = with_year_style(load_catalogue(project), parameters.year_label_style)
        self._figures: dict[str, Figure] = {}
        self._extra: dict[str, str] = {}
        self._audit: list[dict] = []
        self._tables_read: set[str] = set()
        self._charts: list[dict] = []
        self._suppressions: list[str] = []
        self._ids: set[str] = set()
        self._suppressed = list(suppressed or [])  # raw values behind [c]: the private QA record only
        self._omitted: list[str] = []  # tables and charts with no values, left out of the report

    def _unique_id(self, prefix: str, base: str) -> str:
        """A document-wide identifier: the section's name, then the caption's, numbered if repeated.

        Chart files are named after it, so two charts with similar captions never overwrite each other.
        """
        stem = f"{prefix}-{self.id.replace('_', '-')}-{base.split('-', 1)[-1]}"
        candidate, number = stem, 2
        while candidate in self._ids:
            candidate, number = f"{stem}-{number}", number + 1
        self._ids.add(candidate)
        return candidate

    # --- years ------------------------------------------------------------
    @property
    def last_year(self) -> str:
        return previous_year(self.year)

    def years(self, count: int) -> list[str]:
        """The last ``count`` financial years up to the report year, oldest first."""
        return years_up_to(self.year, count)

    # the years and dates prose names through the section, one for each of the vocabulary's YEAR_NAMES
    label = _YearText()  # the report year, '2021-22' (prose: {eval}`s.label`)
    last_label = _YearText()  # the year before, written the same way
    next_label = _YearText()  # the year after
    year_end = _YearText()  # the report year's last day, '31 March 2022'
    last_year_end = _YearText()  # the last day of the year before, '31 March 2021'
    year_end_month = _YearText()  # the report year's last month, 'March 2022'
    period = _YearText()  # the report year as months, 'April 2021 to March 2022'

    @property
    def council(self) -> Phrase:
        return Phrase(self.params.council.name)

    @property
    def area(self) -> Phrase:
        return Phrase(self.params.council.area)

    @property
    def partnership(self) -> Phrase:
        return Phrase(self.params.council.partnership)

    # --- data -------------------------------------------------------------
    def table(self, name: str):
        checked_table(self.catalogue, self.data.tables, self.id, name)
        self._tables_read.add(name)
        return self.data.table(name)

    def text_table(self, name: str):
        """A text table's rows for this year: its own, or the latest earlier year's (see ``text_origin``)."""
        self._tables_read.add(name)
        return text_rows_for_year(self.data.text_tables[name], self.year)

    def text_origin(self, name: str) -> str:
        """Where a text table comes from and the date it is as at, shown as its one Source line."""
        rows = self.text_table(name)
        if rows.empty:
            return ""
        as_at = dt.date.fromisoformat(rows["as_at"].iloc[0])
        return f"{rows['source'].iloc[0].rstrip('.')}; as at {as_at.day} {as_at:%B %Y}"

    def threshold(self, table: str) -> int | None:
        rule = self.params.disclosure.rule_for(table)
        return rule.threshold if rule else None

    def symbol(self, table: str) -> str:
        rule = self.params.disclosure.rule_for(table)
        return rule.symbol if rule else "[c]"

    def figure(self, name: str, table: str, measure: str, breakdown: str = TOTAL) -> Figure:
        """Register a figure for narrative as {eval}`name.value`, {eval}`name.compared` and so on.

        Assign it to a variable of the same name, so JupyterLab can show the phrases in place."""
        spec = checked_measure(self.catalogue, self.id, ("figure", name), table, measure, breakdown)
        fig = Figure.from_table(
            name,
            self.table(table),
            spec,
            self.year,
            breakdown,
            self.threshold(table),
            year_style=self.params.year_label_style,
            symbol=self.symbol(table),
            percent_decimals=self.catalogue.decimals("percent"),
        )
        self._figures[name] = fig
        return fig

    def text(self, name: str, value: str) -> Phrase:
        """Register a derived phrase for narrative (e.g. a count of rows) and return it.

        Assign it to a variable of the same name: ``count = s.text("count", ...)``."""
        if not prose.is_name(name):
            raise CSWOError(f"Section '{self.id}': '{name}' cannot be named in prose (letters, digits and _ only)")
        self._extra[name] = Phrase(value)
        return self._extra[name]

    def placeholders(self) -> dict[str, str]:
        """Every name prose may use, with the text it reads."""
        values = {f"s.{name}": str(getattr(self, name)) for name in SECTION_NAMES}
        for fig in self._figures.values():
            values.update(fig.placeholders())
        values.update(self._extra)
        return values

    def registered(self) -> dict[str, Figure]:
        """The figures registered so far, by name (the lab judges typed comparisons against them)."""
        return dict(self._figures)

    @property
    def figures(self) -> Phrases:
        """Every name prose may use, with its current text (displayed one a line)."""
        return Phrases("", self.placeholders())

    def __repr__(self) -> str:
        lines = [f"section {self.id} ({self.year}): names for prose, as {prose.role('name')}"]
        lines += [f"  {name}: {text}" for name, text in self.placeholders().items()]
        return "\n".join(lines)

    # --- output -----------------------------------------------------------
    def year_label(self, year: str) -> str:
        return year_label(year, self.params.year_label_style)

    def years_table(self, caption, figures, years, **options):
        # a known slip's reason is for reviewers: it reaches figures-qa.csv, never the table
        options.setdefault("year_style", self.params.year_label_style)
        return tables_module.years_table(caption, figures, years, **options)

    def breakdown_table(self, caption, table, measure, years, **options):
        spec = checked_measure(self.catalogue, self.id, ("breakdown_table", caption), table, measure)
        options.setdefault("threshold", self.threshold(table))
        options.setdefault("year_style", self.params.year_label_style)
        options.setdefault("symbol", self.symbol(table))
        options.setdefault("share_decimals", self.catalogue.decimals("percent"))
        options.setdefault("report_year", self.year)
        return tables_module.breakdown_table(caption, self.table(table), spec, years, **options)

    def list_table(self, caption, columns, rows, notes=None):
        return tables_module.list_table(caption, columns, rows, notes)

    def framework_table(self, caption, notes=None, name="governance_framework"):
        """A governance framework text table, one row per assurance mechanism with its lead and
        frequency, with one Source line naming its paper and as-at date."""
        return tables_module.framework_table(caption, self.text_table(name), notes, source=self.text_origin(name))

    def recommendations_table(self, caption, actions_heading, notes=None, name="audit_recommendations"):
        """A recommendations tracker text table, with one Source line naming its paper and as-at date."""
        table = tables_module.recommendations_table(
            caption, self.text_table(name), actions_heading, source=self.text_origin(name)
        )
        table.notes[:0] = list(notes or [])
        return table

    def grades_table(self, caption, table, **options):
        """Care Inspectorate grades for the year from a table of graded services."""
        rows = self.table(table)
        return tables_module.grades_table(caption, rows, self.catalogue[table].measures, self.year, **options)

    def grades_summary(self, name: str, table: str) -> Phrases:
        """Register {eval}`name.awarded`, {eval}`name.services` and {eval}`name.counts` for narrative."""
        rows = self.table(table)
        summary = tables_module.grades_summary(rows, self.catalogue[table].measures, self.year)
        for key, value in summary.items():
            self._extra[f"{name}.{key}"] = Phrase(value)
        return Phrases(name, summary)

    def total(self, name: str, figure: Figure) -> Phrase:
        """Register {eval}`name`: the sum of a figure's breakdowns this year (e.g. two groups of children)."""
        if figure.any_breakdown_hidden:  # a sum with a suppressed part would give the part away
            return self.text(name, NOT_PUBLISHED)
        values = [v for v in figure.breakdowns.values() if v == v]
        return self.text(name, format_value(sum(values), figure.unit, figure.decimals) if values else MISSING_PHRASE)

    def difference(self, name: str, larger: Figure, smaller: Figure) -> Phrase:
        """Register {eval}`name`: the gap between two figures this year ('1.1 percentage points')."""
        if larger.is_hidden(self.year) or smaller.is_hidden(self.year):  # a gap gives a hidden side away
            return self.text(name, NOT_PUBLISHED)
        if larger.current is None or smaller.current is None:
            return self.text(name, MISSING_PHRASE)
        gap, unit, places = abs(larger.current - smaller.current), larger.unit, larger.decimals
        if unit == "percent":
            return self.text(name, f"{number(gap, 1 if places is None else places)} percentage points")
        return self.text(name, format_value(gap, unit, places))

    def trend_chart(self, figures, years, caption, **options):
        """A trend chart, or, when no year has a value, a note that it was left out."""
        if not any(not is_missing(fig.history.get(year)) for fig in figures for year in years):
            return Omitted("chart", caption)
        from cswo.notebook.charts import trend_chart  # lazy: Altair loads only in a section that draws a chart

        options.setdefault("style", house_style(self.project))
        options.setdefault("year_style", self.params.year_label_style)
        return trend_chart(figures, years, caption, **options)

    def show(self, item) -> None:
        """Display a table or chart in the notebook and in the report (one with no values is left out)."""
        if isinstance(item, tables_module.ReportTable) and not tables_module.has_values(item):
            item = Omitted("table", item.caption)
        if isinstance(item, Omitted):
            self._omitted.append(
                f"Section '{self.id}': the {item.kind} '{item.caption}' has no values, so it was left out"
            )
            print(self._omitted[-1])  # seen in the lab; a printed line never reaches the report
        elif isinstance(item, tables_module.ReportTable):
            item.id = self._unique_id("tbl", item.id)
            item.source = restyle_years(item.source, self.params.year_label_style)  # a title's year too
            item.notes = [restyle_years(note, self.params.year_label_style) for note in item.notes]
            self._audit.extend({"section": self.id, **row} for row in item.audit)
            self._suppressions.extend(item.suppressions)
            display(item)
        elif type(item).__name__ == "ReportChart":  # charts import Altair, so only when used
            self.figures_dir.mkdir(parents=True, exist_ok=True)
            item.id = self._unique_id("fig", item.id)
            item.source = restyle_years(item.source, self.params.year_label_style)
            if self.in_lab:  # drawn in the cell; the files and the papers' markdown are the build's
                return display(lab.chart_bundle(item, item.svg()), raw=True)
            path = self.figures_dir / f"{item.id.removeprefix('fig-')}.png"
            svg = item.svg()
            png = item.png(svg=svg)
            path.write_bytes(png)
            path.with_suffix(".svg").write_text(svg, encoding="utf-8")  # vector, for the PDF
            self._charts.append(
                {"id": item.id, "file": path.name, "alt": item.alt, "caption": item.caption, "measures": item.measures}
            )
            # the caption, alt text and source hold labels and sources from the data: text, never markup
            alt = literal_attribute(item.alt)
            markdown = f'![{literal(item.caption)}](figures/{path.name}){{#{item.id} fig-alt="{alt}"}}\n'
            if item.source:
                markdown += f'\n::: {{.source custom-style="Table Note"}}\n{literal("Source: " + item.source)}.\n:::\n'
            display({"image/png": png, "text/markdown": markdown}, raw=True, metadata={"image/png": {"alt": item.alt}})
        else:
            display(item)

    def finish(self) -> None:
        """Publish figures, audit and inputs for the build (a hidden output)."""
        figure_rows = [row for fig in self._figures.values() for row in fig.audit_rows(self.id)]
        bundle = {
            "section": self.id,
            "year": self.year,
            "placeholders": self.placeholders(),
            "figures": figure_rows,
            "table_cells": self._audit,
            "tables_read": sorted(self._tables_read),
            "charts": self._charts,
            "suppressions": self._suppressions,
            "suppressed_cells": [c for c in self._suppressed if c["table"] in self._tables_read],
            "omitted": self._omitted,
        }
        display(
            {FIGURES_MIME: bundle, "text/plain": f"[section {self.id}: {len(bundle['placeholders'])} figures]"},
            raw=True,
        )


def start(
    section_id: str,
    year: str,
    project_root: str = "../..",
    output_dir: str | None = None,
    dataset_path: str | None = None,
) -> Section:
    """Open a section for a notebook. Raises CSWOError subclasses for bad parameters or data."""
    project = Project(Path(project_root).resolve())
    if dataset_path:  # a build: every section in this kernel reads the same files, so they are read once
        parameters, dataset, suppressed = kept.year_inputs(project, year, Path(dataset_path))
    else:  # the lab (or nbval): the suite's errors read as one sentence from here on
        lab.show_errors_as_sentences()
        parameters = load_year(project, year)
        dataset, suppressed = kept.protected(project, parameters, load_dataset(project, year, parameters.sections))
    out = Path(output_dir) if output_dir else Path(tempfile.mkdtemp(prefix=f"cswo-{section_id}-"))
    out.mkdir(parents=True, exist_ok=True)
    return lab.started(Section(section_id, year, project, out, dataset, parameters, suppressed, not dataset_path))


__all__ = ["Section", "start", "Markdown"]
