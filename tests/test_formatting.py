"""Figures print at the precision they carry (cswo.figures.formatting, the catalogue's decimals)."""

from __future__ import annotations

import pytest
import yaml

from cswo.errors import CatalogueError
from cswo.figures.formatting import NOT_APPLICABLE, NOT_AVAILABLE, approximately, format_value, without_false_precision
from cswo.narrative import roles as prose
from cswo.project.catalogue import load_catalogue
from support import REFERENCE, copy_project


@pytest.mark.parametrize(("value", "shown"), [(87, "87%"), (87.0, "87%"), (28.5, "28.5%"), (4.43, "4.43%")])
def test_a_percentage_with_no_style_prints_as_given(value, shown):
    assert format_value(value, "percent") == shown


def test_the_base_style_leaves_percentages_as_given():
    catalogue = load_catalogue(REFERENCE)
    assert catalogue.decimals("percent") is None
    share = catalogue["child_protection"].measures["cp_deregistered_within_12_months_share"]
    assert format_value(95.0, share.unit, share.decimals) == "95%"


@pytest.mark.parametrize(
    ("before", "phrase", "after"),
    [
        ("a national average of around ", "70.0%", "70%"),
        ("over ", "50.0%", "50%"),
        ("just under ", "£1,200.0", "£1,200"),
        ("around ", "70.5%", "70.5%"),
        ("a rate of ", "70.0%", "70.0%"),
    ],
)
def test_around_and_over_are_never_followed_by_a_point_nought(before, phrase, after):
    assert without_false_precision(phrase, before) == after


def test_filled_prose_never_says_around_point_nought():
    filled = prose.fill("A national average of around {eval}`x.value`.", {"x.value": "70.0%"}, "s")
    assert filled == "A national average of around 70%."
    assert approximately(70.0, "percent", "around") == "around 70%"


def with_decimals(tmp_path, table: str, measure: str, places):
    """A copy of the project whose catalogue.yml gives one measure its own decimals."""
    project = copy_project(tmp_path / "p", with_notebooks=False)
    own = project.root / "catalogue.yml"
    raw = yaml.safe_load(own.read_text(encoding="utf-8"))
    measures = raw.setdefault("tables", {}).setdefault(table, {}).setdefault("measures", {})
    measures.setdefault(measure, {})["decimals"] = places
    own.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return project


def test_a_measure_declares_its_own_decimals_over_its_units_style(tmp_path):
    project = with_decimals(tmp_path, "child_protection", "cp_deregistered_within_12_months_share", 1)
    catalogue = load_catalogue(project)
    own_style = catalogue["child_protection"].measures["cp_deregistered_within_12_months_share"]
    assert format_value(95, own_style.unit, own_style.decimals) == "95.0%"
    other = catalogue["community_justice"].measures["cpo_completion_share"]
    assert format_value(72, other.unit, other.decimals) == "72%", "another measure of the unit keeps its style"


@pytest.mark.parametrize(("places", "rule"), [(7, "0 to 4 decimal places"), (1, "whole numbers")])
def test_a_wrong_decimals_is_refused_naming_the_measure(tmp_path, places, rule):
    measure = "cpo_completion_share" if places == 7 else "community_payback_orders_imposed"
    project = with_decimals(tmp_path, "community_justice", measure, places)
    with pytest.raises(CatalogueError) as error:
        load_catalogue(project)
    assert f"tables.community_justice.measures.{measure}: decimals" in str(error.value) and rule in str(error.value)


def test_an_empty_cell_reads_as_no_figure_as_disclosure_treats_it():
    """One rule for 'no figure' (safeguards.disclosure.is_missing): an empty string is missing in prose too."""
    assert format_value("", "count") == format_value(None, "count") == NOT_AVAILABLE
    assert format_value("", "percent", status="z") == NOT_APPLICABLE
