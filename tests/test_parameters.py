from pathlib import Path

import pytest
import yaml

from cswo.errors import ParametersError
from cswo.project.parameters import load_parameters
from support import ROOT


def write(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load((ROOT / "parameters" / "2021-22.yml").read_text())
    change(raw)
    path = tmp_path / "2021-22.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_reference_parameters_load():
    params = load_parameters(ROOT / "parameters" / "2021-22.yml")
    assert params.sections[0] == "introduction"
    assert params.sections[-1] == "challenges"
    assert params.committees["ijb"].report_number == "DIJB83-2022"
    assert params.committees["ijb"].directions is not None
    assert params.committees["policy-resources"].directions is None
    assert params.appendix_notebooks() == ["governance_framework"]


def test_unknown_key_is_named(tmp_path):
    path = write(tmp_path, lambda raw: raw["council"].update(colour="blue"))
    with pytest.raises(ParametersError) as error:
        load_parameters(path)
    assert "unknown key 'council.colour'" in str(error.value)
    assert str(path) in str(error.value)


def test_missing_key_is_named(tmp_path):
    path = write(tmp_path, lambda raw: raw["committees"]["ijb"].pop("report_number"))
    with pytest.raises(ParametersError, match="missing key 'committees.ijb.report_number'"):
        load_parameters(path)


def test_mistyped_date_is_named(tmp_path):
    path = write(tmp_path, lambda raw: raw["committees"]["ijb"].update(meeting_date="next Tuesday"))
    with pytest.raises(ParametersError) as error:
        load_parameters(path)
    (line,) = [line for line in str(error.value).splitlines() if "meeting_date" in line]
    assert line.strip() == (
        "- key 'committees.ijb.meeting_date': 'next Tuesday' is neither a date like 2022-12-14 nor a "
        "placeholder like '[TO COMPLETE: date]'"
    )  # one sentence: the value quoted once, no validator's 'Value error,' prefix


def test_all_problems_at_once(tmp_path):
    def change(raw):
        raw["council"].pop("name")
        raw["surprise"] = 1
        raw["committees"]["unknown-committee"] = raw["committees"]["ijb"]

    path = write(tmp_path, change)
    with pytest.raises(ParametersError) as error:
        load_parameters(path)
    assert len(error.value.problems) >= 2


def test_year_must_match_file_name(tmp_path):
    path = write(tmp_path, lambda raw: raw.update(year="2020-21"))
    with pytest.raises(ParametersError, match="file is named 2021-22.yml"):
        load_parameters(path)


def test_section_listed_twice(tmp_path):
    path = write(tmp_path, lambda raw: raw["chapters"][0]["sections"].append("governance"))
    with pytest.raises(ParametersError, match="appears twice"):
        load_parameters(path)


def test_annual_report_must_be_first_appendix(tmp_path):
    path = write(
        tmp_path,
        lambda raw: (
            raw["committees"]["ijb"]["appendices"].reverse()
            or raw["committees"]["ijb"]["appendices"].insert(0, {"title": "X", "source": "governance_framework"})
        ),
    )
    with pytest.raises(ParametersError, match="annual report"):
        load_parameters(path)


def test_missing_file(tmp_path):
    with pytest.raises(ParametersError, match="file not found"):
        load_parameters(tmp_path / "2030-31.yml")


@pytest.mark.parametrize(
    "name",
    ["../../../X-{committee}-{year}", "{year:>3000000000}-{committee}", "{year!r}-{committee}", "a/{committee}"],
)
def test_output_names_are_simple_names(tmp_path, name):
    path = write(tmp_path, lambda raw: raw.update(output_names={"paper": name}))
    with pytest.raises(ParametersError) as error:
        load_parameters(path)
    message = str(error.value)
    assert "key 'output_names'" in message
    assert len(message) < 600  # the offending name, never the whole parameters mapping


def test_an_error_quotes_only_the_offending_value(tmp_path):
    path = write(tmp_path, lambda raw: raw["committees"]["ijb"].update(recommendations="x" * 5000))
    with pytest.raises(ParametersError, match="committees.ijb.recommendations") as error:
        load_parameters(path)
    assert len(str(error.value)) < 600


def test_raw_markup_needs_a_reason(tmp_path):
    path = write(tmp_path, lambda raw: raw.update(raw_markup={"allowed": True}))
    with pytest.raises(ParametersError, match="raw_markup.*reason"):
        load_parameters(path)
    path = write(tmp_path, lambda raw: raw.update(raw_markup={"allowed": True, "reason": "the crest as Typst"}))
    assert load_parameters(path).raw_markup.allowed
