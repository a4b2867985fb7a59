"""Index benchmark: full build, re-open, one-file update and search latency on real corpora.

Measures the project's own index API (``index.indexer.CorpusIndex`` and ``index.search.search``)
on the corpora of ``bench/corpora.py`` (built on first use):

- full build of a fresh index, run in a child process so its peak RSS is its own
  (``resource.getrusage``; worker processes of a multi-process writer are reported separately);
- re-open of the unchanged corpus: a new ``CorpusIndex`` + ``update()``, once in a fresh process
  and three times in this one;
- one-file update: append a paragraph to one file, ``update()``, check exactly that document
  changed and that its new word is found; three different files, then restore them;
- search latency over a deterministic set of varied queries generated from the corpus vocabulary
  (terms of three frequency bands, AND, OR, NOT, phrases, prefix wildcards, fuzzy, field queries,
  misspelled names that the variant-tolerant field should match), each with the highlights of
  its top 20 hits computed by ``search`` itself; p50/p95 overall and per kind.

Prints a Markdown section and writes it to ``bench/out/index.md`` (gitignored).

Usage::

    python bench/bench_index.py                      # both corpora
    python bench/bench_index.py --corpus scale100    # or linux-doc
    python bench/bench_index.py --profile            # also cProfile build and search
                                                     # into bench/out/profile-*.txt
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
INDEX_ROOT = OUT_DIR / "indexes"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import corpora  # noqa: E402  (bench/corpora.py)

QUERY_SEED = 7
PER_KIND = 30
TARGETS = {
    "build_mb_s": 2.0,
    "reopen_s": 0.5,
    "update_s": 1.0,
    "search_p95_ms": 50.0,
}
KINDS = ("term", "and", "or", "not", "phrase", "prefix", "fuzzy", "field", "name")


# --------------------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    import whoosh

    try:
        commit = (
            subprocess.run(
                ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
            or "?"
        )
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "index"], capture_output=True, text=True
        ).stdout.strip()
        if dirty:
            commit += " + uncommitted index/ changes"
    except OSError:
        commit = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": mem_gib,
        "python": platform.python_version(),
        "whoosh": whoosh.versionstring(),
        "os": f"{platform.system()} {platform.release()}",
        "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit,
    }


def report_dict(report) -> dict:
    return {
        "added": len(report.added),
        "changed": len(report.changed),
        "removed": len(report.removed),
        "unchanged": report.unchanged,
        "skipped": [(s.id, s.reason) for s in report.skipped],
        "rebuilt_reason": report.rebuilt_reason,
        "seconds": report.seconds,
        "bytes_indexed": report.bytes_indexed,
    }


# --------------------------------------------------------------------------- child processes


def child_build(corpus_root: str, index_dir: str, profile_out: str | None) -> None:
    """Build a fresh index; print one JSON line with the report and this process's resources."""
    from index.indexer import CorpusIndex

    t0 = time.perf_counter()
    profiler = cProfile.Profile() if profile_out else None
    if profiler:
        profiler.enable()
    ci = CorpusIndex(Path(corpus_root), Path(index_dir))
    commits: list[tuple[float, int]] = []  # (seconds since start, documents searchable)
    report = ci.update(committed=lambda done, total: commits.append((time.perf_counter() - t0, done)))
    if profiler:
        profiler.disable()
        _write_profile(profiler, Path(profile_out), "full build")
    wall = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "report": report_dict(report),
                "wall": wall,
                "commits": commits,
                "maxrss_kib": own.ru_maxrss,
                "children_maxrss_kib": kids.ru_maxrss,
                "cpu_s": own.ru_utime + own.ru_stime,
                "children_cpu_s": kids.ru_utime + kids.ru_stime,
            }
        )
    )


