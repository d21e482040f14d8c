"""Tables, measures and breakdowns named in code: one sentence with the closest name, or nothing."""

from __future__ import annotations

import pytest

from cswo.errors import UnknownNameError
from cswo.narrative.codenames import checked_measure, name_problem
from cswo.project.catalogue import load_catalogue
from cswo.project.paths import Project
from support import ROOT

CATALOGUE = load_catalogue(Project(ROOT))


def test_known_names_have_no_problem():
    assert name_problem(CATALOGUE, "complaints") is None
    assert name_problem(CATALOGUE, "complaints", "complaints_received") is None
    assert name_problem(CATALOGUE, "community_justice", "cpo_completion_share", "scotland") is None


@pytest.mark.parametrize(
    "names, problem",
    [
        (("complaint",), "there is no table 'complaint' in the catalogue; did you mean 'complaints'?"),
        (("zzz",), "there is no table 'zzz' in the catalogue"),
        (
            ("complaints", "complaints_recieved"),
            "table 'complaints' has no measure 'complaints_recieved'; did you mean 'complaints_received'?",
        ),
        (
            ("community_justice", "cpo_completion_share", "scotlnd"),
            "measure 'cpo_completion_share' of table 'community_justice' has no breakdown 'scotlnd'; "
            "did you mean 'scotland'?",
        ),
    ],
)
def test_a_misspelt_name_is_one_sentence_with_the_closest_name(names, problem):
    assert name_problem(CATALOGUE, *names) == problem


def test_a_section_asking_for_a_misspelt_measure_is_refused_naming_the_call():
    with pytest.raises(UnknownNameError) as refused:
        checked_measure(CATALOGUE, "complaints", ("figure", "complaints"), "complaints", "complaints_recieved")
    assert str(refused.value) == (
        "Section 'complaints': s.figure('complaints', 'complaints', 'complaints_recieved'): table 'complaints' "
        "has no measure 'complaints_recieved'; did you mean 'complaints_received'?"
    )
    measure = checked_measure(CATALOGUE, "complaints", ("figure", "c"), "complaints", "complaints_received")
    assert measure.name == "complaints_received"
