"""Full builds, ours against stock Whoosh, alternately in one run, quiet and with a core busy.

Issue 19 asks for a full build of at least 3 MB/s at 100 MB on 2 cores, *measured alternately
with stock Whoosh in the same run*, and no slower than stock Whoosh when one core is busy. On a
shared machine a single build's wall time moves by tens of percent from minute to minute, so
this bench runs the builds one after the other, round after round, in the order
reader, stock, reader, stock... (each in a fresh child process, its CPU measured with
`resource.getrusage`, workers included), and reports wall, MB/s, CPU seconds per MB and the
index's size against the text's, per build and as medians and ratios.

The modes:

``reader``
    `CorpusIndex.update()` on a fresh index folder: what `reader index` does.
``base``
    the same from another checkout of the project (`--base DIR`, e.g. main's code in a
    worktree; the child runs with `PYTHONPATH=DIR` and checks it imported DIR's `index`).
``stock2`` / ``stock1``
    a stock whoosh-reloaded writer, no tuning: `whoosh.index.create_in` with the same fields
    and analyzers as the project's schema (the body a plain `TEXT` with the project's body
    analyzer, so the terms are the same), Whoosh's two-process writer
    (`ix.writer(procs=2, multisegment=True)`, its documented way to use two cores) or its
    default one-process writer, every document added with the same field values, one commit.
    The documents are read and decoded by the project's `Corpus.read_for_index`, as ours
    are, so the difference is the indexing.

``--load busy`` starts one spinning process (a `while True` loop, the machine's other jobs
aside) for the duration of the builds, so one of the two cores is taken; ``--load both`` runs
every round quiet, then busy.

Usage::

    python bench/bench_build.py --corpus scale100                        # reader, stock2: 2 rounds
    python bench/bench_build.py --corpus scale100 --load both --rounds 2
    python bench/bench_build.py --corpus scale100 --modes reader,base --base /work/wt-main
    python bench/bench_build.py --root /tmp/slice --modes reader,stock1  # any folder

Indexes go under ``--out-dir`` (default ``bench/out/build``), one folder per mode, removed
after each build unless ``--keep``; the Markdown report goes to ``--out-dir``/build.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

MODES = ("reader", "base", "stock2", "stock1")


def log(message: str) -> None:
    print(f"[bench_build] {message}", file=sys.stderr, flush=True)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def text_bytes(root: Path) -> int:
    """The corpus's size as the indexer counts it (the files it indexes)."""
    sys.path.insert(0, str(REPO))
    from index.corpus import Corpus

    files, _ = Corpus(root).scan()
    return sum(f.size for f in files)


# --------------------------------------------------------------------------- children


def _usage() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu_s": own.ru_utime + own.ru_stime,
        "children_cpu_s": kids.ru_utime + kids.ru_stime,
        "maxrss_mib": own.ru_maxrss / 1024,
        "children_maxrss_mib": kids.ru_maxrss / 1024,
    }


def child_reader(root: str, index_dir: str, expect: str | None) -> dict:
    import index
    from index.indexer import CorpusIndex

    where = str(Path(index.__file__).resolve().parent.parent)
    if expect and Path(where) != Path(expect).resolve():
        raise SystemExit(f"imported index from {where}, not {expect}")
    t0 = time.perf_counter()
    report = CorpusIndex(Path(root), Path(index_dir)).update()
    wall = time.perf_counter() - t0
    return {"wall": wall, "bytes": report.bytes_indexed, "docs": report.indexed, "code": where, **_usage()}


def stock_schema():
    """The project's schema with the body a plain Whoosh `TEXT` (same analyzer and options)."""
    from whoosh.fields import TEXT

    from index.analysis import body_analyzer
    from index.schema import build_schema

    schema = build_schema()
    schema.remove("body")
    schema.add("body", TEXT(analyzer=body_analyzer(), phrase=True, chars=True, stored=False, multitoken_query="phrase"))
    return schema


def child_stock(root: str, index_dir: str, procs: int) -> dict:
    from whoosh import index as whoosh_index

    from index.corpus import Corpus, UnreadableDocument

    t0 = time.perf_counter()
    folder = Path(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(folder), stock_schema())
    writer = ix.writer(procs=procs, multisegment=True) if procs > 1 else ix.writer()
    corpus = Corpus(Path(root))
    files, _ = corpus.scan()
    nbytes = docs = 0
    for file in files:
        try:
            text, sha256, _encoding, meta = corpus.read_for_index(file)
        except UnreadableDocument:
            continue
        fields = {"id": file.id, "title": meta.title or file.id, "body": text, "sha256": sha256}
        if meta.source:
            fields["source"] = meta.source
        if meta.date:
            fields["date"] = meta.date
        writer.add_document(**fields)
        nbytes += file.size
        docs += 1
    writer.commit()
    wall = time.perf_counter() - t0
    return {"wall": wall, "bytes": nbytes, "docs": docs, "code": "whoosh", **_usage()}


def run_child(mode: str, root: Path, index_dir: Path, base: Path | None) -> dict:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    env = dict(os.environ)
    args = [sys.executable, str(Path(__file__).resolve()), "_child", mode, str(root), str(index_dir)]
    if mode == "base":
        if base is None:
            raise SystemExit("mode base needs --base DIR")
        env["PYTHONPATH"] = str(base)
        args.append(str(base))
    else:
        env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=str(REPO))
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["index_bytes"] = folder_bytes(index_dir)
    return result


def _child_main(argv: list[str]) -> None:
    mode, root, index_dir = argv[:3]
    if mode in ("reader", "base"):
        result = child_reader(root, index_dir, argv[3] if len(argv) > 3 else None)
    else:
        result = child_stock(root, index_dir, int(mode[-1]))
    print(json.dumps(result))


