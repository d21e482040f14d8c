"""Each distinct part of the papers converted by pandoc once, however many papers carry it.

The annual report's sections are the same in every committee paper and in the annual report on
its own. Each section's markdown (a *part*) is converted once per format: to Typst for the PDF,
to pandoc's document tree (JSON) for Word. A paper's own markdown (cover, contents, chapter
titles, other appendices) is converted with a placeholder paragraph where each part goes, and
the part's converted text is put in its place. Converted parts are kept in memory (a running
``cswo preview``) and on disk (the next build), keyed by their markdown, the figures beside them,
the library (its Lua filter) and the tools: a prose edit re-converts the one section it changed.

Parts missing from the cache are converted together in one pandoc run, each after a marker
paragraph at which the output is split again. A paper's own text (with the placeholders) is kept
the same way, so a prose edit converts only the section it changed.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from pathlib import Path

from cswo.cache import keys

PAPER = "paper"  # kept papers' own texts are named <format>-paper-<key>
MARKER = "CSWOPART"  # a paragraph of one word: the marker (and placeholder) of a part
_MARKER_LINE = re.compile(rf"^{MARKER}([0-9a-f]{{16}})$", re.MULTILINE)
_ANY_MARKER = re.compile(rf"{MARKER}([0-9a-f]{{16}})\b")
_TABLE_LABEL = re.compile(r"cswo-table-(\d+)\b")
_MEMORY: dict[str, str] = {}  # format-key -> converted text, as kept on disk (a running preview)
_LOCK = threading.Lock()


def _tag(markdown: str) -> str:
    return keys.text_digest(markdown)[:16]


class PartConverter:
    """The converted parts of one build's papers, in one format (``typst`` or ``json``).

    ``convert(markdown, fmt)`` runs pandoc on a markdown text and returns its output text (the
    Lua filter applied for Typst; the plain document tree for JSON). ``folder`` keeps converted
    parts between builds (None: memory only). ``shared`` is what every part's key includes.
    """

    def __init__(self, convert: Callable[[str, str], str], folder: Path | None, shared: dict) -> None:
        self._convert, self._folder, self._shared = convert, folder, shared
        self._lock = threading.Lock()
        self.converted = 0  # parts this build had pandoc convert (the others were kept)
        self._used: set[str] = set()

    @property
    def meta(self) -> dict:
        """The metadata every part is converted with (what the guard filter reads)."""
        return dict(self._shared.get("meta", {}))

    def split(self, markdown: str, parts: list[str]) -> tuple[str, list[str]]:
        """The markdown with each part that occurs in it once replaced by its placeholder paragraph,
        and those parts. A part that occurs more than once (or is blank) stays where it is."""
        found = []
        for part in dict.fromkeys(parts):
            if part.strip() and markdown.count(part) == 1:
                markdown = markdown.replace(part, f"\n\n{MARKER}{_tag(part)}\n\n")
                found.append(part)
        return markdown, found

    def typst(self, parts: list[str]) -> dict[str, str]:
        """Each part's Typst (tag -> text), converting only those not kept."""
        return self._get(parts, "typst", _typst_parts)

    def blocks(self, parts: list[str]) -> dict[str, list]:
        """Each part's blocks of pandoc's document tree (tag -> blocks), converting only those not kept."""
        return {tag: json.loads(text) for tag, text in self._get(parts, "json", _json_parts).items()}

    def _get(self, parts: list[str], fmt: str, split: Callable[[str], dict[str, str]]) -> dict[str, str]:
        wanted = {_tag(p): p for p in parts}
        with self._lock:  # one thread converts what is missing; the others wait for it
            found = {tag: self._kept(self._name(part, fmt)) for tag, part in wanted.items()}
            missing = [tag for tag, text in found.items() if text is None]
            if missing:
                joined = "\n\n".join(f"{MARKER}{tag}\n\n{wanted[tag]}\n" for tag in missing)
                for tag, text in split(self._convert(joined, fmt)).items():
                    if tag in wanted:
                        found[tag] = text
                        self._keep(self._name(wanted[tag], fmt), text)
                self.converted += len(missing)
        return found

    def paper(
        self, markdown: str, fmt: str, args: list[str], template: Path | None, convert: Callable[[str], str]
    ) -> str:
        """A paper's own text (cover, contents, a placeholder for each part) as ``convert`` makes it with
        pandoc's ``args`` and ``template``, kept as the parts are: a prose edit that leaves a paper's
        own text as it was converts none of it again. It is kept with its placeholders numbered in
        order (a placeholder names its part's text, which the edit changed)."""
        tags = list(dict.fromkeys(_ANY_MARKER.findall(markdown)))
        numbered = {tag: f"{n:016x}" for n, tag in enumerate(tags)}
        named = {number: tag for tag, number in numbered.items()}
        generic = _ANY_MARKER.sub(lambda m: MARKER + numbered[m.group(1)], markdown)
        name = f"{fmt}-{PAPER}-{keys.paper_text_key(generic, fmt, args, template, self._shared)}"
        self._used.add(name)
        text = self._kept(name)
        if text is None:
            text = convert(generic)
            self._keep(name, text)
        return _ANY_MARKER.sub(lambda m: MARKER + named.get(m.group(1), m.group(1)), text)

    def _name(self, part: str, fmt: str) -> str:
        """Where a converted part is kept: its format, then its key (:func:`cswo.cache.keys.part_key`)."""
        name = f"{fmt}-{keys.part_key(part, fmt, self._shared)}"
        self._used.add(name)
        return name

    def prune(self, every_paper: bool = True) -> None:
        """Forget the kept parts this build did not use (sections since edited or removed), in the
        formats it used: a preview (PDF only) keeps the parts the next Word paper takes. Papers' own
        texts are forgotten only by a build that wrote ``every_paper`` (a preview writes one)."""
        formats = {name.partition("-")[0] for name in self._used}

        def unused(name: str) -> bool:
            fmt, dash, rest = name.partition("-")
            if name in self._used or not (fmt in formats or not dash or name.startswith(".")):
                return False  # kept: used, or in a format this build did not write (an older layout goes)
            return every_paper or not rest.startswith(f"{PAPER}-")

        with _LOCK:  # a running preview keeps in memory what is kept on disk
            for name in [n for n in _MEMORY if unused(n)]:
                del _MEMORY[name]
        if self._folder is not None and self._folder.is_dir():
            for path in self._folder.iterdir():
                if unused(path.name):
                    path.unlink(missing_ok=True)

    def _kept(self, key: str) -> str | None:
        with _LOCK:
            if key in _MEMORY:
                return _MEMORY[key]
        if self._folder is not None:
            path = self._folder / key
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                with _LOCK:
                    _MEMORY[key] = text
                return text
        return None

    def _keep(self, key: str, text: str) -> None:
        with _LOCK:
            _MEMORY[key] = text
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)
            temporary = self._folder / f".{key}.tmp"
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(self._folder / key)


