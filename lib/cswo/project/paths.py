"""Every path the suite uses, derived in one place from the project root."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from cswo.errors import InputError

# a section's name becomes a file and folder name: letters, digits and _ only, so it cannot leave
# notebooks/<year>/ or the cache (``../../../data`` would otherwise replace the data folder)
SECTION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
COMMITTEE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # a committee key names its output folder
FIGURES_MIME = "application/vnd.cswo.section+json"  # the hidden output a section publishes
FORMATS = ("docx", "pdf")


def is_financial_year(text: str) -> bool:
    """True for 'YYYY-YY' where the second year follows the first (2021-22)."""
    match = YEAR_PATTERN.match(text or "")
    if not match:
        return False
    start, end = int(match.group(1)), int(match.group(2))
    return (start + 1) % 100 == end


def year_start(year: str) -> int:
    return int(year[:4])


def financial_year(start: int) -> str:
    """The financial year that starts in April of ``start``: 2021 -> '2021-22'."""
    return f"{start}-{(start + 1) % 100:02d}"


def next_year(year: str) -> str:
    return financial_year(year_start(year) + 1)


def previous_year(year: str) -> str:
    return financial_year(year_start(year) - 1)


def years_up_to(year: str, count: int) -> list[str]:
    """The last ``count`` financial years up to ``year``, oldest first."""
    start = year_start(year)
    return [financial_year(first) for first in range(start - count + 1, start + 1)]


def year_label(year: str, style: str = "hyphen") -> str:
    """'2021-22' in the council's style: hyphen (2021-22) or slash (2021/22)."""
    return year.replace("-", "/") if style == "slash" else year


