"""Search-only benchmark: bench_index's queries on an index already built, per kind, wall and CPU.

Why: `bench_index.py` builds, re-opens and updates before it searches (minutes at 300 MB, most
of an hour at 1 GB), and on a shared machine only CPU time and old/new runs taken in the same
minutes say anything. This runs just the searches, as the app does (the helper process warmed
first), and reports per kind of query the wall-clock and CPU p50/p95 (CPU of this process plus
the helper's, read from /proc), so two checkouts can be run in turn on one index:

    python bench/bench_search_kinds.py --corpus-root /tmp/bd/scale300 --index IDX --code CHECKOUT \\
        [--kinds phrase,prefix] [--rounds 2] [--dump results.json] [--compare other.json]

`--code` puts that checkout first on sys.path (default: this one), so the old code is timed by
the same script. `--dump` writes every query's total, hits (id, score, spans, units, snippet),
suggestions, notes and added spellings; `--compare` reports the queries whose dump differs.
The queries (bench_index's `generate_queries`, seeded) are kept in `--queries` once drawn.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def _helper_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of the helper process so far, 0.0 if unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _dump(res) -> dict:
    return {
        "total": res.total,
        "hits": [
            [h.doc_id, repr(h.score), repr(h.spans), h.snippet, repr(h.snippet_spans), repr(h.units)] for h in res.hits
        ],
        "suggestions": list(res.suggestions),
        "notes": list(res.notes),
        "added": repr(res.added),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus-root", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True, help="the index folder (a copy: update() may write)")
    parser.add_argument("--code", type=Path, default=BENCH_DIR.parent, help="the checkout whose code is timed")
    parser.add_argument("--queries", type=Path, help="queries file (made from the corpus when missing)")
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the queries; the last is reported")
    parser.add_argument("--no-helper", action="store_true", help="one process, as a one-off `reader search`")
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--slowest", type=int, default=8)
    parser.add_argument("--profile", type=Path, help="cProfile the searches (the last round) into this .prof file")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(BENCH_DIR))
    import bench_index  # noqa: E402 - it puts this checkout first on sys.path: --code goes before it

    sys.path.insert(0, str(args.code.resolve()))
    import index  # noqa: E402
    from index.indexer import CorpusIndex  # noqa: E402
    from index.search import close_searcher, search, searching, warm  # noqa: E402

    print(f"[search-kinds] code: {Path(index.__file__).parent.parent}", file=sys.stderr)
    queries_file = args.queries or args.index.with_name(args.index.name + "-queries.json")
    if queries_file.exists():
        queries = [tuple(q) for q in json.loads(queries_file.read_text())]
    else:
        ci = CorpusIndex(args.corpus_root, args.index)
        made = bench_index.generate_queries(args.corpus_root, bench_index._schema_fields(ci))
        queries = [(q.kind, q.text) for q in made]
        queries_file.write_text(json.dumps(queries, ensure_ascii=False, indent=0))
    kinds = [k for k in args.kinds.split(",") if k] or list(bench_index.KINDS)
    queries = [q for q in queries if q[0] in kinds]

    ci = CorpusIndex(args.corpus_root, args.index)
    ci.update()
    warm(ci, helper=not args.no_helper)
    pid = None
    with searching(ci) as (_searcher, entry):
        if entry.helper is not None and entry.helper.wait_ready():
            pid = entry.helper.pid
    search(ci, "kernel")
    rows: list[dict] = []
    dumps: dict[str, dict] = {}
    import cProfile

    profiler = None
    for round_no in range(max(1, args.rounds)):
        rows = []
        if args.profile and round_no == max(1, args.rounds) - 1:
            profiler = cProfile.Profile()
            profiler.enable()
        for kind, text in queries:
            c0, h0, t0 = time.process_time(), _helper_cpu(pid), time.perf_counter()
            res = search(ci, text, page=1, pagelen=20)
            wall = time.perf_counter() - t0
            cpu = time.process_time() - c0 + _helper_cpu(pid) - h0
            rows.append({"kind": kind, "query": text, "ms": wall * 1000, "cpu": cpu * 1000, "total": res.total})
            if args.dump or args.compare:
                dumps[f"{kind}\t{text}"] = _dump(res)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(args.profile))
    close_searcher(ci)

    load = os.getloadavg()
    print(f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, helper {'pid ' + str(pid) if pid else 'none'}")
    print("| kind | n | wall p50 / p95 ms | CPU p50 / p95 ms | CPU sum ms |")
    print("|---|---|---|---|---|")
    for kind in [*kinds, "all"]:
        sel = [r for r in rows if kind == "all" or r["kind"] == kind]
        if not sel:
            continue
        ms, cpu = [r["ms"] for r in sel], [r["cpu"] for r in sel]
        print(
            f"| {kind} | {len(sel)} | {_percentile(ms, 50):.1f} / {_percentile(ms, 95):.1f} |"
            f" {_percentile(cpu, 50):.1f} / {_percentile(cpu, 95):.1f} | {sum(cpu):.0f} |"
        )
    slow = sorted(rows, key=lambda r: -r["ms"])[: args.slowest]
    print("slowest:", "; ".join(f"{r['query']!r} {r['ms']:.0f} ms, CPU {r['cpu']:.0f} ({r['total']})" for r in slow))
    print(f"mean {statistics.fmean(r['ms'] for r in rows):.1f} ms")
    if args.dump:
        args.dump.write_text(json.dumps(dumps, ensure_ascii=False))
    if args.compare:
        other = json.loads(args.compare.read_text())
        differ = [k for k in dumps if k in other and other[k] != dumps[k]]
        missing = [k for k in dumps if k not in other]
        print(f"compare: {len(dumps)} queries, {len(differ)} differ, {len(missing)} not in {args.compare}")
        for k in differ[:10]:
            print("  differs:", k.replace("\t", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
