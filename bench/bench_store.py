"""Benchmark the annotation store at 10,000 annotations over 1,000 documents.

Measures: building the store (add_many, one write per document), loading it from disk, a full
`save()` that finds nothing to rewrite, a forced rewrite of every file, and a single `add` (and
`edit`) at that size: p50/p95 over many calls, each durable (fsync) and under the folder lock.
Prints a Markdown table. The folder is a temporary one unless --folder is given.

    python bench/bench_store.py [--docs 1000] [--per-doc 10] [--adds 300] [--folder DIR]

With `--corpus DIR --annotations DIR` (issue 19: a project of 100,000 annotations made by
bench/annotation_fixture.py), a copy of the project is opened the way the app opens it (no
summaries yet, then with the summaries kept beside the index), timed in fresh processes, and
single adds and edits are timed at that size (target: open under 0.5 s, add p95 under 10 ms).

    python bench/bench_store.py --corpus bench/data/scale100 --annotations DIR [--adds 300]
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

from reader.store import AnnotationStore, NewAnnotation  # noqa: E402

WORDS = (
    "the truce resistance forces targeted bases Iraq statement movement council withdrawal "
    "negotiations drone strike governorate militia “quoted” النُّجَباء المقاومة 👨‍👩‍👧"
).split()


def make_text(rng: random.Random, n_words: int = 600) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_adds(store, pick, rng: random.Random, adds: int) -> tuple[list[float], list[float]]:
    """Milliseconds of `adds` single adds (each then edited), on documents `pick()` chooses
    as (doc, text, sha256, tag)."""
    add_times, edit_times = [], []
    for _ in range(adds):
        doc, text, sha, tag = pick()
        start = rng.randrange(0, len(text) - 40)
        t = time.perf_counter()
        a = store.add(doc, text, sha, start, start + 12, [tag])
        add_times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        store.edit(a.id, note="edited")
        edit_times.append((time.perf_counter() - t) * 1000)
    return add_times, edit_times


OPEN_CHILD = r"""
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from reader.store import AnnotationStore
imported = time.perf_counter()
folder, summary = sys.argv[1], sys.argv[2]
cpu = time.process_time()
try:
    store = AnnotationStore(folder, summary=Path(summary) if summary else None)
except TypeError:  # an older store (--other): it reads every file when it opens
    store = AnnotationStore(folder)
opened = time.perf_counter()
counts = store.counts() if hasattr(store, "counts") else None
counted = time.perf_counter()
out = {"open": opened - imported, "counts": counted - opened, "cpu": time.process_time() - cpu}
if hasattr(store, "load_all"):
    store.load_all()
