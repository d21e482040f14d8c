"""The package is the engine: no file in lib/ names the reference council, its people or its papers."""

from __future__ import annotations

import shutil

import yaml

from support import ROOT

LIB = ROOT / "lib"


def reference_names() -> set[str]:
    """Every name the reference project's parameters give that is the council's own."""
    params = yaml.safe_load((ROOT / "parameters" / "2021-22.yml").read_text(encoding="utf-8"))
    names = {"Dundee", "Tayside", params["council"]["name"], params["council"]["area"], params["cswo"]["name"]}
    names.add(params["council"]["nhs_board"])
    for committee in params["committees"].values():
        names.add(committee["report_number"])
        names.update(person["name"] for person in committee["signatories"])
    return {name for name in names if name}


def package_files(lib) -> list:
    return [p for p in lib.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def names_in(lib, names) -> list[str]:
    """'<file>: <name>' for every reference name a text file under ``lib`` holds."""
    found = []
    for path in package_files(lib):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{path.relative_to(lib).as_posix()}: {name}" for name in sorted(names) if name in text]
    return found


def test_no_package_file_names_the_reference_council():
    names = reference_names()
    assert len(names) >= 6  # the council, its area, board, CSWO, signatories and report numbers
    assert names_in(LIB, names) == []


def test_the_scan_finds_a_name_planted_in_the_package(tmp_path):
    """The scan above can fail: a copy of lib/ with the council named in one module is caught there, and
    only there."""
    lib = tmp_path / "lib"
    shutil.copytree(LIB, lib, ignore=shutil.ignore_patterns("__pycache__"))
    assert names_in(lib, reference_names()) == []
    council = yaml.safe_load((ROOT / "parameters" / "2021-22.yml").read_text(encoding="utf-8"))["council"]["name"]
    module = lib / "cswo" / "figures" / "vocabulary.py"
    module.write_text(module.read_text(encoding="utf-8") + f"\n# as {council} words it\n", encoding="utf-8")
    found = names_in(lib, reference_names())
    assert f"cswo/figures/vocabulary.py: {council}" in found
    assert {entry.split(": ")[0] for entry in found} == {"cswo/figures/vocabulary.py"}
