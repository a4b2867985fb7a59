"""Cold start of the app to its first painted screen: on the seeds (target: under 0.8 s), and on
a big corpus with and without a project's annotations (issue 19: within 1.5 times the seeds).

Each run is a fresh Python process (so imports are paid every time, as when a user types
`reader`): it builds the app with `create_app`, runs it headless at 120x40 and reports, measured
from just before the process was started by this script:

- `painted`: the first frame after the main screen was mounted (a refresh callback scheduled
  from the screen's mount);
- `CPU to it`: the process's CPU time (every thread, the interpreter's start included) at
  that frame, the guide on a busy machine;
- `first rows`: when the document list first has rows (polled every 5 ms after the first
  frame; the list is made in a worker after the first frame, so later than `painted`; a
  first start without summaries shows them with counts pending);
- `listed`: every document is in the list with its count (it fills lazily after the first
  frame);
- `settled`: every start-up worker has finished (the index check, the annotations read in the
  background, the search warm-up).

Cases: `first` and `again` on a copy of the seeds (no index yet / the index exists; `first`
only without `--corpus`), then, with
`--corpus` and its built `--index`, `corpus` (no annotations) and, with `--annotations` (e.g.
100,000 made by bench/annotation_fixture.py), `annotated` (the store's summaries already kept
beside the index by an earlier start) and `annotated-cold` (no summaries yet: the first start
after they were made, which reads every annotation file once). With `--other CHECKOUT` every
case also runs that checkout's code (e.g. main before a change), alternating run by run, so
the ratios come from the same minutes of a busy machine. Median of --runs runs.

    python bench/bench_startup.py [--runs 7]
    python bench/bench_startup.py --corpus bench/data/scale100 --index DIR \\
        --annotations DIR [--other /work/main] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 0.8
SUMMARY = "annotations-summary.json"  # reader/services.py ANNOTATION_SUMMARY

CHILD = r"""
import asyncio, json, sys, time
started = time.perf_counter()
from pathlib import Path
from reader.app import create_app
from reader.paths import Paths
from reader.screens.main import MainScreen
imported = time.perf_counter()
corpus, annotations, index = map(Path, sys.argv[1:4])
app = create_app(Paths(corpus, annotations, index))
marks = {}
real_mount = MainScreen.on_mount

def on_mount(self):
    real_mount(self)
    def check():
        marks["painted"] = time.perf_counter()
        marks["painted_cpu"] = time.process_time()
    self.call_after_refresh(check)

MainScreen.on_mount = on_mount

def listed():
    table = app.screen.query_one("#documents")
    rows = app.screen.rows
    return rows and table.row_count == len(rows) and all(getattr(r, "counted", True) for r in rows)

async def pilot_run(pilot):
    while "painted" not in marks:
        await asyncio.sleep(0.005)
    table = app.screen.query_one("#documents")
    while not listed():
        if "shown" not in marks and table.row_count:
            marks["shown"] = time.perf_counter()
            marks["rows"] = table.row_count
        await asyncio.sleep(0.005)
    marks["listed"] = time.perf_counter()
    while any(not w.is_finished for w in app.workers):
        await asyncio.sleep(0.01)
    marks["settled"] = time.perf_counter()
    marks.setdefault("shown", marks["listed"])
    marks.setdefault("rows", len(app.screen.rows))
    marks["documents"] = len(app.screen.rows)
    app.exit()

app.run(headless=True, size=(120, 40), auto_pilot=pilot_run)
print(json.dumps({
    "imports": imported - started,
    "painted": marks["painted"] - started,
    "shown": marks["shown"] - started,
    "painted_cpu": marks["painted_cpu"],
    "listed": marks["listed"] - started,
    "settled": marks["settled"] - started,
    "rows": marks["rows"],
    "documents": marks["documents"],
}))
"""


def run_once(code: Path, corpus: Path, annotations: Path, index: Path, home: Path) -> dict:
    """One cold start of the app of checkout `code`; times from the child's first line."""
    before = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(corpus), str(annotations), str(index)],
        check=True,
        capture_output=True,
        text=True,
        cwd=code,
        env={
            "READER_CONFIG_DIR": str(home / "config"),
            "READER_STATE_DIR": str(home / "state"),
            "READER_CACHE_DIR": str(home / "cache"),
            "READER_DATA_DIR": str(home / "data"),
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "PYTHONPATH": str(code),
        },
    )
    child = json.loads(out.stdout.strip().splitlines()[-1])
    return {**child, "wall": time.perf_counter() - before}


