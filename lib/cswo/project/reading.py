"""Reading the analyst's text files defensively: encodings, and YAML that cannot surprise.

UTF-8 (with or without a byte-order mark) is accepted; any other encoding is one
located error saying how to re-save the file. YAML duplicate keys are errors (PyYAML
would silently keep the last), and aliases are limited so a "billion laughs" file
fails at once instead of filling memory. An impossible date (2022-13-45) stays text,
so the schema reports it at its key rather than the YAML library raising.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from cswo.errors import InputError, UnreadableTextError, YAMLProblems

MAX_ALIASES = 100  # anchors reused more often than this are not a hand-written parameters file
MAX_NODES = 200_000  # nodes after expanding aliases; the shipped parameters have about 300

RESAVE = (
    "save it again as UTF-8 (in Notepad: File > Save as > Encoding: UTF-8; in VS Code: "
    "'Save with Encoding' > UTF-8; in Excel: 'CSV UTF-8')"
)


def decode(raw: bytes, label: str) -> str:
    """Text from UTF-8 bytes (a byte-order mark is dropped). Raises UnreadableTextError naming the line."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableTextError(label, f"the file is saved as UTF-16, not UTF-8: {RESAVE}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        rule = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read): {RESAVE}"
        raise UnreadableTextError(label, rule, line) from None
    if "\x00" in text:
        raise UnreadableTextError(label, f"the file holds NUL characters, so it is not plain UTF-8 text: {RESAVE}")
    return text


def read_text(path: Path, label: str | None = None) -> str:
    label = label or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    return decode(raw, label)


# libyaml's parser where PyYAML has it (about ten times faster than the pure-Python one); the
# checks below work on the composed nodes, so they are the same with either
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):
    """SafeLoader that reports duplicate keys and keeps impossible dates as text."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except (TypeError, yaml.constructor.ConstructorError):
                continue
            if key in seen:
                self.duplicates.append(
                    f"line {key_node.start_mark.line + 1}: key '{key}' appears twice in the same mapping "
                    f"(first on line {seen[key]}); delete one"
                )
            else:
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)  # the schema says why it is not a date, at its key


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_yaml_map)


def _expanded_size(node, memo: dict[int, int]) -> int:
    """Nodes the document holds once aliases are expanded (memoised, so cheap even for a bomb)."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # cycles count once
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        size = 1
    memo[id(node)] = min(size, MAX_NODES + 1)
    return memo[id(node)]


def _alias_problem(root) -> str | None:
    """More than MAX_ALIASES uses of anchored values: an alias is a second reference to a node."""
    seen: set[int] = set()
    uses, stack = 0, [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            uses += 1
            if uses > MAX_ALIASES:
                line = node.start_mark.line + 1
                return f"line {line}: more than {MAX_ALIASES} aliases (*name); write the values out instead"
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
    return None


def parse_yaml(text: str) -> object:
    """Parse YAML strictly. Raises YAMLProblems listing every duplicate key, or the syntax error's line."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        aliases = _alias_problem(node)
        if aliases:
            raise YAMLProblems([aliases])
        if _expanded_size(node, {}) > MAX_NODES:
            raise YAMLProblems(
                [
                    f"its aliases expand to more than {MAX_NODES:,} values; write repeated values out "
                    "instead of using *aliases"
                ]
            )
        value = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YAMLProblems([f"not valid YAML: {_yaml_reason(exc)}"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise YAMLProblems(sorted(loader.duplicates, key=lambda text: int(text.split(":")[0].split()[1])))
    return value


def load_yaml(text: str, label: str) -> object:
    """parse_yaml, with problems raised as one InputError naming the file."""
    try:
        return parse_yaml(text)
    except YAMLProblems as exc:
        raise InputError(f"{label}: " + "; ".join(exc.problems)) from None


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}".replace("\n", " ")


def read_yaml(path: Path, label: str | None = None) -> object:
    label = label or str(path)
    return load_yaml(read_text(path, label), label)


def string_values(text: str) -> list[tuple[int, str]]:
    """(line, text) of every string value written in YAML ``text``, by the 1-based line it starts on: a
    folded paragraph is one text however many lines it spans, and an alias is not read twice. Keys and
    comments are left out; empty when the text is not YAML (reading it reports that)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    found, seen, stack = [], set(), [] if root is None else [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            found.append((node.start_mark.line + 1, node.value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(value for _, value in node.value)
    return sorted(found)


def scalar_span(text: str, key: str) -> tuple[int, int] | None:
    """Where the string at dotted ``key`` (a list item as ``key[0]``) is written in YAML ``text``:
    (start, end) offsets of its scalar, or None when the key is not a string written there."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        if isinstance(node, yaml.SequenceNode) and part.startswith("["):
            index = int(part[1:-1])
            node = node.value[index] if index < len(node.value) else None
        elif isinstance(node, yaml.MappingNode):
            node = next((value for name, value in node.value if name.value == part), None)
        else:
            node = None
        if node is None:
            return None
    if not isinstance(node, yaml.ScalarNode):
        return None
    return node.start_mark.index, node.end_mark.index
