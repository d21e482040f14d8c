"""Helpers for tests: a copy of the project to build in, and small in-memory notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from cswo.project.paths import Project

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_YEAR = "2021-22"
REFERENCE = Project(ROOT)


def ipc_kernel_manager(folder: Path, kernel_name: str = "python3"):
    """A kernel manager on local sockets in `folder`, as the build's kernels are.

    TCP kernels pick a free port and bind it a moment later; with two test workers starting
    kernels side by side, another process can take the port in between ("Address already in use").
    """
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name=kernel_name, transport="ipc")
    manager.ip = str(folder / "kernel-ipc")
    return manager


def ipc_kernel_manager_class(folder: Path):
    """The same for papermill, which makes its own manager: pass as `kernel_manager_class`."""
    from jupyter_client import KernelManager
    from traitlets import default

    class IpcKernelManager(KernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            return str(folder / "kernel-ipc")

    return IpcKernelManager


def copy_project(target: Path, with_notebooks: bool = True) -> Project:
    """A copy of the real project (parameters, data, catalogue, templates, notebooks) without any outputs."""
    return Project(ROOT).copy_to(target, notebooks=with_notebooks)


def latin1_cover(project) -> None:
    """The project's cover template saved from an old editor: 'é' as one Latin-1 byte on line 3."""
    path = project.templates_dir / "cover.md.j2"
    lines = path.read_bytes().split(b"\n")
    lines[2] += " caf\u00e9".encode("latin-1")
    path.write_bytes(b"\n".join(lines))


def close_reference_year(project: Project) -> Project:
    """The reference year as it goes to committee: its only open items (the Policy and Resources
    meeting date and report number, and one review_required note) filled in, so it builds final.
    Raises AssertionError if the parameters no longer read as expected."""
    path = project.parameters_file(REFERENCE_YEAR)
    text = path.read_text(encoding="utf-8")
    filled = text.replace('"[TO COMPLETE: Policy and Resources Committee meeting date]"', "2022-12-12")
    filled = filled.replace('"[TO COMPLETE: report number]"', "PAC123-2022")
    filled = re.sub(r"\nreview_required:\n(  - .*\n)+", "\n", filled)
    assert filled.count("[TO COMPLETE") == 0 and "review_required" not in filled and filled != text
    path.write_text(filled, encoding="utf-8")
    return project


def section_notebook(
    section: str,
    markdown: list[str],
    code: list[str] | None = None,
    year: str = REFERENCE_YEAR,
    shown: list[str] | None = None,
) -> nbformat.NotebookNode:
    """A minimal section notebook built in memory, in the shape the build expects; each of ``shown``
    is a cell after the prose whose output the papers show (``s.show(...)``), its code hidden."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(
        f'year = "{year}"\nproject_root = "../.."\noutput_dir = None\ndataset_path = None'
    )
    params.metadata["tags"] = ["parameters", "remove-cell"]
    start = nbformat.v4.new_code_cell(
        "import cswo.notebook.section\n"
        f's = cswo.notebook.section.start("{section}", year=year, project_root=project_root, '
        "output_dir=output_dir, dataset_path=dataset_path)\n" + "\n".join(code or [])
    )
    start.metadata["tags"] = ["remove-cell"]
    finish = nbformat.v4.new_code_cell("s.finish()")
    finish.metadata["tags"] = ["remove-cell"]
    shows = [nbformat.v4.new_code_cell(line) for line in shown or []]
    for cell in shows:
        cell.metadata["tags"] = ["remove-input"]
    nb.cells = [params, start, *[nbformat.v4.new_markdown_cell(m) for m in markdown], *shows, finish]
    return nb


PLAUSIBLE = {"count": 10, "percent": 20, "number": 4}


def fill_workbook(project: Project, year: str, value_for=None) -> int:
    """Type a value and a source on every row the year's workbook asks for, as a service would:
    last year's value where there is one, a plausible one otherwise (or ``value_for(key)``)."""
    import openpyxl

    from cswo.data.load import validate_tables
    from cswo.data.returns import CODES
    from cswo.project.paths import previous_year

    last_year = previous_year(year)
    dataset, _ = validate_tables(project, last_year)
    last = {
        (name, r.measure, r.breakdown): r.number
        for name, frame in dataset.tables.items()
        for r in frame[frame["year"] == last_year].itertuples()
        if r.number == r.number
    }
    path = project.returns_workbook(year)
    workbook = openpyxl.load_workbook(path)
    filled = 0
    for sheet in workbook.worksheets:
        header = [c.value for c in sheet[2]]
        if "Value" not in header:
            continue
        codes = {name: header.index(name) for name in CODES}
        for row in sheet.iter_rows(min_row=3):
            key = tuple(row[codes[name]].value for name in ("table", "measure", "breakdown"))
            value = last.get(key, PLAUSIBLE.get(row[codes["unit"]].value, 5))
            if value_for is not None:
                value = value_for(key, value)
            row[header.index("Value")].value = int(value) if value == int(value) else value
            row[header.index("Source")].value = "Service return, May 2023"
            filled += 1
    workbook.save(path)
    return filled


