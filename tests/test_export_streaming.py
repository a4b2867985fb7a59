"""Exports to a file are streamed (issue 19): written as they are made, never held whole, and
byte for byte what the same export gives in memory.

Memory is measured with tracemalloc (Python's own allocations, deterministic for the same
code and data), not with timings: the file export's peak must stay below the in-memory
export's peak by at least half the output's size, which holding the output (a string, then
its bytes) cannot do.
"""

from __future__ import annotations

import hashlib
import tracemalloc

import pytest

from index.corpus import Corpus
from reader.export import FORMATS, Filters, export, select
from reader.store import AnnotationStore, NewAnnotation

WORDS = "the truce forces “quoted” النُّجَباء council negotiations drone militia statement".split()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("streaming")
    corpus_dir = root / "corpus"
    corpus_dir.mkdir()
    items = []
    for d in range(12):
        text = "\n\n".join(" ".join(WORDS[(d + i + j) % len(WORDS)] for j in range(80)) for i in range(30)) + "\n"
        doc = f"doc{d:02d}.txt"
        data = text.encode("utf-8")
        (corpus_dir / doc).write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        for k in range(60):
            start = (k * 97) % (len(text) - 300)
            tags = ("actor/A",) if k % 3 else ("actor/A", "event/B")
            items.append(NewAnnotation(doc, text, sha, start, start + 40 + k, tags, "a note " * (k % 4)))
    store = AnnotationStore(root / "ann", creator="tester")
    store.add_many(items)
    return root, store, Corpus(corpus_dir)


def _peak(call) -> tuple[int, object]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = call()
        return tracemalloc.get_traced_memory()[1] - before, result
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["md", "csv", "jsonl", "html", "w3c"])
def test_a_file_export_is_streamed_not_held_whole(project, tmp_path, fmt):
    root, store, corpus = project
    select(store=store, corpus=corpus)  # warm: imports and the store's first reads are not counted
    export(fmt, store=store, corpus=corpus, output=tmp_path / "warm")
    inline_peak, inline = _peak(lambda: export(fmt, store=store, corpus=corpus))
    out = tmp_path / f"out.{fmt}"
    streamed_peak, streamed = _peak(lambda: export(fmt, store=store, corpus=corpus, output=out))
    size = out.stat().st_size
    assert size == len(inline.data) > 200_000
    assert streamed_peak + size // 2 < inline_peak, (streamed_peak, inline_peak, size)
    assert (streamed.count, streamed.rows, streamed.skipped) == (inline.count, inline.rows, inline.skipped)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("by", ["tag", "doc"])
def test_a_file_export_is_the_in_memory_export_byte_for_byte(project, tmp_path, fmt, by):
    root, store, corpus = project
    for filters in (Filters(), Filters(tags=("event",))):
        inline = export(fmt, filters, store=store, corpus=corpus, by=by)
        out = tmp_path / f"out.{fmt}"
        streamed = export(fmt, filters, store=store, corpus=corpus, by=by, output=out)
        assert out.read_bytes() == inline.data == streamed.data
        assert streamed.path == out and streamed.rows == inline.rows
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def _texts_project(root, docs: int, chars: int, per_doc: int, note: str = ""):
    corpus_dir = root / "corpus"
    corpus_dir.mkdir()
    items = []
    line = "the truce forces council negotiations drone militia statement\r\n"
    for d in range(docs):
        text = f"Document {d}\r\n\r\n" + line * (chars // len(line))
        doc = f"doc{d:02d}.txt"
        data = text.encode("utf-8")
        (corpus_dir / doc).write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        for k in range(per_doc):
            start = (k * 997) % (len(text) - 300)
            items.append(NewAnnotation(doc, text, sha, start, start + 50, ("actor/A",), note))
    store = AnnotationStore(root / "ann", creator="tester")
    store.add_many(items)
    return store, Corpus(corpus_dir)


def test_a_qdpx_export_holds_one_text_at_a_time_not_the_corpus(tmp_path):
    """The project ships every document's text; they are kept in a temporary file while the
    XML is written, not in memory (at 10,000 documents they were the corpus: 935 MiB)."""
    store, corpus = _texts_project(tmp_path, docs=24, chars=1_000_000, per_doc=3)
    total = sum(f.stat().st_size for f in (tmp_path / "corpus").iterdir())
    export("qdpx", store=store, corpus=corpus, output=tmp_path / "warm.qdpx")
    peak, result = _peak(lambda: export("qdpx", store=store, corpus=corpus, output=tmp_path / "out.qdpx"))
    assert result.count == 72 and result.skipped == ()
    assert peak < total // 2, (peak, total)
    assert (tmp_path / "out.qdpx").read_bytes() == export("qdpx", store=store, corpus=corpus).data


def test_a_qdpx_project_file_is_written_as_it_is_made_not_as_one_tree(tmp_path):
    """project.qde is written one part at a time into its zip member: writing it never holds
    the whole XML (a tree, its text and its bytes were three copies of it)."""
    import zipfile

    from reader.export.rendering import write

    store, corpus = _texts_project(tmp_path, docs=4, chars=20_000, per_doc=500, note="a long note " * 400)
    selection = select(store=store, corpus=corpus)
    with open(tmp_path / "warm.qdpx", "wb") as out:
        write(selection, "qdpx", out)
    with open(tmp_path / "out.qdpx", "wb") as out:
        peak, written = _peak(lambda: write(selection, "qdpx", out))
    assert written.rows == 2_000
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        size = zf.getinfo("project.qde").file_size
    assert size > 8_000_000
    assert peak < size // 2, (peak, size)


def test_the_selections_written_as_text_escape_as_elementtree_does():
    """The qdpx selections are written as text, not serialized by ElementTree one by one: the
    escaping is ElementTree's, for every character it treats specially."""
    from xml.etree import ElementTree as ET

    from reader.export.qdpx import _attr, _element_text

    for value in ["plain", 'a & b < c > d "e" \r\n\t f', "&amp; already", "", "“مُقَاوَمَة” 👨‍👩‍👧", "'x'"]:
        element = ET.Element("E", {"a": value} if value else {})
        element.text = value
        expected = ET.tostring(element, encoding="unicode")
        assert expected == f"<E{_attr('a', value)}" + (_element_text("E", value)[2:] if value else " />")


def test_rows_without_a_tag_filter_share_their_annotations_tags(project):
    """Without a tag filter every tag is selected: a row holds its annotation's own tuple, not
    a copy (100,000 tuples at 100,000 annotations); with a filter it holds the selected ones."""
    root, store, corpus = project
    rows = select(store=store, corpus=corpus).rows
    assert rows and all(r.selected_tags is r.annotation.tags for r in rows)
    filtered = select(Filters(tags=("event",)), store=store, corpus=corpus).rows
    assert filtered and all(r.selected_tags == ("event/B",) for r in filtered)
