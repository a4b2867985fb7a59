"""Cold start of the app to its first painted screen, on the seeds (target: under 0.8 s).

Each run is a fresh Python process (so imports are paid every time, as when a user types
`reader`): it builds the app with `create_app` on a copy of the seeds, runs it headless at 120x40
and reports, measured from just before the process was started by this script:

- `painted`: the main screen is mounted, the document list filled and the first frame rendered
  (the moment the auto-pilot first runs, after the app's first refresh);
- `indexed`: the start-up index check (incremental, nothing changed) has finished in its worker.

Two cases: `first` (no index yet: the first start on a corpus builds it in a worker; the list is
empty until it is done) and `again` (the index exists: the usual start). Median of --runs runs.

    python bench/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 0.8

CHILD = r"""
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from reader.app import create_app
from reader.paths import Paths
imported = time.perf_counter()
root = Path(sys.argv[1])
app = create_app(Paths(root / "corpus", root / "annotations", root / "index"))
marks = {}

async def pilot_run(pilot):
    await pilot.pause()
    marks["painted"] = time.perf_counter()
    marks["rows"] = app.screen.query_one("#documents").row_count
    await app.workers.wait_for_complete()
    await pilot.pause()
    marks["indexed"] = time.perf_counter()
    marks["rows_after"] = app.screen.query_one("#documents").row_count
    app.exit()

app.run(headless=True, size=(120, 40), auto_pilot=pilot_run)
print(json.dumps({
    "imports": imported - started,
    "painted": marks["painted"] - started,
    "indexed": marks["indexed"] - started,
    "rows": marks["rows"],
    "rows_after": marks["rows_after"],
}))
"""


def run_once(root: Path) -> dict[str, float]:
    """One cold start; times are from just before the process was started."""
    before = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(root)],
        check=True,
        capture_output=True,
        text=True,
        env={"READER_CONFIG_DIR": str(root / "config"), "PATH": "/usr/bin:/bin",
             "HOME": str(root)},
    )
    spawned = time.perf_counter() - before
    child = json.loads(out.stdout.strip().splitlines()[-1])
    # the child's clock starts after the interpreter is up: add the interpreter start-up
    # (the whole run minus what the child measured up to its exit is an upper bound; use the
    # fixed cost of `python -c pass` instead, measured once)
    return {**child, "wall": spawned}


def interpreter_startup() -> float:
    times = []
    for _ in range(5):
        before = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - before)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = interpreter_startup()
    results: dict[str, list[dict[str, float]]] = {"first": [], "again": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            root = Path(tmp) / f"run{i}"
            shutil.copytree(REPO / "seeds", root / "corpus")
            results["first"].append(run_once(root))  # no index yet
            results["again"].append(run_once(root))  # the index exists
    print(f"python -c pass: {python * 1000:.0f} ms (included below)")
    print(f"{'case':6} {'imports':>8} {'painted':>8} {'indexed':>8} {'process':>8}  (median of "
          f"{args.runs}, ms)")
    for case, runs in results.items():
        def median(key: str, extra: float = 0.0) -> float:
            return statistics.median(r[key] + extra for r in runs) * 1000
        print(f"{case:6} {median('imports', python):8.0f} {median('painted', python):8.0f} "
              f"{median('indexed', python):8.0f} {median('wall'):8.0f}")
        rows = {(r["rows"], r["rows_after"]) for r in runs}
        print(f"       rows at first paint / after indexing: {sorted(rows)}")
    painted = statistics.median(r["painted"] + python for r in results["again"])
    verdict = "meets" if painted < TARGET else "MISSES"
    print(f"cold start to first paint (index present): {painted:.3f} s, {verdict} the "
          f"{TARGET} s target")


if __name__ == "__main__":
    main()
