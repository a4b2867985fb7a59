"""Three branches from one base, merged by the driver in every order: every version stays a choice.

Three coders change copies of one store (random adds, tag/note edits and deletes, on shared and
new annotations, through the store's API: each call that returns is acknowledged). Two
branches are merged by the real driver (either side as ours), then the third into that (either
side as ours): four results. In each, every version a branch wrote of an annotation is the
annotation or one of its conflict record's versions (never only a record's base, never split
over two records of one id), every branch's deletion is applied or is a choice, and the store
reads the file back unchanged. The four results offer the same choices.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_teams_merge_property import DOC, SHA, TEXT, apply, doc_bytes, op, state

from reader.model import annotation_to_json
from reader.store import AnnotationStore
from reader.teams.merge_driver import main as driver_main


def merge(root: Path, name: str, base: bytes, ours: bytes, theirs: bytes) -> bytes:
    files = [root / f"{name}.{side}" for side in ("O", "A", "B")]
    for path, data in zip(files, (base, ours, theirs)):
        path.write_bytes(data)
    assert driver_main([*map(str, files), DOC]) == 0
    return files[1].read_bytes()


def key(version: dict | None) -> str:
    return json.dumps(version, sort_keys=True)


def choices(merged: dict) -> dict[str, set[str]]:
    """Per annotation id: the versions a user can pick (the annotation itself, each listed
    version of its record); one record per id."""
    out: dict[str, set[str]] = {a["id"]: {key(a)} for a in merged["annotations"]}
    seen: set[str] = set()
    for c in merged.get("conflicts", []):
        assert c["id"] not in seen, f"annotation {c['id']} has two conflict records"
        seen.add(c["id"])
        versions = c.get("versions", [c["ours"], c["theirs"]])
        assert key(c["ours"]) == key(versions[0]) and key(c["theirs"]) == key(versions[1])
        out.setdefault(c["id"], set()).update(key(v) for v in versions)
    return out


def check(root: Path, data: bytes, branches: list[dict[str, dict]], base: dict[str, dict]) -> dict[str, set[str]]:
    merged = json.loads(data)
    offered = choices(merged)
    current = {a["id"] for a in merged["annotations"]}
    for written in branches:
        for ann_id in set(base) | set(written):
            mine, was = written.get(ann_id), base.get(ann_id)
            if mine == was:
                continue  # this branch did not touch it
            if mine is None:  # deleted on this branch: applied, or a choice
                assert ann_id not in current or key(None) in offered[ann_id]
            else:
                assert key(mine) in offered.get(ann_id, set()), f"{ann_id}: a branch's version is lost"
    folder = root / "read-back"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    store = AnnotationStore(folder)
    store.path_of(DOC).parent.mkdir(parents=True, exist_ok=True)
    store.path_of(DOC).write_bytes(data)
    store = AnnotationStore(folder)
    assert store.problems == []
    assert {a.id for a in store.annotations()} == current
    for c in store.conflicts():
        assert {key(None if v is None else annotation_to_json(v)) for v in c.versions} <= offered[c.id]
    assert store.save() == 0
    assert store.path_of(DOC).read_bytes() == data  # what the store itself writes
    return offered


# edits of the first few annotations weigh more, so that the three branches often meet on one
shared = st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(["a", "x", "y/z"]), st.text(max_size=3))
branch_op = st.one_of(op, shared, shared)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base_ops=st.lists(op, min_size=1, max_size=3),
    branch_ops=st.lists(st.lists(branch_op, min_size=1, max_size=5), min_size=3, max_size=3),
)
def test_random_edits_on_three_branches_keep_every_version_choosable(tmp_path_factory, base_ops, branch_ops):
    root = tmp_path_factory.mktemp("three")
    AnnotationStore(root / "base", creator="lead").add(DOC, TEXT, SHA, 0, 5, ["seed"])
    apply(AnnotationStore(root / "base", creator="lead"), base_ops)
    names = ["one", "two", "three"]
    for name, ops in zip(names, branch_ops):
        shutil.copytree(root / "base", root / name)
        apply(AnnotationStore(root / name, creator=name), ops)
    sides = [doc_bytes(root / n) for n in names]
    if not all(sides):
        return  # a branch removed the file: git reports modify/delete itself, without the driver
    base_bytes = doc_bytes(root / "base")
    base, branches = state(root / "base"), [state(root / n) for n in names]
    results = []
    for first, second in ((0, 1), (1, 0)):
        pair = merge(root, "pair", base_bytes, sides[first], sides[second])
        check(root, pair, branches[:2], base)
        for ours, theirs in ((pair, sides[2]), (sides[2], pair)):
            results.append(check(root, merge(root, "all", base_bytes, ours, theirs), branches, base))
    assert all(r == results[0] for r in results[1:])  # the same choices whichever order


def test_an_annotation_three_branches_edit_has_one_record_with_three_versions(tmp_path):
    root = tmp_path
    store = AnnotationStore(root / "base", creator="lead")
    ann = store.add(DOC, TEXT, SHA, 0, 5, ["seed"])
    for name in ("one", "two", "three"):
        shutil.copytree(root / "base", root / name)
        AnnotationStore(root / name, creator=name).edit(ann.id, tags=[f"by/{name}"])
    base, one, two, three = (doc_bytes(root / n) for n in ("base", "one", "two", "three"))
    merged = merge(root, "m", base, merge(root, "p", base, one, two), three)
    (record,) = json.loads(merged)["conflicts"]
    assert [v["tags"] for v in record["versions"]] == [["by/one"], ["by/three"], ["by/two"]]  # ours, theirs, then
    assert record["base"]["tags"] == ["seed"]
    (conflict,) = _read(root, merged).conflicts()
    assert [v.tags for v in conflict.versions] == [("by/one",), ("by/three",), ("by/two",)]


def _read(root: Path, data: bytes) -> AnnotationStore:
    folder = root / "read"
    shutil.copytree(root / "base", folder)
    AnnotationStore(folder).path_of(DOC).write_bytes(data)
    return AnnotationStore(folder)


def test_two_records_of_one_id_from_an_earlier_driver_read_as_one(tmp_path):
    """The driver before this one wrote a second record for a third branch's edit: both
    records' versions are offered as one conflict, and written back as one."""
    store = AnnotationStore(tmp_path / "base", creator="lead")
    ann = store.add(DOC, TEXT, SHA, 0, 5, ["seed"])
    versions = {}
    for name in ("one", "two", "three"):
        shutil.copytree(tmp_path / "base", tmp_path / name)
        versions[name] = annotation_to_json(AnnotationStore(tmp_path / name, creator=name).edit(ann.id, tags=[name]))
    obj = json.loads(doc_bytes(tmp_path / "one"))
    base = annotation_to_json(ann)
    obj["conflicts"] = [
        {"id": ann.id, "base": base, "ours": versions["one"], "theirs": versions["two"]},
        {"id": ann.id, "base": base, "ours": versions["one"], "theirs": versions["three"]},
    ]
    folder = tmp_path / "one"
    AnnotationStore(folder).path_of(DOC).write_text(json.dumps(obj))
    store = AnnotationStore(folder, creator="one")
    (conflict,) = store.conflicts()
    assert [v.tags for v in conflict.versions] == [("one",), ("two",), ("three",)]
    store.edit(ann.id, note="seen")
    (record,) = json.loads(doc_bytes(folder))["conflicts"]
    assert [v["tags"] for v in record["versions"]] == [["one"], ["two"], ["three"]]