# --------------------------------------------------------------------------- the run


class Spinner:
    """One process that keeps a core busy while it lives (`--load busy`)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> Spinner:
        self._proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        return self

    def __exit__(self, *exc) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run(
    root: Path, modes: list[str], rounds: int, loads: list[str], out_dir: Path, base: Path | None, keep: bool
) -> list[dict]:
    rows = []
    for load in loads:
        for number in range(1, rounds + 1):
            for mode in modes:
                index_dir = out_dir / f"index-{mode}"
                before = _load()
                log(f"{load}, round {number}: {mode} (load {before})")
                if load == "busy":
                    with Spinner():
                        result = run_child(mode, root, index_dir, base)
                else:
                    result = run_child(mode, root, index_dir, base)
                cpu = result["cpu_s"] + result["children_cpu_s"]
                result.update(
                    {
                        "mode": mode,
                        "load": load,
                        "round": number,
                        "loadavg_before": before,
                        "loadavg_after": _load(),
                        "utc": time.strftime("%H:%M:%S", time.gmtime()),
                        "mb_s": result["bytes"] / 1e6 / result["wall"],
                        "cpu_per_mb": cpu / (result["bytes"] / 1e6),
                        "size_ratio": result["index_bytes"] / result["bytes"],
                    }
                )
                log(
                    f"  {result['wall']:.1f} s, {result['mb_s']:.2f} MB/s, CPU {result['cpu_s']:.1f} + "
                    f"{result['children_cpu_s']:.1f} s ({result['cpu_per_mb']:.3f} s/MB), index "
                    f"{result['index_bytes'] / 1e6:.0f} MB = {result['size_ratio']:.2f} x the text"
                )
                rows.append(result)
                if not keep:
                    shutil.rmtree(index_dir, ignore_errors=True)
    return rows


def render(rows: list[dict], command: str, machine: str) -> str:
    out = ["## Full build, alternately (`bench/bench_build.py`)\n", f"{machine}. Command: `{command}`.\n"]
    out.append(
        "| UTC | load (1/5/15 min, before) | core busy? | mode | wall | MB/s | CPU main + workers "
        "| CPU s/MB | index / text |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        out.append(
            f"| {r['utc']} | {r['loadavg_before']} | {'yes' if r['load'] == 'busy' else 'no'} | {r['mode']} | "
            f"{r['wall']:.1f} s | **{r['mb_s']:.2f}** | {r['cpu_s']:.1f} + {r['children_cpu_s']:.1f} s | "
            f"{r['cpu_per_mb']:.3f} | {r['index_bytes'] / 1e6:.0f} MB / {r['bytes'] / 1e6:.0f} MB = "
            f"{r['size_ratio']:.2f} |"
        )
    out.append("")
    out.append("Medians, and each mode against `reader` (wall and CPU per MB):\n")
    out.append("| core busy? | mode | builds | MB/s | CPU s/MB | wall / reader's | CPU / reader's |")
    out.append("|---|---|---|---|---|---|---|")
    for load in dict.fromkeys(r["load"] for r in rows):
        mine = [r for r in rows if r["load"] == load and r["mode"] == "reader"]
        for mode in dict.fromkeys(r["mode"] for r in rows):
            these = [r for r in rows if r["load"] == load and r["mode"] == mode]
            if not these:
                continue
            mb_s = statistics.median(r["mb_s"] for r in these)
            cpu = statistics.median(r["cpu_per_mb"] for r in these)
            ratios = ""
            if mine:
                wall_ratio = statistics.median(r["wall"] for r in these) / statistics.median(r["wall"] for r in mine)
                cpu_ratio = cpu / statistics.median(r["cpu_per_mb"] for r in mine)
                ratios = f"{wall_ratio:.2f} | {cpu_ratio:.2f}"
            else:
                ratios = " | "
            out.append(
                f"| {'yes' if load == 'busy' else 'no'} | {mode} | {len(these)} | {mb_s:.2f} | {cpu:.3f} | {ratios} |"
            )
    out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_child":
        _child_main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="scale100", help="a corpus of bench/corpora.py (default scale100)")
    parser.add_argument("--root", type=Path, help="any folder of documents instead of --corpus")
    parser.add_argument("--modes", default="reader,stock2", help=f"comma-separated, in order: {', '.join(MODES)}")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--load", choices=("quiet", "busy", "both"), default="quiet")
    parser.add_argument("--base", type=Path, help="another checkout of the project, for mode base")
    parser.add_argument("--out-dir", type=Path, default=BENCH_DIR / "out" / "build")
    parser.add_argument("--keep", action="store_true", help="keep the last index of each mode")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        parser.error(f"unknown modes {unknown}; choose from {', '.join(MODES)}")
    if args.root is not None:
        root = args.root.resolve()
    else:
        import corpora

        root = corpora.ensure(args.corpus)
    loads = ["quiet", "busy"] if args.load == "both" else [args.load]
    args.out_dir.mkdir(parents=True, exist_ok=True)
    from bench_index import machine_info

    info = machine_info()
    machine = (
        f"Measured {info['date']} on {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"whoosh-reloaded {info['whoosh']}; reader at {info['commit']}; corpus {root} "
        f"({text_bytes(root) / 1e6:.1f} MB)"
    )
    rows = run(root, modes, args.rounds, loads, args.out_dir, args.base, args.keep)
    command = "python bench/bench_build.py " + " ".join(argv)
    text = render(rows, command.strip(), machine)
    print(text)
    (args.out_dir / "build.md").write_text(text + "\n", encoding="utf-8")
    (args.out_dir / "build.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
