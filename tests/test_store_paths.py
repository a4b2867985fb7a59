"""Store paths: every document id has its own file, whatever its name; writes stay inside the
annotations folder; a failed write leaves nothing behind; files of the earlier scheme still open."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import reader.store.files as store_files
from reader.cli import main
from reader.store import AnnotationStore, StoreWriteError, doc_path

from conftest import REPO

TEXT = "Babel and Babil are one place; the truce holds.\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    return root


def _args(tmp_path, corpus):
    return ["--corpus", corpus, "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]


def _write(corpus: Path, doc: str) -> None:
    path = corpus / doc
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEXT, encoding="utf-8")


def test_a_backslash_in_a_document_id_is_tagged_and_given_metadata(tmp_path, corpus):
    doc = "back\\slash.txt"
    _write(corpus, doc)
    args = _args(tmp_path, corpus)
    r = run(*args, "tag", doc, "--quote", "Babel", "--tag", "place")
    assert r.exit_code == 0, r.output
    r = run(*args, "meta", doc, "--set", "outlet=Shafaq", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["attributes"] == {"outlet": "Shafaq"}
    store = AnnotationStore(tmp_path / "ann")
    assert store.documents() == [doc] and store.annotations(doc)[0].quote.exact == "Babel"
    assert store.attributes(doc).attributes == {"outlet": "Shafaq"}


def test_a_file_and_a_folder_named_like_its_store_file_never_collide(tmp_path, corpus):
    """`a.txt` is stored as a.txt.json; the folder `a.txt.json/` of the corpus must not be."""
    for doc in ("a.txt", "a.txt.json/b.txt"):
        _write(corpus, doc)
    args = _args(tmp_path, corpus)
    assert run(*args, "tag", "a.txt", "--quote", "Babel", "--tag", "x").exit_code == 0
    r = run(*args, "tag", "a.txt.json/b.txt", "--quote", "Babil", "--tag", "y")
    assert r.exit_code == 0, r.output
    ann = tmp_path / "ann"
    assert doc_path(ann, "a.txt") != doc_path(ann, "a.txt.json/b.txt").parent
    store = AnnotationStore(ann)
    assert {(a.doc, a.quote.exact) for a in store.annotations()} == {("a.txt", "Babel"), ("a.txt.json/b.txt", "Babil")}
    # and a W3C import touching both documents goes in whole
    out = tmp_path / "both.jsonld"
    assert run(*args, "export", "-f", "w3c", "-o", out).exit_code == 0
    fresh = ["--corpus", corpus, "--annotations", tmp_path / "fresh", "--index", tmp_path / "ix"]
    r = run(*fresh, "import", out)
    assert r.exit_code == 0, r.output
    assert len(AnnotationStore(tmp_path / "fresh").annotations()) == 2


@pytest.mark.parametrize("length", [237, 250, 255])
def test_file_names_up_to_255_bytes_can_be_annotated(tmp_path, corpus, length):
    name = "é" * ((length - 4) // 2) + "x" * ((length - 4) % 2) + ".txt"
    assert len(name.encode()) == length
    _write(corpus, f"sub/{name}")
    doc = f"sub/{name}"
    args = _args(tmp_path, corpus)
    r = run(*args, "tag", doc, "--quote", "Babel", "--tag", "place")
    assert r.exit_code == 0, r.output
    store = AnnotationStore(tmp_path / "ann")
    assert [a.doc for a in store.annotations()] == [doc]
    assert all(len(p.name.encode()) <= 255 for p in (tmp_path / "ann").rglob("*"))
    listed = run(*args, "annotations", "--json")
    assert json.loads(listed.stdout.splitlines()[0])["doc"] == doc
    store.add(doc, TEXT, "sha", 10, 15, ["again"])  # and it is found again for the next change
    assert len(AnnotationStore(tmp_path / "ann").annotations(doc)) == 2


def test_a_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    """An immutable second file: the replace fails every time, the rollback must not leave the
    temp file it made for it."""
    store = AnnotationStore(tmp_path / "ann")
    store.add("a.txt", TEXT, "s", 0, 5, ["t"])
    store.add("b.txt", TEXT, "s", 0, 5, ["t"])
    immutable = doc_path(tmp_path / "ann", "b.txt")
    before = {p: p.read_bytes() for p in (tmp_path / "ann").rglob("*") if p.is_file()}
    real = os.replace

    def refuse(src, dst, *a, **k):
        if Path(dst) == immutable:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreWriteError, match="nothing was changed"):
        store.rename_tag("t", "u")
    monkeypatch.undo()
    after = {p: p.read_bytes() for p in (tmp_path / "ann").rglob("*") if p.is_file()}
    assert after == before  # no .tmp, no .journal, every file as it was


def test_writes_never_follow_a_folder_link_inside_the_annotations_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    ann = tmp_path / "ann"
    (ann / "docs").mkdir(parents=True)
    os.symlink(elsewhere, ann / "docs" / "sub")
    store = AnnotationStore(ann)
    with pytest.raises(StoreWriteError, match="symbolic link"):
        store.add("sub/a.txt", TEXT, "s", 0, 5, ["t"])
    assert list(elsewhere.iterdir()) == []
    assert store.annotations() == []
    # the folder itself may be a link (that is where the user keeps annotations)
    os.symlink(ann, tmp_path / "link")
    AnnotationStore(tmp_path / "link").add("a.txt", TEXT, "s", 0, 5, ["t"])
    assert doc_path(ann, "a.txt").exists()


def test_the_cli_refuses_a_linked_folder_with_status_3(tmp_path, corpus):
    _write(corpus, "sub/a.txt")
    (tmp_path / "ann" / "docs").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "ann" / "docs" / "sub")
    r = run(*_args(tmp_path, corpus), "tag", "sub/a.txt", "--quote", "Babel", "--tag", "t")
    assert r.exit_code == 3 and "symbolic link" in r.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_files_of_the_earlier_scheme_open_and_move_to_their_own_names(tmp_path):
    """The earlier scheme wrote `%` as it is and a folder `a.txt.json/`: such stores open with
    every annotation, and the files move to their new names on the next change."""
    made = tmp_path / "made"
    store = AnnotationStore(made)
    store.add("100%.txt", TEXT, "s", 0, 5, ["pct"])
    store.add("a.txt.json/b.txt", TEXT, "s", TEXT.index("Babil"), TEXT.index("Babil") + 5, ["dir"])
    old = tmp_path / "old"
    (old / "docs" / "a.txt.json").mkdir(parents=True)
    shutil.copy(made / "codebook.json", old / "codebook.json")
    shutil.copy(doc_path(made, "100%.txt"), old / "docs" / "100%.txt.json")
    shutil.copy(doc_path(made, "a.txt.json/b.txt"), old / "docs" / "a.txt.json" / "b.txt.json")
    reopened = AnnotationStore(old)
    assert reopened.problems == []
    assert {(a.doc, a.quote.exact) for a in reopened.annotations()} == {
        ("100%.txt", "Babel"),
        ("a.txt.json/b.txt", "Babil"),
    }
    reopened.add("a.txt", TEXT, "s", 12, 15, ["new"])  # the first change moves the old files
    assert not (old / "docs" / "100%.txt.json").exists() and doc_path(old, "100%.txt").exists()
    assert doc_path(old, "a.txt").is_file() and doc_path(old, "a.txt.json/b.txt").is_file()
    again = AnnotationStore(old)
    assert {a.doc for a in again.annotations()} == {"100%.txt", "a.txt.json/b.txt", "a.txt"}
    assert len(again.annotations()) == 3 and again.problems == []


def test_this_repositorys_annotations_still_open():
    store = AnnotationStore(REPO / "annotations")
    assert store.problems == []
    on_disk = sum(
        len(json.loads(p.read_text(encoding="utf-8"))["annotations"])
        for p in (REPO / "annotations").rglob("docs/**/*.json")
    )
    assert len(store.annotations()) == on_disk


def test_temp_names_are_short_whatever_the_target(tmp_path):
    target = tmp_path / ("x" * 250 + ".json")
    tmp = store_files._write_temp(target, b"{}")
    assert len(Path(tmp).name) < 30 and store_files.is_temp_name(Path(tmp).name)
    os.unlink(tmp)


def test_the_first_change_tidies_what_opening_found_without_walking_the_folder(tmp_path, monkeypatch):
    """Opening the store scans its files; the first change sweeps the temp files a killed
    writer left and moves files of the earlier scheme from that scan, not from two more
    walks of the whole folder (at 10,000 files: 230 ms of CPU on the first add)."""
    made = tmp_path / "made"
    store = AnnotationStore(made)
    for i in range(5):
        store.add(f"sub/d{i}.txt", TEXT, "s", 0, 5, ["t"])
    store.add("100%.txt", TEXT, "s", 0, 5, ["pct"])
    old = tmp_path / "old"
    shutil.copytree(made, old)
    os.replace(doc_path(old, "100%.txt"), old / "docs" / "100%.txt.json")  # the earlier scheme's name
    stale = [old / "docs" / "sub" / ".~0123456789ab.tmp", old / ".~ba9876543210.tmp"]
    for path in stale:
        path.write_bytes(b"half a write")
    reopened = AnnotationStore(old)
    walks = []
    real_walk = os.walk
    monkeypatch.setattr(os, "walk", lambda *a, **k: walks.append(a) or real_walk(*a, **k))
    reopened.add("sub/d0.txt", TEXT, "s", 6, 9, ["t"])
    assert walks == []
    assert not any(p.exists() for p in stale)
    assert doc_path(old, "100%.txt").is_file() and not (old / "docs" / "100%.txt.json").exists()
    monkeypatch.undo()
    again = AnnotationStore(old)
    assert len(again.annotations()) == 7 and again.problems == []


def test_a_scan_finds_every_file_as_identify_does_plain_names_without_rebuilding_paths(tmp_path, monkeypatch):
    import reader.store.paths as store_paths

    store = AnnotationStore(tmp_path / "ann")
    odd = ["100%.txt", "back\\slash.txt", "a.txt.json/b.txt", "d/" + "y" * 240 + "~0123456789abcdef.txt"]
    odd.append("x" * 250 + ".txt")  # too long with `.json`: cut and marked
    ids = odd + ["a.txt", "sub/b c.txt", "x" * 246 + ".txt", "caf\u00e9/\u0646\u0635.txt"]
    ids += [f"plain/p{i}.txt" for i in range(20)]
    for doc in ids:
        store.add(doc, TEXT, "s", 0, 5, ["t"])
    root = tmp_path / "ann" / "docs"
    expected = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = Path(dirpath).relative_to(root).as_posix()
        for name in sorted(filenames):
            stem = name.removesuffix(".json")
            expected.append(
                store_paths.identify(tmp_path / "ann", stem if rel == "." else f"{rel}/{stem}", Path(dirpath) / name)
            )
    built = []
    real = store_paths.doc_path
    monkeypatch.setattr(store_paths, "doc_path", lambda *a: built.append(a) or real(*a))
    found = list(store_paths.scan(tmp_path / "ann"))
    assert found == expected and sorted(f.doc for f in found) == sorted(ids)
    assert {doc for _folder, doc in built} <= set(odd)  # the plain names are not built again
