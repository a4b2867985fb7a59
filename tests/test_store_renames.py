"""The codebook's record of renames and merges, and the store reading annotations through it
(reader/store/renames.py): two branches merged file by file, as git's driver would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reader.store import AnnotationStore
from reader.store.renames import Rename, RenameMap, merged
from reader.teams.merge3 import MergeRefused, merge_codebook, merge_document

DOC, OTHER = "doc.txt", "other.txt"
TEXT = "".join(f"word{i} " for i in range(200))
SHA = "0" * 64


def span(store: AnnotationStore, i: int, tags, doc: str = DOC):
    return store.add(doc, TEXT, SHA, i * 6, i * 6 + 5, tags)


def branches(tmp_path: Path, seed) -> tuple[Path, Path, Path]:
    base = tmp_path / "base"
    seed(AnnotationStore(base, creator="lead"))
    for name in ("ours", "theirs"):
        shutil.copytree(base, tmp_path / name)
    return base, tmp_path / "ours", tmp_path / "theirs"


def file_of(folder: Path, doc: str) -> bytes:
    path = AnnotationStore(folder).path_of(doc) if doc != "codebook.json" else folder / doc
    return path.read_bytes() if path.exists() else b""


def git_merge(base: Path, ours: Path, theirs: Path, into: Path, reverse: bool = False) -> AnnotationStore:
    """What git and the driver leave: every file merged on its own (`reverse`: theirs merges ours)."""
    if reverse:
        ours, theirs = theirs, ours
    shutil.copytree(ours, into)
    docs = {p.relative_to(d / "docs") for d in (base, ours, theirs) for p in (d / "docs").rglob("*.json")}
    for rel in sorted(docs):
        b, o, t = (
            (d / "docs" / rel).read_bytes() if (d / "docs" / rel).exists() else b"" for d in (base, ours, theirs)
        )
        target = into / "docs" / rel
        if o == t or t == b:
            continue
        if o == b:
            target.parent.mkdir(parents=True, exist_ok=True)
            if t:
                target.write_bytes(t)
            else:
                target.unlink()
            continue
        result = merge_document(b, o, t)
        target.write_bytes(result.data)
    b, o, t = (file_of(d, "codebook.json") for d in (base, ours, theirs))
    if o != t and t != b:
        (into / "codebook.json").write_bytes(t if o == b else merge_codebook(b, o, t))
    return AnnotationStore(into, creator="cy")


def tags_of(store: AnnotationStore) -> list[tuple[str, ...]]:
    return sorted(a.tags for a in store.annotations())


@pytest.mark.parametrize("reverse", [False, True])
def test_a_rename_on_one_side_renames_the_other_sides_new_annotations(tmp_path, reverse):
    base, ours, theirs = branches(tmp_path, lambda s: (span(s, 0, ["x"]), span(s, 0, ["keep"], OTHER)))
    AnnotationStore(ours, creator="ann").rename_tag("x", "y")
    bob = AnnotationStore(theirs, creator="bob")
    span(bob, 1, ["x"])  # in the file the rename changed
    span(bob, 2, ["x/sub", "keep"], OTHER)  # in a file the rename did not touch
    store = git_merge(base, ours, theirs, tmp_path / "merged", reverse)
    assert tags_of(store) == [("keep",), ("y",), ("y",), ("y/sub", "keep")]
    assert [t.name for t in store.tags()] == ["keep", "y", "y/sub"]
    assert store.tag_counts() == {"keep": 2, "y": 2, "y/sub": 1}
    assert [a.tags for a in store.annotations(tag="y")] == [("y",), ("y",), ("y/sub", "keep")]
    # the next write of a file writes the new names
    store.edit(store.annotations(OTHER, tag="keep")[0].id, note="n")
    written = json.loads(store.path_of(OTHER).read_text())
    assert sorted(tuple(a["tags"]) for a in written["annotations"]) == [("keep",), ("y/sub", "keep")]


def test_chains_follow_and_a_rename_back_drops_the_old_entry(tmp_path):
    base, ours, theirs = branches(tmp_path, lambda s: span(s, 0, ["x"]))
    ann = AnnotationStore(ours, creator="ann")
    ann.rename_tag("x", "y")
    ann.rename_tag("y", "z")
    span(AnnotationStore(theirs, creator="bob"), 1, ["x"])
    store = git_merge(base, ours, theirs, tmp_path / "merged")
    assert tags_of(store) == [("z",), ("z",)]
    store.rename_tag("z", "x")  # back: x is a tag again, and nothing reads as anything else
    record = json.loads((tmp_path / "merged" / "codebook.json").read_text())["renames"]
    assert [(r["from"], r["to"]) for r in record] == [("x", "y"), ("y", "z"), ("z", "x")][1:]
    assert tags_of(AnnotationStore(tmp_path / "merged")) == [("x",), ("x",)]


def test_a_rename_to_a_descendant_of_itself_reads_once():
    record = RenameMap((Rename("t1", "place", "place/city"),))
    assert record.tag("place") == "place/city" and record.tag("place/city") == "place/city"
    assert record.tag("place/x") == "place/city/x" and not record.conflicts


def test_renamed_to_different_names_on_both_sides_is_refused_by_the_codebook_driver(tmp_path):
    base, ours, theirs = branches(tmp_path, lambda s: span(s, 0, ["x"]))
    AnnotationStore(ours, creator="ann").rename_tag("x", "y")
    AnnotationStore(theirs, creator="bob").rename_tag("x", "z")
    with pytest.raises(MergeRefused, match="tag x was renamed to y and to z"):
        merge_codebook(*(file_of(d, "codebook.json") for d in (base, ours, theirs)))
    # a record committed with both anyway maps neither: both names stay as written
    record = RenameMap(merged((), (Rename("1", "x", "y"),), (Rename("2", "x", "z"),)))
    assert record.tag("x") == "x" and record.conflicts


def test_merges_into_each_other_on_both_sides_are_a_circle_refused(tmp_path):
    base, ours, theirs = branches(tmp_path, lambda s: (span(s, 0, ["x"]), span(s, 1, ["y"])))
    AnnotationStore(ours, creator="ann").merge_tags(["x"], "y")
    AnnotationStore(theirs, creator="bob").merge_tags(["y"], "x")
    with pytest.raises(MergeRefused, match="circle"):
        merge_codebook(*(file_of(d, "codebook.json") for d in (base, ours, theirs)))


@pytest.mark.parametrize("reverse", [False, True])
def test_a_merge_of_tags_on_one_side_applies_to_the_other_sides_annotations(tmp_path, reverse):
    base, ours, theirs = branches(tmp_path, lambda s: (span(s, 0, ["x"]), span(s, 1, ["y"]), span(s, 2, ["x/a"])))
    AnnotationStore(ours, creator="ann").merge_tags(["x"], "y")
    bob = AnnotationStore(theirs, creator="bob")
    span(bob, 3, ["x"], OTHER)
    span(bob, 4, ["x/a"], OTHER)
    store = git_merge(base, ours, theirs, tmp_path / "merged", reverse)
    assert tags_of(store) == [("x/a",), ("x/a",), ("y",), ("y",), ("y",)]  # a merge is that exact tag
    assert [t.name for t in store.codebook()] == ["x/a", "y"]


def test_a_side_editing_the_renamed_tag_merges_under_the_new_name(tmp_path):
    base, ours, theirs = branches(tmp_path, lambda s: span(s, 0, ["x"]))
    AnnotationStore(ours, creator="ann").rename_tag("x", "y")
    AnnotationStore(theirs, creator="bob").set_tag("x", color="#ff0000", description="a red x")
    store = git_merge(base, ours, theirs, tmp_path / "merged")
    (tag,) = store.codebook()
    assert (tag.name, tag.color, tag.description) == ("y", "#ff0000", "a red x")


def test_a_rename_on_one_side_and_a_deletion_on_the_other_loses_no_annotation(tmp_path):
    base, ours, theirs = branches(tmp_path, lambda s: (span(s, 0, ["x", "k"]), span(s, 1, ["x"])))
    AnnotationStore(ours, creator="ann").rename_tag("x", "y")
    AnnotationStore(theirs, creator="bob").delete_tag("x", on_use="remove")
    store = git_merge(base, ours, theirs, tmp_path / "merged")
    assert len(store.annotations()) == 2  # both sides changed both: kept, as listed conflicts
    assert {c.id for c in store.conflicts()} == {a.id for a in store.annotations()}
    assert "x" not in {t.name for t in store.codebook()}


def test_undo_of_a_rename_takes_its_entry_back(tmp_path):
    store = AnnotationStore(tmp_path / "a", creator="ann")
    span(store, 0, ["x"])
    before = (tmp_path / "a" / "codebook.json").read_bytes()
    store.rename_tag("x", "y")
    assert "renames" in json.loads((tmp_path / "a" / "codebook.json").read_text())
    store.undo()
    assert (tmp_path / "a" / "codebook.json").read_bytes() == before
    store.redo()
    assert [a.tags for a in AnnotationStore(tmp_path / "a").annotations()] == [("y",)]


def test_the_old_name_is_an_alias_tagging_tags_the_new_one_and_is_no_tag_of_its_own(tmp_path):
    store = AnnotationStore(tmp_path / "a", creator="ann")
    span(store, 0, ["x"])
    store.rename_tag("x", "y")
    assert span(store, 1, ["x", "y"]).tags == ("y",)
    ann = span(store, 2, ["k"])
    assert store.edit(ann.id, tags=["x/sub"]).tags == ("y/sub",)
    with pytest.raises(ValueError, match="renamed to 'y'"):
        store.set_tag("x", color="#00ff00")
    assert "x" not in {t.name for t in store.tags()}


def test_files_without_a_rename_are_written_as_before(tmp_path):
    store = AnnotationStore(tmp_path / "a", creator="ann")
    span(store, 0, ["x"])
    store.set_tag("x", color="#123456")
    store.delete_tag("x", on_use="remove")
    obj = json.loads((tmp_path / "a" / "codebook.json").read_text())
    assert set(obj) == {"format_version", "tags"}  # no record: no field


def test_a_record_another_process_changes_is_read_again_and_the_summaries_follow(tmp_path):
    """A pull brings the record: files already read (and summaries made under the old record)
    are read again through the new one."""
    base, ours, theirs = branches(tmp_path, lambda s: span(s, 0, ["x"]))
    AnnotationStore(ours, creator="ann").rename_tag("x", "y")
    span(AnnotationStore(theirs, creator="bob"), 1, ["x"], OTHER)
    summary = tmp_path / "summary.json"
    reader_of_theirs = AnnotationStore(theirs, creator="bob", summary=summary)
    reader_of_theirs.load_all()
    assert reader_of_theirs.tag_counts() == {"x": 2}
    shutil.copy(ours / "codebook.json", theirs / "codebook.json")  # the pull, codebook first
    assert set(reader_of_theirs.refresh()) >= {OTHER}
    assert reader_of_theirs.tag_counts() == {"y": 2}
    assert AnnotationStore(theirs, summary=summary).tag_counts() == {"y": 2}


def test_a_codebook_with_a_record_says_a_version_older_readers_refuse_and_ours_keep_it(tmp_path):
    """A reader without the record would drop it when it rewrote the codebook: a codebook that
    carries one is format_version 2, which every reader of version 1 refuses (and so never
    rewrites); one without stays version 1. Every path of ours that rewrites it keeps the record."""
    from reader.store.records import FORMAT_VERSION, parse_doc

    folder = tmp_path / "p"
    store = AnnotationStore(folder, creator="ann")
    span(store, 0, ["x"])
    span(store, 1, ["other"])
    codebook = folder / "codebook.json"
    assert json.loads(codebook.read_text())["format_version"] == 1
    store.rename_tag("x", "y")
    on_disk = json.loads(codebook.read_text())
    assert on_disk["format_version"] == 2 and [r["from"] for r in on_disk["renames"]] == ["x"]
    # what a version-1 reader does with it (its check is the one documents still use)
    old_reader = parse_doc(DOC, codebook, codebook.read_bytes(), (0, 0, "s"))
    assert f"format_version 2 is newer than this version of reader supports ({FORMAT_VERSION})" in str(
        old_reader.problem
    )
    # our own rewrites keep it: a colour change, a new tag, a delete, save, undo of another step
    AnnotationStore(folder, creator="ann").set_tag("y", color="#112233")
    AnnotationStore(folder, creator="ann").set_tag("new")
    again = AnnotationStore(folder, creator="ann")
    again.delete_tag("new")
    again.set_tag("other", description="d")
    again.undo()
    assert again.save() == 0
    kept = json.loads(codebook.read_text())
    assert kept["format_version"] == 2 and [r["from"] for r in kept["renames"]] == ["x"]
    assert AnnotationStore(folder).problems == []
    # without a record (a new project's), the codebook stays version 1, byte for byte as before
    plain = AnnotationStore(tmp_path / "plain", creator="ann")
    span(plain, 0, ["x"])
    plain.set_tag("x", color="#112233")
    assert json.loads((tmp_path / "plain" / "codebook.json").read_text())["format_version"] == 1


def test_a_version_one_codebook_with_a_record_is_read_and_rewritten_as_version_two(tmp_path):
    """The record was first written under format_version 1 (a few hours of main): still read."""
    folder = tmp_path / "p"
    store = AnnotationStore(folder, creator="ann")
    span(store, 0, ["x"])
    store.rename_tag("x", "y")
    codebook = folder / "codebook.json"
    obj = json.loads(codebook.read_text())
    obj["format_version"] = 1
    codebook.write_text(json.dumps(obj))
    store = AnnotationStore(folder, creator="bob")
    assert store.problems == [] and span(store, 2, ["x"]).tags == ("y",)
    store.set_tag("z")
    assert [r["from"] for r in json.loads(codebook.read_text())["renames"]] == ["x"]
    assert json.loads(codebook.read_text())["format_version"] == 2


def test_an_import_under_a_renamed_name_arrives_renamed_and_keeps_the_record(tmp_path):
    """An import (.qdpx, JSON-LD: `add_many` with the file's codebook) of tags named as before a
    rename: the annotations and the codebook get the surviving name; the record stays."""
    from reader.model import Tag
    from reader.store.errors import NewAnnotation

    folder = tmp_path / "p"
    store = AnnotationStore(folder, creator="ann")
    span(store, 0, ["x"])
    store.rename_tag("x", "y")
    (made,) = AnnotationStore(folder, creator="bob").add_many(
        [NewAnnotation(DOC, TEXT, SHA, 30, 35, ("x",), "imported")],
        description="import",
        codebook=[Tag("x", "#123456")],
    )
    assert made.tags == ("y",)
    again = AnnotationStore(folder)
    assert [t.name for t in again.tags()] == ["y"]
    assert [r["from"] for r in json.loads((folder / "codebook.json").read_text())["renames"]] == ["x"]
