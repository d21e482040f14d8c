"""Text is text: what the data, the catalogue and the parameters hold reaches both papers as the
characters typed, never as markup; the notebooks' own markup may format, never fetch or run."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from cswo.cli import app
from cswo.errors import PublishCheckError
from cswo.figures.markup import literal
from cswo.pipeline.build import BuildOptions, build
from cswo.project.paths import Project
from cswo.render.engines import pandoc_path, render_docx
from support import ROOT

TYPST = "`#text[X#(6*7)]`{=typst}"
OPENXML = "`<w:r><w:t>RAWRUN</w:t></w:r>`{=openxml}"
LINK = "[link](http://evil.example/s)"
IMAGE = "![Chart](outputs/.private/2024-25/figures-qa.csv)"
CITATION = "@smith2020"
MATH = "$x^2$"
ATTACK = f"{TYPST} {OPENXML} {LINK} {IMAGE} {CITATION} {MATH}"
# what a reader must see: every character as typed
SHOWN = ["#text[X#(6*7)]", "<w:r><w:t>RAWRUN</w:t></w:r>", "[link](http://evil.example/s)", "@smith2020", "$x^2$"]


def ast_types(markdown: str) -> set[str]:
    """Every element type pandoc reads from ``markdown``."""
    out = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "json"], input=markdown.encode(), capture_output=True)
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            found.update([node["t"]] if "t" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(out.stdout)["blocks"])
    return found


@pytest.mark.parametrize(
    "text",
    [
        ATTACK,
        'a\n\n```{=typst}\n#read("/etc/passwd")\n```',
        "- a list item",
        "1. a numbered item",
        "# a heading",
        "> a quote",
        ": a definition",
        "| a | table |",
        "<http://evil.example>",
        "[@key, p. 4]",
        "&lt;b&gt; &amp;",
        "{{ old_placeholder }}",
        "**bold** _it_ ~sub~ ^sup^",
        "<!-- hidden -->",
        "---",
    ],
)
def test_literal_reads_back_as_plain_text(text):
    markdown = literal(text)
    assert ast_types(markdown) <= {"Para", "Plain", "Str", "Space", "Quoted", "DoubleQuote", "SingleQuote"}, markdown
    plain = subprocess.run(
        [pandoc_path(), "-f", "markdown-smart", "-t", "plain", "--wrap=none"],
        input=markdown.encode(),
        capture_output=True,
    ).stdout.decode()
    assert plain.strip() == " ".join(text.split())


def test_literal_leaves_figures_as_they_read():
    for text in ("1,377", "95.5%", "-5", "£4,716", "2021-22", "fewer than 3"):
        assert literal(text) == text


META = {"title": "Paper", "author": "A Person", "lang": "en-GB", "date": dt.date(2025, 10, 1)}


@pytest.mark.parametrize(
    ("markdown", "refused"),
    [
        ("See ![Chart](/etc/passwd).", "/etc/passwd"),
        ("See ![Chart](outputs/.private/2024-25/figures-qa.csv).", "under outputs/"),
        ("See ![Chart](../../secret.png).", '".." in its path'),
        ("See ![Chart](http://evil.example/x.png).", "not a file in the project"),
        ("Hi `#text[X]`{=typst} there", "raw typst"),
        ("```{=openxml}\n<w:p/>\n```", "raw openxml"),
    ],
)
def test_the_notebooks_own_markup_cannot_fetch_or_run(tmp_path, markdown, refused):
    with pytest.raises(PublishCheckError, match=re.escape(refused)):
        render_docx(markdown, tmp_path / "paper.docx", tmp_path, META, ROOT / "templates" / "reference.docx")
    assert not (tmp_path / "paper.docx").exists()


def test_raw_markup_allowed_with_a_reason_still_refuses_fetching_fields(tmp_path):
    allowed = {"cswo-raw-markup": "allowed", **META}
    reference = ROOT / "templates" / "reference.docx"
    render_docx("`<w:r><w:t>ok</w:t></w:r>`{=openxml}", tmp_path / "ok.docx", tmp_path, allowed, reference)
    field = '<w:fldSimple w:instr=" INCLUDEPICTURE &quot;http://evil.example/x.png&quot; "/>'
    with pytest.raises(PublishCheckError, match="INCLUDEPICTURE"):
        render_docx(f"```{{=openxml}}\n{field}\n```", tmp_path / "no.docx", tmp_path, allowed, reference)


# --- both papers, end to end: one small council's project with the attack in every text channel ---------

YEAR = "2024-25"
SOURCE = ROOT / "tests" / "projects" / "strathbrae"


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacked") / "project"
    shutil.copytree(SOURCE, root)
    (root / "outputs" / ".private" / YEAR).mkdir(parents=True)
    (root / "outputs" / ".private" / YEAR / "figures-qa.csv").write_text("PRIVATE-QA-RECORD\n")
    complaints = root / "data" / "complaints.csv"
    # data text: a source and a note
    complaints.write_text(complaints.read_text().replace("Strathbrae complaints log,,", f'"Log {ATTACK}","{ATTACK}",'))
    catalogue = yaml.safe_load((root / "catalogue.yml").read_text())
    catalogue["tables"]["complaints"]["measures"]["complaints_received"]["breakdowns"]["island_services"] = ATTACK
    (root / "catalogue.yml").write_text(yaml.safe_dump(catalogue))
    parameters = yaml.safe_load((root / "parameters" / f"{YEAR}.yml").read_text())
    board = parameters["committees"]["care-board"]
    board["recommendations"] = [f"See {ATTACK}."]
    board["name"] = f"Strathbrae Care Board {MATH} {CITATION}"
    (root / "parameters" / f"{YEAR}.yml").write_text(yaml.safe_dump(parameters))
    project = Project(root)
    from_the_returns_workbook(project, "befriending_matches", 23, f"Scheme {ATTACK}")
    build(project, BuildOptions(year=YEAR, committees=["care-board"], formats=["docx", "pdf"]))
    return project.year_outputs(YEAR) / "care-board" / f"strathbrae-cswo-{YEAR}-care-board"


def from_the_returns_workbook(project: Project, measure: str, value: float, source: str) -> None:
    """The year's figure for ``measure`` given in the returns workbook (not its CSV), as a service would."""
    result = CliRunner().invoke(app, ["--project", str(project.root), "data-template", "--year", YEAR, "--output",
                                      str(project.returns_workbook(YEAR))])  # fmt: skip
    assert result.exit_code == 0, result.output
    befriending = project.data_dir / "befriending.csv"
    befriending.write_text("".join(line for line in befriending.read_text().splitlines(True) if YEAR not in line))
    workbook = openpyxl.load_workbook(project.returns_workbook(YEAR))
    for sheet in workbook.worksheets:
        header = [cell.value for cell in sheet[2]]
        for row in sheet.iter_rows(min_row=3) if "Value" in header else ():
            if row[header.index("measure")].value == measure:
                row[header.index("Value")].value = value
                row[header.index("Source")].value = source
    workbook.save(project.returns_workbook(YEAR))


