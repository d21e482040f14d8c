"""`cswo lab`: JupyterLab with jupyterlab-myst, one file per section, a stable kernel name."""

from __future__ import annotations

import json

from cswo.tools.lab import DISABLED, EXTENSION, KERNEL_DISPLAY_NAME, SAVE_HOOK, extension_status, lab_command
from cswo.tools.labsave import strip_for_saving
from support import REFERENCE_YEAR


def test_jupyterlab_myst_loads_in_the_installed_jupyterlab():
    status = extension_status()
    assert status is not None, f"{EXTENSION} is not installed"
    assert " enabled " in f" {status} " and status.split("(")[0].rstrip().endswith("OK"), status


def test_lab_hides_the_md_twins_and_offers_the_committed_kernel_name(project_copy):
    folder = project_copy.year_notebooks(REFERENCE_YEAR)
    command, env = lab_command(project_copy, REFERENCE_YEAR, folder, no_browser=True)
    globs = next(a for a in command if a.startswith("--ContentsManager.hide_globs="))
    assert "*.md" in json.loads(globs.split("=", 1)[1])
    assert f"--ServerApp.root_dir={project_copy.root}" in command and "--no-browser" in command
    assert "--LabApp.default_url=/lab/tree/notebooks/2021-22" in command
    data = env["JUPYTER_PATH"].split(":")[0]
    spec = json.loads((project_copy.outputs_dir / ".cache/jupyter/data/kernels/python3/kernel.json").read_text())
    assert data.endswith("data") and spec["display_name"] == KERNEL_DISPLAY_NAME
    for notebook in folder.glob("*.ipynb"):
        assert json.loads(notebook.read_text())["metadata"]["kernelspec"]["display_name"] == KERNEL_DISPLAY_NAME
    page = project_copy.outputs_dir / ".cache/jupyter/config/labconfig/page_config.json"
    assert json.loads(page.read_text())["disabledExtensions"] == {EXTENSION: False, "jupyterlab-jupytext": True}


def test_lab_saves_as_git_keeps_shuts_idle_kernels_and_leaves_out_the_jupytext_menu(project_copy):
    folder = project_copy.year_notebooks(REFERENCE_YEAR)
    command, _ = lab_command(project_copy, REFERENCE_YEAR, folder, no_browser=True)
    options = dict(a.split("=", 1) for a in command if a.startswith("--") and "=" in a)
    module, _, function = options["--ContentsManager.pre_save_hook"].rpartition(".")
    assert getattr(__import__(module, fromlist=[function]), function) is strip_for_saving
    assert SAVE_HOOK == options["--ContentsManager.pre_save_hook"]
    assert 0 < int(options["--MappingKernelManager.cull_idle_timeout"]) <= 3600
    settings = project_copy.outputs_dir / ".cache/jupyter/config/labconfig/default_setting_overrides.json"
    assert json.loads(settings.read_text())["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True
    assert "jupyterlab-jupytext" in DISABLED
