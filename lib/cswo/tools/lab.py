"""`cswo lab`: JupyterLab set up for writing a year's sections.

* jupyterlab-myst renders markdown cells, so each ``{eval}`` role shows its phrase once the
  section's set-up cell has run (it is enabled here even if a user setting disabled it).
* One file per section in the file browser: the ``.md`` twins jupytext keeps in step are hidden.
* Every cell is rendered, not only those on screen, so Run All fills every role.
* The suite's own extension (``labextension/cswo-lab``, plain JavaScript, no build step) fills a
  role on the first Shift+Enter and after a code cell runs (jupyterlab-myst alone needs a second
  run, its issue #175), and shows under each markdown cell what ``cswo validate`` says about it.
* The kernel is offered as "Python 3", the display name the committed notebooks carry, so a save
  in the lab does not rewrite every notebook's kernelspec.
* A save writes the notebook as git keeps it (:mod:`cswo.tools.labsave`): no outputs, the cell ids
  unchanged, so a saved notebook always builds and an unchanged one stays clean in ``git status``.
* Quiet: a notebook's kernel shuts down when its tab closes, a kernel left idle with no tab open is
  culled, and the Jupytext front end (whose menu fails to load in this JupyterLab) is switched off;
  ``cswo sync`` and the server still pair each notebook with its ``.md`` twin.

All of it lives in a folder under ``outputs/.cache/jupyter`` passed through environment
variables; nothing in the user's own Jupyter settings changes.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from cswo.project.paths import Project

KERNEL_NAME = "python3"
KERNEL_DISPLAY_NAME = "Python 3"  # as in every committed notebook's kernelspec
EXTENSION = "jupyterlab-myst"
DISABLED = ("jupyterlab-jupytext",)  # its front end fails in the browser (RUNTIME-012); the server pairs twins
SAVE_HOOK = "cswo.tools.labsave.strip_for_saving"
JUPYTEXT = {  # as [tool.jupytext] in the suite's pyproject.toml: no version lines, no {eval} results
    "notebook_metadata_filter": "-jupytext.text_representation.jupytext_version,"
    "-jupytext.text_representation.format_version",
    "cell_metadata_filter": "-user_expressions",
}
# prebuilt, plain JavaScript: fills a role on the first Shift+Enter, shows validate's messages per cell
LAB_EXTENSION = Path(__file__).parent / "labextension" / "cswo-lab"
IDLE_KERNEL_SECONDS = 20 * 60  # a kernel holds ~300 MiB: one with no tab open is shut down after this
# Defaults for this lab only (a user's own settings still win):
# - every cell rendered, not only those in view ("full" windowing), so jupyterlab-myst fills the
#   roles of every markdown cell on Run All, not just those on screen;
# - no prompt to fetch Jupyter news (the lab may have no internet).
SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none", "kernelShutdown": True},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
}
# jupyter_server's defaults, plus the jupytext twins
HIDE_GLOBS = [
    "__pycache__",
    "*.pyc",
    "*.pyo",
    ".DS_Store",
    "*~",
    "*.md",
    ".git",
    ".venv",
    ".cache",
    ".ipynb_checkpoints",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
]


def jupyter_folder(project: Project) -> Path:
    """Write the kernelspec and lab settings `cswo lab` uses; return their folder."""
    folder = project.shared_cache_dir / "jupyter"
    kernel = folder / "data" / "kernels" / KERNEL_NAME
    kernel.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
    }
    (kernel / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    labconfig = folder / "config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    page = {"disabledExtensions": {EXTENSION: False, **dict.fromkeys(DISABLED, True)}}
    (labconfig / "page_config.json").write_text(json.dumps(page, indent=1), encoding="utf-8")
    (labconfig / "default_setting_overrides.json").write_text(json.dumps(SETTINGS, indent=1), encoding="utf-8")
    # the suite's own lab extension, found on the labextensions path (a copy: the package may be read-only)
    shutil.copytree(LAB_EXTENSION, folder / "data" / "labextensions" / LAB_EXTENSION.name, dirs_exist_ok=True)
    return folder


def lab_command(project: Project, year: str, folder: Path, no_browser: bool = False) -> tuple[list[str], dict]:
    """The JupyterLab command line and environment for a year's notebooks."""
    jupyter = jupyter_folder(project)
    env = {
        **os.environ,
        "CSWO_PROJECT": str(project.root),
        "CSWO_YEAR": year,
        "JUPYTER_PATH": os.pathsep.join(filter(None, [str(jupyter / "data"), os.environ.get("JUPYTER_PATH")])),
        "JUPYTER_CONFIG_PATH": os.pathsep.join(
            filter(None, [str(jupyter / "config"), os.environ.get("JUPYTER_CONFIG_PATH")])
        ),
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        # rooted at the project and opened at the year's notebooks, so a failed build's notebook
        # (outputs/.private/<year>/failed/) opens in the same lab; hidden folders may be opened for
        # that, while the tool folders stay out of the file browser
        f"--ServerApp.root_dir={project.root}",
        f"--LabApp.default_url=/lab/tree/{folder.relative_to(project.root).as_posix()}",
        "--ContentsManager.allow_hidden=True",
        f"--ContentsManager.hide_globs={json.dumps(HIDE_GLOBS)}",
        f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
        f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}",
        "--MappingKernelManager.cull_interval=60",
        f"--ContentsManager.pre_save_hook={SAVE_HOOK}",
        # the .md twins as `make sync` writes them, in a project with no jupytext configuration of its own
        *(f"--ContentsManager.{key}={value}" for key, value in JUPYTEXT.items()),
    ]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    return command, env


def extension_status() -> str | None:
    """jupyterlab-myst's line from `jupyter labextension list` ("... enabled OK"), or None if absent."""
    import re
    import subprocess

    listed = subprocess.run(
        [sys.executable, "-m", "jupyterlab.labextensions", "list"], capture_output=True, text=True, timeout=120
    )
    plain = re.sub(r"\x1b\[[0-9;]*m", "", listed.stdout + listed.stderr)
    return next((line.strip() for line in plain.splitlines() if line.strip().startswith(EXTENSION + " ")), None)
