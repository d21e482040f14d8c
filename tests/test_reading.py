"""Defensive reading: encodings, duplicate YAML keys, alias bombs, impossible dates."""

from __future__ import annotations

import resource

import pytest

from cswo.errors import InputError
from cswo.project.reading import YAMLProblems, decode, parse_yaml, read_yaml, string_values


def test_utf8_with_and_without_bom_is_accepted():
    assert decode("a: £1\n".encode(), "x.yml") == "a: £1\n"
    assert decode("a: £1\n".encode("utf-8-sig"), "x.yml") == "a: £1\n"


@pytest.mark.parametrize(
    ("raw", "expect"),
    [("a: £1\n".encode("utf-16"), "UTF-16"), ("x: 1\nb: £1\n".encode("latin-1"), "line 2")],
    ids=["utf-16", "latin-1"],
)
def test_other_encodings_are_a_located_error_saying_how_to_resave(raw, expect):
    with pytest.raises(InputError) as error:
        decode(raw, "parameters/2021-22.yml")
    text = str(error.value)
    assert text.startswith("parameters/2021-22.yml") and expect in text and "save it again as UTF-8" in text


def test_duplicate_keys_are_reported_with_both_lines():
    with pytest.raises(YAMLProblems) as error:
        parse_yaml("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n")
    assert error.value.problems == [
        "line 4: key 'c' appears twice in the same mapping (first on line 3); delete one",
        "line 5: key 'a' appears twice in the same mapping (first on line 1); delete one",
    ]


def test_a_billion_laughs_file_fails_fast_in_little_memory():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(YAMLProblems) as error:
        parse_yaml("\n".join(levels) + "\n")
    assert "aliases" in error.value.problems[0]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


def test_an_impossible_date_stays_text_for_the_schema_to_locate():
    assert parse_yaml("meeting_date: 2022-13-45\nok: 2022-12-01\n")["meeting_date"] == "2022-13-45"
    assert str(parse_yaml("ok: 2022-12-01\n")["ok"]) == "2022-12-01"


def test_read_yaml_names_the_file(tmp_path):
    path = tmp_path / "_quarto.yml"
    path.write_text("format: [docx\n")
    with pytest.raises(InputError) as error:
        read_yaml(path, "_quarto.yml")
    assert str(error.value).startswith("_quarto.yml: not valid YAML: line ")


def test_string_values_are_whole_texts_at_the_line_they_start_without_keys_comments_or_repeats():
    text = (
        "a: &intro >-\n  one paragraph\n  over two lines  # a comment? no: part of the text\n"
        "b: [*intro, 3, plain]  # a comment\n"
        "c:\n  d: 'quoted'\n"
    )
    assert string_values(text) == [
        (1, "one paragraph over two lines  # a comment? no: part of the text"),
        (4, "plain"),
        (6, "quoted"),
    ]
    assert string_values("a: [unclosed") == []
