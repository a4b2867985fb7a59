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
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from app_search import AppSearch, load_queries, percentile, queries_file_for, use_code  # noqa: E402


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

    use_code(args.code)
    import bench_index  # noqa: E402
    import index  # noqa: E402

    print(f"[search-kinds] code: {Path(index.__file__).parent.parent}", file=sys.stderr)
    queries = load_queries(args.corpus_root, args.index, args.queries or queries_file_for(args.index))
    kinds = [k for k in args.kinds.split(",") if k] or list(bench_index.KINDS)
    queries = [q for q in queries if q[0] in kinds]

    app = AppSearch(args.corpus_root, args.index, helper=not args.no_helper)
    pid = app.pid
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
            t = app.run(text)
            res = t.result
            rows.append(
                {"kind": kind, "query": text, "ms": t.ms, "cpu": t.cpu_ms, "total": t.total, "until_total": t.total_ms}
            )
            if args.dump or args.compare:
                dumps[f"{kind}\t{text}"] = _dump(res)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(args.profile))
    app.close()

    load = os.getloadavg()
    print(f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, helper {'pid ' + str(pid) if pid else 'none'}")
    print("| kind | n | wall p50 / p95 ms | CPU p50 / p95 ms | CPU sum ms | until the total, wall p50 / p95 ms |")
    print("|---|---|---|---|---|---|")
    for kind in [*kinds, "all"]:
        sel = [r for r in rows if kind == "all" or r["kind"] == kind]
        if not sel:
            continue
        ms, cpu, until = [r["ms"] for r in sel], [r["cpu"] for r in sel], [r["until_total"] for r in sel]
        print(
            f"| {kind} | {len(sel)} | {percentile(ms, 50):.1f} / {percentile(ms, 95):.1f} |"
            f" {percentile(cpu, 50):.1f} / {percentile(cpu, 95):.1f} | {sum(cpu):.0f} |"
            f" {percentile(until, 50):.1f} / {percentile(until, 95):.1f} |"
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
