"""`make lab-check`: what an analyst does in `cswo lab`, done in a real JupyterLab through headless Chromium.

    python tests/lab/lab_check.py [--year 2021-22] [--sections complaints justice ...]

On a copy of the project kept in git with the project's filters (so nothing the analyst wrote is
touched), it starts `cswo lab`'s JupyterLab and, for each section notebook:

1. opens it, clicks Run All (the menu's command) and waits until every {eval} role is filled;
2. checks that every chart the notebook draws is visible: an image that loaded, with its alt text;
3. in one section, types a new markdown cell with a role, a misspelt role and a typed number and
   runs it once (Shift+Enter): the role must be filled, and validate's messages must show under it;
4. saves the notebook (as JupyterLab's autosave would).

Then it checks that git sees no change (the lab saved the notebooks as they were committed), that
`cswo build` and `cswo preview`'s draft build succeed on the saved notebooks, and that every
paragraph the lab showed reads word for word in the committee papers. Screenshots of three
sections go to outputs/.private/<year>/lab-check/. Exits 1 with every problem listed.
Needs chromium and poppler (pdftotext).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from browser import TOKEN, Browser, CheckFailed, free_port, start_chromium, wait_for

from cswo.errors import CSWOError
from cswo.pipeline.build import BuildOptions, build
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from cswo.render.word_page import DRAFT
from cswo.safeguards.pdftext import page_texts
from cswo.tools.lab import lab_command
from cswo.tools.preview import preview_options

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = {"complaints", "justice", "adults"}  # the typed role, then two sections' charts
TYPED_IN = "complaints"
TYPED = "Typed in the lab: {eval}`complaints.value` complaints, {eval}`complaints.compard`, and 17 more."
PANEL = "(window.jupyterapp && [...window.jupyterapp.shell.widgets('main')].find(w => w.sessionContext && w.isVisible))"
READY = f"(() => {{ const p = {PANEL}; return !!(p && p.sessionContext.isReady); }})()"
EXTENSION = "!!window.cswoLab"  # set by the cswo-lab extension once JupyterLab has activated it
JUPYTEXT_MENU = "window.jupyterapp.listPlugins().filter(id => id.startsWith('jupyterlab-jupytext'))"
RUN_ALL = "window.jupyterapp.commands.execute('notebook:run-all-cells').then(done => String(done))"
SAVE = f"""(async () => {{ const p = {PANEL}; await p.context.save(); return !p.context.model.dirty; }})()"""
# every role of every markdown cell evaluated (jupyterlab-myst keeps them in user_expressions) and shown:
# a role not filled shows as its name in code type, or as the {eval} text
FILLED = f"""(() => {{
  const p = {PANEL};
  return p.content.widgets.filter(c => c.model.type === 'markdown').every(c => {{
    const roles = [...c.model.sharedModel.getSource().matchAll(/\\{{eval\\}}`([^`]*)`/g)].map(m => m[1]);
    const kept = (c.model.getMetadata('user_expressions') || []).map(e => e.expression);
    const raw = [...c.node.querySelectorAll('code')].map(e => e.textContent);
    return roles.every(r => kept.includes(r) && !raw.includes(r)) && !c.node.innerText.includes('{{eval}}');
  }});
}})()"""
READ_PROSE = f"""(() => {{
  const p = {PANEL};
  return p.content.widgets.filter(c => c.model.type === 'markdown')
    .map(c => (c.node.querySelector('.jp-RenderedMySTMarkdown, .myst, .jp-RenderedMarkdown') || c.node).innerText);
}})()"""
# every cell that draws a chart, and what its output shows: an image that loaded, with its alt text
CHARTS = f"""(() => {{
  const p = {PANEL};
  return p.content.widgets
    .filter(c => c.model.type === 'code' && /trend_chart\\(/.test(c.model.sharedModel.getSource()))
    .map(c => {{
      const images = [...c.node.querySelectorAll('.jp-OutputArea img, .jp-OutputArea svg')];
      const shown = images.filter(i => i.tagName.toLowerCase() === 'svg' ||
                                       (i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0));
      return {{source: c.model.sharedModel.getSource().slice(0, 90), images: images.length,
              shown: shown.length, alt: shown.map(i => i.getAttribute('alt') || '').join(' | '),
              text: c.node.querySelector('.jp-OutputArea') ? c.node.querySelector('.jp-OutputArea').innerText : ''}};
    }});
}})()"""
TYPE_AND_RUN_ONCE = f"""(async () => {{
  const app = window.jupyterapp, p = {PANEL}, nb = p.content;
  nb.activeCellIndex = nb.widgets.length - 1;
  await app.commands.execute('notebook:insert-cell-above');
  await app.commands.execute('notebook:change-cell-to-markdown');
  nb.activeCell.model.sharedModel.setSource({json.dumps(TYPED)});
  const index = nb.activeCellIndex;
  await app.commands.execute('notebook:run-cell-and-select-next');
  return index;
}})()"""
TYPED_CELL = f"""(index => {{
  const c = {PANEL}.content.widgets[index];
  const shown = c.node.querySelector('.jp-RenderedMySTMarkdown, .myst, .jp-RenderedMarkdown');
  const box = c.node.querySelector('.cswo-messages');
  return {{text: shown ? shown.innerText : '', messages: box ? box.innerText : ''}};
}})"""
DELETE_CELL = f"""(index => {{
  const p = {PANEL}; p.content.activeCellIndex = index;
  return window.jupyterapp.commands.execute('notebook:delete-cell').then(() => true);
}})"""
FIRST_CHART = """(() => { const f = document.querySelector('.cswo-chart');
  if (f) f.closest('.jp-Cell').scrollIntoView(); return !!f; })()"""
TYPED_IN_VIEW = f"""(index => {{ {PANEL}.content.widgets[index - 1].node.scrollIntoView(); return true; }})"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def track_with_git(root: Path) -> None:
    """The copy as a repository with the project's git filters, everything committed."""
    for name in (".gitattributes", ".gitignore"):
        shutil.copy2(ROOT / name, root / name)
    git(root, "init", "-q")
    subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "git-filters", f"BIN={Path(sys.executable).parent}"],
                   cwd=root, check=True)  # fmt: skip
    git(root, "add", "-A")
    git(root, "-c", "user.name=lab check", "-c", "user.email=lab@check", "commit", "-q", "-m", "before")


def end_sessions(base: str) -> None:
    """Shut down the section's kernel before the next one opens (as closing its tab does)."""
    for session in json.load(urllib.request.urlopen(f"{base}/api/sessions?token={TOKEN}")):
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={TOKEN}", method="DELETE")
        urllib.request.urlopen(request)


def chart_problems(section: str, charts: list[dict]) -> list[str]:
    problems = []
    for chart in charts:
        if not chart["shown"]:
            shows = f"{chart['images']} broken image(s)" if chart["images"] else "no image"
            problems.append(f"{section}: chart not visible ({shows}; output reads {chart['text'][:80]!r}): "
                            f"{chart['source']}")  # fmt: skip
        elif len(chart["alt"]) < 40:
            problems.append(f"{section}: chart without alt text: {chart['source']}")
    return problems


def typed_role_problems(browser: Browser) -> list[str]:
    """Type a role, a misspelt role and a number into a new cell; run it once, as Shift+Enter does."""
    index = browser.evaluate(TYPE_AND_RUN_ONCE)
    wanted = f"{TYPED_CELL}({index})"
    try:
        browser.until(f"(() => {{ const c = {wanted}; return c.messages.includes('did you mean') && "
                      "/Typed in the lab: [0-9]/.test(c.text); })()", "the typed cell to fill", 60)  # fmt: skip
    except CheckFailed:
        pass  # reported below, with what the cell shows
    cell = browser.evaluate(wanted)
    problems = []
    if not re.match(r"Typed in the lab: [0-9][0-9,]* complaints", cell["text"]):
        problems.append(f"{TYPED_IN}: a role typed and run once is not filled: {cell['text']!r}")
    expected = [
        "{eval}`complaints.compard` is not a figure this section registers; did you mean {eval}`complaints.compared`?",
        "number(s) typed into the narrative (17)",
    ]
    problems += [f"{TYPED_IN}: the lab does not say under the cell: {e} (it says {cell['messages']!r})"
                 for e in expected if e not in cell["messages"]]  # fmt: skip
    return problems, index


def check_section(browser: Browser, base: str, year: str, section: str, shots: Path) -> tuple[list[str], list[str]]:
    """Run All, charts, the typed role (in one section), save. Returns (problems, paragraphs shown)."""
    browser.open(f"{base}/lab/tree/notebooks/{year}/{section}.ipynb?reset&token={TOKEN}")
    browser.until(READY, f"{section} to open with its kernel", 240)
    problems = [] if browser.evaluate(EXTENSION) else [f"{section}: the cswo-lab extension is not running"]
    problems += [f"{section}: the Jupytext front end is loaded ({id}); `cswo lab` switches it off"
                 for id in browser.evaluate(JUPYTEXT_MENU)]  # fmt: skip
    browser.evaluate(RUN_ALL)  # resolves when the last cell has run, as the Run menu's "Run All Cells"
    try:
        browser.until(FILLED, f"every role in {section} to be filled", 90)
    except CheckFailed as error:
        problems.append(f"{section}: {error}")
    problems += chart_problems(section, browser.evaluate(CHARTS))
    prose = browser.evaluate(READ_PROSE) or []
    if section == TYPED_IN:
        found, index = typed_role_problems(browser)
        problems += found
    if section in SCREENSHOTS:
        browser.evaluate(f"{TYPED_IN_VIEW}({index})" if section == TYPED_IN else FIRST_CHART)
        time.sleep(1)
        print(f"  screenshot: {browser.screenshot(shots / f'{section}.png')}")
    if section == TYPED_IN:
        browser.evaluate(f"{DELETE_CELL}({index})")
    if not browser.evaluate(SAVE):
        problems.append(f"{section}: the lab could not save the notebook")
    return problems, prose


def paper_text(project: Project, year: str, documents) -> str:
    footer = f"{load_year(project, year).council.name} · "
    papers = [d.path for d in documents if d.kind == "committee paper" and d.path.suffix == ".pdf"]
    return squash(" ".join(without_running_lines(page, footer) for pdf in papers for page in page_texts(pdf)))


def without_running_lines(page: str, footer: str) -> str:
    """A page's text without its running lines (a draft's DRAFT mark at the top, the footer and page
    number at the foot), which fall inside any paragraph that runs over a page break."""
    lines = [line for line in page.splitlines() if line.strip()]
    if lines and lines[0].strip() == DRAFT:
        lines.pop(0)
    if lines and re.fullmatch(r"\s*Page \d+ of \d+\s*", lines[-1]):
        lines.pop()
        if lines and footer in lines[-1]:
            lines[-1] = lines[-1][: lines[-1].rindex(footer)]
    return "\n".join(lines)


def squash(text: str) -> str:
    """Text without spaces, hyphens or dashes (a PDF's line breaks add or drop these), quotes plain."""
    plain = " ".join(text.replace("\u00a0", " ").replace("\u00b6", "").split())
    plain = plain.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return re.sub(r"[\s\-\u2010\u2011\u2013\u00ad]", "", plain)


def prose_problems(shown: dict[str, list[str]], paper: str) -> list[str]:
    """Each paragraph the lab showed that does not read word for word in the papers."""
    problems = []
    for section, cells in shown.items():
        for paragraph in (" ".join(p.split()) for text in cells for p in text.split("\n")):
            if len(paragraph.split()) >= 6 and squash(paragraph) not in paper:
                words = paragraph.split()
                agree = next(n for n in range(len(words), -1, -1) if squash(" ".join(words[:n])) in paper)
                problems.append(f"{section}: the lab's text differs from the paper after: "
                                f"...{' '.join(words[max(0, agree - 8) : agree + 4])}")  # fmt: skip
    return problems


def built_papers(project: Project, year: str) -> tuple[list[str], str]:
    """`cswo build` (PDF) and `cswo preview`'s draft build on the notebooks the lab saved."""
    try:
        result = build(project, BuildOptions(year=year, formats=["pdf"]))
        build(project, preview_options(project, year))
    except CSWOError as error:
        return [f"after saving in the lab, the build refuses: {error}"], ""
    return [], paper_text(project, year, result.documents)


def run(year: str, sections: list[str] | None, shots: Path) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="cswo-lab-") as temp:
        project = Project(ROOT).copy_to(Path(temp) / "project")
        params = load_year(project, year)
        track_with_git(project.root)
        lab_port, chrome_port = free_port(), free_port()
        command, env = lab_command(project, year, project.year_notebooks(year), no_browser=True)
        command += [f"--ServerApp.port={lab_port}", f"--IdentityProvider.token={TOKEN}", "--expose-app-in-browser"]
        lab = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        chrome = start_chromium(chrome_port, Path(temp) / "chrome")
        problems, shown = [], {}
        try:
            base = f"http://127.0.0.1:{lab_port}"
            wait_for(f"{base}/api/status?token={TOKEN}")
            browser = Browser(chrome_port)
            for section in sections or [*params.sections, *params.appendix_notebooks()]:
                found, shown[section] = check_section(browser, base, year, section, shots)
                print(f"{section}: {'ok' if not found else f'{len(found)} problem(s)'}", flush=True)
                problems += found
                end_sessions(base)
        except CheckFailed as error:
            problems.append(str(error))
        finally:
            for process in (chrome, lab):
                process.terminate()
                process.wait(timeout=30)
        changed = git(project.root, "status", "--porcelain").splitlines()
        problems += [f"saving in the lab changed what git sees: {line}" for line in changed]
        refused, paper = built_papers(project, year)
        problems += refused or prose_problems(shown, paper)
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", default="2021-22")
    parser.add_argument("--sections", nargs="*", help="only these sections (default: all the year's)")
    parser.add_argument("--screenshots", type=Path, help="folder (default: outputs/.private/<year>/lab-check)")
    args = parser.parse_args()
    problems = run(args.year, args.sections, args.screenshots or Project(ROOT).private_dir(args.year) / "lab-check")
    print("\n".join(problems) or "In the lab every role filled, every chart showed with its alt text, a role typed "
          "and run once filled with validate's messages under it; saving changed nothing git sees; the build "
          "and the preview succeeded and every paragraph reads as in the papers.")  # fmt: skip
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
