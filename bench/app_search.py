"""The app's search path as the benches time it, shared by bench_search_kinds, bench_engines and bench_big.

Why one module: the engines comparison (bench_engines.py) and the big-corpus run (bench_big.py)
must time exactly what bench_search_kinds.py times (the helper process warmed first, top 20 with
snippets, wall and CPU of this process plus the helper's), on the same seeded queries, or their
figures would not be comparable.

    from app_search import AppSearch, load_queries
    queries = load_queries(corpus_root, index_dir)          # [(kind, text)], kept beside the index
    with AppSearch(corpus_root, index_dir) as app:
        timing = app.run("kernel")                          # Timing(ms, cpu_ms, total, result, count_ms)
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def helper_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of the helper process so far, 0.0 if unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def use_code(code: Path | None) -> None:
    """Put checkout `code` first on sys.path (before bench_index puts this one there)."""
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    import bench_index  # noqa: F401 - it puts this checkout on sys.path: `code` goes before it

    if code is not None:
        sys.path.insert(0, str(code.resolve()))


def queries_file_for(index_dir: Path) -> Path:
    """Where the queries drawn for an index are kept (beside it, so every bench reuses them)."""
    return index_dir.with_name(index_dir.name + "-queries.json")


def load_queries(corpus_root: Path, index_dir: Path, queries_file: Path | None = None) -> list[tuple[str, str]]:
    """bench_index's seeded queries for this corpus, drawn once and kept in `queries_file`."""
    import bench_index

    path = queries_file or queries_file_for(index_dir)
    if path.exists():
        return [(str(k), str(t)) for k, t in json.loads(path.read_text())]
    from index.indexer import CorpusIndex

    ci = CorpusIndex(corpus_root, index_dir)
    made = bench_index.generate_queries(corpus_root, bench_index._schema_fields(ci))
    queries = [(q.kind, q.text) for q in made]
    path.write_text(json.dumps(queries, ensure_ascii=False, indent=0))
    return queries


@dataclass
class Timing:
    ms: float  # the hits on screen (the total too, unless `count_ms` is set)
    cpu_ms: float
    total: int
    result: Any
    count_ms: float | None = None  # the total counted after the hits were shown (the app's second step)
    count_cpu_ms: float | None = None

    @property
    def total_ms(self) -> float:
        """Until the total is known: the hits, then their count when it came after."""
        return self.ms + (self.count_ms or 0.0)


class AppSearch:
    """The app's search on an index: opened and updated, warmed (with the helper process unless
    `helper=False`), one first search done; `run` times one search of the top `pagelen`."""

    def __init__(self, corpus_root: Path, index_dir: Path, helper: bool = True) -> None:
        from index.indexer import CorpusIndex
        from index.search import search, searching, warm

        self._search = search
        self._counting = "count" in inspect.signature(search).parameters  # older code counts as it searches
        self.ci = CorpusIndex(corpus_root, index_dir)
        self.ci.update()
        warm(self.ci, helper=helper)
        self.pid: int | None = None
        with searching(self.ci) as (_searcher, entry):
            if entry.helper is not None and entry.helper.wait_ready():
                self.pid = entry.helper.pid
        search(self.ci, "kernel")

    def run(self, text: str, pagelen: int = 20) -> Timing:
        import time

        c0, h0, t0 = time.process_time(), helper_cpu(self.pid), time.perf_counter()
        if self._counting:  # as the app: the hits first, the total after when it was left to count
            res = self._search(self.ci, text, page=1, pagelen=pagelen, count=False)
        else:
            res = self._search(self.ci, text, page=1, pagelen=pagelen)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0 + helper_cpu(self.pid) - h0
        timing = Timing(wall * 1000, cpu * 1000, res.total, res)
        if not getattr(res, "counted", True):
            from index.search import count_hits

            c0, h0, t0 = time.process_time(), helper_cpu(self.pid), time.perf_counter()
            total = count_hits(self.ci, text, cancelled=lambda: False)  # as the app: stoppable, so in this process
            timing.count_ms = (time.perf_counter() - t0) * 1000
            timing.count_cpu_ms = (time.process_time() - c0 + helper_cpu(self.pid) - h0) * 1000
            timing.total = total
            timing.result = replace(res, total=total, counted=True)
        return timing

    def close(self) -> None:
        from index.search import close_searcher

        close_searcher(self.ci)

    def __enter__(self) -> AppSearch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
