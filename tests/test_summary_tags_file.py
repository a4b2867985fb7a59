"""The summaries' tags are a second file, read when the codebook or the recent tags are first
asked for (issue 19: the first rows waited for the decoding of 8.4 MB, 7.2 of them tags), and
two files of different saves never mix: a document whose keys differ is read from its file."""

from __future__ import annotations

import shutil

import reader.store.summary as summary
from reader.store import AnnotationStore

from test_store_lazy import DOCS, SHA, TEXT, fill, reads  # noqa: F401  (reads: a fixture)


def opened_twice(tmp_path):
    folder, cache = tmp_path / "ann", tmp_path / "index" / "summary.json"
    fill(folder)
    first = AnnotationStore(folder, summary=cache)
    first.load_all()
    return folder, cache, (first.counts(), first.tags(), first.tag_counts(), first.recent_tags())


def test_the_list_reads_only_the_first_file_and_the_codebook_the_second_once(tmp_path, reads, monkeypatch):
    folder, cache, (counts, tags, tag_counts, recent) = opened_twice(tmp_path)
    assert summary.tags_path(cache).exists() and summary.tags_path(cache) != cache
    loaded: list[str] = []
    real = summary.load_tags
    monkeypatch.setattr(summary, "load_tags", lambda *a: loaded.append("tags") or real(*a))
    reads.clear()
    store = AnnotationStore(folder, summary=cache)
    assert store.counts() == counts and store.attributes(DOCS[5]).title == "A title of my own"
    assert store.counts_ready() and loaded == []  # the list needs no tags
    assert (store.tags(), store.tag_counts(), store.recent_tags()) == (tags, tag_counts, recent)
    assert loaded == ["tags"] and reads == []  # read once, and no annotation file


def test_without_the_tags_file_the_tags_come_from_the_annotation_files(tmp_path, reads):
    folder, cache, (counts, tags, tag_counts, recent) = opened_twice(tmp_path)
    summary.tags_path(cache).unlink()
    reads.clear()
    store = AnnotationStore(folder, summary=cache)
    assert store.counts() == counts and reads == []
    assert (store.tags(), store.tag_counts(), store.recent_tags()) == (tags, tag_counts, recent)
    assert sorted(reads) == sorted(doc for n, doc in enumerate(DOCS) if n % 4)  # every file with annotations


def test_a_tags_file_of_an_earlier_save_is_not_used_for_a_file_changed_since(tmp_path, reads):
    folder, cache, _ = opened_twice(tmp_path)
    older = tmp_path / "older-tags.json"
    shutil.copy(summary.tags_path(cache), older)
    AnnotationStore(folder, creator="chen").add(DOCS[1], TEXT, SHA, 0, 3, ["tag/new"])
    AnnotationStore(folder, summary=cache).load_all()  # both files saved again
    shutil.copy(older, summary.tags_path(cache))  # as if the process died between the two writes
    reads.clear()
    store = AnnotationStore(folder, summary=cache)
    assert store.tag_counts()["tag/new"] == 1 and store.recent_tags()[0] == "tag/new"
    assert reads == [DOCS[1]]  # only the changed document is read


def test_reopening_rewrites_neither_file(tmp_path):
    folder, cache, _ = opened_twice(tmp_path)
    inodes = [p.stat().st_ino for p in (cache, summary.tags_path(cache))]
    again = AnnotationStore(folder, summary=cache)
    again.tag_counts()
    again.load_all()
    assert [p.stat().st_ino for p in (cache, summary.tags_path(cache))] == inodes


def test_a_tags_file_whose_entry_has_no_tags_is_not_used_for_it(tmp_path, reads):
    """An entry with null tags (a damaged or hand-edited cache) must not be taken for tags
    still to read: the store would wait for them for ever. Its document's file is read."""
    import json

    folder, cache, (_, tags, tag_counts, _) = opened_twice(tmp_path)
    path = summary.tags_path(cache)
    obj = json.loads(path.read_text("utf-8"))
    obj["docs"][DOCS[1]]["tags"] = None
    path.write_text(json.dumps(obj), "utf-8")
    reads.clear()
    store = AnnotationStore(folder, summary=cache)
    assert (store.tags(), store.tag_counts()) == (tags, tag_counts)
    assert reads == [DOCS[1]]
