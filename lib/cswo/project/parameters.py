"""The year's parameters: everything in the report that is not data.

``parameters/<year>.yml`` is validated on load; an unknown, missing or mistyped
key is a :class:`~cswo.errors.ParametersError` naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cswo.errors import InputError, ParametersError, YAMLProblems
from cswo.project.catalogue import load_catalogue
from cswo.project.paths import SECTION_NAME, Project, is_financial_year, year_label
from cswo.project.placeholders import is_placeholder
from cswo.project.reading import decode, parse_yaml

COMMITTEE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Council(Strict):
    name: str
    area: str = Field(description="Place name used in prose, e.g. 'Eastfield'")
    nhs_board: str
    partnership: str = Field(description="Health and Social Care Partnership name")


class Person(Strict):
    name: str
    title: str


class Chapter(Strict):
    title: str
    sections: list[str] = Field(min_length=1)


class Appendix(Strict):
    title: str
    source: str = Field(
        description="'annual_report' for the report itself, otherwise a notebook name in notebooks/<year>/"
    )

    @field_validator("source")
    @classmethod
    def _simple_name(cls, value: str) -> str:
        if not SECTION_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not a simple notebook name: use letters, digits and _ only")
        return value


class Directions(Strict):
    """An integration joint board's Directions chapter: its paragraphs, and to whom a direction is required."""

    required: Literal["none", "council", "nhs_board", "both"] = "none"
    paragraphs: list[str] = Field(
        default_factory=list, description="The chapter's wording before the table (e.g. its statutory basis)"
    )


class Committee(Strict):
    name: str = Field(description="Full committee name, as in REPORT TO")
    meeting_date: dt.date | str = Field(description="A date, or '[TO COMPLETE: …]' until the clerk sets it")
    report_number: str
    report_by: str
    report_on: str | None = None
    purpose: str
    recommendations_intro: str
    recommendations: list[str] = Field(min_length=1)
    financial_implications: str
    statutory_basis: list[str] = Field(default_factory=list)
    main_text_intro: str = ""
    challenges: str = ""
    priorities_intro: str = ""
    policy_implications: str
    risk_assessment: str
    consultations: str
    directions: Directions | None = None
    background_papers: list[str] = Field(default_factory=list)
    signatories: list[Person] = Field(min_length=1)
    date: dt.date | str = Field(description="A date, or '[TO COMPLETE: …]' until the paper is signed")
    appendices: list[Appendix] = Field(min_length=1)

    @field_validator("meeting_date", "date")
    @classmethod
    def _date_or_placeholder(cls, value: dt.date | str) -> dt.date | str:
        if isinstance(value, str) and not is_placeholder(value):
            try:  # a date written as a quoted string, as a YAML writer may
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            raise ValueError(
                f"{value!r} is neither a date like 2022-12-14 nor a placeholder like '[TO COMPLETE: date]'"
            )
        return value

    @model_validator(mode="after")
    def _annual_report_first(self) -> Committee:
        if self.appendices[0].source != "annual_report":
            raise ValueError("the first appendix must be the annual report (source: annual_report)")
        return self


class DisclosureRule(Strict):
    threshold: int = Field(ge=1, description="Counts below this (but above 0) are suppressed")
    symbol: str = "[c]"


class Disclosure(Strict):
    default: DisclosureRule | None = None
    tables: dict[str, DisclosureRule] = Field(default_factory=dict)

    def rule_for(self, table: str) -> DisclosureRule | None:
        return self.tables.get(table, self.default)


class OutputNames(Strict):
    """File names (without extension) of the published papers; {year} and {committee} are filled in.

    A name is a simple file name, like a section's: letters, digits, '-', '_' and '.', no folder,
    and no format spec in its fields (``{year:>30}``), so a paper always lands in the year's folder."""

    paper: str = "cswo-annual-report-{year}-{committee}-paper"
    report: str = "cswo-annual-report-{year}"

    @model_validator(mode="after")
    def _fields_known(self) -> OutputNames:
        for pattern in (self.paper, self.report):
            problem = _output_name_problem(pattern)
            if problem:
                raise ValueError(problem)
        if "{committee}" not in self.paper:
            raise ValueError("the paper name must contain {committee}, so committees' papers differ")
        return self


def _output_name_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot name a published file, or None."""
    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return f"{pattern!r} is not a name with {{year}} and {{committee}} in it ({exc})"
    for _, name, spec, conversion in fields:
        if name is not None and (name not in ("year", "committee") or spec or conversion):
            return f"{pattern!r} may use only {{year}} and {{committee}}, as they are (no format or conversion)"
    filled = pattern.format(year="2021-22", committee="ijb")
    if len(filled) > 120 or not OUTPUT_NAME.fullmatch(filled):
        return (
            f"{pattern!r} is not a simple file name: use letters, digits, '-', '_' and '.' only "
            "(no folders, at most 120 characters)"
        )
    return None


class RawMarkup(Strict):
    """Raw Word XML or Typst in the notebooks' markdown or the cover template: refused unless allowed here."""

    allowed: bool = False
    reason: str = Field("", description="Why this council's papers need raw markup (shown in the build summary)")

    @model_validator(mode="after")
    def _reason_given(self) -> RawMarkup:
        if self.allowed and not self.reason.strip():
            raise ValueError("allowing raw markup needs a reason: add `reason: ...` saying why")
        return self


