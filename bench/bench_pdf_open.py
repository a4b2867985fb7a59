"""A 100-page PDF searchable within 3 s of `reader` opening an unindexed folder (issue 16).

The PDF: the first 100 pages of the King James Bible (Debian's bible-kjv, `bible`), converted
by LibreOffice headless; the query:
a word that only its last page has, so a hit means the whole document was read.

Each run is a fresh Python process with a fresh index folder, as when a user types `reader`:
- `app`: the app built by `create_app` runs headless at 120x40; its auto-pilot types the
  query into the search box at once, then waits until the PDF is among the hits; the time is
  from just before this script started the process (the system's monotonic clock, which both
  processes read) to that moment, so the app's shutdown is not counted;
- `cli`: `reader search WORD --limit 1` on the unindexed folder (imports, the build, the
  search), wall time of the process.
CPU is the process's (and its children's, the search helper's included) from start to exit.
`--other CHECKOUT` runs that checkout's code alternately with this one, for same-run ratios
on a loaded machine. Median of --runs runs; figures in docs/benchmarks.md with the load.

    python bench/bench_pdf_open.py [--runs 5] [--other /tmp/main-checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_FORMATS_DIR", "/tmp/bench-formats"))
TARGET = 3.0
PAGES = 100

CHILD = r"""
import json, sys, time
started = float(sys.argv[3])  # the parent's time.monotonic() just before it started us
from pathlib import Path
from reader.app import create_app
from reader.paths import Paths
root, word = Path(sys.argv[1]), sys.argv[2]
app = create_app(Paths(root / "corpus", root / "annotations", root / "index"))
marks = {}

async def pilot_run(pilot):
    await pilot.pause()
    marks["painted"] = time.monotonic()
    app.screen.search_box.value = word
    while not any(hit.doc_id == "book.pdf" for hit in getattr(app.screen, "hits", [])):
        await pilot.pause(0.02)
    marks["found"] = time.monotonic()
    app.exit()

app.run(headless=True, size=(120, 40), auto_pilot=pilot_run)
print(json.dumps({"painted": marks["painted"] - started, "found": marks["found"] - started}))
"""


def source_text() -> str:
    """Genesis to Ruth from Debian's bible-kjv (`bible`), plenty for 100 pages."""
    done = subprocess.run(["bible", "-f", "Gen1:1-Ruth4:22"], capture_output=True, text=True, check=True, timeout=120)
    return done.stdout


def make_pdf() -> tuple[Path, str]:
    """The 100-page PDF (made once, kept in WORK) and a word only its last page has."""
    import pypdfium2 as pdfium

    WORK.mkdir(parents=True, exist_ok=True)
    target = WORK / f"book{PAGES}.pdf"
    if not target.exists():
        text = WORK / "book.txt"
        text.write_text(source_text()[:500_000], encoding="utf-8")
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(WORK), str(text)],
            check=True,
            capture_output=True,
            timeout=900,
        )
        whole = pdfium.PdfDocument(WORK / "book.pdf")
        part = pdfium.PdfDocument.new()
        part.import_pages(whole, list(range(min(PAGES, len(whole)))))
        part.save(target)
    pdf = pdfium.PdfDocument(target)
    pages = [pdf[n].get_textpage().get_text_range() for n in range(len(pdf))]
    earlier = set(re.findall(r"[a-z]+", " ".join(pages[:-1]).lower()))
    last = [w for w in re.findall(r"[A-Za-z]+", pages[-1]) if w.lower() not in earlier and len(w) > 4]
    return target, max(last, key=len)


def run_app(pdf: Path, word: str, code: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-pdf-open-") as folder:
        root = Path(folder)
        (root / "corpus").mkdir()
        shutil.copy(pdf, root / "corpus" / "book.pdf")
        cpu = _children_cpu()
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(root), word, repr(started)],
            capture_output=True,
            text=True,
            cwd=code,  # `python -c` puts the working directory first on sys.path: that code runs
            env=_env(root),
            timeout=300,
            check=True,
        )
        marks = json.loads(done.stdout.strip().splitlines()[-1])
        return {**marks, "cpu": _children_cpu() - cpu}


def run_cli(pdf: Path, word: str, code: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-pdf-open-") as folder:
        root = Path(folder)
        (root / "corpus").mkdir()
        shutil.copy(pdf, root / "corpus" / "book.pdf")
        started, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "reader",
                "search",
                word,
                "--limit",
                "1",
                "--corpus",
                str(root / "corpus"),
                "--index",
                str(root / "index"),
                "--annotations",
                str(root / "annotations"),
            ],
            capture_output=True,
            text=True,
            cwd=code,
            env=_env(root),
            timeout=300,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0 or "book" not in done.stdout:
            raise SystemExit(f"reader search failed: {done.returncode} {done.stdout} {done.stderr}")
        return elapsed, _children_cpu() - cpu


def _children_cpu() -> float:
    """CPU seconds of finished child processes: on a loaded machine, nearer to what a quiet
    one's wall time would be than the wall time itself."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _env(root: Path) -> dict:
    return {
        **os.environ,
        "READER_CACHE_DIR": str(root / "cache"),
        "READER_DATA_DIR": str(root / "data"),
        "READER_CONFIG_DIR": str(root / "config"),
        "READER_STATE_DIR": str(root / "state"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--other", type=Path, help="another checkout, run alternately with this one")
    args = parser.parse_args(argv)
    if shutil.which("soffice") is None:
        print("soffice (LibreOffice) is needed", file=sys.stderr)
        return 2
    pdf, word = make_pdf()
    print(
        f"{pdf.name}: {pdf.stat().st_size // 1024} KB; query {word!r} (only on the last page); load {os.getloadavg()}"
    )
    codes = {"this": REPO, **({"other": args.other.resolve()} if args.other else {})}
    apps: dict[str, list[dict]] = {name: [] for name in codes}
    clis: dict[str, list[tuple[float, float]]] = {name: [] for name in codes}
    for _ in range(args.runs):
        for name, code in codes.items():
            apps[name].append(run_app(pdf, word, code))
            clis[name].append(run_cli(pdf, word, code))
    for name in codes:
        painted, found, app_cpu = (statistics.median(a[key] for a in apps[name]) for key in ("painted", "found", "cpu"))
        cli, cli_cpu = (statistics.median(c[i] for c in clis[name]) for i in (0, 1))
        print(
            f"{name} app: painted {painted:.2f} s, the PDF among the hits {found:.2f} s (target {TARGET} s);"
            f" CPU {app_cpu:.2f} s; found per run {[round(a['found'], 2) for a in apps[name]]}"
        )
        print(f"{name} cli: reader search on the unindexed folder {cli:.2f} s; CPU {cli_cpu:.2f} s")
    print(f"load after {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
