"""The body postings written a term at a time (index/segment_postings.py) read back exactly as
Whoosh's own writer's: every posting (id, weight, value), every term's statistics (weight,
document frequency, min/max length, max weight, first and last id), every block's statistics
(the pruning of index/search/ reads them), the field lengths and the stored fields.

Covered: one-posting terms, terms with several blocks (the big ones compressed, the small
ones not), postings gathered in spilled run files and merged at the flush, a segment that
also merges an existing segment (`add_reader`: the pool path), and the search results of a
whole corpus built both ways.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index.postings import analyze
from index.schema import build_schema
from index.writing import FastSegmentWriter

from conftest import SEEDS


def _docs(count: int) -> list[tuple[str, str]]:
    seeds = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    docs = []
    for n in range(count):
        paragraphs = seeds[n % len(seeds)].split("\n\n")
        k = n % len(paragraphs)
        docs.append((f"d{n:03}", "\n\n".join(paragraphs[k:] + paragraphs[:k]) + f" marker{n}"))
    return docs


def _blocks(matcher) -> list[tuple]:
    """Each block's (count, last id, max weight, min length, max length) of a W3 matcher."""
    if not hasattr(matcher, "block_max_id"):
        return []
    out = []
    while matcher.is_active():
        out.append(
            (
                matcher._blocklength,
                matcher.block_max_id(),
                matcher.block_max_weight(),
                matcher.block_min_length(),
                matcher.block_max_length(),
            )
        )
        matcher.skip_to(matcher.block_max_id() + 1)
    return out


def _dump(folder: Path) -> tuple:
    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as r:
        terms = []
        for fieldname, btext in r.all_terms():
            info = r.term_info(fieldname, btext)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())
            stats += (info.min_id(), info.max_id())
            m = r.postings(fieldname, btext)
            values = []
            while m.is_active():
                values.append((m.id(), m.weight(), m.value()))
                m.next()
            terms.append((fieldname, btext, stats, values, _blocks(r.postings(fieldname, btext))))
        lengths = [
            (d, f, r.doc_field_length(d, f)) for d in range(r.doc_count_all()) for f in ("title", "body", "source")
        ]
        return terms, lengths, list(r.all_stored_fields()), r.field_length("body")


def _build(folder: Path, docs, fast: bool, **writer_args) -> FastSegmentWriter | None:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = FastSegmentWriter(ix, **writer_args) if fast else ix.writer()
    for doc_id, text in docs:
        body = analyze(text) if fast else text
        writer.add_document(id=doc_id, title=text[:40], source="Shafaq News", body=body)
    if fast:
        assert writer._fast  # the postings really went the term-at-a-time way
    return writer


def test_term_at_a_time_postings_read_back_as_whooshs(tmp_path):
    docs = _docs(300)
    dumps = []
    for name in ("plain", "fast"):
        writer = _build(tmp_path / name, docs, name == "fast")
        writer.commit()
        dumps.append(_dump(tmp_path / name))
    assert dumps[0] == dumps[1]
    terms = {(f, t): (stats, blocks) for f, t, stats, _, blocks in dumps[1][0]}
    assert len(terms["body", b"iraq"][1]) > 1  # several blocks
    assert terms["body", b"marker7"][0][1] == 1  # a one-posting term


def test_spilled_runs_merge_into_the_same_postings(tmp_path):
    docs = _docs(200)
    writer = _build(tmp_path / "plain", docs, False)
    writer.commit()
    writer = FastSegmentWriter(whoosh_index.create_in(str(_mkdir(tmp_path / "fast")), build_schema()))
    writer._fast._budget = 200_000  # a run file every few documents
    for doc_id, text in docs:
        writer.add_document(id=doc_id, title=text[:40], source="Shafaq News", body=analyze(text))
    runs = list(writer._fast._runs)
    assert len(runs) > 3
    writer.commit()
    assert not any(Path(run).exists() for run in runs)  # removed after the flush
    assert _dump(tmp_path / "plain") == _dump(tmp_path / "fast")


