"""CorpusIndex: incremental updates through the manifest, rebuilds, locking, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from whoosh.query import Term

import index.batching as batching
from index.indexer import MANIFEST_NAME, CorpusIndex
from index.schema import SCHEMA_VERSION
from index.search import search

from conftest import SEEDS

SEED_IDS = sorted(p.name for p in SEEDS.iterdir())
D003 = "003_c50da1745df50ef1.txt"


@pytest.fixture()
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(SEEDS, root)
    for path in root.iterdir():
        path.chmod(0o644)
    return root


@pytest.fixture()
def ci(corpus, tmp_path) -> CorpusIndex:
    index = CorpusIndex(corpus, tmp_path / "index")
    index.update()
    return index


def doc_count(index: CorpusIndex) -> int:
    with index.whoosh().searcher() as searcher:
        return searcher.doc_count()


def found(index: CorpusIndex, query: str) -> set[str]:
    return {hit.doc_id for hit in search(index, query, pagelen=100).hits}


def generation(index: CorpusIndex) -> int:
    return index.whoosh().latest_generation()


def bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_first_update_indexes_everything_with_progress(corpus, tmp_path):
    calls = []
    index = CorpusIndex(corpus, tmp_path / "index")
    report = index.update(lambda done, total, doc_id: calls.append((done, total, doc_id)))
    assert report.added == SEED_IDS
    assert report.rebuilt_reason == "no index yet"
    assert calls == [(0, 5, "")] + [(i, 5, doc_id) for i, doc_id in enumerate(SEED_IDS, 1)]  # the total first
    assert doc_count(index) == 5
    assert report.bytes_indexed == sum(p.stat().st_size for p in corpus.iterdir())
    assert index.last_report is report


def test_a_raising_progress_callback_cancels_without_committing(ci, corpus):
    (corpus / "a.txt").write_text("Alpha.", encoding="utf-8")
    (corpus / "b.txt").write_text("Beta.", encoding="utf-8")

    def cancel(done, total, doc_id):
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        ci.update(cancel)
    assert doc_count(ci) == 5  # nothing committed, nothing rebuilt
    report = ci.update()
    assert report.added == ["a.txt", "b.txt"] and report.rebuilt_reason is None


def test_documents_and_load_come_from_manifest_and_corpus(ci):
    docs = ci.documents()
    assert sorted(docs) == SEED_IDS
    assert docs["002_aa247d70c2f24e11.txt"].source == "Shafaq News"
    assert docs["004_e50d8a5f429aba39.txt"].title.startswith("Iraqi militias")
    assert ci.load(D003).text.startswith("The Iraqi Nujaba Movement")


def test_unchanged_reopen_does_no_indexing_work(ci, corpus, tmp_path):
    before = generation(ci)
    calls = []
    reopened = CorpusIndex(corpus, tmp_path / "index")
    report = reopened.update(lambda *args: calls.append(args))
    assert (report.added, report.changed, report.removed) == ([], [], [])
    assert report.unchanged == 5 and report.rebuilt_reason is None
    assert calls == []
    assert generation(reopened) == before  # no commit happened


def test_changing_one_file_reindexes_only_that_document(ci, corpus):
    assert D003 in found(ci, "Thabit")
    before = generation(ci)
    (corpus / D003).write_text("Zanzibar now, and nothing about that minister.", encoding="utf-8")
    report = ci.update()
    assert report.changed == [D003]
    assert (report.added, report.removed, report.unchanged) == ([], [], 4)
    assert generation(ci) == before + 1
    assert doc_count(ci) == 5
    assert found(ci, "zanzibar") == {D003}
    assert D003 not in found(ci, "Thabit")  # the old content is gone
    assert ci.documents()[D003].title.startswith("Zanzibar")


def test_touch_without_change_only_updates_the_manifest(ci, corpus):
    before = generation(ci)
    bump_mtime(corpus / D003)
    report = ci.update()
    assert report.changed == [] and report.unchanged == 5
    assert generation(ci) == before
    manifest = json.loads((ci.index_dir / MANIFEST_NAME).read_text())
    assert manifest["documents"][D003]["mtime_ns"] == (corpus / D003).stat().st_mtime_ns


def test_add_and_remove_files(ci, corpus):
    (corpus / "sub").mkdir()
    (corpus / "sub" / "new.md").write_text("# Quokka report\n\nA quokka smiles.", encoding="utf-8")
    (corpus / D003).unlink()
    report = ci.update()
    assert report.added == ["sub/new.md"]
    assert report.removed == [D003]
    assert doc_count(ci) == 5
    assert found(ci, "quokka") == {"sub/new.md"}
    assert D003 not in found(ci, "Nujaba")
    assert sorted(ci.documents()) == sorted([*SEED_IDS[:3], SEED_IDS[4], "sub/new.md"])


def test_unreadable_files_are_skipped_with_reasons(ci, corpus):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    report = ci.update()
    reasons = {s.id: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt"}
    assert all(reasons.values())
    assert report.added == [] and doc_count(ci) == 5
    again = ci.update()  # remembered: not read again, still reported
    assert {s.id for s in again.skipped} == {"empty.txt", "binary.txt"}
    assert again.indexed == 0


def test_indexed_file_turning_unreadable_leaves_the_index(ci, corpus):
    (corpus / D003).write_bytes(bytes(range(256)) * 40)
    report = ci.update()
    assert report.removed == [D003]
    assert [s.id for s in report.skipped] == [D003]
    assert doc_count(ci) == 4
    assert D003 not in ci.documents()


def _garbage_all(folder: Path) -> None:
    for path in folder.iterdir():
        path.write_bytes(b"\x00garbage\xff" * 7)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda ci: _garbage_all(ci.whoosh_dir), id="garbage-files"),
        pytest.param(
            lambda ci: next(ci.whoosh_dir.glob("*.toc")).write_bytes(
                next(ci.whoosh_dir.glob("*.toc")).read_bytes()[:20]
            ),
            id="truncated-toc",
        ),
        pytest.param(lambda ci: shutil.rmtree(ci.whoosh_dir), id="index-deleted"),
        pytest.param(lambda ci: (ci.index_dir / MANIFEST_NAME).write_text("{not json"), id="bad-manifest"),
        pytest.param(lambda ci: (ci.index_dir / MANIFEST_NAME).unlink(), id="no-manifest"),
    ],
)
def test_damaged_index_is_rebuilt_with_a_reason(ci, corpus, tmp_path, damage):
    damage(ci)
    reopened = CorpusIndex(corpus, tmp_path / "index")
    report = reopened.update()
    assert report.rebuilt_reason
    assert report.added == SEED_IDS
    assert doc_count(reopened) == 5
    assert "003_c50da1745df50ef1.txt" in found(reopened, "Thabit")
    assert reopened.update().rebuilt_reason is None


def test_older_schema_version_is_rebuilt(ci, corpus, tmp_path):
    path = ci.index_dir / MANIFEST_NAME
    manifest = json.loads(path.read_text())
    manifest["schema_version"] = SCHEMA_VERSION - 1
    path.write_text(json.dumps(manifest))
    report = CorpusIndex(corpus, tmp_path / "index").update()
    assert f"schema version {SCHEMA_VERSION - 1}" in report.rebuilt_reason
    assert report.added == SEED_IDS


def test_manifest_disagreeing_with_index_is_rebuilt(ci, corpus, tmp_path):
    with ci.whoosh().writer() as writer:  # a crash after commit, before the manifest
        writer.delete_by_term("id", D003)
    report = CorpusIndex(corpus, tmp_path / "index").update()
    assert report.rebuilt_reason == "index and manifest disagree"
    assert doc_count(ci) == 5


def test_manifest_write_leaves_no_temporary_files(ci):
    assert sorted(p.name for p in ci.index_dir.iterdir()) == ["lock", "manifest.json", "whoosh"]


def _die_holding_locks(corpus: str, index_dir: str) -> None:
    index = CorpusIndex(Path(corpus), Path(index_dir))
    with index._locked():
        writer = index.whoosh().writer()
        writer.add_document(id="ghost.txt", body="half written", variants="")
        os._exit(0)  # no commit, no unlock: the kernel drops the fcntl locks


def test_locks_of_a_dead_process_do_not_block(ci, corpus):
    child = multiprocessing.get_context("fork").Process(
        target=_die_holding_locks, args=(str(corpus), str(ci.index_dir))
    )
    child.start()
    child.join(30)
    assert child.exitcode == 0
    (corpus / "late.txt").write_text("Late arrival.", encoding="utf-8")
    report = ci.update()
    assert report.added == ["late.txt"]
    assert doc_count(ci) == 6
    assert "ghost.txt" not in found(ci, "half")


def _update_in_child(corpus: str, index_dir: str, queue) -> None:
    report = CorpusIndex(Path(corpus), Path(index_dir)).update()
    queue.put((len(report.added), report.unchanged))


def test_two_processes_updating_at_once_keep_the_index_consistent(corpus, tmp_path):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    args = (str(corpus), str(tmp_path / "index"), queue)
    children = [ctx.Process(target=_update_in_child, args=args) for _ in range(2)]
    for child in children:
        child.start()
    results = sorted(queue.get(timeout=60) for _ in children)
    for child in children:
        child.join(30)
        assert child.exitcode == 0
    assert results == [(0, 5), (5, 0)]  # one did the work, the other waited and found it done
    index = CorpusIndex(corpus, tmp_path / "index")
    report = index.update()
    assert report.indexed == 0 and report.rebuilt_reason is None
    assert doc_count(index) == 5


def test_two_process_writer_builds_a_correct_index(tmp_path, monkeypatch):
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 10)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_BYTES", 1)
    root = tmp_path / "many"
    root.mkdir()
    for i in range(40):
        (root / f"d{i:02}.txt").write_text(f"Document {i}\n\nword{i} Ain al-Assad", "utf-8")
    index = CorpusIndex(root, tmp_path / "index")
    report = index.update()
    assert len(report.added) == 40
    assert doc_count(index) == 40
    assert found(index, "word17") == {"d17.txt"}
    assert len(found(index, "Asad")) == 40  # the variants field survived the subprocesses
    with index.whoosh().searcher() as searcher:
        assert searcher.document_number(id="d39.txt") is not None
        assert len(list(searcher.documents())) == 40
        assert searcher.search(Term("id", "d05.txt")).scored_length() == 1


def test_segment_files_are_read_through_the_map_not_copied(tmp_path):
    """index/mapped.py: a searcher's sub-files read from the memory map (no BytesIO copy of
    the postings), and give the same bytes."""
    from whoosh.filedb import compound
    from whoosh.filedb.structfile import BufferFile

    import index  # noqa: F401  (installs the patch)
    from index.mapped import MappedFile

    assert compound.BufferFile is MappedFile
    shutil.copytree(SEEDS, tmp_path / "corpus")
    ci = CorpusIndex(tmp_path / "corpus", tmp_path / "index")
    ci.update()
    with ci.whoosh().searcher() as searcher:
        leaf = searcher.leaf_searchers()[0][0].reader()
        storage = leaf._storage
        name = next(n for n in storage.list() if n.endswith(".pst"))
        mapped = storage.open_file(name)
        assert isinstance(mapped, MappedFile)
        plain = BufferFile(mapped._buf)
        for f in (mapped, plain):
            f.seek(0)
        assert mapped.read(37) == plain.read(37)
        assert mapped.read_int() == plain.read_int()
        assert mapped.tell() == plain.tell()
        mapped.seek(0)
        plain.seek(0)
        assert mapped.read() == plain.read()
        assert mapped.read() == b""
        assert searcher.search(Term("body", "iraq")).scored_length() > 0
