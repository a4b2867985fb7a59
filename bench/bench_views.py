"""Benchmark the analytic views with 10,000 annotations.

Over the 100 MB benchmark corpus (`bench/data/scale100`, built by `python bench/corpora.py
scale100`) with its index in `bench/out/indexes/scale100` when both exist (the index is opened as
is, never updated here), else over the seeds replicated into a temporary folder and indexed
there. The annotations are made in a temporary store: `--per-doc` passages (default 10) in each
of `--docs` documents (default 1,000), word-aligned spans of 1 to 12 words, 1 or 2 tags of 30,
with some deliberately overlapping. Prints a Markdown table: median of `--repeat` runs.

    python bench/bench_views.py [--docs 1000] [--per-doc 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH_DIR))

from index.analysis import WORD_RE  # noqa: E402
from index.indexer import CorpusIndex  # noqa: E402
from index.term_counts import forget_rankings  # noqa: E402
from reader.analytics.cooccur import cooccurrence, iter_cooccurrence  # noqa: E402
from reader.analytics.frequencies import (  # noqa: E402
    corpus_terms,
    passage_terms,
    tag_counts,
    timeline,
)
from reader.analytics.kwic import concordance, concordance_stream  # noqa: E402
from reader.analytics.matrix import code_matrix  # noqa: E402
from reader.store import AnnotationStore, NewAnnotation  # noqa: E402

import corpora  # noqa: E402  (bench/corpora.py: where the data is, READER_BENCH_DATA included)

SCALE_CORPUS = corpora.SCALE100_DIR
SCALE_INDEX = BENCH_DIR / "out" / "indexes" / "scale100"
TAGS = [f"{kind}/{name}" for kind in ("actor", "event", "place") for name in "ABCDEFGHIJ"]


def log(message: str) -> None:
    print(f"[bench_views] {message}", file=sys.stderr, flush=True)


def open_corpus(tmp: Path) -> tuple[CorpusIndex, str]:
    if SCALE_CORPUS.is_dir() and (SCALE_INDEX / "manifest.json").is_file():
        ix = CorpusIndex(SCALE_CORPUS, SCALE_INDEX)
        if ix.documents():
            return ix, "scale100 (100 MB, 10,000 documents)"
    corpus = tmp / "seeds-x"
    corpus.mkdir()
    for i in range(200):
        for seed in sorted((REPO / "seeds").glob("*.txt")):
            shutil.copyfile(seed, corpus / f"{i:03d}-{seed.name}")
    ix = CorpusIndex(corpus, tmp / "index")
    log("indexing the replicated seeds...")
    ix.update()
    return ix, f"seeds x200 ({len(ix.documents())} documents)"


def make_store(ix: CorpusIndex, folder: Path, docs: int, per_doc: int) -> AnnotationStore:
    rng = random.Random(42)
    ids = sorted(ix.documents())
    chosen = rng.sample(ids, min(docs, len(ids)))
    items = []
    for doc_id in chosen:
        data = ix.corpus.file(doc_id).path.read_bytes()
        text = data.decode("utf-8", errors="surrogateescape")
        sha = hashlib.sha256(data).hexdigest()
        words = [m.span() for m in WORD_RE.finditer(text)]
        if len(words) < 20:
            continue
        for k in range(per_doc):
            if k and k % 4 == 0:  # overlap the previous passage
                start = rng.randrange(items[-1].start, items[-1].end)
                i = next(j for j, w in enumerate(words) if w[1] > start)
            else:
                i = rng.randrange(0, len(words) - 13)
            j = min(len(words) - 1, i + rng.randint(0, 11))
            items.append(
                NewAnnotation(doc_id, text, sha, words[i][0], words[j][1], tuple(rng.sample(TAGS, rng.randint(1, 2))))
            )
    store = AnnotationStore(folder, creator="bench")
    store.add_many(items)
    return store


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def first(stream_fn) -> float:
    t = time.perf_counter()
    next(iter(stream_fn()), None)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--per-doc", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--query", action="append", help="kwic queries (repeatable)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_views_") as tmp_name:
        tmp = Path(tmp_name)
        ix, corpus_name = open_corpus(tmp)
        meta = ix.documents()
        t = time.perf_counter()
        store = make_store(ix, tmp / "ann", args.docs, args.per_doc)
        log(f"store: {len(store.annotations())} annotations in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        store = AnnotationStore(tmp / "ann")
        load = time.perf_counter() - t
        n = len(store.annotations())
        rows: list[tuple[str, str, str]] = [("load the store (not a view)", f"{load:.3f} s", "")]

        def add(name: str, seconds: float, note: str = "") -> None:
            rows.append((name, f"{seconds:.3f} s", note))
            log(f"{name}: {seconds:.3f} s {note}")

        s, m = timed(lambda: code_matrix(store, meta), args.repeat)
        add("matrix by document, passages", s, f"{len(m.rows)} x {len(m.columns)}")
        s, m = timed(lambda: code_matrix(store, meta, measure="characters"), args.repeat)
        add("matrix by document, characters", s)
        s, m = timed(lambda: code_matrix(store, meta, by=("attribute", "title")), args.repeat)
        add("matrix by attribute (title)", s, f"{len(m.rows)} rows")
        s, c = timed(lambda: cooccurrence(store, mode="overlap"), args.repeat)
        add("co-occurrence, overlap", s, f"{len(c)} pairs")
        add(
            "co-occurrence, paragraph: first partial result",
            first(lambda: iter_cooccurrence(store, ix, "paragraph", every=100)),
            "every 100 documents",
        )
        s, c = timed(lambda: cooccurrence(store, ix, mode="paragraph"), args.repeat)
        add("co-occurrence, paragraph: complete", s, f"{len(c)} pairs (reads the texts)")
        forget_rankings()
        t = time.perf_counter()
        terms = corpus_terms(ix, 50)
        add("term frequencies, whole corpus (cold)", time.perf_counter() - t, f"top: {terms[0].term}")
        s, _ = timed(lambda: corpus_terms(ix, 50), args.repeat)
        add("term frequencies, whole corpus (cached)", s)
        s, _ = timed(lambda: passage_terms(store, "actor"), args.repeat)
        add("term frequencies under a tag (actor: 1/3 of passages)", s)
        s, _ = timed(lambda: tag_counts(store), args.repeat)
        add("tag counts", s)
        s, tl = timed(lambda: timeline(meta, store), args.repeat)
        add("timeline", s, f"{len(tl)} dates")
        queries = args.query or (
            ["hugetlbfs", '"device tree"', "interrupt"]
            if "scale100" in corpus_name
            else ["Nujaba", "Iraq", '"Nujaba movement"']
        )
        for q in queries:
            add(f"kwic {q}: first document", first(lambda: concordance_stream(ix, q)))
            s, lines = timed(lambda: concordance(ix, q), 1)
            add(f"kwic {q}: all", s, f"{len(lines):,} lines in {len({l.doc_id for l in lines}):,} documents")

    print(f"\nViews over {corpus_name}, {n:,} annotations (median of {args.repeat}; kwic once)\n")
    print("| view | time | notes |")
    print("|---|---|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds} | {note} |")


if __name__ == "__main__":
    main()
