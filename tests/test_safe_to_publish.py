"""Planted identifiers never reach the console unmasked; parameters, policy and caches are safe."""

from __future__ import annotations

import json

import nbformat
import pytest
from typer.testing import CliRunner

from cswo.cli import app
from cswo.data.dataset import Dataset
from cswo.data.load import load_dataset
from cswo.figures.formatting import spreadsheet_text
from cswo.pipeline.sections import scan_inputs
from cswo.project.parameters import load_year
from cswo.safeguards.identifiers import redact

YEAR = "2021-22"
CHI = "1503851230"  # a valid CHI number (15 March 1985, check digit right)
NHS = "9434765919"  # a valid NHS number
NINO = "AB123456C"
PLANTED = (CHI, NHS, NINO)

runner = CliRunner()


def cswo(project, *args):
    return runner.invoke(app, ["--project", str(project.root), *args])


def replace_in(path, old, new, count=1):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, count))


def assert_masked(output: str, planted: str) -> None:
    assert planted.lower() not in output.replace("\n", "").lower()
    assert redact(planted).lower() in output.lower(), output  # the message still says where, masked


@pytest.mark.parametrize("identifier", PLANTED)
def test_redact_masks_every_kind(identifier):
    assert identifier not in redact(f"value: '{identifier}'")
    assert redact("row 4, column 'value': 93") == "row 4, column 'value': 93"


COMPLAINT_ROW = "2021-22,complaints_received,childrens_services,36,count,,"


@pytest.mark.parametrize(
    "plant",
    [
        lambda p, x: replace_in(
            p.data_dir / "complaints.csv", COMPLAINT_ROW, COMPLAINT_ROW.replace("received,", f"{x},")
        ),
        lambda p, x: replace_in(p.data_dir / "complaints.csv", COMPLAINT_ROW, COMPLAINT_ROW.replace("count", x)),
        lambda p, x: replace_in(p.data_dir / "complaints.csv", COMPLAINT_ROW, COMPLAINT_ROW.replace("2021-22", x)),
        lambda p, x: replace_in(p.data_dir / "complaints.csv", COMPLAINT_ROW, COMPLAINT_ROW.replace(",,", f",{x},")),
        lambda p, x: replace_in(p.data_dir / "complaints.csv", "year,measure", f"{x},measure"),
        lambda p, x: (p.data_dir / "complaints.csv").rename(p.data_dir / f"complaints{x}.csv"),
        lambda p, x: replace_in(p.parameters_file(YEAR), "report_date:", f"report_date: '{x}'\nold_date:"),
    ],
    ids=["measure", "unit", "year", "status", "heading", "file name", "parameter type"],
)
@pytest.mark.parametrize("identifier", [CHI, NINO])
def test_validation_messages_never_show_a_planted_identifier(project_copy, plant, identifier):
    plant(project_copy, identifier)
    result = cswo(project_copy, "validate", "--year", YEAR)
    assert result.exit_code != 0
    assert_masked(result.output, identifier)


def plant_in_notebook(project, identifier, where):
    path = project.notebook(YEAR, "complaints")
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and "s.figure" in c.source)
    markdown = next(c for c in nb.cells if c.cell_type == "markdown" and "{eval}" in c.source)
    if where == "code comment":
        code.source += f"\n# patient {identifier}"
    elif where == "markdown":
        markdown.source += f" The client's number is {identifier}."
    else:  # an output saved in the notebook, e.g. from a hidden cell
        code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{identifier}\n")]
    nbformat.write(nb, path)


@pytest.mark.parametrize("where", ["code comment", "markdown", "output"])
@pytest.mark.parametrize("identifier", PLANTED)
def test_a_notebook_carrying_an_identifier_is_refused_before_it_runs(project_copy, where, identifier):
    plant_in_notebook(project_copy, identifier, where)
    found = scan_inputs(project_copy, load_year(project_copy, YEAR))
    assert found and "complaints.ipynb" in found[0]
    assert all(identifier not in line for line in found)


def test_a_hidden_cell_only_the_newer_md_twin_has_is_refused(project_copy):
    # the build runs the .md twin when it is newer and differs: the scan reads what the build runs
    twin = project_copy.notebook(YEAR, "complaints").with_suffix(".md")
    hidden = f"\n```{{code-cell}} ipython3\n:tags: [remove-cell]\n\nclient = '{CHI}'\n```\n"
    twin.write_text(twin.read_text(encoding="utf-8") + hidden, encoding="utf-8")
    found = scan_inputs(project_copy, load_year(project_copy, YEAR))
    assert [line for line in found if "complaints.md" in line], found
    assert all(CHI not in line for line in found)


@pytest.mark.e2e
def test_build_with_a_planted_identifier_stops_and_prints_it_masked(project_copy):
    plant_in_notebook(project_copy, CHI, "code comment")
    result = cswo(project_copy, "build", "--year", YEAR, "--format", "pdf", "--committee", "ijb")
    assert result.exit_code == 3
    assert_masked(result.output, CHI)
    assert not project_copy.year_outputs(YEAR).exists()


def test_a_section_name_must_be_a_simple_name(project_copy):
    replace_in(project_copy.parameters_file(YEAR), "[introduction]", "['../../../data']")
    result = cswo(project_copy, "validate", "--year", YEAR)
    assert result.exit_code == 2
    assert "not a simple name" in result.output and (project_copy.data_dir / "complaints.csv").exists()


def test_a_disclosure_rule_for_an_unknown_table_is_an_error_naming_the_key(project_copy):
    replace_in(project_copy.parameters_file(YEAR), "    qualifications: {", "    qualificationz: {")
    result = cswo(project_copy, "validate", "--year", YEAR)
    assert result.exit_code == 2
    assert "disclosure.tables.qualificationz" in result.output and "did you mean 'qualifications'" in result.output


def test_dataset_crosses_to_kernels_as_data_not_a_pickle(project_copy, tmp_path):
    params = load_year(project_copy, YEAR)
    dataset = load_dataset(project_copy, YEAR, params.sections)
    folder = dataset.save(tmp_path / "dataset")
    assert not [p for p in folder.iterdir() if p.suffix not in (".parquet", ".json")]
    again = Dataset.read(folder)
    assert all(again.fingerprint(name) == dataset.fingerprint(name) for name in dataset.tables)
    assert again.unfilled == dataset.unfilled and again.files == dataset.files
    assert dataset.slips and again.slips == dataset.slips  # known slips reach the kernel too
    assert json.loads((folder / "dataset.json").read_text())["year"] == YEAR


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-5", "-5"),
        ("+1.5%", "+1.5%"),
        ("Dundee", "Dundee"),
        (93.0, 93.0),
    ],
)
def test_spreadsheet_text_neutralises_formulas(cell, safe):
    assert spreadsheet_text(cell) == safe
