"""The README's and docs/'s code blocks, and how each is exercised: run, loaded, or visibly exempt.

A block's fence says what it is (```bash, ```python, ```yaml, ```csv, ```text for output). An
HTML comment directly before the fence says more, one per line:

    <!-- docs-test: not run: REASON -->        shown, never run (REASON must say why)
    <!-- docs-test: exit N -->                 the block's commands end with exit code N
    <!-- docs-test: with --FLAG (REASON) -->   each command run with --FLAG added (REASON: as shown
                                               it would wait for the reader, e.g. start JupyterLab)
    <!-- docs-test: before: ACTION [ARG] -->   what the reader does by hand first (ACTIONS below)
    <!-- docs-test: rows of data/TABLE.csv --> a ```csv block: rows of that data file
    <!-- docs-test: as in FILE -->             a ```yaml block quoting FILE (a path from the suite's root):
                                               each key it shows has the same value there
    <!-- docs-test: output -->                 a ```text block: what the command before it prints
                                               (each part between "…" found in what it printed)

Each `##` section of a page is a walk-through: its blocks run in order in one fresh project, the
shell's folder and variables carried from block to block as a reader's terminal carries them.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from cswo.data.load import validate_tables
from cswo.project.catalogue import load_catalogue
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from cswo.project.reviews import read_record
from support import ROOT, copy_project, fill_what_is_listed, fill_workbook, replace_typed_years

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^([ \t]*)```(\S*)[^\n]*$")
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
RUN = {"bash", "python", "yaml", "csv"}
OUTPUT = "text"
BLOCK_TIMEOUT = 300


@dataclass
class Block:
    page: Path
    line: int
    section: str
    language: str
    body: str
    markers: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def marker(self, key: str) -> str | None:
        for text in self.markers:
            if text == key or text.startswith(key + ":") or text.startswith(key + " "):
                return text[len(key) :].lstrip(": ").strip()
        return None

    @property
    def exemption(self) -> str | None:
        return self.marker("not run")


def page_blocks(page: Path) -> list[Block]:
    """Every fenced block of a page, in order, with its `##` section and its docs-test markers."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found, section, i = [], "", 0
    while i < len(lines):
        if lines[i].startswith("## "):
            section = lines[i][3:].strip()
        opened = FENCE.match(lines[i])
        if not opened:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip().startswith("```"))
        markers, k = [], i - 1
        while k >= 0 and MARKER.match(lines[k]):
            markers.insert(0, MARKER.match(lines[k]).group(1))
            k -= 1
        body = textwrap.dedent("\n".join(lines[i + 1 : end]))
        found.append(Block(page, i + 1, section, opened.group(2), body, markers))
        i = end + 1
    return found


def all_blocks() -> list[Block]:
    return [block for page in DOCS for block in page_blocks(page)]


def unaccounted(block: Block) -> str | None:
    """Why a block is neither run, loaded, output, nor exempt with a reason; None when it is one of them."""
    if block.exemption is not None:
        return None if block.exemption else f"{block.where}: `not run` gives no reason"
    if block.language == OUTPUT or block.language in RUN:
        return None
    return (
        f"{block.where}: a ```{block.language or '(no language)'} block is neither run nor exempt: fence it as "
        "```bash/python/yaml/csv, ```text for output, or put <!-- docs-test: not run: REASON --> before it"
    )


def walkthroughs() -> dict[str, list[Block]]:
    """The blocks to exercise, by page and `##` section, in the order a reader meets them."""
    units: dict[str, list[Block]] = {}
    for block in all_blocks():
        if block.exemption is None and (block.language in RUN or block.marker("output") is not None):
            units.setdefault(f"{block.page.name}: {block.section or 'top'}", []).append(block)
    return units


