"""The cost of the analysis (text to postings) against another checkout, in the same run.

The machine these benchmarks run on is often shared, so an absolute MB/s says little; this
script times `index.postings.analyze` over the same texts with this checkout and with another
one (e.g. a worktree of main), alternating them, and reports the best of each and the ratio.

Samples: ``linux-doc`` (the kernel documentation sources shipped in linux-doc-6.1, English
reStructuredText, full of dotted names such as file.c), and ``mixed`` (the corpora of
bench_search_correctness.py when they have been built: fortunes with ANSI colours, the
handbook in Arabic, Persian, Chinese, Japanese and English, man pages with overstrikes).

Usage: python bench/bench_analysis_cost.py --other /path/to/main/checkout [--mb 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINUX_DOC = Path("/usr/share/doc/linux-doc-6.1/html/_sources")
MIXED = Path("/tmp/reader-bench-correctness/corpora")

_TIMER = """
import pickle, sys, time
sys.path.insert(0, sys.argv[1])
from index.postings import analyze
texts = pickle.load(open(sys.argv[2], "rb"))
for text in texts[:50]:
    analyze(text)  # warm the memoised terms as a long build would
started = time.process_time()
for text in texts:
    analyze(text)
print(time.process_time() - started)
"""


def sample(root: Path, limit: int) -> list[str]:
    texts: list[str] = []
    total = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", "replace")
        texts.append(text)
        total += len(data)
        if total >= limit:
            break
    return texts


def timed(checkout: Path, texts_file: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _TIMER, str(checkout), str(texts_file)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="a checkout to compare with")
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mixed", type=Path, default=MIXED)
    args = parser.parse_args(argv)
    samples = {"linux-doc": LINUX_DOC, "mixed": args.mixed}
    for name, root in samples.items():
        if not root.exists():
            print(f"{name}: {root} missing, skipped")
            continue
        texts = sample(root, int(args.mb * 1e6))
        megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        with tempfile.NamedTemporaryFile(suffix=".pickle") as handle:
            pickle.dump(texts, handle)
            handle.flush()
            mine, other = [], []
            for _ in range(args.rounds):
                other.append(timed(args.other, Path(handle.name)))
                mine.append(timed(ROOT, Path(handle.name)))
        print(
            f"{name}: {len(texts)} texts, {megabytes:.1f} MB; CPU seconds best of "
            f"{args.rounds}: other {min(other):.2f} ({megabytes / min(other):.1f} MB/s), "
            f"this {min(mine):.2f} ({megabytes / min(mine):.1f} MB/s), "
            f"ratio this/other {min(mine) / min(other):.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
