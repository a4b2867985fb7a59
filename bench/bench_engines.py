"""The app's search against SQLite FTS5 and tantivy on the same corpus and queries (issue 19).

Why: issue 19's targets are relative ("ahead of SQLite FTS5 at p95 at 100 MB, phrases and short
prefixes included, and within 2 times tantivy at p95"), and on a shared machine only figures
taken in the same minutes compare. This indexes the corpus in FTS5 (Python's sqlite3,
`porter unicode61` tokenizer) and in tantivy (PyPI `tantivy` 0.27, `en_stem` tokenizer,
installed into the running interpreter's environment on first use: it is never a project
dependency), both storing the text, then runs bench_search_kinds' queries (the same seeded file
beside the index) against the app's search path (bench/app_search.py, as bench_search_kinds
times it: the helper process warmed, top 20 with snippets), FTS5 and tantivy, query by query in
turn (the order rotated), and prints a Markdown table: per kind and overall p50/p95 wall and
CPU, the median ratio of each engine's hit count to the app's (they tokenise differently), build
time (MB/s) and index size on disk against the text's size.

How each kind is expressed:
- FTS5: term, and, or, not, phrase, prefix (`"abc" *`), field (`title : ...`); fuzzy and name
  (spelling variants) cannot be expressed and are skipped. Top 20 by `rank` (bm25) with
  `snippet()`; the hit count is a separate `count(*)` query, not timed.
- tantivy: term, and, or, not, phrase, field through its query parser (title boost
  1.5, as the app's); prefix as a regex query `abc.*` over title and body; fuzzy as fuzzy term
  queries (distance 1 or 2); name approximated as fuzzy (distance 1) words, all required (the
  app's variants are phonetic respellings). Top 20 with the count and a body snippet
  (`SnippetGenerator`, which highlights only terms the query names).

    python bench/bench_engines.py --corpus-root /tmp/bd/scale100 --index IDX [--build-app]
        [--work /tmp/bench-engines] [--rounds 2] [--out bench/out/engines.md]

`--index` is a copy of the app's built index (update() may write); with `--build-app` the app's
index is built fresh into --work first (bench_index's child build) so all three builds are timed
in the same run; without it the app's build time is not reported, only its size.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from app_search import AppSearch, load_queries, percentile, queries_file_for, use_code  # noqa: E402

TANTIVY = "tantivy==0.27.0"
KINDS = ("term", "and", "or", "not", "phrase", "prefix", "fuzzy", "field", "name")


def log(message: str) -> None:
    print(f"[engines] {message}", file=sys.stderr, flush=True)


def folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Part:
    """One piece of a query as bench_index writes them: an operator, a word, a prefix, a
    fuzzy word or a phrase, optionally in a field."""

    kind: str  # "op", "word", "prefix", "fuzzy", "phrase"
    text: str
    field: str | None = None
    distance: int = 0


_PART = re.compile(r'(?:(\w+):)?(?:"([^"]*)"|(\S+))')


def parse(query: str) -> list[Part]:
    parts = []
    for m in _PART.finditer(query):
        field, phrase, bare = m.group(1), m.group(2), m.group(3)
        if phrase is not None:
            parts.append(Part("phrase", phrase, field))
        elif bare in ("AND", "OR", "NOT"):
            parts.append(Part("op", bare))
        elif bare.endswith("*"):
            parts.append(Part("prefix", bare[:-1].lower(), field))
        elif re.search(r"~\d?$", bare):
            word, _, dist = bare.rpartition("~")
            parts.append(Part("fuzzy", word.lower(), field, int(dist or 1)))
        else:
            parts.append(Part("word", bare, field))
    return parts


def _fts_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5_query(kind: str, query: str) -> str | None:
    """The query in FTS5's syntax, None for what FTS5 cannot express."""
    if kind in ("fuzzy", "name"):
        return None
    out = []
    for p in parse(query):
        if p.kind == "fuzzy":
            return None
        if p.kind == "op":
            out.append(p.text)
            continue
        term = _fts_quote(p.text) + (" *" if p.kind == "prefix" else "")
        out.append(f"{p.field} : {term}" if p.field else term)
    return " ".join(out)


# --------------------------------------------------------------------------- engines


class Fts5:
    name = "FTS5"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None

    def build(self, docs: list[tuple[str, str, str]]) -> None:
        self.path.unlink(missing_ok=True)
        db = sqlite3.connect(self.path)
        db.execute(
            "create virtual table docs using fts5(id unindexed, title, body,"
            " tokenize='porter unicode61 remove_diacritics 2')"
        )
        with db:
            db.executemany("insert into docs(id, title, body) values (?, ?, ?)", docs)
        with db:
            db.execute("insert into docs(docs) values ('optimize')")
        db.close()

    def open(self) -> None:
        self.db = sqlite3.connect(self.path)
        self.db.execute("select count(*) from docs").fetchone()

    def translate(self, kind: str, query: str) -> str | None:
        return fts5_query(kind, query)

    def search(self, q: Any) -> list:
        assert self.db is not None
        return self.db.execute(
            "select id, title, snippet(docs, 2, '[', ']', '…', 24) from docs where docs match ? order by rank limit 20",
            (q,),
        ).fetchall()

    def count(self, q: Any, hits: list) -> int:
        assert self.db is not None
        return int(self.db.execute("select count(*) from docs where docs match ?", (q,)).fetchone()[0])


