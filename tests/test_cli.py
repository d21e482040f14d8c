"""The `cswo` command as an analyst uses it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cswo.cli import app

runner = CliRunner()


def cswo(project, *args):
    return runner.invoke(app, ["--project", str(project.root), *args])


def test_validate_passes_on_shipped_data(project_copy):
    result = cswo(project_copy, "validate", "--year", "2021-22")
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def replace_in(path, old, new, count=1):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, count))


def test_a_word_in_a_number_cell_is_located(project_copy):
    replace_in(project_copy.data_dir / "complaints.csv", ",93,", ",abc,")
    result = cswo(project_copy, "validate", "--year", "2021-22")
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if "abc" in line)
    assert "data/complaints.csv, row" in line and "column 'value'" in line and "not a number" in line


def test_a_deleted_column_is_named(project_copy):
    path = project_copy.data_dir / "mental_health.csv"
    lines = [",".join(part for i, part in enumerate(row.split(",")) if i != 4) for row in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")
    result = cswo(project_copy, "validate", "--year", "2021-22")
    assert result.exit_code == 2
    assert "data/mental_health.csv, row 1, column 'unit': this required column is missing" in result.output


def test_a_breakdown_that_disagrees_with_its_total(project_copy):
    replace_in(project_copy.data_dir / "complaints.csv", ",community_justice,4,", ",community_justice,5,")
    result = cswo(project_copy, "validate", "--year", "2021-22")
    assert result.exit_code == 2
    assert "the breakdowns add up to 94 but the total is 93" in result.output
    assert "data/complaints.csv, row" in result.output


def test_list_shows_years_and_sections(project_copy):
    result = cswo(project_copy, "list")
    assert result.exit_code == 0
    assert "2021-22" in result.output and "children" in result.output


def test_build_refuses_unknown_committee(project_copy):
    result = cswo(project_copy, "build", "--year", "2021-22", "--committee", "finance-committee")
    assert result.exit_code != 0
    assert "finance-committee" in result.output


@pytest.mark.e2e
@pytest.mark.xdist_group("cli-build")
def test_bad_data_stops_the_build_before_anything_is_touched(project_copy):
    outputs = project_copy.year_outputs("2021-22")
    outputs.mkdir(parents=True)
    (outputs / "last-good.txt").write_text("last good build")
    replace_in(project_copy.data_dir / "complaints.csv", ",93,", ",abc,")
    result = cswo(project_copy, "build", "--year", "2021-22")
    assert result.exit_code == 2
    assert "not a number" in result.output
    assert [p.name for p in outputs.iterdir()] == ["last-good.txt"]
    assert not (project_copy.outputs_dir / ".cache" / "2021-22" / "children").exists()


def test_quarto_renderer_explains_when_absent(project_copy, monkeypatch):
    import shutil

    if shutil.which("quarto"):
        pytest.skip("Quarto is installed here; its own test covers it")
    result = cswo(project_copy, "build", "--year", "2021-22", "--renderer", "quarto")
    assert result.exit_code != 0
    assert "Quarto CLI is not installed" in result.output


def test_lab_dry_run_points_at_the_year(project_copy):
    result = cswo(project_copy, "lab", "--year", "2021-22", "--dry-run")
    assert result.exit_code == 0
    assert "notebooks/2021-22" in result.output.replace("\n", "")


def chi_number(first_nine: str) -> str:
    """A CHI number with a valid modulus 11 check digit (or '' when the prefix has none)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return "" if check == 10 else first_nine + str(0 if check == 11 else check)


def test_a_planted_chi_number_stops_the_build_and_is_masked(project_copy):
    chi = next(c for c in (chi_number(f"150385{n:03d}") for n in range(100, 200)) if c)
    replace_in(
        project_copy.data_dir / "complaints.csv", "social work complaints records", f"case {chi} complaints records"
    )
    result = cswo(project_copy, "build", "--year", "2021-22")
    assert result.exit_code == 3
    assert "CHI" in result.output and "data/complaints.csv, row 2, column 'source'" in result.output
    assert chi not in result.output
    assert not project_copy.year_outputs("2021-22").exists()


