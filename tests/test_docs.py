"""The docs run: every command, snippet, key and link the README and docs/ show is real.

Every fenced block is run, loaded through the suite's own readers, marked as output (```text), or
exempt in the docs themselves with a reason (tests/doc_snippets.py says how). A renamed module, a
removed option or a key the docs leave out fails here, not in a council's first autumn.
"""

from __future__ import annotations

import ast
import importlib
import re
import shlex
from pathlib import Path

import pytest
from typer.main import get_command

from cswo.cli import app
from doc_snippets import DOCS, Reader, all_blocks, unaccounted, walkthroughs
from support import ROOT

INLINE = re.compile(r"(?<!`)`((?:\.venv/bin/)?cswo [^`]+)`(?!`)")


def blocks(language: str) -> list[tuple[Path, str]]:
    return [(block.page, block.body) for block in all_blocks() if block.language == language]


def cswo_commands() -> list[tuple[Path, list[str]]]:
    """Every `cswo` command line in a ```bash block, and every one quoted inline in the prose."""
    lines = [(path, line) for path, body in blocks("bash") for line in body.replace("\\\n", " ").splitlines()]
    lines += [(path, span.replace("\\|", "/")) for path in DOCS for span in INLINE.findall(path.read_text())]
    found = []
    for path, line in lines:
        line = line.split("#", 1)[0].strip()
        for part in re.split(r"&&|;|\|", line):
            words = shlex.split(part)
            for i, word in enumerate(words):
                if word == "cswo" or word.endswith("/cswo"):
                    found.append((path, words[i + 1 :]))
                    break
    return found


def test_the_docs_show_cswo_commands():
    assert len(cswo_commands()) >= 40


@pytest.mark.parametrize(("path", "words"), cswo_commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_every_cswo_command_in_the_docs_exists_with_its_options(path, words):
    command = get_command(app)
    context_words = list(words)
    while context_words and context_words[0] in getattr(command, "commands", {}):
        command = command.commands[context_words.pop(0)]
    named = f"{path.name}: `cswo {' '.join(words)}`"
    assert not (hasattr(command, "commands") and context_words), f"{named} names no command"
    options = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for word in (w.strip("[]") for w in context_words):
        if word.startswith("-"):
            assert word.split("=", 1)[0] in options, f"{path.name}: `cswo {' '.join(words)}`: no option {word}"


def python_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Attribute):
            dotted = ast.unparse(node)
            if dotted.startswith("cswo."):
                names.add(dotted)
    return {n for n in names if n.startswith("cswo")}


def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                try:
                    target = importlib.import_module(f"{target.__name__}.{attribute}")
                except (ImportError, AttributeError):
                    return False
            else:
                target = getattr(target, attribute)
        return True
    return False


def test_every_module_and_function_the_python_snippets_name_exists():
    snippets = blocks("python")
    assert snippets
    missing = [
        f"{path.name}: {name}" for path, body in snippets for name in sorted(python_names(body)) if not resolves(name)
    ]
    assert not missing, missing


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_every_relative_link_and_file_the_docs_point_to_exists():
    missing = []
    for path in DOCS:
        for target in LINK.findall(path.read_text()):
            if "://" not in target and not (path.parent / target).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {target}")
    for line in (ROOT / "catalogue.yml").read_text().splitlines():
        for target in re.findall(r"\b(docs/[\w.-]+\.md)\b", line):
            if not (ROOT / target).exists():
                missing.append(f"catalogue.yml -> {target}")
    assert not missing, missing


def test_every_block_in_the_docs_is_run_loaded_output_or_exempt_with_a_reason():
    found = all_blocks()
    assert len(found) > 20
    problems = [problem for block in found if (problem := unaccounted(block))]
    assert not problems, "\n".join(problems)


def test_exemptions_stay_few():
    exempt = [f"{block.where}: {block.exemption}" for block in all_blocks() if block.exemption]
    assert len(exempt) <= 5, exempt


WALKTHROUGHS = walkthroughs()


@pytest.mark.parametrize(
    "unit",
    [  # a walk-through with commands builds real documents (e2e); the rest read examples in seconds
        pytest.param(unit, marks=[pytest.mark.e2e] if any(b.language == "bash" for b in blocks) else [])
        for unit, blocks in sorted(WALKTHROUGHS.items())
    ],
)
def test_every_walkthrough_in_the_docs_runs_as_written(unit, tmp_path):
    """Each `##` section's blocks in order in one fresh project: commands run with their documented
    exit code, Python runs as a notebook cell does, YAML and CSV examples read through the suite."""
    reader = Reader(tmp_path)
    for block in WALKTHROUGHS[unit]:
        reader.exercise(block)