def ensure_tantivy() -> Any:
    """tantivy, installed into this interpreter's environment first when missing."""
    try:
        import tantivy
    except ImportError:
        log(f"installing {TANTIVY} into {sys.prefix}")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", TANTIVY], check=True)
        import tantivy
    return tantivy


class Tantivy:
    name = "tantivy"

    def __init__(self, path: Path) -> None:
        self.tv = ensure_tantivy()
        self.path = path
        builder = self.tv.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
        builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
        self.schema = builder.build()
        self.index: Any = None
        self.searcher: Any = None

    def build(self, docs: list[tuple[str, str, str]]) -> None:
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        index = self.tv.Index(self.schema, path=str(self.path))
        writer = index.writer(heap_size=400_000_000, num_threads=2)
        for doc_id, title, body in docs:
            writer.add_document(self.tv.Document(id=doc_id, title=title, body=body))
        writer.commit()
        writer.wait_merging_threads()

    def open(self) -> None:
        self.index = self.tv.Index.open(str(self.path))
        self.index.reload()
        self.searcher = self.index.searcher()

    def _either_field(self, make) -> Any:
        occur = self.tv.Occur.Should
        return self.tv.Query.boolean_query([(occur, make("title")), (occur, make("body"))])

    def _fuzzy(self, word: str, distance: int) -> Any:
        return self._either_field(
            lambda f: self.tv.Query.fuzzy_term_query(
                self.schema, f, word, distance=distance, transposition_cost_one=True, prefix=False
            )
        )

    def translate(self, kind: str, query: str) -> Any:
        parts = parse(query)
        if kind == "name":  # approximated: every word within one edit
            must = self.tv.Occur.Must
            return self.tv.Query.boolean_query([(must, self._fuzzy(p.text.lower(), 1)) for p in parts])
        if len(parts) == 1 and parts[0].kind == "prefix":
            pattern = re.escape(parts[0].text) + ".*"
            return self._either_field(lambda f: self.tv.Query.regex_query(self.schema, f, pattern))
        if len(parts) == 1 and parts[0].kind == "fuzzy":
            return self._fuzzy(parts[0].text, parts[0].distance)
        if any(p.kind in ("prefix", "fuzzy") for p in parts):
            return None
        return self.index.parse_query(query, ["title", "body"], field_boosts={"title": 1.5})

    def search(self, q: Any) -> list:
        result = self.searcher.search(q, limit=20, count=True)
        snippets = self.tv.SnippetGenerator.create(self.searcher, q, self.schema, "body")
        hits = []
        for _score, address in result.hits:
            doc = self.searcher.doc(address)
            hits.append((doc["id"][0], doc["title"][0], snippets.snippet_from_doc(doc).to_html()))
        self._count = result.count
        return hits

    def count(self, q: Any, hits: list) -> int:
        return int(self._count)


# --------------------------------------------------------------------------- run


def read_docs(corpus_root: Path) -> tuple[list[tuple[str, str, str]], int]:
    """(id, title, text) of every document, titles as the app's index gives them; and the bytes."""
    import corpora
    from index.metadata import extract_metadata

    docs, nbytes = [], 0
    for path in corpora.corpus_files(corpus_root):
        raw = path.read_bytes()
        nbytes += len(raw)
        text = raw.decode("utf-8", errors="replace")
        docs.append((path.relative_to(corpus_root).as_posix(), extract_metadata(text).title, text))
    return docs, nbytes


