"""Benchmark export at 10,000 annotations over 200 documents, every format.

Each figure is one full `reader.export.export(...)` call (select: load documents, re-anchor every
annotation, read the codebook; then render), median of --repeat runs, no file written. Also
times `count()` (the dialog's preview) and importing the qdpx back into an empty store.
Prints a Markdown table. Target: < 2 s per format.

    python bench/bench_export.py [--docs 200] [--per-doc 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.corpus import Corpus  # noqa: E402
from reader.export import FORMATS, count, export  # noqa: E402
from reader.importer import import_file  # noqa: E402
from reader.store import AnnotationStore, NewAnnotation  # noqa: E402

WORDS = (
    "the truce resistance forces targeted bases Iraq statement movement council withdrawal "
    "negotiations drone strike governorate militia “quoted” النُّجَباء المقاومة 👨‍👩‍👧"
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--per-doc", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    tmp = tempfile.TemporaryDirectory(prefix="bench_export_")
    root = Path(tmp.name)
    corpus_dir = root / "corpus"
    tags = [f"{kind}/{name}" for kind in ("actor", "event", "place") for name in "ABCDEFGHIJ"]
    items = []
    for i in range(args.docs):
        doc_id = f"f{i // 50}/doc{i:04d}.txt"
        words = [rng.choice(WORDS) for _ in range(2_000)]
        text = "\n\n".join(" ".join(words[j:j + 100]) for j in range(0, len(words), 100)) + "\n"
        path = corpus_dir / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        for _ in range(args.per_doc):
            start = rng.randrange(0, len(text) - 200)
            end = start + rng.randrange(5, 150)
            chosen = tuple(rng.sample(tags, rng.choice((1, 1, 2))))
            items.append(NewAnnotation(doc_id, text, sha, start, end, chosen, rng.choice(("", "", "a note"))))
    store = AnnotationStore(root / "ann", creator="bench")
    store.add_many(items)
    corpus = Corpus(corpus_dir)
    n = len(store.annotations())

    rows = []
    qdpx_data = None
    for fmt in FORMATS:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = export(fmt, store=store, corpus=corpus)
            times.append(time.perf_counter() - started)
        if fmt == "qdpx":
            qdpx_data = result.data
        rows.append((f"export {fmt}", statistics.median(times), len(result.data), result.rows))
    started = time.perf_counter()
    c = count(store=store)
    rows.append(("count (preview)", time.perf_counter() - started, 0, c))
    qdpx = root / "x.qdpx"
    qdpx.write_bytes(qdpx_data)
    started = time.perf_counter()
    report = import_file(qdpx, AnnotationStore(root / "fresh", creator="bench"), corpus)
    rows.append(("import qdpx (empty store)", time.perf_counter() - started, qdpx.stat().st_size, report.added))

    print(f"{n:,} annotations over {args.docs} documents (~{len(text):,} characters each), "
          f"median of {args.repeat}\n")
    print("| step | seconds | output bytes | rows |")
    print("|---|---:|---:|---:|")
    for name, seconds, size, count_rows in rows:
        print(f"| {name} | {seconds:.2f} | {size:,} | {count_rows:,} |")
    tmp.cleanup()


if __name__ == "__main__":
    main()
