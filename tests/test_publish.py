"""Publishing swaps the year's set in one step; the old set stays until the new one is in place."""

from __future__ import annotations

import os

from cswo.publish import release as publish


def _stage(outputs, published, files):
    staging = publish.prepare_staging(outputs / ".staging" / published.name, published, [])
    for name, text in files.items():
        (staging / name).write_text(text)
    return staging


def test_publish_switches_a_link_and_removes_the_previous_set(tmp_path):
    outputs = tmp_path / "outputs"
    published = outputs / "2021-22"
    publish.publish(_stage(outputs, published, {"a.txt": "first"}), published)
    first = os.path.realpath(published)
    publish.publish(_stage(outputs, published, {"b.txt": "second"}), published)
    assert published.is_symlink() and sorted(p.name for p in published.iterdir()) == ["b.txt"]
    assert not os.path.exists(first)
    assert [p.name for p in outputs.iterdir() if p.name.startswith(".2021-22")] == []


def test_a_real_folder_from_an_older_version_is_exchanged(tmp_path):
    outputs = tmp_path / "outputs"
    published = outputs / "2021-22"
    published.mkdir(parents=True)
    (published / "old.txt").write_text("old")
    staging = publish.prepare_staging(outputs / ".staging" / "2021-22", published, ["old.txt"])
    (staging / "new.txt").write_text("new")
    publish.publish(staging, published)
    assert published.is_symlink() and sorted(p.name for p in published.iterdir()) == ["new.txt", "old.txt"]


def test_a_build_killed_between_rename_and_switch_leaves_the_old_set(tmp_path):
    outputs = tmp_path / "outputs"
    published = outputs / "2021-22"
    publish.publish(_stage(outputs, published, {"a.txt": "old"}), published)
    # the kill point: the new set renamed into .releases, the link not yet switched
    staging = _stage(outputs, published, {"a.txt": "new"})
    staging.rename(publish.releases_dir(published) / "99999999-unlinked")
    assert (published / "a.txt").read_text() == "old"
    publish.publish(_stage(outputs, published, {"a.txt": "newer"}), published)
    assert (published / "a.txt").read_text() == "newer"
    assert len(list(publish.releases_dir(published).iterdir())) == 1


def test_a_missing_link_is_restored_from_the_newest_release(tmp_path):
    outputs = tmp_path / "outputs"
    published = outputs / "2021-22"
    publish.publish(_stage(outputs, published, {"a.txt": "kept"}), published)
    published.unlink()
    publish.recover(published)
    assert (published / "a.txt").read_text() == "kept"
