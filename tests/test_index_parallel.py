"""The fast build paths give the same index as the plain ones.

* the parallel build (index/parallel.py: forked workers writing their own segments) against the
  single-process build, over a few hundred documents made from the seeds: identical hits,
  scores, spans and snippets for a few dozen queries of every kind;
* progress, cancellation and skipped files behave in the parallel build as in the serial one;
* the one-pass postings (index/postings.py) equal the analyzers' on the real seed texts;
* `FastSegmentWriter` (index/writing.py) writes the same postings and lengths as Whoosh's writer.
"""

from __future__ import annotations

import multiprocessing

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT

import index.batching as batching
from index.indexer import CorpusIndex
from index.postings import analyze
from index.schema import build_schema
from index.search import search
from index.writing import FastSegmentWriter

from conftest import SEEDS, seed_variations


QUERIES = [
    "Iraq",
    "Ain al-Asad",
    "Ain al-Assad",
    '"Ain al-Asad"',
    "Babil",
    "Babel",
    "Thabet",
    "Thabit",
    "strikes",
    "strike",
    "militia OR militias",
    "Iraq AND troops",
    "Iraq NOT Syria",
    '"United States"',
    "troop*",
    "base*",
    "Baghdad~",
    "Asad~1",
    "title:Iraq",
    "source:Shafaq",
    "Shafaq News",
    "drone attack",
    '"drone attack"',
    "Kataib Hezbollah",
    "Sudani",
    "al",
    "the",
    "2024",
    "U.S.",
    "withdrawal coalition",
    "Nujaba",
    "Hashd",
    "rocket*",
    "Ain",
    "attack*",
    "security",
    "cafe",
    "naïve",
    "close",
    "Assad",
]


@pytest.fixture()
def parallel(monkeypatch):
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 10)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "workers", lambda: 2)


def _results(ci: CorpusIndex) -> dict:
    out = {}
    for q in QUERIES:
        res = search(ci, q, pagelen=1000)
        out[q] = (
            res.total,
            sorted((h.doc_id, round(h.score, 6), h.spans, h.snippet, h.snippet_spans) for h in res.hits),
        )
    return out


def test_parallel_build_gives_the_same_results_as_serial(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    n = seed_variations(corpus, 60)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 10**9)
    serial = CorpusIndex(corpus, tmp_path / "serial")
    serial.update()
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 10)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "workers", lambda: 2)
    par = CorpusIndex(corpus, tmp_path / "parallel")
    report = par.update()
    assert len(report.added) == n and report.added == sorted(report.added)
    with par.whoosh().searcher() as s:
        assert s.doc_count() == n
        assert len(s.reader().segments()) >= 2  # the workers really wrote segments
    assert serial.documents() == par.documents()
    a, b = _results(serial), _results(par)
    assert sum(total for total, _ in a.values()) > 0
    for q in QUERIES:
        assert a[q] == b[q], q


def test_parallel_progress_skips_and_incremental_update(tmp_path, parallel):
    corpus = tmp_path / "corpus"
    n = seed_variations(corpus, 12)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    calls = []
    ci = CorpusIndex(corpus, tmp_path / "index")
    report = ci.update(lambda done, total, doc_id: calls.append((done, total, doc_id)))
    assert calls[0] == (0, len(calls) - 1, "")  # the total, before the first chunk is done
    calls = calls[1:]
    assert [c[0] for c in calls] == list(range(1, len(calls) + 1))
    assert {c[1] for c in calls} == {len(calls)}
    assert sorted(c[2] for c in calls) == sorted(report.added + ["binary.txt"])
    assert len(report.added) == n
    reasons = {s.id: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt"}
    assert all(reasons.values())
    # then a large incremental update through the workers: changed documents are replaced
    changed = sorted(corpus.rglob("*_00[0-5].txt"))
    for path in changed:
        path.write_text(path.read_text("utf-8") + "\n\nzanzibarquux", "utf-8")
    report = ci.update()
    assert len(report.changed) == len(changed) and not report.added
    with ci.whoosh().searcher() as s:
        assert s.doc_count() == n
    assert search(ci, "zanzibarquux", pagelen=100).total == len(changed)
    assert not multiprocessing.active_children()


def test_parallel_cancel_commits_nothing(tmp_path, parallel):
    corpus = tmp_path / "corpus"
    n = seed_variations(corpus, 12)
    ci = CorpusIndex(corpus, tmp_path / "index")

    def cancel(done, total, doc_id):
        if done == 5:
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt):
        ci.update(cancel)
    assert not multiprocessing.active_children()
    ix = whoosh_index.open_dir(str(ci.whoosh_dir))
    assert ix.doc_count() == 0
    leftovers = [p.name for p in ci.whoosh_dir.iterdir() if p.suffix in (".seg", ".pst", ".trm")]
    assert leftovers == []
    report = CorpusIndex(corpus, tmp_path / "index").update()
    assert len(report.added) == n


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_one_pass_postings_equal_the_analyzers_on_the_seeds(seed):
    text = (SEEDS / seed).read_text("utf-8")
    schema = build_schema()
    pre = analyze(text)
    field = schema["body"]
    expected = sorted(TEXT.index(field, text))
    assert sorted(pre.items) == expected
    assert sorted(field.index(text)) == expected
    assert sorted(field.index(pre)) == expected


def _dump(ix) -> tuple:
    with ix.reader() as r:
        postings = []
        for fieldname, btext in r.all_terms():
            values = []
            m = r.postings(fieldname, btext)
            while m.is_active():
                values.append((m.id(), m.weight(), m.value()))
                m.next()
            postings.append((fieldname, btext, values))
        lengths = [
            (d, f, r.doc_field_length(d, f))
            for d in range(r.doc_count_all())
            for f in ("title", "body", "variants", "source")
        ]
        return postings, lengths, list(r.all_stored_fields())