def test_a_chi_look_alike_with_a_wrong_check_digit_is_not_flagged(project_copy):
    from cswo.pipeline.sections import scan_inputs
    from cswo.project.parameters import load_year

    chi = next(c for c in (chi_number(f"150385{n:03d}") for n in range(100, 200)) if c)
    wrong = chi[:-1] + str((int(chi[-1]) + 1) % 10)
    replace_in(
        project_copy.data_dir / "complaints.csv",
        "social work complaints records",
        f"ref {wrong} complaints records",
    )
    assert scan_inputs(project_copy, load_year(project_copy, "2021-22")) == []


def test_validate_is_never_silent_about_bad_parameters(project_copy):
    replace_in(project_copy.parameters_file("2021-22"), "council:", "councl:")
    result = cswo(project_copy, "validate", "--year", "2021-22")
    assert result.exit_code == 2
    assert "unknown key 'councl'" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("year", "expect"),
    [("2022/23", "Did you mean 2022-23?"), ("2021/22", "Did you mean 2021-22?"), ("2030-31", "2030-31 is not set up")],
)
def test_a_bad_year_gets_did_you_mean(project_copy, year, expect):
    result = cswo(project_copy, "validate", "--year", year)
    assert result.exit_code == 2 and expect in result.output.replace("\n", "")
    if "/" in year:
        assert "new-year" not in result.output


def test_debug_is_accepted_after_the_sub_command(project_copy):
    replace_in(project_copy.parameters_file("2021-22"), "council:", "councl:")
    quiet = cswo(project_copy, "validate", "--year", "2021-22")
    loud = cswo(project_copy, "validate", "--year", "2021-22", "--debug")
    assert quiet.exit_code == 2 and "Error:" in quiet.output
    assert loud.exception is not None and type(loud.exception).__name__ == "ParametersError"


def test_an_unforeseen_fault_is_one_sentence(project_copy, monkeypatch):
    import cswo.project.parameters as parameters

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(parameters, "load_year", broken)
    result = cswo(project_copy, "validate", "--year", "2021-22")
    assert result.exit_code == 70 and "Unexpected ZeroDivisionError" in result.output
    assert "Traceback" not in result.output


def test_lab_is_rooted_at_the_project_so_failed_notebooks_open(project_copy):
    result = cswo(project_copy, "lab", "--year", "2021-22", "--dry-run")
    text = result.output.replace("\n", "")
    assert f"--ServerApp.root_dir={project_copy.root}" in text and "/lab/tree/notebooks/2021-22" in text


def test_house_style_copies_the_shipped_reference_document(project_copy):
    from cswo.project.templates import DEFAULT_REFERENCE_DOCX

    target = project_copy.templates_dir / "reference.docx"
    target.write_bytes(b"the council's own")
    refused = cswo(project_copy, "house-style")
    assert refused.exit_code != 0 and target.read_bytes() == b"the council's own"
    result = cswo(project_copy, "house-style", "--force")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == DEFAULT_REFERENCE_DOCX.read_bytes()


def test_an_interrupt_python_wrapped_on_the_way_up_is_an_interruption_not_a_fault():
    """Ctrl-C landing in a class's __set_name__ while a module imports reaches the CLI as a RuntimeError
    caused by KeyboardInterrupt (Python 3.11 wraps it): exit 130 in one sentence, never exit 70."""
    from cswo.errors import is_interrupt as _interrupted

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise RuntimeError("Error calling __set_name__ on '_YearText' instance 'label' in 'Section'") from interrupt
    except RuntimeError as wrapped:
        assert _interrupted(wrapped)
    assert not _interrupted(RuntimeError("a fault in the suite"))


def test_an_unknown_option_is_a_usage_error_not_a_fault(project_copy):
    """Typer raises its own click's exceptions: a mistyped option is the analyst's (exit 2), never 70."""
    result = cswo(project_copy, "review", "sign", "complaints", "--year", "2021-22", "--signed-by", "A. Reviewer")
    assert result.exit_code == 2, result.output
    assert "No such option: --signed-by" in result.output and "fault in the suite" not in result.output