def replace_typed_years(project: Project, year: str) -> int:
    """Do what ``cswo validate`` asks of each typed year, as an analyst would: write the role it
    names in place of each typed year or date, and rewrite (here: drop) each sentence it cannot
    name a role for: future tense about a time the year has reached, a year out of step with the
    figures beside it, a typed comparison the year's figures contradict, phrases that repeat each
    other. Edits the notebooks (their .md twins are removed, so the notebook is what the build
    reads). Returns how many findings were dealt with."""
    import jupytext

    from cswo.data.load import validate_tables
    from cswo.narrative import years as typed_years
    from cswo.narrative.stale import stale_years

    dataset, _ = validate_tables(project, year)
    found = [f for f in stale_years(project, year, dataset) if not f.review_only]
    _drop_parameter_sentences(project, year, [f for f in found if f.section == "parameters"])
    findings = [f for f in found if f.cell is not None]
    for file in sorted({f.file for f in findings}):
        path = project.root / file
        nb = nbformat.read(path, as_version=4) if path.suffix == ".ipynb" else jupytext.read(path, fmt="md:myst")
        for cell_number in sorted({f.cell for f in findings if f.file == file}):
            cell = nb.cells[cell_number - 1]
            stale = {f.sentence for f in findings if f.file == file and f.cell == cell_number and f.role is None}
            for _, sentence in typed_years.sentences(cell.source):
                if sentence.strip() in stale:
                    cell.source = cell.source.replace(sentence, "", 1)
            for mention in reversed(typed_years.mentions(cell.source, year)):
                if (
                    mention.role
                    and mention.kind != "calendar"
                    and mention.text not in typed_years.allowed_years(cell.source)
                ):
                    end = mention.start + len(mention.text)
                    cell.source = cell.source[: mention.start] + "{eval}`" + mention.role + "`" + cell.source[end:]
        notebook = path.with_suffix(".ipynb")
        nbformat.write(nb, notebook)
        notebook.with_suffix(".md").unlink(missing_ok=True)
    return len(found)


def _drop_parameter_sentences(project: Project, year: str, findings) -> None:
    """Rewrite (here: drop) each parameters sentence a finding quotes, in the YAML value it is in (written
    back as one quoted string, keeping its anchor)."""
    import json

    import yaml

    path = project.parameters_file(year)
    for finding in sorted(findings, key=lambda f: -f.line):
        text = path.read_text(encoding="utf-8")
        stack, node = [yaml.compose(text, Loader=yaml.SafeLoader)], None
        while stack:
            here = stack.pop()
            if isinstance(here, yaml.ScalarNode) and here.start_mark.line + 1 == finding.line:
                node = here if finding.sentence in here.value else node
            elif isinstance(here, yaml.SequenceNode):
                stack.extend(here.value)
            elif isinstance(here, yaml.MappingNode):
                stack.extend(value for _, value in here.value)
        assert node is not None, f"no value at line {finding.line} holds {finding.sentence!r}"
        start, end = node.start_mark.index, node.end_mark.index
        anchor = text[start:].split()[0] + " " if text[start] == "&" else ""
        written = text[start:end]
        trailing = written[len(written.rstrip()) :]  # a block scalar's range ends with the newline and next indent
        value = " ".join(node.value.replace(finding.sentence, "", 1).split())
        path.write_text(text[:start] + anchor + json.dumps(value) + trailing + text[end:], encoding="utf-8")


def listed_figures(to_fill: list[str]) -> set[tuple[str, str, str, str]]:
    """(file, year, measure, breakdown) for every figure the to-fill list names."""
    found = set()
    for line in to_fill:
        match = re.match(r"(data/\w+\.csv): \d+ figure\(s\) marked x, to replace with the value and source: (.*)", line)
        if match:
            for item in match.group(2).split("; "):
                year, measure, *rest = item.split(" ")
                found.add((match.group(1), year, measure, rest[0].strip("()") if rest else "total"))
    return found


def fill_what_is_listed(project: Project, listed: set, year: str, leave: tuple[str, ...] = ()) -> None:
    """Type a value and a source into every row the list names, keeping the catalogue's rules:
    parts of 10 with totals that add up, shares of a whole that make 100. The data files named in
    ``leave`` (``data/complaints.csv``) are left as init wrote them: a project part-filled."""
    import pandas as pd

    from cswo.project.catalogue import load_catalogue

    catalogue = load_catalogue(project)
    for path in sorted(project.data_dir.glob("*.csv")):
        if f"data/{path.name}" in leave:
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        table = catalogue[path.stem]
        for index, row in frame.iterrows():
            assert (f"data/{path.name}", row.year, row.measure, row.breakdown) in listed, dict(row)
            measure = table.measures[row.measure]
            kinds = {rule.kind for rule in measure.rules}
            parts = frame[(frame.measure == row.measure) & (frame.year == row.year) & (frame.breakdown != "total")]
            if "shares_sum_to_100" in kinds and row.breakdown != "total":
                value = 100 // len(parts) + (100 % len(parts) if row.breakdown == parts.breakdown.iloc[-1] else 0)
            elif "parts_sum_to_total" in kinds and row.breakdown == "total" and len(parts):
                value = 10 * len(parts)
            else:
                value = 10 if row.year == year else 8
            frame.loc[index, ["value", "status", "source"]] = [str(value), "", "Service return, May 2025"]
        frame.to_csv(path, index=False)


def word_state(path) -> tuple[list[str], str]:
    """A Word paper's page headers (each section's, as text) and its document status (Draft or Final)."""
    from docx import Document

    document = Document(path)
    headers = [" ".join(p.text for p in s.header.paragraphs).strip() for s in document.sections]
    return headers, document.core_properties.content_status