out["all"] = time.perf_counter() - imported
out["annotations"] = len(store.annotations())
print(json.dumps(out))
"""


def project(corpus: Path, annotations: Path, adds: int, repeat: int = 3, other: Path | None = None) -> None:
    """The store of a whole project: open (fresh processes, alternating with `other`'s code
    when given) and single changes."""
    import json
    import os
    import shutil
    import subprocess

    from index.corpus import Corpus

    tmp = tempfile.TemporaryDirectory(prefix="bench_store_")
    folder = Path(tmp.name) / "ann"
    shutil.copytree(annotations, folder)
    summary = Path(tmp.name) / "index" / "annotations-summary.json"
    repo = Path(__file__).resolve().parent.parent
    rows: list[tuple[str, str]] = []
    load = lambda: " ".join(f"{x:.1f}" for x in os.getloadavg())  # noqa: E731
    rows.append(("load average at the start", load()))
    codes = {"this": repo, **({"other": other} if other else {})}
    for case, path in (("no summaries (the first open)", ""), ("with summaries", str(summary))):
        runs: dict[str, list[dict]] = {name: [] for name in codes}
        for _ in range(repeat):
            for name, code in codes.items():
                out = subprocess.run(
                    [sys.executable, "-c", OPEN_CHILD, str(folder), path],
                    cwd=code,
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONPATH": str(code)},
                )
                runs[name].append(json.loads(out.stdout.splitlines()[-1]))
            if path and not summary.exists():
                raise SystemExit("the summaries were not kept")
        if not path:  # keep the summaries for the next case, as the app's first start does
            AnnotationStore(folder, summary=summary).load_all()
        for name, done in runs.items():
            med = {k: statistics.median(r[k] for r in done) for k in ("open", "counts", "cpu", "all")}
            rows.append(
                (
                    f"{name}: open, {case}: open / counts per document / CPU of both",
                    f"{med['open']:.3f} / {med['counts']:.3f} / {med['cpu']:.3f} s",
                )
            )
            rows.append(
                (
                    f"{name}: open, {case}: then read every file ({done[0]['annotations']:,} annotations)",
                    f"{med['all']:.2f} s",
                )
            )
    store = AnnotationStore(folder, creator="bench", summary=summary)
    docs = store.documents()
    corpus_ = Corpus(corpus)
    rng = random.Random(5)
    texts: dict[str, tuple[str, str]] = {}

    def pick() -> tuple[str, str, str, str]:
        doc = rng.choice(docs)
        text, sha = texts.setdefault(doc, corpus_.read_text(doc))
        return doc, text, sha, "bench/added"

    add_times, edit_times = time_adds(store, pick, rng, adds)
    rows.append(
        (
            f"single add, p50 / p95 (n={adds}; a new tag's first add writes the codebook too)",
            f"{percentile(add_times, 50):.2f} / {percentile(add_times, 95):.2f} ms",
        )
    )
    rows.append(
        (
            f"single edit, p50 / p95 (n={adds})",
            f"{percentile(edit_times, 50):.2f} / {percentile(edit_times, 95):.2f} ms",
        )
    )
    rows.append(("load average at the end", load()))
    print(f"Annotation store, project {annotations} over {corpus}\n")
    print("| operation | time |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--per-doc", type=int, default=10)
    parser.add_argument("--adds", type=int, default=300)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--corpus", type=Path, help="with --annotations: a whole project")
    parser.add_argument("--annotations", type=Path)
    parser.add_argument("--other", type=Path, help="another checkout's store, run alternately")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.corpus is not None:
        project(args.corpus, args.annotations, args.adds, args.repeat, args.other)
        return

    rng = random.Random(42)
    tmp = None
    if args.folder is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_store_")
        folder = Path(tmp.name) / "ann"
    else:
        folder = args.folder
    texts = {f"folder{i // 100}/doc{i:04d}.txt": make_text(rng) for i in range(args.docs)}
    shas = {d: hashlib.sha256(t.encode()).hexdigest() for d, t in texts.items()}
    tags = [f"{kind}/{name}" for kind in ("actor", "event", "place") for name in "ABCDEFGHIJ"]

    rows: list[tuple[str, str]] = []
    store = AnnotationStore(folder, creator="bench")
    items = []
    for doc, text in texts.items():
        for _ in range(args.per_doc):
            start = rng.randrange(0, len(text) - 40)
            items.append(
                NewAnnotation(
                    doc,
                    text,
                    shas[doc],
                    start,
                    start + rng.randint(3, 40),
                    rng.sample(tags, rng.randint(1, 3)),
                    note="bench",
                )
            )
    t = time.perf_counter()
    store.add_many(items)
    rows.append(
        (f"create {len(items):,} annotations in {args.docs:,} files (add_many)", f"{time.perf_counter() - t:.2f} s")
    )
    size = sum(p.stat().st_size for p in folder.rglob("*.json"))
    rows.append(("size on disk (JSON)", f"{size / 1e6:.1f} MB"))

    loads = []
    for _ in range(3):
        t = time.perf_counter()
        loaded = AnnotationStore(folder)
        loads.append(time.perf_counter() - t)
    assert len(loaded.annotations()) == len(items)
    rows.append(("load (open the store, parse every file), median of 3", f"{statistics.median(loads) * 1000:.0f} ms"))

    t = time.perf_counter()
    written = loaded.save()
    rows.append(
        (f"save() with nothing changed ({written} files written)", f"{(time.perf_counter() - t) * 1000:.0f} ms")
    )

    for path in folder.rglob("*.json"):  # force a rewrite of every file: one trailing space
        path.write_bytes(path.read_bytes() + b" ")
    loaded = AnnotationStore(folder)
    t = time.perf_counter()
    written = loaded.save()
    rows.append((f"save() rewriting every file ({written} files, each fsynced)", f"{time.perf_counter() - t:.2f} s"))

    docs = list(texts)

    def pick() -> tuple[str, str, str, str]:
        doc = rng.choice(docs)
        return doc, texts[doc], shas[doc], rng.choice(tags)

    add_times, edit_times = time_adds(loaded, pick, rng, args.adds)
    rows.append(
        (
            f"single add at this size, p50 / p95 (n={args.adds})",
            f"{percentile(add_times, 50):.2f} / {percentile(add_times, 95):.2f} ms",
        )
    )
    rows.append(
        (
            f"single edit at this size, p50 / p95 (n={args.adds})",
            f"{percentile(edit_times, 50):.2f} / {percentile(edit_times, 95):.2f} ms",
        )
    )
    t = time.perf_counter()
    loaded.undo()
    rows.append(("undo of the last edit", f"{(time.perf_counter() - t) * 1000:.2f} ms"))
    t = time.perf_counter()
    n = loaded.rename_tag("actor", "group")
    rows.append((f"rename a tag family ({n:,} annotations, all files re-read)", f"{time.perf_counter() - t:.2f} s"))

    print(
        f"Annotation store, {len(items):,} annotations over {args.docs:,} documents "
        f"(Python {sys.version.split()[0]}, folder {folder})\n"
    )
    print("| operation | time |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print(f"\ntarget: single add p95 < 10 ms: {'met' if percentile(add_times, 95) < 10 else 'NOT met'}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