def interpreter_startup() -> float:
    times = []
    for _ in range(5):
        before = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - before)
    return statistics.median(times)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", type=Path, help="a big corpus whose index is built")
    parser.add_argument("--index", type=Path, help="the corpus's built index folder")
    parser.add_argument("--annotations", type=Path, help="a project's annotations of the corpus")
    parser.add_argument("--other", type=Path, help="another checkout to run alternately")
    args = parser.parse_args()
    codes = {"this": REPO, **({"other": args.other.resolve()} if args.other else {})}
    python = interpreter_startup()
    results: dict[tuple[str, str], list[dict]] = {}
    print(f"load average before: {load()}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench_startup_") as tmp:
        root = Path(tmp)
        seeds = root / "seeds"
        shutil.copytree(REPO / "seeds", seeds)
        empty = root / "no-annotations"
        for i in range(args.runs):
            for name, code in codes.items():
                home = root / f"home-{name}-{i}"
                index = root / f"seeds-index-{name}-{i}"
                first = run_once(code, seeds, empty, index, home)  # builds the seeds' index
                if args.corpus is None:
                    results.setdefault(("first", name), []).append(first)
                results.setdefault(("again", name), []).append(run_once(code, seeds, empty, index, home))
                if args.corpus is None:
                    continue
                results.setdefault(("corpus", name), []).append(run_once(code, args.corpus, empty, args.index, home))
                if args.annotations is None:
                    continue
                (args.index / SUMMARY).unlink(missing_ok=True)
                results.setdefault(("annotated-cold", name), []).append(
                    run_once(code, args.corpus, args.annotations, args.index, home)
                )
                if name == "this":  # the cold start above kept the summaries
                    assert (args.index / SUMMARY).exists(), "no summaries were kept"
                results.setdefault(("annotated", name), []).append(
                    run_once(code, args.corpus, args.annotations, args.index, home)
                )
            print(
                f"run {i + 1}/{args.runs} done, load {load()}: "
                + json.dumps({f"{case}/{name}": runs[-1]["painted"] for (case, name), runs in results.items()}),
                file=sys.stderr,
            )
    print(f"python -c pass: {python * 1000:.0f} ms (included below); load average after: {load()}")
    print(
        f"| case | code | documents | imports | first paint | CPU to it | first rows | rows then | listed "
        f"| settled | process | (median of {args.runs}, ms) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    medians: dict[tuple[str, str], float] = {}
    shown: dict[tuple[str, str], float] = {}
    for (case, name), runs in results.items():

        def median(key: str, extra: float = python) -> float:
            return statistics.median(r[key] + extra for r in runs) * 1000

        medians[case, name] = median("painted")
        shown[case, name] = median("shown") if all("shown" in r for r in runs) else medians[case, name]
        print(
            f"| {case} | {name} | {runs[0]['documents']:,} | {median('imports'):.0f} "
            f"| {medians[case, name]:.0f} | {median('painted_cpu', 0):.0f} | {shown[case, name]:.0f} "
            f"| {statistics.median(r['rows'] for r in runs):.0f} "
            f"| {median('listed'):.0f} | {median('settled'):.0f} | {median('wall', 0):.0f} | |"
        )
    for name in codes:
        seeds_paint = medians["again", name]
        for case in ("corpus", "annotated", "annotated-cold"):
            if (case, name) in medians:
                print(
                    f"{name}: {case} first paint / seeds first paint = "
                    f"{medians[case, name] / seeds_paint:.2f} (target 1.5); first rows / seeds' "
                    f"= {shown[case, name] / shown['again', name]:.2f}"
                )
    painted = medians["again", "this"] / 1000
    verdict = "meets" if painted < TARGET else "MISSES"
    print(f"cold start to first paint on the seeds (index present): {painted:.3f} s, {verdict} the {TARGET} s target")


if __name__ == "__main__":
    main()