class Reader:
    """A reader working through a walk-through: a terminal (folder and variables) and a project."""

    def __init__(self, folder: Path):
        self.suite = copy_project(folder / "suite")
        (self.suite.root / ".venv").symlink_to(Path(sys.prefix))
        self.cwd = self.suite.root
        self.state = folder / "shell-state.sh"
        self.state.write_text("", encoding="utf-8")
        self.cells: list[Block] = []  # the page's Python so far, as a kernel keeps it
        self.said = ""  # what the last shell block printed
        self.env = {
            **os.environ,
            "PATH": f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "COLUMNS": "200",
        }

    @property
    def project(self) -> Project:
        return Project(self.cwd)

    def year(self) -> str:
        return self.project.years()[-1]

    def exercise(self, block: Block) -> None:
        """Do what the block shows; raises AssertionError naming the block and what went wrong."""
        for action in filter(None, (block.marker("before") or "").split(",")):
            name, *args = action.split()
            assert name in ACTIONS, f"{block.where}: no reader action '{name}' (known: {', '.join(ACTIONS)})"
            ACTIONS[name](self, *args)
        if block.language == OUTPUT:
            return self.output(block)
        {"bash": self.shell, "python": self.python, "yaml": self.yaml, "csv": self.csv}[block.language](block)

    def shell(self, block: Block) -> None:
        expected = int(re.match(r"\d+", block.marker("exit") or "0").group())
        body = block.body
        if block.marker("with"):
            flags, reason = block.marker("with").split("(", 1)
            assert reason.strip(" )"), f"{block.where}: `with {flags}` gives no reason"
            lines = [line.partition(" #") for line in body.splitlines()]
            body = "\n".join(
                f"{code.rstrip()} {flags.strip()}{hash_}{note}" for code, hash_, note in lines if code.strip()
            )
        state = shq(self.state)
        keep = f'while read -r v; do declare -p "$v"; done > {state}.new && mv {state}.new {state}'
        script = f"""
__start=$(compgen -v | sort)
cd {shq(self.cwd)}
source {state}
__save() {{ pwd > {state}.cwd; comm -13 <(echo "$__start") <(compgen -v | sort) | grep -v '^__' | {keep}; }}
trap __save EXIT
set -e
{body}
"""
        ran = subprocess.run(
            ["bash", "-c", script], capture_output=True, text=True, env=self.env, timeout=BLOCK_TIMEOUT
        )
        self.said = ran.stdout + ran.stderr
        said = self.said[-3000:]
        assert ran.returncode == expected, (
            f"{block.where} ({block.section}) exited {ran.returncode}, the docs say {expected}:\n"
            f"{block.body}\n---\n{said}"
        )
        self.cwd = Path(Path(f"{self.state}.cwd").read_text(encoding="utf-8").strip())

    def output(self, block: Block) -> None:
        """Each part of the example (between "…") is in what the command printed, however it wrapped."""
        printed = " ".join(self.said.split())
        for part in block.body.split("…"):
            part = " ".join(part.split()).strip(" ;,")
            assert part in printed, (
                f"{block.where}: the command above never prints {part!r}; it printed:\n{self.said[-3000:]}"
            )

    def python(self, block: Block) -> None:
        """Run as a notebook's cell runs: in the year's notebook folder, after the page's earlier cells."""
        self.cells.append(block)
        program = "ns = {}\n" + "".join(
            f"exec(compile({cell.body!r}, {cell.where!r}, 'exec'), ns)\n" for cell in self.cells
        )
        folder = self.project.year_notebooks(self.year())
        ran = subprocess.run(
            [sys.executable, "-c", program],
            cwd=folder,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=BLOCK_TIMEOUT,
        )
        assert ran.returncode == 0, f"{block.where} ({block.section}) fails:\n{block.body}\n---\n{ran.stderr[-3000:]}"

    def yaml(self, block: Block) -> None:
        """Put the example where it belongs and read it back through the suite's own strict readers."""
        example = yaml.safe_load(block.body)
        assert isinstance(example, dict), f"{block.where}: a YAML example that is not a mapping"
        if block.marker("as in"):
            quoted = yaml.safe_load((ROOT / block.marker("as in")).read_text(encoding="utf-8"))
            differ = {key: quoted.get(key) for key in example if quoted.get(key) != example[key]}
            assert not differ, f"{block.where}: {block.marker('as in')} has {differ}, not what the docs show"
        if set(example) <= {"tables", "text_tables", "number_style"}:
            path, read = self.project.catalogue_file, lambda: load_catalogue(self.project)
        elif set(example) <= {"sections", "comments", "edits"}:
            path, read = self.project.reviews_file(self.year()), lambda: read_record(self.project, self.year())
        elif "committees" in example:
            path, read = self.project.parameters_file(self.year()), lambda: load_year(self.project, self.year())
            load_year(self.project, self.year())  # the project's own parameters read before the example goes in
        else:
            raise AssertionError(f"{block.where}: no reader for a YAML block with keys {sorted(example)}")
        current = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(merged(current, example), sort_keys=False, allow_unicode=True), encoding="utf-8")
        try:
            read()
        except Exception as exc:  # the suite's own sentence is the message
            raise AssertionError(f"{block.where} ({block.section}): the example does not read: {exc}") from None

    def csv(self, block: Block) -> None:
        target = block.marker("rows of")
        assert target, f"{block.where}: a ```csv block needs <!-- docs-test: rows of data/TABLE.csv -->"
        path = self.project.root / target
        rows = pd.read_csv(io.StringIO(block.body), dtype=str, keep_default_na=False)
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        unknown = sorted(set(rows.columns) - set(table.columns))
        assert not unknown, f"{block.where}: columns {unknown} are not columns of {target}"
        key = ["year", "measure", "breakdown"]
        kept = table.merge(rows[key], on=key, how="left", indicator=True)["_merge"] == "left_only"
        pd.concat([table[kept.values], rows], ignore_index=True).fillna("").to_csv(path, index=False)
        for year in sorted(set(rows["year"])):
            _, problems = validate_tables(self.project, year)
            assert not problems, f"{block.where}: {target} with these rows does not validate: {problems[:3]}"


def merged(base: dict, extra: dict) -> dict:
    """The example added to the file as a reader pastes it: each entry it shows (a committee, a table,
    a section's sign-off) replaces the file's entry of that name whole, so the file can fill in no key
    the example leaves out."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def shq(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def fill_listed(reader: Reader) -> None:
    """Type in every figure `cswo init` listed (each row it marked x), keeping the catalogue's rules."""
    project = reader.project
    listed = {
        (f"data/{path.name}", row.year, row.measure, row.breakdown)
        for path in project.data_dir.glob("*.csv")
        for row in pd.read_csv(path, dtype=str, keep_default_na=False).itertuples()
    }
    fill_what_is_listed(project, listed, reader.year())


def reviewed_paper(reader: Reader, year: str) -> None:
    """A reviewer's copy of the IJB paper comes back as reviewed.docx."""
    paper = next((reader.project.year_outputs(year) / "ijb").glob("*-ijb-paper.docx"))
    shutil.copyfile(paper, reader.cwd / "reviewed.docx")


ACTIONS = {
    "fill-listed-figures": fill_listed,
    "fill-workbook": lambda reader, year: fill_workbook(reader.project, year),
    "replace-typed-years": lambda reader, year: replace_typed_years(reader.project, year),
    "reviewed-paper": reviewed_paper,
}
