"""The store reads a document's file when something asks for it, and the first screen's counts
come from summaries kept beside the index (issue 19: 100,000 annotations took 1.7-2.7 s to
open because every file was read and checked)."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

import reader.store.folder as store_folder
from reader.coder_view import for_coders
from reader.services import ANNOTATION_SUMMARY, Library
from reader.model import DocumentAttributes
from reader.store import AnnotationStore, NewAnnotation
from reader.store.paths import doc_path

from conftest import SEEDS, make_paths

TEXT = "The truce held. Then the council met again, and the movement issued a statement.\n" * 4
SHA = hashlib.sha256(TEXT.encode()).hexdigest()
DOCS = [f"part{n // 10}/doc{n:03}.txt" for n in range(30)]


@pytest.fixture()
def reads(monkeypatch) -> list[str]:
    """The documents whose annotation files were parsed, in order."""
    parsed: list[str] = []
    real = store_folder.parse_doc

    def parse_doc(doc, path, data, stamp, *rest):
        parsed.append(doc)
        return real(doc, path, data, stamp, *rest)

    monkeypatch.setattr(store_folder, "parse_doc", parse_doc)
    return parsed


def fill(folder, coders=("ana", "bo")) -> None:
    store = AnnotationStore(folder, creator="ana")
    items = [
        NewAnnotation(doc, TEXT, SHA, 4 + i, 9 + i, (f"tag/{i % 3}",), creator=coders[i % 2])
        for n, doc in enumerate(DOCS)
        for i in range(n % 4)
    ]
    store.add_many(items)
    store.set_attributes(DOCS[5], title="A title of my own")


def test_opening_reads_no_file_and_a_document_reads_its_own(tmp_path, reads):
    folder = tmp_path / "ann"
    fill(folder)
    reads.clear()
    store = AnnotationStore(folder)
    assert reads == []
    assert len(store.annotations(DOCS[3])) == 3
    assert reads == [DOCS[3]]
    assert store.documents() == sorted(d for n, d in enumerate(DOCS) if n % 4)
    assert len(reads) == 1  # listing the documents reads nothing either
    assert len(store.annotations()) == sum(n % 4 for n in range(len(DOCS)))
    assert sorted(reads) == sorted(set(store.documents()))  # each file read once


def test_counts_and_attributes_come_from_the_summary_until_a_file_changes(tmp_path, reads):
    folder, cache = tmp_path / "ann", tmp_path / "index" / "summary.json"
    fill(folder)
    first = AnnotationStore(folder, summary=cache)
    first.load_all()  # reads everything once and keeps the summaries
    expected = first.counts()
    expected_mine = first.counts(["bo"])
    tags, counts, recent = first.tags(), first.tag_counts(), first.recent_tags()
    assert cache.exists() and expected[DOCS[3]] == 3 and expected_mine[DOCS[3]] == 1
    reads.clear()
    store = AnnotationStore(folder, summary=cache)
    assert store.counts() == expected and store.counts(["bo"]) == expected_mine
    assert for_coders(store, ["bo"]).counts() == expected_mine
    assert store.attributes(DOCS[5]).title == "A title of my own"
    assert (store.tags(), store.tag_counts(), store.recent_tags()) == (tags, counts, recent)
    assert reads == []
    other = AnnotationStore(folder, creator="chen")  # another program adds to one document
    other.add(DOCS[1], TEXT, SHA, 0, 3, ["tag/new"])
    reads.clear()
    again = AnnotationStore(folder, summary=cache)
    assert again.counts()[DOCS[1]] == expected[DOCS[1]] + 1
    assert "tag/new" in again.tag_counts() and again.recent_tags()[0] == "tag/new"
    assert reads == [DOCS[1]]  # only the changed file is read


def test_a_summary_read_back_is_the_one_written_so_a_reopen_does_not_rewrite_it(tmp_path):
    # documents without overrides are kept as "no attributes" both when summarised and when read
    folder, cache = tmp_path / "ann", tmp_path / "summary.json"
    fill(folder)
    AnnotationStore(folder, summary=cache).load_all()
    written = os.stat(cache)
    again = AnnotationStore(folder, summary=cache)
    again.load_all()
    assert os.stat(cache).st_ino == written.st_ino  # not replaced: what was read equals what was made
    assert again.attributes(DOCS[5]).title == "A title of my own"
    assert again.attributes(DOCS[6]) == DocumentAttributes(DOCS[6])


def test_a_summary_of_another_folder_or_a_damaged_one_is_ignored(tmp_path, reads):
    folder, cache = tmp_path / "ann", tmp_path / "summary.json"
    fill(folder)
    AnnotationStore(folder, summary=cache).load_all()
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    AnnotationStore(copy, creator="x").add(DOCS[2], TEXT, SHA, 0, 3, ["tag/copy"])
    reads.clear()
    assert AnnotationStore(copy, summary=cache).counts()[DOCS[2]] == 3  # 2 + 1, read
    assert DOCS[2] in reads
    cache.write_bytes(b"{not json")
    assert AnnotationStore(folder, summary=cache).counts()[DOCS[2]] == 2


def test_a_file_changed_in_place_with_the_same_size_and_time_is_still_read(tmp_path, reads):
    """The key has the inode: a replaced file is a new file even with the old size and time."""
    folder, cache = tmp_path / "ann", tmp_path / "summary.json"
    fill(folder)
    AnnotationStore(folder, summary=cache).load_all()
    path = doc_path(folder, DOCS[3])
    data = path.read_bytes()
    st = os.stat(path)
    changed = data.replace(b'"tag/0"', b'"tag/9"')
    assert len(changed) == len(data) and changed != data
    replacement = path.with_name("replacement")
    replacement.write_bytes(changed)
    os.utime(replacement, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(replacement, path)
    reads.clear()
    store = AnnotationStore(folder, summary=cache)
    assert "tag/9" in store.tag_counts() and reads == [DOCS[3]]


def test_an_imported_id_already_in_a_file_not_read_yet_is_refused(tmp_path):
    folder = tmp_path / "ann"
    fill(folder)
    taken = AnnotationStore(folder).annotations(DOCS[3])[0].id
    store = AnnotationStore(folder)
    with pytest.raises(ValueError, match="already in the store"):
        store.add_many([NewAnnotation(DOCS[7], TEXT, SHA, 0, 3, ("t",), id=taken)])
    assert len(store.annotations()) == sum(n % 4 for n in range(len(DOCS)))


def test_a_corrupt_file_not_read_yet_is_a_problem_and_stays_unwritten(tmp_path):
    folder = tmp_path / "ann"
    fill(folder)
    path = doc_path(folder, DOCS[6])
    path.write_bytes(b"{broken")
    store = AnnotationStore(folder)
    assert [p.doc for p in store.problems_of(DOCS[1])] == []
    assert [p.doc for p in store.problems_of(DOCS[6])] == [DOCS[6]]
    assert [p.doc for p in store.problems] == [DOCS[6]]
    with pytest.raises(Exception, match="read-only"):
        store.add(DOCS[6], TEXT, SHA, 0, 3, ["t"])
    assert path.read_bytes() == b"{broken"


def test_the_library_lists_counts_without_reading_annotation_files(tmp_path, reads):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    paths = make_paths(tmp_path, corpus)
    library = Library(paths)
    library.update_index()
    doc = sorted(library.index.documents())[0]
    text, sha = library.index.corpus.read_text(doc)
    library.store.add(doc, text, sha, 0, 5, ["place/here"])
    library.store.set_attributes(doc, title="Mine")
    library.store.load_all()
    assert (paths.index / ANNOTATION_SUMMARY).exists()
    reads.clear()
    again = Library(paths)
    rows = {row.id: row for row in again.documents()}
    assert rows[doc].annotation_count == 1 and rows[doc].title == "Mine"
    assert reads == []
    opened = again.open(doc)
    assert [a.annotation.tags for a in opened.anchored] == [("place/here",)]
    assert reads == [doc]


def test_a_summary_is_not_made_from_a_file_replaced_since_it_was_read(tmp_path):
    """Another process replaces a file this store has read with one of the same size in the
    same clock tick (os.utime stands in for the coincidence): `save_summary` compares only
    (mtime_ns, size) with what it read, summarises its stale copy under the new file's key
    (new inode included), and every later open trusts it until the file changes again."""
    text, sha = "The strike on Ain al-Asad was claimed by Nujaba.", "a" * 64
    folder, summary = tmp_path / "ann", tmp_path / "index" / "summary.json"
    ann = AnnotationStore(folder, creator="ann").add("a.txt", text, sha, 4, 10, ["aaa"])
    mine = AnnotationStore(folder, creator="ann", summary=summary)
    assert mine.tag_counts() == {"aaa": 1}
    path = doc_path(folder, "a.txt")
    before = os.stat(path)
    AnnotationStore(folder, creator="bob").edit(ann.id, tags=["bbb"])  # same size, new inode
    after = os.stat(path)
    assert after.st_size == before.st_size and after.st_ino != before.st_ino
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    mine.load_all()
    assert AnnotationStore(folder, summary=summary).tag_counts() == {"aaa": 0, "bbb": 1}
