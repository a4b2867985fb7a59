"""Kill `reader index` at random moments; the next command must neither hang nor answer wrongly.

For each trial a build of a fresh index folder is started and killed (SIGTERM and SIGKILL in
turn) after a random delay within the clean build's duration. Then:

* the build's worker processes (its children just before the kill) must be gone within 30 s;
* `reader search` on that index must finish (a hang is a timeout of --timeout seconds) and give
  exactly the hits and scores of the clean build, for every query.

Usage::

    python bench/bench_build_kill.py CORPUS [--trials 20] [--seed 13] [--timeout 600]

Prints one line per trial and a summary (hangs, wrong results, leftover workers). Figures in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = ["signal", "file system", '"exit status"', "config*", "memory OR cache", "kernel~"]


def reader(*args: str, env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def answers(corpus: Path, index: Path, env: dict, timeout: float) -> dict:
    out = {}
    for query in QUERIES:
        result = reader(
            "search",
            query,
            "--json",
            "--limit",
            "10000",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
            env=env,
            timeout=timeout,
        )
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        out[query] = (result.returncode, sorted((r["id"], r["score"]) for r in rows))
    return out


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[-1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except OSError:
                continue
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def committed(index: Path) -> int:
    try:
        return len(json.loads((index / "manifest.json").read_text("utf-8"))["documents"])
    except (OSError, ValueError, KeyError):
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="reader-kill-"))
    env = dict(
        os.environ,
        READER_CACHE_DIR=str(work / "cache"),
        READER_DATA_DIR=str(work / "data"),
        READER_CONFIG_DIR=str(work / "config"),
        READER_STATE_DIR=str(work / "state"),
    )
    try:
        started = time.perf_counter()
        clean = reader("index", str(args.corpus), "--index", str(work / "clean"), env=env, timeout=args.timeout)
        build_seconds = time.perf_counter() - started
        assert clean.returncode == 0, clean.stderr
        reference = answers(args.corpus, work / "clean", env, args.timeout)
        print(
            f"clean build {build_seconds:.1f} s; load {os.getloadavg()[0]:.1f}; "
            f"hits per query {[len(v[1]) for v in reference.values()]}",
            flush=True,
        )
        hangs = wrong = leftovers = 0
        for trial in range(args.trials):
            sig = signal.SIGTERM if trial % 2 == 0 else signal.SIGKILL
            delay = rng.uniform(0.3, build_seconds)
            index = work / f"trial{trial}"
            build = subprocess.Popen(
                [sys.executable, "-m", "reader", "index", str(args.corpus), "--index", str(index)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            workers = children(build.pid)
            build.send_signal(sig)
            build.wait()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(alive(p) for p in workers):
                time.sleep(0.05)
            left = [p for p in workers if alive(p)]
            leftovers += len(left)
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            kept = committed(index)
            resumed = time.perf_counter()
            try:
                got = answers(args.corpus, index, env, args.timeout)
                status = "ok" if got == reference else "WRONG"
                wrong += got != reference
            except subprocess.TimeoutExpired:
                status = "HANG"
                hangs += 1
            print(
                f"trial {trial + 1:2}: {sig.name} after {delay:5.1f} s "
                f"({len(workers)} children, {len(left)} left alive), {kept} documents committed;"
                f" resumed and answered in {time.perf_counter() - resumed:5.1f} s: {status}",
                flush=True,
            )
            shutil.rmtree(index, ignore_errors=True)
        print(f"{args.trials} kills: {hangs} hangs, {wrong} wrong results, {leftovers} workers left alive")
        return 1 if hangs or wrong or leftovers else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