def child_reopen(corpus_root: str, index_dir: str) -> None:
    """Time a first open of an unchanged corpus in a fresh interpreter (imports timed apart)."""
    t0 = time.perf_counter()
    from index.indexer import CorpusIndex

    t1 = time.perf_counter()
    ci = CorpusIndex(Path(corpus_root), Path(index_dir))
    report = ci.update()
    t2 = time.perf_counter()
    print(
        json.dumps(
            {
                "import_s": t1 - t0,
                "reopen_s": t2 - t1,
                "report": report_dict(report),
                "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


def run_child(args: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True, cwd=str(REPO)
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _write_profile(profiler: cProfile.Profile, path: Path, what: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    buf.write(f"# cProfile of {what}\n\n## by own time (tottime)\n")
    pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(40)
    buf.write("\n## by cumulative time\n")
    pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(60)
    path.write_text(buf.getvalue(), encoding="utf-8")
    profiler.dump_stats(str(path.with_suffix(".prof")))


# --------------------------------------------------------------------------- queries

_WORD = re.compile(r"[A-Za-z][a-z]+(?:[-'][A-Za-z]+)?|[A-Z]+\b")
_ALPHA_RUN = re.compile(r"[A-Za-z]+(?:\s+[A-Za-z]+){1,3}")


@dataclass
class Query:
    kind: str
    text: str


def _stopwords() -> set[str]:
    try:
        from whoosh.analysis import STOP_WORDS

        return set(STOP_WORDS) | {"the", "this", "that", "with", "from", "which", "will", "should"}
    except ImportError:  # pragma: no cover
        return set()


def _vowel_variant(word: str, rng: random.Random) -> str | None:
    """A plausible transliteration variant: change one vowel or double/undouble a consonant."""
    swaps = {"a": "e", "e": "i", "i": "e", "o": "u", "u": "o", "y": "i"}
    choices = []
    for i, ch in enumerate(word[1:], start=1):
        low = ch.lower()
        if low in swaps:
            choices.append(word[:i] + swaps[low] + word[i + 1 :])
        elif low.isalpha() and i + 1 < len(word) and word[i + 1].lower() == low:
            choices.append(word[:i] + word[i + 1 :])  # undouble: "Assad" -> "Asad"
        elif low.isalpha() and low not in "aeiouy" and i == len(word) - 2:
            choices.append(word[: i + 1] + low + word[i + 1 :])  # double: "Asad" -> "Assad"
    choices = [c for c in choices if c.lower() != word.lower()]
    return rng.choice(choices) if choices else None


def _typo(word: str, rng: random.Random) -> str:
    """One edit (substitution, deletion or transposition) away from word, never the first letter."""
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("sub", "del", "swap"))
    if op == "sub":
        letters = [c for c in "aeioustrnl" if c != word[i]]
        return word[:i] + rng.choice(letters) + word[i + 1 :]
    if op == "del":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def generate_queries(
    corpus_root: Path, fields: set[str], per_kind: int = PER_KIND, seed: int = QUERY_SEED, scan_bytes: int = 30_000_000
) -> list[Query]:
    """Deterministic varied queries drawn from the corpus's own vocabulary."""
    rng = random.Random(seed)
    try:  # the titles the index gives documents, so title: queries match what is indexed
        from index.metadata import extract_metadata

        def title_of(text: str) -> str:
            return extract_metadata(text).title
    except ImportError:

        def title_of(text: str) -> str:
            return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")

    files = corpora.corpus_files(corpus_root)
    sample = list(files)
    random.Random(seed).shuffle(sample)
    stop = _stopwords()
    df: Counter[str] = Counter()
    cap: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    titles: list[str] = []
    texts: list[str] = []
    scanned = 0
    for path in sample:
        text = path.read_text(encoding="utf-8", errors="replace")
        scanned += len(text)
        texts.append(text)
        first = title_of(text)
        if first:
            titles.append(first)
        words = _WORD.findall(text)
        df.update({w.lower() for w in words})
        for w in words:
            if w[0].isupper() and w[1:].islower():
                cap[w] += 1
            elif w.islower():
                lower[w] += 1
        if scanned >= scan_bytes:
            break
    n_docs = len(texts)

    def usable(w: str) -> bool:
        return len(w) >= 4 and w.isalpha() and w not in stop and w.isascii()

    vocab = sorted(w for w in df if usable(w))
    rare = [w for w in vocab if 2 <= df[w] <= max(3, n_docs // 500)]
    mid = [w for w in vocab if max(3, n_docs // 500) < df[w] <= n_docs // 20]
    common = [w for w in vocab if df[w] > n_docs // 20]
    bands = [b for b in (rare, mid, common) if b]

    def word(band: list[str] | None = None) -> str:
        return rng.choice(band if band else rng.choice(bands))

    def phrase_from_text(min_words: int = 2) -> str | None:
        text = rng.choice(texts)
        runs = [m.group(0) for m in _ALPHA_RUN.finditer(text)]
        runs = [r for r in runs if len(r.split()) >= min_words]
        if not runs:
            return None
        ws = rng.choice(runs).split()
        k = rng.randint(2, min(3, len(ws)))
        start = rng.randrange(0, len(ws) - k + 1)
        chosen = ws[start : start + k]
        if all(w.lower() in stop for w in chosen):
            return None
        return " ".join(chosen)

    def cooccurring_pair() -> tuple[str, str] | None:
        text = rng.choice(texts)
        ws = sorted({w.lower() for w in _WORD.findall(text) if usable(w.lower())})
        if len(ws) < 2:
            return None
        a, b = rng.sample(ws, 2)
        return a, b

    names = sorted(
        w
        for w, c in cap.items()
        if c >= 3 and len(w) >= 5 and w.isalpha() and w.isascii() and lower[w.lower()] == 0 and w.lower() not in stop
    )

    queries: list[Query] = []

    def add(kind: str, make) -> None:
        made, tries = 0, 0
        seen = set()
        while made < per_kind and tries < per_kind * 50:
            tries += 1
            text = make(made)
            if not text or text in seen:
                continue
            seen.add(text)
            queries.append(Query(kind, text))
            made += 1

    # Terms: a third from each frequency band.
    add("term", lambda i: word(bands[i % len(bands)]))
    # AND: two words that occur in the same document; OR / NOT: independent words.
    add("and", lambda i: (lambda p: p and f"{p[0]} AND {p[1]}")(cooccurring_pair()))
    add("or", lambda i: f"{word()} OR {word()}")
    add("not", lambda i: (lambda p: p and f"{p[0]} NOT {p[1]}")(cooccurring_pair()))
    # Phrases: two or three consecutive words of real text.
    add("phrase", lambda i: (lambda p: p and f'"{p}"')(phrase_from_text()))

    # Prefix wildcards of 3, 4 and 5-6 letters: short prefixes expand to many terms.
    def prefix(i: int) -> str | None:
        w = word(mid if mid else None)
        n = (3, 4, rng.randint(5, 6))[i % 3]
        return f"{w[:n]}*" if len(w) > n else None

    add("prefix", prefix)

    # Fuzzy: a word with one typo, mostly ~ (edit distance 1), every sixth ~2.
    def fuzzy(i: int) -> str | None:
        w = word(mid if mid else None)
        if len(w) < 5:
            return None
        return f"{_typo(w, rng)}~2" if i % 6 == 5 else f"{_typo(w, rng)}~"

    add("fuzzy", fuzzy)
    # Field queries: title words (or phrases) when the schema has a title field.
    if "title" in fields:
        title_words = sorted({w.lower() for t in titles for w in _WORD.findall(t) if usable(w.lower())})

        def field(i: int) -> str | None:
            if i % 4 == 3:
                t = rng.choice(titles)
                ws = [w for w in _WORD.findall(t) if w.isascii()]
                return f'title:"{ws[0]} {ws[1]}"' if len(ws) >= 2 else None
            return f"title:{rng.choice(title_words)}" if title_words else None

        add("field", field)

    # Names spelled differently: the variant-tolerant field should still find the documents.
    def name(i: int) -> str | None:
        if not names:
            return None
        if i % 3 == 2:  # two-name query, one of them respelled
            a, b = rng.sample(names, 2)
            v = _vowel_variant(b, rng)
            return v and f"{a} {v}"
        v = _vowel_variant(rng.choice(names), rng)
        return v if v and v.lower() not in df else None

    add("name", name)
    return queries


# --------------------------------------------------------------------------- measurements


def _load_api():
    from index.indexer import CorpusIndex
    from index.search import search

    return CorpusIndex, search


def _schema_fields(ci) -> set[str]:
    for attr in ("whoosh", "ix", "index", "_ix", "whoosh_index"):
        try:
            obj = getattr(ci, attr, None)
        except Exception:  # noqa: BLE001 - a property that needs an update() first
            obj = None
        schema = getattr(obj, "schema", None)
        if schema is not None:
            return set(schema.names())
    try:
        from index import schema as schema_mod  # type: ignore

        for name in dir(schema_mod):
            obj = getattr(schema_mod, name)
            if hasattr(obj, "names") and callable(obj.names):
                try:
                    return set(obj.names())
                except TypeError:
                    continue
    except ImportError:
        pass
    return {"title"}


def measure_build(name: str, root: Path, index_dir: Path, profile: bool) -> dict:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    args = ["_build", str(root), str(index_dir)]
    if profile:
        args.append(str(OUT_DIR / f"profile-build-{name}.txt"))
    log(f"{name}: full build (child process)")
    res = run_child(args)
    rep = res["report"]
    nbytes = rep["bytes_indexed"] or sum(p.stat().st_size for p in corpora.corpus_files(root))
    docs = rep["added"] + rep["changed"]
    seconds = rep["seconds"] or res["wall"]
    res.update(
        {
            "seconds": seconds,
            "bytes": nbytes,
            "docs": docs,
            "mb_s": nbytes / 1e6 / seconds,
            "docs_s": docs / seconds,
            "index_mb": folder_bytes(index_dir) / 1e6,
        }
    )
    log(
        f"{name}: built {docs} docs, {nbytes / 1e6:.1f} MB in {seconds:.1f} s "
        f"({res['mb_s']:.2f} MB/s), peak RSS {res['maxrss_kib'] / 1024:.0f} MiB"
    )
    return res


def measure_reopen(name: str, root: Path, index_dir: Path) -> dict:
    CorpusIndex, _ = _load_api()
    log(f"{name}: re-open unchanged corpus")
    fresh = run_child(["_reopen", str(root), str(index_dir)])
    times = []
    reports = []
    for _ in range(3):
        t0 = time.perf_counter()
        ci = CorpusIndex(root, index_dir)
        report = ci.update()
        times.append(time.perf_counter() - t0)
        reports.append(report_dict(report))
    work = [r for r in [fresh["report"], *reports] if r["added"] or r["changed"] or r["removed"] or r["rebuilt_reason"]]
    return {
        "fresh_s": fresh["reopen_s"],
        "import_s": fresh["import_s"],
        "median_s": statistics.median(times),
        "times": times,
        "did_work": work,
        "unchanged": reports[-1]["unchanged"],
    }


def measure_update(name: str, root: Path, index_dir: Path, search) -> dict:
    CorpusIndex, _ = _load_api()
    files = corpora.corpus_files(root)
    picks = [files[len(files) * k // 4] for k in (1, 2, 3)]
    originals = {p: p.read_bytes() for p in picks}
    stats = {p: p.stat() for p in picks}
    ci = CorpusIndex(root, index_dir)
    ci.update()
    times, problems, restore_times = [], [], []
    try:
        for n, path in enumerate(picks):
            marker = f"benchmarkmarker{n}x"
            with open(path, "ab") as fh:
                fh.write(f"\n\nAppended by the benchmark: {marker} one-file update.\n".encode())
            doc_id = path.relative_to(root).as_posix()
            t0 = time.perf_counter()
            report = ci.update()
            times.append(time.perf_counter() - t0)
            if report.changed != [doc_id] or report.added or report.removed:
                problems.append(
                    f"{doc_id}: report changed={report.changed[:3]} "
                    f"added={len(report.added)} removed={len(report.removed)}"
                )
            found = search(_searchable(ci), marker)
            found_ids = [_hit_id(h) for h in found.hits]
            if found_ids != [doc_id]:
                problems.append(f"{doc_id}: search {marker!r} found {found_ids[:3]}")
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
            os.utime(path, ns=(stats[path].st_atime_ns, stats[path].st_mtime_ns))
        t0 = time.perf_counter()
        report = ci.update()
        restore_times.append(time.perf_counter() - t0)
    log(f"{name}: one-file update {['%.3f' % t for t in times]} s; restore of 3: {restore_times[0]:.3f} s")
    return {
        "times": times,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "restore3_s": restore_times[0],
        "problems": problems,
    }


def _segment_count(ci) -> int | None:
    try:
        return len(ci.whoosh()._segments())
    except Exception:  # noqa: BLE001 - informational only
        return None


def _hit_id(hit) -> str:
    return getattr(hit, "doc_id", None) or getattr(hit, "id", "?")


def _searchable(ci):
    """What `search` takes: the CorpusIndex itself unless the API wants the Whoosh index."""
    return getattr(ci, "_bench_target", ci)


def measure_search(
    name: str, root: Path, index_dir: Path, queries: list[Query], profile: bool, helper: bool = True
) -> dict:
    """Search latency as the app sees it (`helper`: index.search.warm(helper=True), the
    second core scoring half of the segments) or as a one-off command (no helper)."""
    CorpusIndex, search = _load_api()
    ci = CorpusIndex(root, index_dir)
    ci.update()
    target = _searchable(ci)
    t0 = time.perf_counter()
    first = search(target, "kernel")
    first_s = time.perf_counter() - t0
    warm_s = None
    try:  # what the app does once indexing is done (index.search.warm), timed apart
        from index.search import warm
    except ImportError:
        warm = None
    helper_ready = None
    if warm is not None:
        t0 = time.perf_counter()
        warm(target)
        warm_s = time.perf_counter() - t0
        if helper:
            import index.search as search_module

            search_module.close_searcher(target)
            warm(target, helper=True)
            with search_module.searching(target) as (_searcher, entry):
                helper_ready = bool(entry.helper and entry.helper.wait_ready())
            search(target, "kernel")
    searcher_open = []
    whoosh_ix = getattr(ci, "whoosh", None)
    if callable(whoosh_ix):  # what each search pays when it opens its own searcher
        for _ in range(5):
            t0 = time.perf_counter()
            with whoosh_ix().searcher():
                pass
            searcher_open.append(time.perf_counter() - t0)
    profiler = cProfile.Profile() if profile else None
    rows = []
    for q in queries:
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        error = None
        try:
            res = search(target, q.text, page=1, pagelen=20)
        except Exception as exc:  # noqa: BLE001 - an error is a finding, not a crash
            res, error = None, f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - t0
        if profiler:
            profiler.disable()
        row = {"kind": q.kind, "query": q.text, "ms": elapsed * 1000, "error": error}
        if res is not None:
            hits = list(res.hits)
            row.update(
                {
                    "total": res.total,
                    "hits": len(hits),
                    "with_spans": sum(1 for h in hits if getattr(h, "spans", None)),
                    "with_snippet": sum(1 for h in hits if getattr(h, "snippet", None)),
                    "notes": list(getattr(res, "notes", ()) or ()),
                    "suggestions": list(getattr(res, "suggestions", ()) or ()),
                }
            )
        rows.append(row)
    if profiler:
        _write_profile(
            profiler, OUT_DIR / f"profile-search-{name}.txt", f"{len(queries)} searches with highlights on {name}"
        )
    ms = [r["ms"] for r in rows]
    by_kind = {}
    for kind in KINDS:
        k_ms = [r["ms"] for r in rows if r["kind"] == kind]
        if not k_ms:
            continue
        k_rows = [r for r in rows if r["kind"] == kind]
        by_kind[kind] = {
            "n": len(k_ms),
            "p50": percentile(k_ms, 50),
            "p95": percentile(k_ms, 95),
            "max": max(k_ms),
            "zero": sum(1 for r in k_rows if r.get("total") == 0),
            "errors": sum(1 for r in k_rows if r["error"]),
            "example": k_rows[0]["query"],
        }
    shown = [r for r in rows if r.get("hits")]
    log(
        f"{name}: search p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms"
        f" ({'with' if helper_ready else 'without'} the helper process)"
    )
    if helper_ready:
        import index.search as search_module

        search_module.close_searcher(target)
    return {
        "helper": bool(helper_ready),
        "n": len(rows),
        "first_ms": first_s * 1000,
        "warm_ms": warm_s * 1000 if warm_s is not None else None,
        "first_total": first.total,
        "searcher_open_ms": statistics.median(searcher_open) * 1000 if searcher_open else None,
        "segments": _segment_count(ci),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "max": max(ms),
        "mean": statistics.fmean(ms),
        "by_kind": by_kind,
        "errors": [r for r in rows if r["error"]],
        "zero_hits": sum(1 for r in rows if r.get("total") == 0),
        "hits_without_spans": sum(r["hits"] - r["with_spans"] for r in shown),
        "hits_without_snippet": sum(r["hits"] - r["with_snippet"] for r in shown),
        "hits_shown": sum(r["hits"] for r in shown),
        "slowest": sorted(rows, key=lambda r: -r["ms"])[:8],
        "rows": rows,
    }


# --------------------------------------------------------------------------- report


def _ok(value: float, target: float, lower_is_better: bool = True) -> str:
    good = value < target if lower_is_better else value >= target
    return "met" if good else "**missed**"


def render(machine: dict, results: dict[str, dict], command: str) -> str:
    names = list(results)
    out = []
    out.append("## Index benchmark\n")
    ram = f"{machine['ram_gib']:.1f} GiB RAM" if machine["ram_gib"] else "RAM unknown"
    out.append(
        f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, {ram}, "
        f"{machine['os']}, Python {machine['python']}, whoosh-reloaded "
        f"{machine['whoosh']}; reader at {machine['commit']}. "
        f"Command: `{command}`.\n"
    )
    out.append(
        "Corpora (bench/corpora.py): **linux-doc** is the reST sources of Debian's "
        "`linux-doc-6.1`; **scale100** recombines its real paragraphs into 10,000 "
        "documents (seeded, deterministic). Targets apply at 100 MB (scale100).\n"
    )
    head = "| measure | " + " | ".join(names) + " | target (100 MB) |"
    out.append(head)
    out.append("|---" * (len(names) + 2) + "|")

    def row(label: str, fmt, target: str = "") -> None:
        cells = []
        for n in names:
            try:
                cells.append(fmt(results[n]))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("n/a")
        out.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    def tgt(key: str, value_fn, text: str, lower=True) -> str:
        r = results.get("scale100")
        if not r:
            return text
        try:
            return f"{text}: {_ok(value_fn(r), TARGETS[key], lower)}"
        except (KeyError, TypeError):
            return text

    row("documents / size", lambda r: f"{r['build']['docs']:,} docs, {r['build']['bytes'] / 1e6:.1f} MB")
    row("skipped by the indexer", lambda r: f"{len(r['build']['report']['skipped'])}")
    row("full build", lambda r: f"{r['build']['seconds']:.1f} s")
    row(
        "build throughput",
        lambda r: f"**{r['build']['mb_s']:.2f} MB/s**, {r['build']['docs_s']:.0f} docs/s",
        tgt("build_mb_s", lambda r: r["build"]["mb_s"], "≥ 2 MB/s", lower=False),
    )
    row(
        "first documents searchable (first batch committed)",
        lambda r: (
            (
                f"{r['build']['commits'][0][0]:.1f} s ({r['build']['commits'][0][1]:,} docs); "
                f"{len(r['build']['commits']) + 1} commits in all"
            )
            if r["build"].get("commits")
            else "one commit"
        ),
    )
    row("build CPU (main + workers)", lambda r: f"{r['build']['cpu_s']:.0f} s + {r['build']['children_cpu_s']:.0f} s")
    row(
        "peak RSS of the build",
        lambda r: (
            f"{r['build']['maxrss_kib'] / 1024:.0f} MiB"
            + (
                f" (+ workers {r['build']['children_maxrss_kib'] / 1024:.0f} MiB max)"
                if r["build"]["children_maxrss_kib"]
                else ""
            )
        ),
    )
    row(
        "index size on disk / the text's size",
        lambda r: (
            f"{r['build']['index_mb']:.0f} MB / {r['build']['bytes'] / 1e6:.0f} MB = "
            f"**{r['build']['index_mb'] * 1e6 / r['build']['bytes']:.2f} x**"
        ),
    )
    row(
        "re-open unchanged, fresh process",
        lambda r: f"**{r['reopen']['fresh_s']:.3f} s** (+ {r['reopen']['import_s']:.2f} s imports)",
        tgt("reopen_s", lambda r: r["reopen"]["fresh_s"], "< 0.5 s"),
    )
    row("re-open unchanged, warm (median of 3)", lambda r: f"{r['reopen']['median_s']:.3f} s")
    row(
        "one-file update (median / max of 3)",
        lambda r: f"**{r['update']['median_s']:.3f} s** / {r['update']['max_s']:.3f} s",
        tgt("update_s", lambda r: r["update"]["max_s"], "< 1 s"),
    )
    row("restore of those 3 files (one update)", lambda r: f"{r['update']['restore3_s']:.3f} s")
    row("first search (opens the searcher)", lambda r: f"{r['search']['first_ms']:.0f} ms")
    row(
        "warming the term lists (the app does it after indexing)",
        lambda r: f"{r['search']['warm_ms']:.0f} ms" if r["search"].get("warm_ms") else "",
    )
    row(
        "opening a Whoosh searcher (median of 5)",
        lambda r: f"{r['search']['searcher_open_ms']:.0f} ms ({r['search']['segments']} segments)",
    )
    row(
        "search p50 (top 20 highlighted; as the app: helper process)",
        lambda r: f"{r['search']['p50']:.1f} ms" + ("" if r["search"].get("helper") else " (helper did not start)"),
    )
    row(
        "search p95 (top 20 highlighted; as the app: helper process)",
        lambda r: f"**{r['search']['p95']:.1f} ms**",
        tgt("search_p95_ms", lambda r: r["search"]["p95"], "< 50 ms"),
    )
    row(
        "search p50 / p95, one process (a one-off `reader search`)",
        lambda r: (
            f"{r['search']['solo']['p50']:.1f} / {r['search']['solo']['p95']:.1f} ms" if r["search"].get("solo") else ""
        ),
    )
    row("search max / mean", lambda r: f"{r['search']['max']:.0f} ms / {r['search']['mean']:.1f} ms")
    row(
        "queries (zero hits / errors)",
        lambda r: f"{r['search']['n']} ({r['search']['zero_hits']} / {len(r['search']['errors'])})",
    )
    row(
        "shown hits without spans / snippet",
        lambda r: (
            f"{r['search']['hits_without_spans']} / "
            f"{r['search']['hits_without_snippet']} of {r['search']['hits_shown']}"
        ),
    )
    out.append("")

    out.append("### Search latency by query kind (ms, top 20 highlighted)\n")
    out.append("With the helper process (as the app searches), then in one process.\n")
    out.append(
        "| kind | example | n | "
        + " | ".join(f"{n} p50 / p95 / max | {n}, one process" for n in names)
        + " | zero hits |"
    )
    out.append("|---" * (2 * len(names) + 4) + "|")
    ref = results[names[-1]]["search"]["by_kind"]
    for kind in KINDS:
        if kind not in ref:
            continue
        cells = []
        for n in names:
            k = results[n]["search"]["by_kind"].get(kind)
            cells.append(f"{k['p50']:.1f} / {k['p95']:.1f} / {k['max']:.0f}" if k else "n/a")
            solo = results[n]["search"].get("solo", {}).get("by_kind", {}).get(kind)
            cells.append(f"{solo['p50']:.1f} / {solo['p95']:.1f} / {solo['max']:.0f}" if solo else "n/a")
        zero = " / ".join(str(results[n]["search"]["by_kind"].get(kind, {}).get("zero", "-")) for n in names)
        example = ref[kind]["example"].replace("|", "\\|")
        out.append(f"| {kind} | `{example}` | {ref[kind]['n']} | " + " | ".join(cells) + f" | {zero} |")
    out.append("")
    for n in names:
        s = results[n]["search"]
        out.append(
            f"Slowest queries on {n}: "
            + "; ".join(f"`{r['query']}` {r['ms']:.0f} ms ({r.get('total', 'error')} hits)" for r in s["slowest"][:6])
            + ".\n"
        )
    problems = []
    for n in names:
        r = results[n]
        for e in r["search"]["errors"][:5]:
            problems.append(f"{n}: query `{e['query']}` raised {e['error']}")
        for p in r["update"]["problems"]:
            problems.append(f"{n}: one-file update: {p}")
        for w in r["reopen"]["did_work"]:
            problems.append(f"{n}: re-open of the unchanged corpus did work: {w}")
        if r["build"]["report"]["rebuilt_reason"] not in (None, "no index yet"):
            problems.append(f"{n}: build rebuilt_reason: {r['build']['report']['rebuilt_reason']}")
    if problems:
        out.append("Problems seen:\n")
        out.extend(f"- {p}" for p in problems)
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_build":
        child_build(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
        return 0
    if argv and argv[0] == "_reopen":
        child_reopen(argv[1], argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="all", choices=[*corpora.CORPORA, *corpora.BIG_CORPORA, "all"])
    parser.add_argument(
        "--per-kind", type=int, default=PER_KIND, help=f"queries per kind (default {PER_KIND}; {len(KINDS)} kinds)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the build and the searches into bench/out/profile-*.txt"
    )
    parser.add_argument(
        "--reuse-index", action="store_true", help="skip the full build when an index is already in bench/out/indexes"
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR / "index.md")
    parser.add_argument(
        "--index-root", type=Path, default=INDEX_ROOT, help="where the indexes go, one folder per corpus"
    )
    args = parser.parse_args(argv)
    names = corpora.CORPORA if args.corpus == "all" else (args.corpus,)
    machine = machine_info()
    _, search = _load_api()
    results: dict[str, dict] = {}
    for name in names:
        root = corpora.ensure(name)
        index_dir = args.index_root / name
        result_file = args.index_root / f"build-{name}.json"
        if args.reuse_index and index_dir.exists() and result_file.exists():
            build = json.loads(result_file.read_text())
            log(f"{name}: reusing the index built earlier")
        else:
            build = measure_build(name, root, index_dir, args.profile)
            args.index_root.mkdir(parents=True, exist_ok=True)
            result_file.write_text(json.dumps(build, indent=1))
        reopen = measure_reopen(name, root, index_dir)
        CorpusIndex, _ = _load_api()
        ci = CorpusIndex(root, index_dir)
        queries = generate_queries(root, _schema_fields(ci), per_kind=args.per_kind)
        log(f"{name}: {len(queries)} queries")
        solo = measure_search(name, root, index_dir, queries, False, helper=False)
        srch = measure_search(name, root, index_dir, queries, args.profile)
        srch["solo"] = {k: solo[k] for k in ("p50", "p95", "max", "mean", "by_kind")}
        update = measure_update(name, root, index_dir, search)
        results[name] = {"build": build, "reopen": reopen, "search": srch, "update": update}
        (OUT_DIR / f"search-{name}.json").write_text(json.dumps(srch["rows"], indent=1, ensure_ascii=False))
    command = "python bench/bench_index.py" + (f" --corpus {args.corpus}" if args.corpus != "all" else "")
    text = render(machine, results, command)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    log(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