def docx_parts(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name).decode("utf-8", "replace") for name in package.namelist()}


@pytest.mark.e2e
def test_word_paper_shows_the_characters_and_adds_nothing(attacked):
    parts = docx_parts(attacked.with_suffix(".docx"))
    body = parts["word/document.xml"]
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", body))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    for shown in SHOWN:
        assert text.count(shown) >= 4, shown  # the recommendation, both sources and the label: each as typed
    assert "<w:r><w:t>RAWRUN" not in body  # the raw run was never inserted as XML
    assert "<w:hyperlink" not in body and "evil.example" not in "".join(
        v for k, v in parts.items() if k.endswith(".rels")
    )
    assert not [name for name in parts if name.startswith("word/media/") and not name.endswith(".png")]
    assert "PRIVATE-QA-RECORD" not in "".join(parts.values())
    fields = re.findall(r'w:instr="([^"]*)"|<w:instrText[^>]*>([^<]*)<', body)
    names = {(a or b).split()[0] for a, b in fields if (a or b).strip()}
    assert names <= {"SEQ", "TOC", "PAGE", "NUMPAGES", "PAGEREF", "REF"}, names


@pytest.mark.e2e
def test_pdf_shows_the_characters_and_runs_nothing(attacked):
    reader = PdfReader(str(attacked.with_suffix(".pdf")))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "X42" not in text  # the Typst code never ran
    for shown in ("#text[X#(6*7)]", "RAWRUN", "@smith2020", "$x^2$", "[link](http://evil.example/s)"):
        assert shown in text, shown
    links = [
        annotation.get_object().get("/A", {}).get("/URI")
        for page in reader.pages
        for annotation in page.get("/Annots") or []
    ]
    assert not [uri for uri in links if uri and "evil" in str(uri)]


@pytest.mark.e2e
def test_the_private_outputs_are_the_owners_only(attacked):
    private = attacked.parents[2] / ".private"
    assert private.stat().st_mode & 0o777 == 0o700  # made 0755 before the build, as an old build left it
    for path in private.rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path
    assert (private / YEAR / "figures-qa.csv").is_file()
