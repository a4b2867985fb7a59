"""Benchmark export at 10,000 annotations over 200 documents, every format.

Each figure is one full `reader.export.export(...)` call (select: load documents, re-anchor every
annotation, read the codebook; then render), median of --repeat runs, no file written. Also
times `count()` (the dialog's preview) and importing the qdpx back into an empty store.
Prints a Markdown table. Target: < 2 s per format.

    python bench/bench_export.py [--docs 200] [--per-doc 50] [--repeat 3]

With `--corpus DIR --annotations DIR` (issue 19: a project of 100,000 annotations made by
bench/annotation_fixture.py), each format is exported to a file by a fresh process that opens
the store itself, and the table has its seconds and peak memory (target: under 2 s and
300 MiB); `--other CHECKOUT` runs that checkout's code alternately for same-run ratios.

    python bench/bench_export.py --corpus bench/data/scale100 --annotations DIR [--index DIR] [--repeat 1]
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


CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from index.corpus import Corpus
from reader.export import export
from reader.store import AnnotationStore
fmt, corpus, annotations, out, index = sys.argv[1:6]
started, cpu = time.perf_counter(), os.times()
store = AnnotationStore(annotations)
if index:  # as `reader export` and the app do: the paths, so the index's manifest is read
    from reader.paths import Paths
    result = export(fmt, paths=Paths(Path(corpus), Path(annotations), Path(index)), store=store, output=Path(out))
else:
    result = export(fmt, store=store, corpus=Corpus(Path(corpus)), output=Path(out))
seconds, done = time.perf_counter() - started, os.times()
print(json.dumps({"seconds": seconds, "cpu": done.user + done.system - cpu.user - cpu.system,
                  "count": result.count, "rows": result.rows, "bytes": Path(out).stat().st_size,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def project(corpus: Path, annotations: Path, repeat: int, other: Path | None, index: Path | None = None) -> None:
    """Every format of a whole project (e.g. bench/annotation_fixture.py's 100,000 annotations
    over scale100), each export in a fresh process (store opened, export written to a file):
    seconds, CPU seconds and the process's peak memory, alternating with `other`'s code when
    given. With `index` (the corpus's index folder) the export is given the paths, as the CLI
    and the app give it, and takes the documents' metadata from the index's manifest."""
    import json
    import os
    import subprocess

    codes = {"this": Path(__file__).resolve().parent.parent, **({"other": other} if other else {})}
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench_export_") as tmp:
        for fmt in FORMATS:
            for _ in range(repeat):
                for name, code in codes.items():
                    out = subprocess.run(
                        [
                            sys.executable,
                            "-c",
                            CHILD,
                            fmt,
                            str(corpus),
                            str(annotations),
                            str(Path(tmp) / f"out.{fmt}"),
                            str(index or ""),
                        ],
                        cwd=code,
                        env={**os.environ, "PYTHONPATH": str(code)},
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    results.setdefault((fmt, name), []).append(json.loads(out.stdout.splitlines()[-1]))
            print(f"{fmt} done, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
    print(f"| format | code | annotations | seconds (median of {repeat}) | CPU s | peak MiB | output MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (fmt, name), runs in results.items():
        print(
            f"| {fmt} | {name} | {runs[0]['count']:,} "
            f"| {statistics.median(r['seconds'] for r in runs):.2f} "
            f"| {statistics.median(r['cpu'] for r in runs):.2f} "
            f"| {max(r['peak_mib'] for r in runs):.0f} | {runs[0]['bytes'] / 1e6:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--per-doc", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, help="with --annotations: a whole project")
    parser.add_argument("--annotations", type=Path)
    parser.add_argument("--other", type=Path, help="another checkout, run alternately")
    parser.add_argument("--index", type=Path, help="with --corpus: its index folder (the manifest's metadata)")
    args = parser.parse_args()
    if args.corpus is not None:
        project(args.corpus, args.annotations, args.repeat, args.other, args.index)
        return
    rng = random.Random(7)
    tmp = tempfile.TemporaryDirectory(prefix="bench_export_")
    root = Path(tmp.name)
    corpus_dir = root / "corpus"
    tags = [f"{kind}/{name}" for kind in ("actor", "event", "place") for name in "ABCDEFGHIJ"]
    items = []
    for i in range(args.docs):
        doc_id = f"f{i // 50}/doc{i:04d}.txt"
        words = [rng.choice(WORDS) for _ in range(2_000)]
        text = "\n\n".join(" ".join(words[j : j + 100]) for j in range(0, len(words), 100)) + "\n"
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

    print(f"{n:,} annotations over {args.docs} documents (~{len(text):,} characters each), median of {args.repeat}\n")
    print("| step | seconds | output bytes | rows |")
    print("|---|---:|---:|---:|")
    for name, seconds, size, count_rows in rows:
        print(f"| {name} | {seconds:.2f} | {size:,} | {count_rows:,} |")
    tmp.cleanup()


if __name__ == "__main__":
    main()