def shown_path(path: Path, root: Path | None) -> str:
    """``path`` as a message shows it: relative to ``root`` (the project) when under it, else in full."""
    try:
        return Path(path).relative_to(root).as_posix() if root else str(path)
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Project:
    """A council's report project: parameters, data, notebooks and outputs."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The project at $CSWO_PROJECT, or the nearest folder up with parameters/ and data/."""
        env = os.environ.get("CSWO_PROJECT")
        if env:
            return cls(Path(env).resolve())
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "parameters").is_dir() and (folder / "data").is_dir():
                return cls(folder)
        return cls(here)

    def shown(self, path: Path) -> str:
        """``path`` as a message shows it: relative to the project when under it ('templates/cover.md.j2')."""
        return shown_path(path, self.root)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def parameters_dir(self) -> Path:
        return self.root / "parameters"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def catalogue_file(self) -> Path:
        """The project's own measures, laid over the package's base catalogue."""
        return self.root / "catalogue.yml"

    @property
    def templates_dir(self) -> Path:
        """The project's templates (cover report, house style); each overrides the package default."""
        return self.root / "templates"

    @property
    def quarto_file(self) -> Path:
        return self.root / "_quarto.yml"

    @property
    def reviews_dir(self) -> Path:
        """The review record: who signed off each section, and open review comments, by year."""
        return self.root / "reviews"

    def sources(self) -> list[Path]:
        """What the council's analysts write (everything a build reads and never changes); copying
        these copies the project without its outputs."""
        entries = (self.parameters_dir, self.data_dir, self.notebooks_dir, self.quarto_file, self.reviews_dir)
        return [p for p in (*entries, self.catalogue_file, self.templates_dir) if p.exists()]

    def copy_to(self, target: Path, notebooks: bool = True) -> Project:
        """A copy of the project's sources at ``target``, with an empty outputs folder."""
        for source in self.sources():
            if source == self.notebooks_dir and not notebooks:
                continue
            if source.is_dir():
                shutil.copytree(source, target / source.name)
            else:
                shutil.copy2(source, target / source.name)
        (target / "outputs").mkdir()
        return Project(target)

    def parameters_file(self, year: str) -> Path:
        return self.parameters_dir / f"{year}.yml"

    def year_notebooks(self, year: str) -> Path:
        """Each year owns its notebooks, so its narrative stays its own."""
        return self.notebooks_dir / year

    def notebook(self, year: str, name: str) -> Path:
        return self.year_notebooks(year) / f"{name}.ipynb"

    def table_file(self, table: str, suffix: str = ".csv") -> Path:
        """A data table's file, every year in one: ``data/<table>.csv`` (or ``.xlsx``, first sheet)."""
        return self.data_dir / f"{table}{suffix}"

    def returns_workbook(self, year: str) -> Path:
        """A filled data-entry workbook for the year, read beside the CSV tables."""
        return self.data_dir / "returns" / f"{year}.xlsx"

    def year_outputs(self, year: str) -> Path:
        return self.outputs_dir / year

    def draft_outputs(self, year: str) -> Path:
        """Draft papers (figures may be missing, each marked): never beside the publishable ones."""
        return self.outputs_dir / "drafts" / year

    def cache_dir(self, year: str) -> Path:
        """Executed sections kept for reuse; never read by committees."""
        return self.outputs_dir / ".cache" / year

    @property
    def shared_cache_dir(self) -> Path:
        """What the build and the lab keep for any year (the default Word style, the lab's settings)."""
        return self.outputs_dir / ".cache"

    def dataset_dir(self, year: str) -> Path:
        """The year's validated data, as Parquet and JSON, for the sections to read."""
        return self.cache_dir(year) / "dataset"

    def section_cache(self, year: str, section: str) -> Path:
        """A section's last successful run, with its manifest and exported text."""
        return self.cache_dir(year) / section

    @property
    def twins_record(self) -> Path:
        """Each notebook and .md twin's cells when last seen in step (so an edit to both is caught)."""
        return self.shared_cache_dir / "twins.json"

    @property
    def twins_kept_dir(self) -> Path:
        """A twin's text as it was before ``cswo sync --keep`` replaced it, so no edit is lost."""
        return self.shared_cache_dir / "twins"

    def twins_dir(self, year: str) -> Path:
        """Notebooks made from a newer ``.md`` twin, run in their place (the analyst's files stay as they are)."""
        return self.cache_dir(year) / ".twins"

    def render_dir(self, year: str) -> Path:
        """The build's working folder for writing the papers (figures, filters)."""
        return self.cache_dir(year) / "render"

    def review_fingerprints_file(self, year: str) -> Path:
        """Each section's fingerprint at the last build, for `cswo validate` (which runs no notebook)."""
        return self.cache_dir(year) / "review-fingerprints.json"

    def parts_dir(self, year: str) -> Path:
        """Each section's markdown as pandoc converted it, kept so an unchanged section is not converted again."""
        return self.cache_dir(year) / "parts"

    def document_record(self, year: str, draft: bool = False) -> Path:
        """Which key each written paper was made from (drafts apart: they publish elsewhere)."""
        return self.cache_dir(year) / ("documents-draft.json" if draft else "documents.json")

    def quarto_dir(self, year: str) -> Path:
        """The Quarto book projects for `cswo build --renderer quarto`, one folder per committee."""
        return self.cache_dir(year) / "quarto"

    def failed_dir(self, year: str) -> Path:
        """The notebook of a section that failed, open at the error (private: it shows the data)."""
        return self.private_dir(year) / "failed"

    def executed_notebooks_dir(self, year: str) -> Path:
        """The executed notebooks of the last build: the audit trail of every figure (private)."""
        return self.private_dir(year) / "notebooks"

    def figures_qa_file(self, year: str) -> Path:
        """The values behind every suppressed cell, and why (private)."""
        return self.private_dir(year) / "figures-qa.csv"

    def built_drafts_dir(self, year: str) -> Path:
        """What each Word paper built was made from, paragraph by paragraph, by build id (private: it
        shows the narrative's sources), for taking reviewers' edits home."""
        return self.private_dir(year) / "builds"

    def reviews_file(self, year: str) -> Path:
        """The year's review record: sign-offs, open comments and the reviewers' edits applied."""
        return self.root / "reviews" / f"{year}.yml"

    def redline_file(self, year: str, old: str, new: str) -> Path:
        """A Word document showing as tracked changes what changed between two builds (private)."""
        return self.private_dir(year) / "redlines" / f"redline-{old}-to-{new}.docx"

    def build_staging(self, year: str, draft: bool = False) -> Path:
        return self.staging_dir(f"{year}-draft" if draft else year)

    def private_dir(self, year: str) -> Path:
        """What reviewers may see but the public must not: the executed notebooks (tables as the
        kernel saw them), the raw figures QA record (values before disclosure control) and failed
        runs. Never inside ``outputs/<year>/``, so publishing can never pick it up."""
        return self.outputs_dir / ".private" / year

    def staging_dir(self, year: str) -> Path:
        return self.outputs_dir / ".staging" / year

    def years(self) -> list[str]:
        found = []
        if self.parameters_dir.is_dir():
            for path in sorted(self.parameters_dir.glob("*.yml")):
                if is_financial_year(path.stem):
                    found.append(path.stem)
        return found


PACKAGE_DIR = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = PACKAGE_DIR / "templates"
BASE_CATALOGUE_FILE = PACKAGE_DIR / "project" / "catalogue.yml"


def suggest_year(text: str) -> str | None:
    """The financial year someone most likely meant by ``text`` ('2022/23', '2022-2023', '2022', '202223')."""
    import unicodedata

    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isascii() and ch.isdigit())
    if len(digits) >= 4:
        start = int(digits[:4])
        if 1990 <= start <= 2100:
            return financial_year(start)
    return None


def require_year(project: Project, year: str) -> str:
    """``year`` when the project has it set up; otherwise an InputError saying what was probably meant."""
    known = project.years()
    if year in known:
        return year
    listed = ", ".join(known) if known else "none yet"
    if not is_financial_year(year):
        guess = suggest_year(year)
        hint = ""
        if guess:
            hint = f" Did you mean {guess}?" + ("" if guess in known else f" ({guess} is not set up either.)")
        raise InputError(
            f"'{year}' is not a financial year: write it like 2021-22 (the years set up are {listed}).{hint}"
        )
    import difflib

    close = difflib.get_close_matches(year, known, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    raise InputError(
        f"{year} is not set up: there is no parameters/{year}.yml (the years set up are {listed}).{hint} "
        f"To start it from the latest year, run `cswo new-year {year}`."
    )