class Parameters(Strict):
    year: str
    year_label_style: Literal["hyphen", "slash"] = "hyphen"
    council: Council
    report_title: str = "Chief Social Work Officer Annual Report"
    language: str = "en-GB"
    cswo: Person
    report_date: dt.date
    chapters: list[Chapter] = Field(min_length=1)
    committees: dict[str, Committee]
    disclosure: Disclosure = Field(default_factory=Disclosure)
    output_names: OutputNames = Field(default_factory=OutputNames)
    raw_markup: RawMarkup = Field(default_factory=RawMarkup)
    public_contact_details: list[str] = Field(
        default_factory=list,
        description="Organisational contact details that may be published (office phone, office "
        "postcode); the identifier scan allows exactly these",
    )
    review_required: list[str] = Field(
        default_factory=list,
        description="Fields still to be updated after a roll-forward (meeting dates, numbers)",
    )

    @field_validator("year")
    @classmethod
    def _year_form(cls, value: str) -> str:
        if not is_financial_year(value):
            raise ValueError(f"'{value}' is not a financial year like 2021-22")
        return value

    @field_validator("committees")
    @classmethod
    def _committee_keys(cls, value: dict[str, Committee]) -> dict[str, Committee]:
        # any number of committees, any key: the key names the output folder and files
        bad = [key for key in value if not COMMITTEE_KEY.match(key)]
        if bad:
            raise ValueError(f"committee key(s) {bad} must be lower-case letters, digits and hyphens, like 'ijb'")
        if not value:
            raise ValueError("at least one committee is needed")
        return value

    @model_validator(mode="after")
    def _sections_once(self) -> Parameters:
        seen: set[str] = set()
        for chapter in self.chapters:
            for section in chapter.sections:
                if not SECTION_NAME.fullmatch(section):
                    raise ValueError(
                        f"section {section!r} is not a simple name: use letters, digits and _ only "
                        "(it names notebooks/<year>/<section>.ipynb)"
                    )
                if section in seen:
                    raise ValueError(f"section '{section}' appears twice in chapters")
                seen.add(section)
        return self

    @property
    def sections(self) -> list[str]:
        return [s for chapter in self.chapters for s in chapter.sections]

    @property
    def label(self) -> str:
        return year_label(self.year, self.year_label_style)

    def appendix_notebooks(self) -> list[str]:
        names: list[str] = []
        for committee in self.committees.values():
            for appendix in committee.appendices[1:]:
                if appendix.source not in names:
                    names.append(appendix.source)
        return names


def _describe(error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{key}'"
    if kind == "missing":
        return f"missing key '{key}'"
    if kind == "value_error":  # the suite's own rule, which quotes the value itself
        return f"key '{key}': {error['msg'].removeprefix('Value error, ')}"
    return f"key '{key}': {error['msg']}{_got(error.get('input'))}"


def _got(value: object) -> str:
    """The offending value, quoted: a single value only, never a whole mapping, and not at length."""
    if isinstance(value, (dict, list, tuple, set)):
        return ""
    shown = repr(value)
    return f" (got {shown[:77] + '...' if len(shown) > 80 else shown})"


def load_parameters(path: Path) -> Parameters:
    """Read and validate a parameters file.

    Raises ParametersError naming the file and every bad key.
    """
    if not path.is_file():
        raise ParametersError(path, ["file not found; create it with `cswo new-year`"])
    try:
        raw = parse_yaml(decode(path.read_bytes(), path.name))
    except InputError as exc:  # not UTF-8: the message says how to re-save it
        raise ParametersError(path, [str(exc).removeprefix(f"{path.name}: ")]) from None
    except YAMLProblems as exc:
        raise ParametersError(path, exc.problems) from None
    if not isinstance(raw, dict):
        raise ParametersError(path, ["expected a mapping of keys to values"])
    try:
        params = Parameters.model_validate(raw)
    except ValidationError as exc:
        raise ParametersError(path, [_describe(e) for e in exc.errors()]) from None
    if params.year != path.stem:
        raise ParametersError(path, [f"key 'year' is {params.year} but the file is named {path.name}"])
    return params


def disclosure_problems(params: Parameters, known_tables: list[str]) -> list[str]:
    """A disclosure rule for a table the data does not have protects nothing: say so."""
    from difflib import get_close_matches

    problems = []
    for name in params.disclosure.tables:
        if name not in known_tables:
            hint = get_close_matches(name, known_tables, n=1)
            problems.append(
                f"key 'disclosure.tables.{name}': there is no data table called '{name}'"
                + (f" (did you mean '{hint[0]}'?)" if hint else f"; known tables: {', '.join(sorted(known_tables))}")
            )
    return problems


def load_year(project: Project, year: str) -> Parameters:
    path = project.parameters_file(year)
    params = load_parameters(path)
    problems = disclosure_problems(params, list(load_catalogue(project)))
    if problems:
        raise ParametersError(path, problems)
    return params
