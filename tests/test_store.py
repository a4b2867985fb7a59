"""The JSON annotation store: round trips, layout, errors that lose nothing, undo, the codebook."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest

import reader.store as store_mod
import reader.store.files as store_files
from index.document import Span
from reader.model import DocumentAttributes, Tag
from reader.store import (
    FORMAT_VERSION,
    AnnotationNotFound,
    AnnotationStore,
    NewAnnotation,
    ReadOnlyError,
    StoreWriteError,
    TagInUse,
    UndoConflict,
)

from conftest import SEEDS

DOC = "000_5f0b56e8f3292fd3.txt"
TEXT = (SEEDS / DOC).read_text(encoding="utf-8")
SHA = hashlib.sha256((SEEDS / DOC).read_bytes()).hexdigest()
ARABIC = "قال الأمين العام لحركة النُّجَباء إنّ الهدنة انتهت. 👨‍👩‍👧‍👦 “quoted”"


def span_of(text: str, quote: str, n: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(n + 1):
        i = text.index(quote, i + 1)
    return i, i + len(quote)


@pytest.fixture()
def folder(tmp_path) -> Path:
    return tmp_path / "ann"


@pytest.fixture()
def store(folder) -> AnnotationStore:
    return AnnotationStore(folder, creator="tester")


def all_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- round trip and layout ----------------------------------------------------------------------


def test_every_field_survives_save_and_load(store, folder):
    s, e = span_of(TEXT, "Nujaba")
    a = store.add(DOC, TEXT, SHA, s, e, ["actor/Nujaba", "event/strike"], note="first “note”\n2nd line")
    store.set_tag("actor/Nujaba", color="#112233", description="Harakat al-Nujaba")
    store.set_attributes(DOC, title="A title", date="2024-08-05", source="Al Mayadeen", outlet="Newsweek")
    again = AnnotationStore(folder)
    assert again.get(a.id) == a
    assert a.creator == "tester" and a.created == a.modified and a.created.endswith("Z")
    assert a.quote.exact == "Nujaba" and a.quote.prefix == TEXT[max(0, s - 32) : s]
    assert a.quote.suffix == TEXT[e : e + 32] and a.doc_sha256 == SHA
    assert again.tag("actor/Nujaba") == Tag("actor/Nujaba", "#112233", "Harakat al-Nujaba")
    assert again.attributes(DOC) == DocumentAttributes(
        DOC, "A title", "2024-08-05", "Al Mayadeen", {"outlet": "Newsweek"}
    )
    assert again.problems == []


def test_files_are_readable_sorted_and_byte_identical_after_a_no_op_save(store, folder):
    for quote, n in (("Iraq", 3), ("Iraq", 0), ("truce", 1)):
        s, e = span_of(TEXT, quote, n)
        store.add(DOC, TEXT, SHA, s, e, ["place/Iraq" if quote == "Iraq" else "event/truce"])
    store.add("sub/dir/ar.txt", ARABIC, "h", 0, 3, ["lang/ar"])
    before = all_files(folder)
    assert AnnotationStore(folder).save() == 0
    assert all_files(folder) == before
    raw = before[f"docs/{DOC}.json"].decode("utf-8")
    assert raw.endswith("}\n") and '\n  "annotations": [\n' in raw
    obj = json.loads(raw)
    assert obj["format_version"] == FORMAT_VERSION and obj["doc"] == DOC
    starts = [(r["position"]["start"], r["id"]) for r in obj["annotations"]]
    assert starts == sorted(starts)
    assert "docs/sub/dir/ar.txt.json" in before  # the id's folders are kept
    assert (
        "النُّجَباء" in before["docs/sub/dir/ar.txt.json"].decode() or "قال" in before["docs/sub/dir/ar.txt.json"].decode()
    )  # real UTF-8, no \\u escapes
    assert json.loads(before["codebook.json"])["format_version"] == FORMAT_VERSION


def test_a_hand_formatted_file_is_rewritten_canonically_by_save(store, folder):
    store.add(DOC, TEXT, SHA, 0, 4, ["x"])
    path = folder / "docs" / f"{DOC}.json"
    path.write_text(json.dumps(json.loads(path.read_text())), encoding="utf-8")
    s2 = AnnotationStore(folder)
    assert s2.save() == 1
    assert path.read_text().startswith("{\n  ")


def test_non_ascii_offsets_are_code_points(store, folder):
    q = "النُّجَباء"
    s, e = span_of(ARABIC, q)
    a = store.add("ar.txt", ARABIC, "h1", s, e, ["actor/Nujaba"])
    b = store.add("ar.txt", ARABIC, "h1", *span_of(ARABIC, "👨‍👩‍👧‍👦"), ["emoji"])
    again = AnnotationStore(folder)
    assert again.get(a.id).quote.exact == q == ARABIC[s:e]
    assert again.get(b.id).quote.exact == "👨‍👩‍👧‍👦"
    moved = "“" + ARABIC
    results = {r.annotation.id: r for r in again.resolve("ar.txt", moved, "h2")}
    assert results[a.id].status == "moved" and moved[results[a.id].span.start : results[a.id].span.end] == q


@pytest.mark.parametrize(
    "start,end,tags",
    [(5, 5, ["t"]), (-1, 3, ["t"]), (0, len(TEXT) + 1, ["t"]), (0, 3, []), (0, 3, ["a//b"])],
)
def test_bad_adds_are_refused_and_write_nothing(store, folder, start, end, tags):
    with pytest.raises(ValueError):
        store.add(DOC, TEXT, SHA, start, end, tags)
    assert not folder.exists() or not (folder / "docs").exists()


@pytest.mark.parametrize("bad", ["../x.txt", "/etc/passwd", "a//b.txt", "./a", ""])
def test_document_ids_cannot_escape_the_folder(store, bad):
    with pytest.raises(ValueError):
        store.add(bad, "text", "h", 0, 2, ["t"])


def test_annotations_filters_and_hierarchy(store):
    a = store.add(DOC, TEXT, SHA, 0, 4, ["actor/Nujaba"])
    b = store.add(DOC, TEXT, SHA, 10, 16, ["actor/US"])
    c = store.add("b.txt", "hello world", "h", 0, 5, ["event/strike"])
    assert [x.id for x in store.annotations(tag="actor")] == [a.id, b.id]
    assert [x.id for x in store.annotations(tag="actor/US")] == [b.id]
    assert [x.id for x in store.annotations("b.txt")] == [c.id]
    assert store.annotations("missing.txt") == []
    assert store.tag_counts() == {"actor/Nujaba": 1, "actor/US": 1, "event/strike": 1}
    assert store.documents() == [DOC, "b.txt"]


def test_recent_tags_newest_first(store):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    store.add(DOC, TEXT, SHA, 5, 9, ["b"])
    x = store.add(DOC, TEXT, SHA, 10, 14, ["c"])
    store.edit(x.id, tags=["a", "c"])
    assert store.recent_tags()[:2] in (["a", "c"], ["c", "a"])
    assert store.recent_tags(3)[2] == "b"
    assert len(store.recent_tags(1)) == 1


def test_edit_delete_and_missing_ids(store, folder):
    a = store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    e = store.edit(a.id, note="changed")
    assert e.note == "changed" and e.tags == ("a",) and e.modified >= a.modified
    assert store.edit(a.id, note="changed") == e  # no change, no write, no undo step
    e2 = store.edit(a.id, tags=["b", "b", "c"])
    assert e2.tags == ("b", "c")
    with pytest.raises(ValueError):
        store.edit(a.id, tags=[])
    store.delete(a.id)
    with pytest.raises(AnnotationNotFound):
        store.get(a.id)
    with pytest.raises(AnnotationNotFound):
        store.edit(a.id, note="x")
    assert not (folder / "docs" / f"{DOC}.json").exists()  # an empty document leaves no file


# --- re-anchoring through the store -------------------------------------------------------------


def test_resolve_reports_and_updates_only_when_asked(store, folder):
    s, e = span_of(TEXT, "procrastination and delay")
    moved = store.add(DOC, TEXT, SHA, s, e, ["a"])
    gone = store.add(DOC, TEXT, SHA, *span_of(TEXT, "Babil Governorate"), ["b"])
    new_text = "Breaking. " + TEXT.replace("Babil Governorate", "")
    before = all_files(folder)
    results = {r.annotation.id: r for r in store.resolve(DOC, new_text, "new")}
    assert results[moved.id].status == "moved" and results[gone.id].status == "orphan"
    assert all_files(folder) == before  # nothing written
    store.resolve(DOC, new_text, "new", update=True)
    again = AnnotationStore(folder)
    m = again.get(moved.id)
    assert (m.start, m.doc_sha256) == (s + 10, "new") and m.quote.exact == "procrastination and delay"
    assert again.get(gone.id).start == gone.start  # orphans are kept as they were
    assert again.resolve(DOC, new_text, "new")[0].status in ("anchored", "orphan")
    assert store.undo().startswith("re-anchor")
    assert store.get(moved.id) == moved


def test_reattach_an_orphan(store):
    a = store.add(DOC, TEXT, SHA, *span_of(TEXT, "Babil Governorate"), ["b"])
    new_text = TEXT.replace("Babil Governorate", "Babylon province")
    s, e = span_of(new_text, "Babylon province")
    r = store.reattach(a.id, new_text, "new", s, e)
    assert r.quote.exact == "Babylon province" and r.doc_sha256 == "new" and r.tags == ("b",)
    assert store.resolve(DOC, new_text, "new")[0].status == "anchored"
    with pytest.raises(ValueError):
        store.reattach(a.id, new_text, "new", 5, 2)


# --- codebook -----------------------------------------------------------------------------------


def test_tags_are_created_with_a_deterministic_colour(store, folder):
    store.add(DOC, TEXT, SHA, 0, 4, ["actor/Nujaba"])
    other = AnnotationStore(folder.parent / "other", creator="x")
    other.add(DOC, TEXT, SHA, 0, 4, ["actor/Nujaba"])
    assert store.tag("actor/Nujaba").color == other.tag("actor/Nujaba").color
    t = store.set_tag("actor/Nujaba", description="d")
    assert t.color == store.tag("actor/Nujaba").color and t.description == "d"
    with pytest.raises(ValueError):
        store.set_tag("x", color="red")


def test_rename_tag_renames_children_and_every_annotation(store, folder):
    a = store.add(DOC, TEXT, SHA, 0, 4, ["actor/Nujaba", "event/strike"])
    b = store.add("b.txt", "hello world", "h", 0, 5, ["actor"])
    store.set_tag("actor/Nujaba", color="#010203", description="kept")
    assert store.rename_tag("actor", "group") == 2
    again = AnnotationStore(folder)
    assert again.get(a.id).tags == ("group/Nujaba", "event/strike")
    assert again.get(b.id).tags == ("group",)
    assert again.tag("group/Nujaba") == Tag("group/Nujaba", "#010203", "kept")
    assert not [t for t in again.tags() if t.name.startswith("actor")]
    with pytest.raises(ValueError):
        store.rename_tag("event/strike", "group")  # exists: merge instead
    with pytest.raises(ValueError):
        store.rename_tag("nothing", "other")


def test_merge_tags(store, folder):
    a = store.add(DOC, TEXT, SHA, 0, 4, ["Nujaba", "al-Nujaba"])
    b = store.add(DOC, TEXT, SHA, 5, 9, ["nujaba movement"])
    c = store.add(DOC, TEXT, SHA, 10, 14, ["other"])
    assert store.merge_tags(["al-Nujaba", "nujaba movement"], "Nujaba") == 2
    assert store.get(a.id).tags == ("Nujaba",) and store.get(b.id).tags == ("Nujaba",)
    assert store.get(c.id).tags == ("other",)
    assert {t.name for t in AnnotationStore(folder).tags()} == {"Nujaba", "other"}
    assert store.undo().startswith("merge")
    assert store.get(a.id).tags == ("Nujaba", "al-Nujaba")


def test_delete_tag_asks_then_removes_or_deletes(store):
    a = store.add(DOC, TEXT, SHA, 0, 4, ["x", "keep"])
    b = store.add(DOC, TEXT, SHA, 5, 9, ["x/child"])
    with pytest.raises(TagInUse) as info:
        store.delete_tag("x")
    assert (info.value.count, info.value.sole) == (2, 1)
    assert store.delete_tag("x", on_use="remove") == 2
    assert store.get(a.id).tags == ("keep",)
    with pytest.raises(AnnotationNotFound):
        store.get(b.id)  # left with no tag
    assert [t.name for t in store.tags()] == ["keep"]
    store.undo()
    assert store.get(b.id).tags == ("x/child",)
    assert store.delete_tag("x", on_use="delete_annotations") == 2
    assert store.annotations() == []
    store.set_tag("unused")
    assert store.delete_tag("unused") == 0 and store.tag("unused") is None


# --- undo / redo --------------------------------------------------------------------------------


def test_undo_redo_every_kind_of_change_many_steps(store, folder):
    def snapshot():
        again = AnnotationStore(folder)  # what is on disk
        return (again.annotations(), again.tags(), again.attributes(DOC))

    states = [snapshot()]
    a = store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    states.append(snapshot())
    store.edit(a.id, tags=["a", "b"], note="n")
    states.append(snapshot())
    store.add_many([NewAnnotation(DOC, TEXT, SHA, i, i + 3, ["auto"]) for i in range(10, 100, 10)])
    states.append(snapshot())
    store.set_attributes(DOC, title="T", outlet="Newsweek")
    states.append(snapshot())
    store.rename_tag("b", "c")
    states.append(snapshot())
    store.set_tag("c", color="#abcdef")
    states.append(snapshot())
    store.reattach(a.id, TEXT, SHA, 1, 5)
    states.append(snapshot())
    store.merge_tags(["auto"], "a")
    states.append(snapshot())
    store.delete_tag("c", on_use="remove")
    states.append(snapshot())
    store.delete(a.id)
    states.append(snapshot())

    descriptions = []
    for expected in reversed(states[:-1]):
        descriptions.append(store.undo())
        assert snapshot() == expected  # each undo is on disk
    assert store.undo() is None and not store.can_undo
    assert descriptions[-1].startswith("add")
    for expected in states[1:]:
        assert store.redo()
        assert snapshot() == expected
    assert store.redo() is None


def test_add_many_is_one_step_and_one_write_per_document(store, folder, monkeypatch):
    writes = []
    real = store_files._write_temp
    monkeypatch.setattr(store_files, "_write_temp", lambda p, d: writes.append(p) or real(p, d))
    items = [NewAnnotation(DOC, TEXT, SHA, i, i + 2, ["auto"]) for i in range(0, 500, 5)]
    items += [NewAnnotation("b.txt", "hello world", "h", 0, 5, ["auto"])]
    made = store.add_many(items)
    assert len(made) == 101 and len(store.annotations()) == 101
    assert sorted(map(str, writes)) == sorted(
        map(str, [folder / "docs" / f"{DOC}.json", folder / "docs/b.txt.json", folder / "codebook.json"])
    )
    assert store.undo() == "add 101 annotations"
    assert store.annotations() == []


def test_a_new_change_clears_redo(store):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    store.undo()
    store.add(DOC, TEXT, SHA, 5, 9, ["b"])
    assert not store.can_redo and store.redo() is None


def test_undo_refuses_to_clobber_another_process_change(folder):
    mine = AnnotationStore(folder, creator="me")
    a = mine.add(DOC, TEXT, SHA, 0, 4, ["a"])
    mine.edit(a.id, note="mine")
    theirs = AnnotationStore(folder, creator="them")
    theirs.edit(a.id, note="theirs")
    with pytest.raises(UndoConflict):
        mine.undo()
    assert AnnotationStore(folder).get(a.id).note == "theirs"
    with pytest.raises(UndoConflict):
        mine.undo()  # undoing the add would delete their edited annotation: refused too
    assert mine.undo() is None
    assert AnnotationStore(folder).get(a.id).note == "theirs"


# --- several stores on one folder ---------------------------------------------------------------


def test_two_stores_on_one_folder_never_lose_each_other(folder):
    one = AnnotationStore(folder, creator="one")
    two = AnnotationStore(folder, creator="two")  # loaded before one writes anything
    a = one.add(DOC, TEXT, SHA, 0, 4, ["a"])
    b = two.add(DOC, TEXT, SHA, 5, 9, ["b"])  # two's memory is stale: it must re-read
    one.edit(a.id, note="from one")
    two.edit(a.id, tags=["a", "x"])  # two has never seen a: found on disk
    one.set_attributes(DOC, outlet="Newsweek")
    two.set_attributes(DOC, title="T")
    final = AnnotationStore(folder)
    assert {x.id for x in final.annotations()} == {a.id, b.id}
    assert final.get(a.id).note == "from one" and final.get(a.id).tags == ("a", "x")
    assert final.attributes(DOC) == DocumentAttributes(DOC, title="T", attributes={"outlet": "Newsweek"})
    assert one.refresh() == [DOC] and len(one.annotations()) == 2


# --- broken files, full disk, read-only folder --------------------------------------------------


def test_a_corrupt_file_is_reported_read_only_and_never_overwritten(store, folder):
    a = store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    b = store.add("b.txt", "hello world", "h", 0, 5, ["b"])
    bad = folder / "docs" / f"{DOC}.json"
    bad.write_bytes(b'{"format_version": 1, "annotations": [')
    again = AnnotationStore(folder)
    assert again.get(b.id) and len(again.annotations()) == 1  # the rest loads
    [problem] = again.problems
    assert problem.path == bad and "not valid JSON" in problem.reason and problem.doc == DOC
    assert again.read_only_reason(DOC) and str(bad) in str(problem)
    for attempt in (
        lambda: again.add(DOC, TEXT, SHA, 0, 4, ["a"]),
        lambda: again.set_attributes(DOC, title="x"),
        lambda: store.edit(a.id, note="x"),  # the old instance re-reads it under the lock
    ):
        with pytest.raises(ReadOnlyError, match="read-only"):
            attempt()
    assert again.rename_tag("b", "c") == 1  # other documents still change
    assert again.save() >= 0
    assert bad.read_bytes() == b'{"format_version": 1, "annotations": ['


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"\xff\xfe garbage", "UTF-8"),
        (b"[1, 2]", "object"),
        (b'{"annotations": []}', "format_version"),
        (b'{"format_version": 1, "annotations": [{"id": "x"}]}', "missing field"),
    ],
)
def test_each_kind_of_bad_file_is_explained(folder, content, reason):
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "x.txt.json").write_bytes(content)
    s = AnnotationStore(folder)
    assert reason in s.problems[0].reason


def test_a_newer_format_version_is_refused_with_a_clear_message(store, folder):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    store.add("b.txt", "hello world", "h", 0, 5, ["b"])
    path = folder / "docs" / "b.txt.json"
    obj = json.loads(path.read_text())
    obj["format_version"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(obj))
    before = path.read_bytes()
    again = AnnotationStore(folder)
    [problem] = again.problems
    assert "newer" in problem.reason and "upgrade" in problem.reason
    assert len(again.annotations(DOC)) == 1
    with pytest.raises(ReadOnlyError):
        again.add("b.txt", "hello world", "h", 0, 2, ["b"])
    assert path.read_bytes() == before


def test_an_older_format_version_is_migrated(folder, monkeypatch):
    (folder / "docs").mkdir(parents=True)
    old = {
        "format_version": 0,
        "doc": "x.txt",
        "annotations": [
            {"id": "1", "doc": "x.txt", "doc_sha256": "h", "start": 0, "end": 5, "exact": "hello", "tags": ["t"]}
        ],
    }
    (folder / "docs" / "x.txt.json").write_text(json.dumps(old))

    def v0_to_v1(obj):
        for rec in obj["annotations"]:
            rec["position"] = {"start": rec.pop("start"), "end": rec.pop("end")}
            rec["quote"] = {"exact": rec.pop("exact")}
        return obj

    monkeypatch.setitem(store_mod.MIGRATIONS, 0, v0_to_v1)
    s = AnnotationStore(folder)
    assert s.problems == [] and s.get("1").quote.exact == "hello"
    assert json.loads((folder / "docs/x.txt.json").read_text())["format_version"] == 0  # load writes nothing
    assert s.save() == 1
    assert json.loads((folder / "docs/x.txt.json").read_text())["format_version"] == FORMAT_VERSION
    monkeypatch.delitem(store_mod.MIGRATIONS, 0)
    (folder / "docs" / "y.txt.json").write_text(json.dumps({**old, "doc": "y.txt"}))
    assert "cannot be migrated" in AnnotationStore(folder).problems[0].reason


def test_a_corrupt_codebook_does_not_stop_tagging(store, folder):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    (folder / "codebook.json").write_text("{not json")
    again = AnnotationStore(folder)
    assert again.problems[0].doc is None and "codebook" in str(again.problems[0])
    b = again.add(DOC, TEXT, SHA, 5, 9, ["new"])  # tags still work; the codebook is left alone
    assert again.get(b.id).tags == ("new",) and {t.name for t in again.tags()} == {"a", "new"}
    with pytest.raises(ReadOnlyError):
        again.set_tag("a", color="#000000")
    assert (folder / "codebook.json").read_text() == "{not json"


def test_disk_full_raises_and_keeps_old_file_memory_and_no_temp(store, folder, monkeypatch):
    a = store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    before = all_files(folder)

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StoreWriteError, match="disk is full"):
        store.add(DOC, TEXT, SHA, 5, 9, ["b"])
    with pytest.raises(StoreWriteError):
        store.edit(a.id, note="x")
    with pytest.raises(StoreWriteError):
        store.rename_tag("a", "z")
    monkeypatch.undo()
    assert all_files(folder) == before  # old files intact, no temp files left
    assert store.annotations() == [a] and [t.name for t in store.tags()] == ["a"]
    assert not store.can_redo and store.undo() is not None  # only the successful add is a step


@pytest.mark.parametrize("phase", ["temp", "rename"])
def test_a_failure_midway_through_a_multi_file_change_is_rolled_back(store, folder, monkeypatch, phase):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    store.add("b.txt", "hello world", "h", 0, 5, ["a"])
    before = all_files(folder)
    name = "_write_temp" if phase == "temp" else "replace"
    target = store_files if phase == "temp" else os
    real, calls = getattr(target, name), []

    def second_fails(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(target, name, second_fails)
    with pytest.raises(StoreWriteError):
        store.rename_tag("a", "z")
    monkeypatch.undo()
    assert len(calls) >= 2
    assert all_files(folder) == before
    assert {t for x in store.annotations() for t in x.tags} == {"a"}
    assert store.rename_tag("a", "z") == 2  # and it works once the disk is back


def test_a_read_only_folder_gives_a_clear_error(store, folder, monkeypatch):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    before = all_files(folder)
    real_open = os.open

    def denied(path, flags, *args, **kwargs):
        if str(path).startswith(str(folder)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(StoreWriteError, match="cannot write to the annotations folder"):
        store.add(DOC, TEXT, SHA, 5, 9, ["b"])
    monkeypatch.undo()
    assert all_files(folder) == before
    assert len(AnnotationStore(folder).annotations()) == 1  # and it still reads


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_really_read_only_folder(store, folder):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    os.chmod(folder / "docs", 0o555)
    try:
        with pytest.raises(StoreWriteError):
            store.add(DOC, TEXT, SHA, 5, 9, ["b"])
        assert len(AnnotationStore(folder).annotations()) == 1
    finally:
        os.chmod(folder / "docs", 0o755)


def test_stale_temp_files_of_a_killed_writer_are_ignored_and_swept(store, folder):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    junk = folder / "docs" / f".{DOC}.json.abc123.tmp"
    junk.write_text('{"format_version": 1, "annot')
    again = AnnotationStore(folder)
    assert again.problems == [] and len(again.annotations()) == 1
    again.add(DOC, TEXT, SHA, 5, 9, ["b"])
    assert not junk.exists()


def test_resolved_spans_are_spans(store):
    store.add(DOC, TEXT, SHA, 0, 4, ["a"])
    [r] = store.resolve(DOC, TEXT, SHA)
    assert r.span == Span(0, 4) and r.status == "anchored"