def test_fast_segment_writer_writes_what_whoosh_writes(tmp_path):
    texts = [(p.name, p.read_text("utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    indexes = []
    for name, make in (("plain", lambda ix: ix.writer()), ("fast", FastSegmentWriter)):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
        writer = make(ix)
        for doc_id, text in texts:
            writer.add_document(id=doc_id, title=text[:40], body=text, variants=text)
        writer.commit()
        indexes.append(_dump(ix))
    assert indexes[0] == indexes[1]


def test_fast_segment_writer_with_spilled_runs_and_long_posting_lists(tmp_path):
    """Hundreds of documents (terms with several blocks of postings, the big ones compressed,
    the small ones not) and a pool small enough to spill many run files, merged in steps:
    what the fast writer writes still reads back as exactly what Whoosh's writer writes."""
    seeds = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    docs = []
    for n in range(300):
        paragraphs = seeds[n % len(seeds)].split("\n\n")
        k = n % len(paragraphs)
        docs.append((f"d{n:03}", "\n\n".join(paragraphs[k:] + paragraphs[:k]) + f" marker{n}"))
    indexes = []
    for name in ("plain", "fast"):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
        if name == "plain":
            writer = ix.writer()
        else:
            writer = FastSegmentWriter(ix, limitmb=0.05)
        for doc_id, text in docs:
            writer.add_document(id=doc_id, title=text[:40], body=text, variants=text)
        if name == "fast":
            assert len(writer.pool.runs) > 3  # the chunked run files were really used
            writer.pool.reduce_to(2, 2)  # and merged into fewer runs, as Whoosh does past 128
        writer.commit()
        indexes.append(_dump(ix))
    assert indexes[0] == indexes[1]
    with whoosh_index.open_dir(str(tmp_path / "fast")).reader() as r:
        assert r.doc_frequency("body", b"iraq") > 128  # several blocks


@pytest.fixture()
def batched(monkeypatch):
    """First builds committed in batches even for a small corpus (~3 KB, then ~12 KB...)."""
    monkeypatch.setattr(batching, "BATCH_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "FIRST_BATCH_BYTES", 3000)


@pytest.mark.parametrize("workers", ["serial", "parallel"])
def test_first_build_is_searchable_batch_by_batch(tmp_path, batched, monkeypatch, workers):
    if workers == "parallel":
        monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 10)
        monkeypatch.setattr(batching, "MULTIPROCESS_MIN_BYTES", 1)
        monkeypatch.setattr(batching, "workers", lambda: 2)
    corpus = tmp_path / "corpus"
    n = seed_variations(corpus, 12)
    ci = CorpusIndex(corpus, tmp_path / "index")
    seen = []  # (documents committed, hits for a word every document has, listed documents)

    def committed(done, total):
        assert total == n and 0 < done < n
        seen.append((done, search(ci, "Iraq OR the", pagelen=1).total, len(ci.documents())))

    report = ci.update(committed=committed)
    assert len(report.added) == n
    assert len(seen) >= 2
    assert [s[0] for s in seen] == sorted(s[0] for s in seen)
    for done, hits, listed in seen:
        assert hits == listed == done  # exactly what was committed is searchable and listed
    assert search(ci, "Iraq OR the", pagelen=1).total == n
    assert len(ci.documents()) == n
    assert not ci.update().added  # the manifest of the last batch is the whole corpus


def test_a_first_build_stopped_keeps_its_finished_batches(tmp_path, batched):
    corpus = tmp_path / "corpus"
    n = seed_variations(corpus, 12)
    ci = CorpusIndex(corpus, tmp_path / "index")
    batches = []

    def cancel(done, total, doc_id):
        if len(batches) == 2:
            raise KeyboardInterrupt("stopped by the user")

    with pytest.raises(KeyboardInterrupt):
        ci.update(cancel, committed=lambda done, total: batches.append(done))
    kept = batches[-1]
    assert 0 < kept < n
    fresh = CorpusIndex(corpus, tmp_path / "index")
    assert len(fresh.documents()) == kept
    report = fresh.update()  # resumes: only the rest is read
    assert report.rebuilt_reason is None
    assert len(report.added) == n - kept and report.unchanged == kept
    assert search(fresh, "Iraq OR the", pagelen=1).total == n


def test_batches_grow_and_cover_the_work_in_order():
    class F:
        def __init__(self, size):
            self.size = size

    work = [(F(100_000), "added") for _ in range(300)]  # 30 MB
    batches = batching.batches(work)
    assert [item for batch in batches for item in batch] == work
    sizes = [sum(f.size for f, _ in batch) for batch in batches]
    assert sizes[0] >= batching.FIRST_BATCH_BYTES and sizes[0] < 2 * batching.FIRST_BATCH_BYTES
    assert sizes == sorted(sizes) and 3 <= len(sizes) <= 5
    assert batching.batches(work[:10]) == [work[:10]]  # 1 MB: one commit


def test_a_failing_committed_callback_stops_the_build_without_a_rebuild(tmp_path, batched):
    corpus = tmp_path / "corpus"
    n = seed_variations(corpus, 12)
    ci = CorpusIndex(corpus, tmp_path / "index")

    def broken(done, total):
        raise RuntimeError("the caller's bug")

    with pytest.raises(RuntimeError, match="the caller's bug"):
        ci.update(committed=broken)
    kept = len(CorpusIndex(corpus, tmp_path / "index").documents())
    assert 0 < kept < n  # the first batch stays; no "index damaged" rebuild ran
    report = CorpusIndex(corpus, tmp_path / "index").update()
    assert report.rebuilt_reason is None and len(report.added) == n - kept
