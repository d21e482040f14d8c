"""The code passes the same lint everyone runs (`make lint`, the pre-commit hook)."""

import shutil
import subprocess
import sys
from pathlib import Path

from support import ROOT


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    result = subprocess.run([ruff, "check", "lib", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