def _typst_parts(output: str) -> dict[str, str]:
    """Typst split at each part's marker line; each part's table labels made its own."""
    pieces = _MARKER_LINE.split(output)
    found = {}
    for tag, text in zip(pieces[1::2], pieces[2::2], strict=True):
        found[tag] = _TABLE_LABEL.sub(lambda m, t=tag: f"cswo-table-{t}-{m.group(1)}", text.strip("\n"))
    return found


def _json_parts(output: str) -> dict[str, str]:
    """pandoc's document tree split at each part's marker paragraph (tag -> the blocks as JSON)."""
    found: dict[str, list] = {}
    current = None
    for block in json.loads(output)["blocks"]:
        tag = _marker_of(block)
        if tag is not None:
            current = found.setdefault(tag, [])
        elif current is not None:
            current.append(block)
    return {tag: json.dumps(blocks) for tag, blocks in found.items()}


def _marker_of(block: dict) -> str | None:
    if block.get("t") == "Para" and len(block["c"]) == 1 and block["c"][0].get("t") == "Str":
        match = _MARKER_LINE.fullmatch(block["c"][0]["c"])
        return match.group(1) if match else None
    return None


def fill_typst(source: str, typst_parts: dict[str, str]) -> str:
    """A paper's Typst with each placeholder line replaced by its part's Typst."""
    return _MARKER_LINE.sub(lambda m: typst_parts[m.group(1)], source)


def fill_tree(tree: dict, blocks: dict[str, list]) -> dict:
    """A paper's document tree with each placeholder paragraph replaced by its part's blocks, and
    heading identifiers made unique across the parts as pandoc makes them in one document."""
    filled = []
    for block in tree["blocks"]:
        tag = _marker_of(block)
        filled += blocks[tag] if tag is not None else [block]
    tree["blocks"] = filled
    _unique_identifiers(filled, set())
    return tree


def _unique_identifiers(blocks: list, used: set[str]) -> None:
    for block in blocks:
        kind, content = block.get("t"), block.get("c")
        if kind == "Header":
            ident = content[1][0]
            if ident:
                unique, n = ident, 0
                while unique in used:
                    n += 1
                    unique = f"{ident}-{n}"
                content[1][0] = unique
                used.add(unique)
        elif kind in ("Div", "BlockQuote"):
            _unique_identifiers(content[1] if kind == "Div" else content, used)
