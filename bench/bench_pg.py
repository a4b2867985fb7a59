"""Benchmark the PostgreSQL store on a local, throwaway server (started as tests do).

Measures, on a project already holding --preload annotations:
- one tag round trip: `store.add` on one client (the transaction under the project's lock,
  committed) and the time until a second client, woken by LISTEN/NOTIFY, has read the change
  from the log (`refresh`): p50/p95 over --tags tags;
- five coders (processes) tagging concurrently for --seconds: changes per second, and a check
  that every acknowledged tag is on the server exactly once;
- opening a client on a store of --big annotations (the load of every row).
Prints a Markdown table; the figures go to docs/benchmarks.md with the machine's load.

    python bench/bench_pg.py [--tags 300] [--preload 10000] [--seconds 60] [--big 100000]
    python bench/bench_pg.py --open-only --other /path/to/old/checkout [--runs 3]

`--open-only` measures only the open, in fresh processes (wall and CPU time); with `--other`
it alternates this checkout's code and the other one's on the same data (a copy of the
database each, migrated by the code that opens it), so the ratio holds whatever the load.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from postgres_server import start_server  # noqa: E402
from reader.store import AnnotationStore, NewAnnotation  # noqa: E402
from reader.store.copy import copy_store  # noqa: E402
from reader.store.postgres import PostgresStore, connect  # noqa: E402

TEXT = ("The Iraqi Nujaba Movement announced on Tuesday that the ceasefire had ended; strikes on bases resumed. ") * 40
SHA = "d" * 64


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def project(server, annotations: int, folder: Path) -> str:
    """A new database holding `annotations` annotations over documents of 100 each."""
    store = AnnotationStore(folder, creator="seed")
    items = [
        NewAnnotation(f"doc{n // 100:05d}.txt", TEXT, SHA, (n * 7) % 3000, (n * 7) % 3000 + 9, (f"tag/{n % 20}",))
        for n in range(annotations)
    ]
    for k in range(0, len(items), 5000):
        store.add_many(items[k : k + 5000])
    url = server.url(server.create_database())
    copy_store(store, url)
    return url


def round_trips(url: str, tags: int) -> tuple[list[float], list[float]]:
    writer, reader = PostgresStore(url, creator="ann"), PostgresStore(url, creator="bob")
    seen = threading.Condition()
    state = {"seq": 0}

    def on_event(event):
        reader.refresh()
        with seen:
            state["seq"] = reader.seq
            seen.notify_all()

    listener = reader.listen(on_event)
    while not listener.listening.is_set():
        time.sleep(0.01)
    adds, visible = [], []
    for k in range(tags):
        start = time.perf_counter()
        writer.add("live.txt", TEXT, SHA, k, k + 5, ["live"])
        added = time.perf_counter()
        with seen:
            seen.wait_for(lambda: state["seq"] >= writer.seq, timeout=30)
        done = time.perf_counter()
        adds.append((added - start) * 1000)
        visible.append((done - start) * 1000)
    listener.stop()
    return adds, visible


def coder(url: str, name: str, seconds: float, out) -> None:
    store = PostgresStore(url, creator=name)
    ids, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        ids.append(
            store.add(f"shared{len(ids) % 3}.txt", TEXT, SHA, len(ids) % 500, len(ids) % 500 + 4, [f"coder/{name}"]).id
        )
    out.put((name, ids))


def concurrent(url: str, coders: int, seconds: float) -> tuple[int, float, bool]:
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=coder, args=(url, f"c{n}", seconds, queue)) for n in range(coders)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    acknowledged = [queue.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    ids = [i for _name, got in acknowledged for i in got]
    with connect(url) as conn:
        stored = [r[0] for r in conn.execute("SELECT id FROM annotations WHERE doc LIKE 'shared%'")]
    intact = sorted(stored) == sorted(ids) and len(set(ids)) == len(ids)
    return len(ids), elapsed, intact


OPEN = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from reader.store.postgres import PostgresStore
started, cpu = time.perf_counter(), time.process_time()
store = PostgresStore(sys.argv[2])
opened, opened_cpu = time.perf_counter() - started, time.process_time() - cpu
counts = store.counts()
first = time.perf_counter() - started
n = len(store.annotations())
print(json.dumps({"open": opened, "open_cpu": opened_cpu, "counts": first, "all": time.perf_counter() - started,
                  "all_cpu": time.process_time() - cpu, "n": n, "docs": len(counts)}))
"""


