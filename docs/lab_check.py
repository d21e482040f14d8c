"""Run All in a real JupyterLab, read what the analyst sees, and compare it with the paper.

    python docs/lab_check.py [--year 2021-22] [--screenshot complaints]

On a copy of the project (so nothing the analyst wrote is touched), it builds the year, starts
`cswo lab`'s JupyterLab (jupyterlab-myst enabled) and a headless Chromium driven over the DevTools
protocol. For each section notebook it clicks Run All (the `notebook:run-all-cells` command, as the
menu does), waits for the kernel, and reads every rendered markdown cell as the page shows it.
It reports, per section, the paragraphs still showing a raw role or an error, and those that do
not appear word for word in the committee papers' text. One screenshot goes to docs/images/.
Needs chromium and poppler (pdftotext); exits 1 if any paragraph is missing or unfilled.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

from cswo.pipeline.build import BuildOptions, build
from cswo.project.parameters import load_year
from cswo.project.paths import Project
from cswo.safeguards.pdftext import page_texts
from cswo.tools.lab import lab_command

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "cswo-lab-check"
READ_CELLS = """(() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-MarkdownCell')];
  return cells.map(c => (c.querySelector('.jp-RenderedMarkdown, .jp-RenderedMySTMarkdown, .myst') || c).innerText);
})()"""
READY = """(() => {
  const app = window.jupyterapp;
  const panel = app && [...app.shell.widgets('main')].find(w => w.sessionContext);
  return !!(panel && panel.sessionContext.isReady);
})()"""
TO_TOP = "document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => e.scrollTop = 0)"
SAVE = "window.jupyterapp.commands.execute('docmanager:save').then(() => 'saved')"
RUN_ALL = "window.jupyterapp.commands.execute('notebook:run-all-cells').then(done => String(done))"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


class Browser:
    """Just enough of the DevTools protocol: open a page, run JavaScript, take a screenshot."""

    def __init__(self, port: int) -> None:
        self.port, self.ids = port, 0
        target = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))[0]
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=120)

    def call(self, method: str, **params):
        self.ids += 1
        self.socket.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.ids:
                return message.get("result", {})

    def evaluate(self, expression: str):
        found = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return found.get("result", {}).get("value")

    def until(self, expression: str, wanted, seconds: float = 180):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value == wanted:
                return value
            time.sleep(0.5)
        raise SystemExit(f"timed out waiting for {wanted!r} (last: {value!r})")


def without_running_lines(page: str, footer: str) -> str:
    """A page's text without its footer ("<council> · <title> · <number>", then "Page 3 of 47"),
    which otherwise falls inside every paragraph that runs over a page break (pdftotext may join
    the footer to the page's last line, after a word hyphenated across the break)."""
    lines = [line for line in page.splitlines() if line.strip()]
    if lines and re.fullmatch(r"\s*Page \d+ of \d+\s*", lines[-1]):
        lines.pop()
        if lines and footer in lines[-1]:
            lines[-1] = lines[-1][: lines[-1].rindex(footer)]
    return "\n".join(lines)


def squash(text: str) -> str:
    """Text without spaces, hyphens or dashes (a PDF's line breaks add or drop these) and with plain
    quotes (pandoc curls a typed ' or ", the lab shows it as typed): the words stay."""
    plain = normal(text).translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return re.sub(r"[\s\-\u2010\u2011\u2013\u00ad]", "", plain)


def normal(text: str) -> str:
    """Spacing as words; the lab's heading anchors (¶) dropped."""
    return " ".join(text.replace("\u00a0", " ").replace("\u00b6", "").split())


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
    """Shut down the section's kernel before the next one opens (as closing its tab would)."""
    sessions = json.load(urllib.request.urlopen(f"{base}/api/sessions?token={TOKEN}"))
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={TOKEN}", method="DELETE")
        urllib.request.urlopen(request)


def check_section(browser: Browser, base: str, year: str, section: str, paper: str) -> list[str]:
    # ?reset: a fresh workspace, so only this notebook (and its kernel) is open
    browser.call("Page.navigate", url=f"{base}/lab/tree/notebooks/{year}/{section}.ipynb?reset&token={TOKEN}")
    browser.until(READY, True)
    browser.evaluate(RUN_ALL)  # resolves when the last cell has run, as the Run menu's "Run All Cells"
    time.sleep(1.5)  # jupyterlab-myst re-renders the markdown once the kernel answers the roles
    problems = []
    for text in browser.evaluate(READ_CELLS) or []:
        for paragraph in filter(None, (normal(p) for p in text.split("\n"))):
            if "{eval}" in paragraph or "NameError" in paragraph or "Error" in paragraph.split(" ")[0]:
                problems.append(f"{section}: not filled in the lab: {paragraph[:100]}")
            elif len(paragraph.split()) >= 6 and squash(paragraph) not in paper:
                words = paragraph.split()
                agree = next(n for n in range(len(words), -1, -1) if squash(" ".join(words[:n])) in paper)
                near = " ".join(words[max(0, agree - 8) : agree + 4])
                problems.append(f"{section}: differs from the paper after: ...{near}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", default="2021-22")
    parser.add_argument("--screenshot", default="complaints", help="the section to photograph")
    parser.add_argument("--sections", nargs="*", help="only these sections (default: all the year's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cswo-lab-") as temp:
        project = Project(ROOT).copy_to(Path(temp) / "project")
        params = load_year(project, args.year)
        result = build(project, BuildOptions(year=args.year, formats=["pdf"]))
        papers = [d.path for d in result.documents if d.kind == "committee paper"]
        footer = f"{params.council.name} · "
        paper = squash(" ".join(without_running_lines(page, footer) for pdf in papers for page in page_texts(pdf)))
        track_with_git(project.root)
        lab_port, chrome_port = free_port(), free_port()
        command, env = lab_command(project, args.year, project.year_notebooks(args.year), no_browser=True)
        command += [f"--ServerApp.port={lab_port}", f"--IdentityProvider.token={TOKEN}", "--expose-app-in-browser"]
        lab = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        chrome = subprocess.Popen(
            [shutil.which("chromium") or "chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
             f"--remote-debugging-port={chrome_port}", f"--user-data-dir={temp}/chrome",
             "--window-size=1400,1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{lab_port}"
            wait_for(f"{base}/api/status?token={TOKEN}")
            wait_for(f"http://127.0.0.1:{chrome_port}/json/version")
            browser = Browser(chrome_port)
            problems = []
            for section in args.sections or [*params.sections, *params.appendix_notebooks()]:
                found = check_section(browser, base, args.year, section, paper)
                print(f"{section}: {'ok' if not found else f'{len(found)} problem(s)'}", flush=True)
                problems += found
                if section == args.screenshot:
                    browser.evaluate(TO_TOP)
                    shot = browser.call("Page.captureScreenshot", format="png")["data"]
                    target = ROOT / "docs" / "images" / f"lab-{section}-{args.year}.png"
                    target.write_bytes(base64.b64decode(shot))
                    print(f"  screenshot: {target.relative_to(ROOT)}")
                browser.evaluate(SAVE)
                end_sessions(base)
        finally:
            for process in (chrome, lab):
                process.terminate()
                process.wait(timeout=30)
        changed = git(project.root, "status", "--porcelain").splitlines()
    problems += [f"saving in the lab changed what git sees: {line}" for line in changed]
    print(
        "\n".join(problems)
        or "Every paragraph in the lab is filled and appears word for word in the papers; "
        "saving every notebook after Run All changed nothing git sees."
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