def test_a_segment_that_merges_another_goes_through_the_pool(tmp_path):
    """The second commit merges the first segment into the new one with `add_reader`:
    the gathered body postings then join the pool, and the result still equals Whoosh's."""
    docs = _docs(120)
    for name in ("plain", "fast"):
        folder = tmp_path / name
        writer = _build(folder, docs[:60], name == "fast")
        writer.commit()
        ix = whoosh_index.open_dir(str(folder))
        writer = FastSegmentWriter(ix) if name == "fast" else ix.writer()
        for doc_id, text in docs[60:]:
            body = analyze(text) if name == "fast" else text
            writer.add_document(id=doc_id, title=text[:40], source="Shafaq News", body=body)
        writer.commit(optimize=True)
        if name == "fast":
            assert writer._merged
    assert _dump(tmp_path / "plain") == _dump(tmp_path / "fast")
    assert len(whoosh_index.open_dir(str(tmp_path / "fast"))._segments()) == 1


def test_a_cancelled_writer_leaves_no_run_files(tmp_path):
    writer = FastSegmentWriter(whoosh_index.create_in(str(_mkdir(tmp_path / "ix")), build_schema()))
    writer._fast._budget = 50_000
    for doc_id, text in _docs(20):
        writer.add_document(id=doc_id, title=text[:40], body=analyze(text))
    runs = list(writer._fast._runs)
    assert runs and all(Path(run).exists() for run in runs)
    writer.cancel()
    assert not any(Path(run).exists() for run in runs)


@pytest.mark.parametrize("boost", [None, 2.0])
def test_documents_the_fast_path_does_not_take_are_whooshs(tmp_path, boost):
    """A document with a boost keyword goes Whoosh's own way (and the result is the same)."""
    writer = FastSegmentWriter(whoosh_index.create_in(str(_mkdir(tmp_path / "ix")), build_schema()))
    text = _docs(1)[0][1]
    extra = {} if boost is None else {"_body_boost": boost}
    writer.add_document(id="a", title="t", body=analyze(text), **extra)
    gathered = bool(writer._fast._terms)
    writer.commit()
    assert gathered is (boost is None)
    with whoosh_index.open_dir(str(tmp_path / "ix")).reader() as r:
        assert r.doc_frequency("body", b"iraq") == 1
        assert r.postings("body", b"iraq").weight() == r.frequency("body", b"iraq")


def _mkdir(folder: Path) -> Path:
    folder.mkdir()
    return folder


def test_gathered_postings_hold_no_references_for_the_collector_to_walk(tmp_path):
    """Each term's gathered postings are two bytearrays in a tuple, whatever their count: the
    cyclic garbage collector walks two references per term, not three per posting (before,
    a worker's full collections walked every posting again and again)."""
    import gc

    writer = FastSegmentWriter(whoosh_index.create_in(str(_mkdir(tmp_path / "ix")), build_schema()))
    for doc_id, text in _docs(40):
        writer.add_document(id=doc_id, title=text[:40], body=analyze(text))
    terms = writer._fast._terms
    assert max(len(packed) for packed, _ in terms.values()) > 10 * 12  # terms with many postings
    walked = sum(len(gc.get_referents(entry)) for entry in terms.values())
    assert walked == 2 * len(terms)
    assert not any(gc.is_tracked(part) for entry in terms.values() for part in entry)
    writer.cancel()


def test_the_run_files_of_a_killed_build_are_swept_by_the_next(tmp_path, monkeypatch):
    """A worker killed with SIGKILL leaves its run files (up to the budget each) in the temp
    folder: the next build that spills removes those whose process is gone, never a live one's."""
    import subprocess
    import sys

    from index import segment_postings

    monkeypatch.setattr(segment_postings.tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(segment_postings, "_swept", set())
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    stale = tmp_path / "tmp" / f"reader-postings-{dead_pid}-abc.run"
    live = tmp_path / "tmp" / f"reader-postings-{os.getppid()}-def.run"  # a running process's
    other = tmp_path / "tmp" / "reader-postings-old.run"  # not named by a process: left alone
    for path in (stale, live, other):
        path.write_bytes(b"x" * 100)
    writer = FastSegmentWriter(whoosh_index.create_in(str(_mkdir(tmp_path / "fast")), build_schema()))
    writer._fast._budget = 200_000
    for doc_id, text in _docs(60):
        writer.add_document(id=doc_id, title=text[:40], source="Shafaq News", body=analyze(text))
    runs = list(writer._fast._runs)
    assert runs and all(Path(r).name.startswith(f"reader-postings-{os.getpid()}-") for r in runs)
    assert not stale.exists() and live.exists() and other.exists()
    writer.commit()
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == sorted([live.name, other.name])