def timed_build(engine, corpus_root: Path) -> dict:
    c0, t0 = time.process_time(), time.perf_counter()
    docs, nbytes = read_docs(corpus_root)
    engine.build(docs)
    wall = time.perf_counter() - t0
    return {"seconds": wall, "cpu": time.process_time() - c0, "bytes": nbytes, "size": folder_bytes(engine.path)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus-root", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True, help="the app's built index (a copy: update() may write)")
    parser.add_argument("--build-app", action="store_true", help="build the app's index fresh into --work, timed")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-engines"), help="where the engines' indexes go")
    parser.add_argument("--queries", type=Path, help="queries file (default: beside --index, made when missing)")
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the queries; the last is reported")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out" / "engines.md")
    args = parser.parse_args(argv)

    use_code(None)
    import bench_index

    args.work.mkdir(parents=True, exist_ok=True)
    queries = load_queries(args.corpus_root, args.index, args.queries or queries_file_for(args.index))
    kinds = [k for k in args.kinds.split(",") if k] or list(KINDS)
    queries = [q for q in queries if q[0] in kinds]
    builds: dict[str, dict] = {}
    app_index = args.index
    if args.build_app:
        app_index = args.work / "app-index"
        res = bench_index.measure_build("app", args.corpus_root, app_index, False)
        builds["app"] = {
            "seconds": res["seconds"],
            "cpu": res["cpu_s"] + res["children_cpu_s"],
            "bytes": res["bytes"],
            "size": folder_bytes(app_index),
        }
    else:
        builds["app"] = {"size": folder_bytes(app_index), "bytes": None}
    engines = [Fts5(args.work / "fts5.db"), Tantivy(args.work / "tantivy")]
    for engine in engines:
        log(f"building {engine.name}")
        builds[engine.name] = timed_build(engine, args.corpus_root)
        engine.open()
        log(f"{engine.name}: {builds[engine.name]['seconds']:.1f} s")
    text_bytes = builds[engines[0].name]["bytes"]

    app = AppSearch(args.corpus_root, app_index)
    translated = {e.name: [e.translate(k, t) for k, t in queries] for e in engines}
    names = ["app", *(e.name for e in engines)]
    rows: list[dict] = []
    for _round in range(max(1, args.rounds)):
        rows = []
        for i, (kind, text) in enumerate(queries):
            row: dict = {"kind": kind, "query": text}
            order = names[i % 3 :] + names[: i % 3]
            for name in order:
                if name == "app":
                    t = app.run(text)
                    row["app"] = (t.ms, t.cpu_ms, t.total)
                    continue
                engine = next(e for e in engines if e.name == name)
                q = translated[name][i]
                if q is None:
                    continue
                c0, t0 = time.process_time(), time.perf_counter()
                try:
                    hits = engine.search(q)
                except Exception as exc:  # noqa: BLE001 - an engine refusing a query is a finding
                    row[name + "-error"] = f"{type(exc).__name__}: {exc}"
                    continue
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                row[name] = (wall * 1000, cpu * 1000, engine.count(q, hits))
            rows.append(row)
        log(f"round done, load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    app.close()
    text = render(rows, builds, text_bytes, names, args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    log(f"written to {args.out}")
    return 0


def render(rows: list[dict], builds: dict, text_bytes: int, names: list[str], args) -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out = [
        f"Corpus {args.corpus_root} ({text_bytes / 1e6:.1f} MB of text, {len(set(r['query'] for r in rows))} queries"
        f" of the kinds below), load at the end {load}.",
        "",
        "| kind | n (app / FTS5 / tantivy) | app wall p50 / p95 ms | FTS5 | tantivy | app CPU p50 / p95 ms | FTS5"
        " | tantivy | hits FTS5 / app (median) | hits tantivy / app |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    kinds = [k for k in KINDS if any(r["kind"] == k for r in rows)]
    for kind in [*kinds, "all", "all FTS5 ran"]:
        if kind == "all FTS5 ran":  # the app and tantivy on the same queries as FTS5
            sel = [r for r in rows if "FTS5" in r]
        else:
            sel = [r for r in rows if kind == "all" or r["kind"] == kind]
        cells_n, cells_wall, cells_cpu, ratios = [], [], [], []
        for name in names:
            timed = [r[name] for r in sel if name in r]
            cells_n.append(str(len(timed)))
            if not timed:
                cells_wall.append("skipped")
                cells_cpu.append("skipped")
                continue
            ms, cpu = [t[0] for t in timed], [t[1] for t in timed]
            cells_wall.append(f"{percentile(ms, 50):.1f} / {percentile(ms, 95):.1f}")
            cells_cpu.append(f"{percentile(cpu, 50):.1f} / {percentile(cpu, 95):.1f}")
        for name in names[1:]:
            pairs = [r[name][2] / r["app"][2] for r in sel if name in r and r["app"][2]]
            ratios.append(f"{statistics.median(pairs):.2f}" if pairs else "-")
        cells = [" / ".join(cells_n), *cells_wall, *cells_cpu, *ratios]
        out.append(f"| {kind} | {' | '.join(cells)} |")
    out += [
        "",
        "| engine | build s | CPU s | MB/s | MB per CPU s | index on disk MB | index / text |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        b = builds[name]
        size = f"{b['size'] / 1e6:.0f} | {b['size'] / text_bytes:.2f}"
        if b.get("seconds"):
            out.append(
                f"| {name} | {b['seconds']:.1f} | {b['cpu']:.1f} | {text_bytes / 1e6 / b['seconds']:.2f}"
                f" | {text_bytes / 1e6 / b['cpu']:.2f} | {size} |"
            )
        else:
            out.append(f"| {name} | not built in this run | | | | {size} |")
    errors = [(r["query"], r[k]) for r in rows for k in r if k.endswith("-error")]
    if errors:
        out += ["", f"{len(errors)} queries refused: " + "; ".join(f"{q!r}: {e}" for q, e in errors[:5])]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
