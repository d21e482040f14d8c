"""The package is the engine: no file in lib/ names the reference council, its people or its papers."""

from __future__ import annotations

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


def package_files() -> list:
    return [p for p in LIB.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def test_no_package_file_names_the_reference_council():
    names = reference_names()
    assert len(names) >= 6  # the council, its area, board, CSWO, signatories and report numbers
    found = []
    for path in package_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{path.relative_to(ROOT)}: {name}" for name in sorted(names) if name in text]
    assert found == []


def test_the_check_finds_a_name(tmp_path):
    """The scan above can fail: a file naming the council is caught."""
    planted = tmp_path / "planted.yml"
    planted.write_text("description: Visits in Dundee.\n", encoding="utf-8")
    assert any(name in planted.read_text(encoding="utf-8") for name in reference_names())
