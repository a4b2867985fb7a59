"""Benchmark of `reader agree`: three coders, 10,000 annotations each, over scale100 (100 MB).

The target (issue 17): under 2 s. The coders are simulated from real text: coder A tags
10,000 sentences of scale100 (bench/corpora.py) with one of 12 tags; B and C each keep about 85%
of A's passages with boundaries moved by up to 15 characters, change the tag of 5% and add
passages of their own, so agreement is high but not perfect, as in a real study. The store is
written once (a marker file says so) under bench/data/agree/.

Reported: the time of gathering (reading the store and the documents, placing the annotations),
of the coefficients with the bootstrap (1,000 replicates per tag and choice of text), and of the
whole `reader agree --json` command in a fresh process, with the load of the machine. Run 1 and
the first fresh process start without the places cache `reader agree` keeps beside the index
(reader/agreement/places_cache.py: every file read), the others with it (unchanged documents'
files not read), as a user's second run of the day.

Usage::

    python bench/bench_agree.py            # builds what is missing, then measures 3 runs
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpora  # noqa: E402

from index.corpus import Corpus  # noqa: E402
from index.structure import sentences  # noqa: E402
from reader.agreement.load import gather  # noqa: E402
from reader.agreement.places_cache import FILE_NAME  # noqa: E402
from reader.store import AnnotationStore, NewAnnotation  # noqa: E402

TAGS = [f"theme/{name}" for name in ("power", "risk", "trust", "change", "cost", "time")] + [
    "actor/person",
    "actor/group",
    "place",
    "event",
    "tone/positive",
    "tone/negative",
]
PER_CODER = 10_000


def build_store(corpus_root: Path, folder: Path) -> None:
    marker = folder / "built.json"
    if marker.exists():
        return
    rng = random.Random(17)
    corpus = Corpus(corpus_root)
    docs = sorted(f.id for f in corpus.scan()[0])
    picked = rng.sample(docs, 3_000)
    plans: dict[str, list[NewAnnotation]] = {"ann": [], "bob": [], "cy": []}
    count = 0
    for doc in picked:
        data = (corpus_root / doc).read_bytes()
        text = data.decode("utf-8", errors="replace")
        sha = hashlib.sha256(data).hexdigest()
        spans = [s for s in sentences(text) if s.end - s.start > 30]
        for s in rng.sample(spans, min(len(spans), 4)):
            if count >= PER_CODER:
                break
            count += 1
            tag = rng.choice(TAGS)
            plans["ann"].append(NewAnnotation(doc, text, sha, s.start, s.end, (tag,)))
            for coder in ("bob", "cy"):
                if rng.random() < 0.85:
                    start = max(0, s.start + rng.randint(-15, 15))
                    end = min(len(text), max(start + 1, s.end + rng.randint(-15, 15)))
                    other = tag if rng.random() > 0.05 else rng.choice(TAGS)
                    plans[coder].append(NewAnnotation(doc, text, sha, start, end, (other,)))
        while len(plans["bob"]) < len(plans["ann"]) or len(plans["cy"]) < len(plans["ann"]):
            coder = "bob" if len(plans["bob"]) < len(plans["ann"]) else "cy"
            s = rng.choice(spans)
            plans[coder].append(NewAnnotation(doc, text, sha, s.start, s.end, (rng.choice(TAGS),)))
    for coder, items in plans.items():
        store = AnnotationStore(folder, creator=coder)
        for k in range(0, len(items), 500):
            store.add_many(items[k : k + 500])
    marker.write_text(json.dumps({k: len(v) for k, v in plans.items()}))


def main() -> int:
    corpus_root = corpora.ensure("scale100")
    folder = ROOT / "bench" / "data" / "agree"
    t0 = time.perf_counter()
    build_store(corpus_root, folder)
    print(f"store ready in {time.perf_counter() - t0:.1f} s: {folder}")
    index = ROOT / "bench" / "data" / "agree-ix"
    cache = index / FILE_NAME
    cache.unlink(missing_ok=True)
    for run in range(3):
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        store = AnnotationStore(folder)
        gathered = gather(store, Corpus(corpus_root), cache=cache)
        t1, c1 = time.perf_counter(), time.process_time()
        results = gathered.study.results()
        t2, c2 = time.perf_counter(), time.process_time()
        overall = results[-1].with_uncoded
        print(
            f"run {run + 1} ({'no cache' if run == 0 else 'cache'}): gather {t1 - t0:.2f} s (cpu {c1 - c0:.2f}), "
            f"coefficients with the bootstrap {t2 - t1:.2f} s (cpu {c2 - c1:.2f}); {len(results)} results, "
            f"{overall.units:,} units, alpha {overall.alpha:.3f}; total {t2 - t0:.2f} s, load {load:.1f}"
        )
    command = [sys.executable, "-m", "reader", "agree", "--json"]
    command += ["--corpus", str(corpus_root), "--annotations", str(folder), "--index", str(index)]
    for label in ("no cache", "cache"):
        if label == "no cache":
            cache.unlink(missing_ok=True)
        before = os.times()
        t0 = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        print(
            f"reader agree --json, fresh process, {label}: {wall:.2f} s (cpu {cpu:.2f}), "
            f"{len(out.stdout.splitlines())} lines, load {os.getloadavg()[0]:.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
