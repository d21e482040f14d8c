"""What `cswo review` needs: each section as a build would print it now, its fingerprint, and its
sign-off, and signing sections off in the year's review record (``reviews/<year>.yml``)."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from cswo.compose.section import SectionText
from cswo.data.dataset import Dataset
from cswo.errors import InputError
from cswo.pipeline import openitems
from cswo.pipeline.build import BuildOptions, Progress, load, run, stopped_on_failure, validate
from cswo.pipeline.sections import section_texts, sections_pool
from cswo.project.parameters import Parameters
from cswo.project.paths import Project
from cswo.project.reviews import read_record, write_record


@dataclass
class YearReview:
    """The year's sections now: their fingerprints, and everything still open."""

    params: Parameters
    fingerprints: dict[str, str]
    items: list[openitems.OpenItem]


def current_sections(
    project: Project, year: str, progress: Progress | None = None
) -> tuple[Parameters, dict[str, SectionText], Dataset]:
    """Each section's text as a build would print it now (running only the sections that changed):
    what a reviewer reads is what a sign-off records. Publishes nothing."""
    progress = progress or Progress()
    options = BuildOptions(year=year, draft=True, checks=False)
    plan = load(project, options, progress)
    with stopped_on_failure(sections_pool(project, plan.params, plan.jobs, False, None)) as pool:
        dataset = validate(project, plan, options, progress)
        run(project, plan, dataset, options, progress, pool)  # closes the pool
    return plan.params, section_texts(plan.jobs), dataset


def year_review(project: Project, year: str, progress: Progress | None = None) -> YearReview:
    params, texts, dataset = current_sections(project, year, progress)
    current = openitems.fingerprints(texts)
    missing = [m for text in texts.values() for m in text.missing]
    return YearReview(params, current, openitems.collect(project, params, current, dataset.queries, missing, dataset))


def sign(
    project: Project,
    year: str,
    sections: list[str],
    by: str,
    progress: Progress | None = None,
    on: dt.date | None = None,
) -> YearReview:
    """Record ``by``'s sign-off of ``sections`` as they read now. Raises InputError for an unknown
    section (with "did you mean") or an empty name, before anything is written."""
    if not by.strip():
        raise InputError("--by needs the reviewer's name")
    review = year_review(project, year, progress)
    unknown = [name for name in sections if name not in review.fingerprints]
    if unknown:
        known = list(review.fingerprints)
        hints = [f"'{n}'" + _did_you_mean(n, known) for n in unknown]
        raise InputError(
            f"{year} has no section {', '.join(hints)}; its sections are {', '.join(known)} (nothing was signed)"
        )
    reviews = read_record(project, year)
    for name in sections:
        reviews.sign(name, by.strip(), review.fingerprints[name], on)
    write_record(project, year, reviews)
    signed = {f"section '{name}'" for name in sections}
    review.items = [item for item in review.items if not (item.kind == "review" and item.where in signed)]
    return review


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