VERSION = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from reader.store.postgres.schema import SCHEMA_VERSION; print(SCHEMA_VERSION)"
)


def open_only(server, big: int, other: Path | None, runs: int) -> None:
    """Open a store of `big` annotations in fresh processes, this code and `other`'s alternately."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        url = project(server, big, Path(tmp) / "big")
    from reader.store.postgres.address import database

    name = database(url)
    codes = {"this": ROOT} | ({"other": other} if other else {})
    urls = {}
    for label, root in codes.items():
        copy = f"{name}_{label}"
        with server.admin() as conn:
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        urls[label] = url.replace(f"/{name}?", f"/{copy}?")
        supported = subprocess.run(
            [sys.executable, "-c", VERSION, str(root)], check=True, capture_output=True, text=True
        ).stdout.split()[-1]
        if int(supported) < 4:  # older code: the same data without version 4's table
            with connect(urls[label]) as conn:
                conn.execute("DROP TABLE texts")
                conn.execute("DELETE FROM reader_schema WHERE version > %s", (int(supported),))
        migrate = "import sys; sys.path.insert(0, sys.argv[1]); from reader.store.postgres import connect; "
        migrate += "from reader.store.postgres.schema import migrate; migrate(connect(sys.argv[2]))"
        subprocess.run([sys.executable, "-c", migrate, str(root), urls[label]], check=True)
    found: dict[str, list[dict]] = {label: [] for label in codes}
    for _ in range(runs):
        for label, root in codes.items():
            out = subprocess.run(
                [sys.executable, "-c", OPEN, str(root), urls[label]], check=True, capture_output=True, text=True
            ).stdout
            found[label].append(json.loads(out.splitlines()[-1]))
    print(f"load: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores; {big:,} annotations, median of {runs}")
    print("| code | open (wall / CPU) | + document counts | + every annotation (wall / CPU) |\n|---|---|---|---|")
    for label, rows in found.items():
        med = {k: statistics.median(r[k] for r in rows) for k in ("open", "open_cpu", "counts", "all", "all_cpu")}
        assert all(r["n"] == big for r in rows), rows
        print(
            f"| {label} | {med['open']:.2f} / {med['open_cpu']:.2f} s | {med['counts']:.2f} s "
            f"| {med['all']:.2f} / {med['all_cpu']:.2f} s |"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tags", type=int, default=300)
    ap.add_argument("--preload", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--coders", type=int, default=5)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--open-only", action="store_true")
    ap.add_argument("--other", type=Path, help="another checkout whose code to open the same data with")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    import tempfile

    server = start_server()
    if args.open_only:
        try:
            open_only(server, args.big, args.other, args.runs)
        finally:
            server.stop()
        return
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = project(server, args.preload, Path(tmp) / "pre")
            adds, visible = round_trips(url, args.tags)
            count, elapsed, intact = concurrent(url, args.coders, args.seconds)
            big = project(server, args.big, Path(tmp) / "big")
            started = time.perf_counter()
            store = PostgresStore(big)
            opened = time.perf_counter() - started
            assert len(store.annotations()) == args.big
        print(f"load: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores")
        print("| measure | p50 | p95 |\n|---|---|---|")
        print(
            f"| tag (add, committed), {args.preload:,} annotations | {statistics.median(adds):.1f} ms "
            f"| {percentile(adds, 95):.1f} ms |"
        )
        print(
            f"| tag until another client has it (NOTIFY + log) | {statistics.median(visible):.1f} ms "
            f"| {percentile(visible, 95):.1f} ms |"
        )
        print(
            f"\n{args.coders} coders for {args.seconds:.0f} s: {count} tags, "
            f"{count / elapsed:.0f}/s, every acknowledged tag stored once: {intact}"
        )
        print(f"open a client on {args.big:,} annotations: {opened:.2f} s")
        print(json.dumps({"adds_p95": percentile(adds, 95), "visible_p95": percentile(visible, 95)}))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
