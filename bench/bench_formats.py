"""Extraction speed and quality of index/formats on real text converted by LibreOffice.

Reference: Debian's licence texts (/usr/share/common-licenses: GPL, LGPL, Apache, MPL,
Artistic...), real prose with headings, lists and numbered sections, rewrapped as one
paragraph per line and converted with `soffice --headless --convert-to` to PDF, DOCX, ODT,
EPUB, HTML and RTF. For each format: extraction speed (PDF pages/s, else MB/s of extracted
text, one core, best of --repeat), the share of the reference's words recovered in order
(difflib's matching blocks over the word sequences), and the share of the reference's
paragraphs that come out as exactly one extracted paragraph.

    .venv/bin/python bench/bench_formats.py [--repeat 3]
Figures go in docs/benchmarks.md (with the machine's load: `uptime`).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.formats import extract  # noqa: E402
from index.structure import paragraphs  # noqa: E402

LICENCES = ["GPL-3", "GPL-2", "LGPL-3", "LGPL-2.1", "Apache-2.0", "MPL-2.0", "Artistic", "GFDL-1.3"]
WORK = Path(os.environ.get("BENCH_FORMATS_DIR", "/tmp/bench-formats"))
FORMATS = ["pdf", "docx", "odt", "epub", "html", "rtf"]
_WORD = re.compile(r"\w+")


def reference() -> list[str]:
    out: list[str] = []
    for name in LICENCES:
        path = Path("/usr/share/common-licenses") / name
        if not path.exists():
            continue
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace")):
            text = " ".join(block.split())
            if text:
                out.append(text)
    return out


def convert(paras: list[str]) -> dict[str, Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    source = WORK / "licences.txt"
    source.write_text("\n".join(paras) + "\n", encoding="utf-8")
    made = {}
    for fmt in FORMATS:
        target = WORK / f"licences.{fmt}"
        if not target.exists():
            filt = "html:XHTML Writer File:UTF8" if fmt == "html" else fmt
            subprocess.run(
                ["soffice", "--headless", "--convert-to", filt, "--outdir", str(WORK), str(source)],
                check=True,
                capture_output=True,
                timeout=600,
            )
        made[fmt] = target
    return made


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def quality(ref: list[str], text: str) -> tuple[float, float]:
    want = words(" ".join(ref))
    got = words(text)
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    in_order = sum(block.size for block in matcher.get_matching_blocks()) / max(len(want), 1)
    found = {" ".join(text[s.start : s.end].split()) for s in paragraphs(text)}
    whole = sum(1 for p in ref if p in found) / max(len(ref), 1)
    return in_order, whole


def striprtf_speed(data: bytes, repeat: int) -> float:
    """striprtf's own loop on the same file (what index/formats/rtf_text.py replaced)."""
    from striprtf.striprtf import rtf_to_text

    from index.formats.decoding_text import text_of

    source = text_of(data)
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        text = rtf_to_text(source, errors="ignore")
        best = min(best, time.process_time() - started)
    return len(text.encode()) / best / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if shutil.which("soffice") is None:
        print("soffice (LibreOffice) is needed", file=sys.stderr)
        return 2
    ref = reference()
    files = convert(ref)
    print(f"reference: {len(ref)} paragraphs, {len(words(' '.join(ref)))} words; load {os.getloadavg()}")
    print(f"{'format':6} {'size':>8} {'speed':>16} {'words in order':>15} {'paragraphs':>11}")
    for fmt, path in files.items():
        data = path.read_bytes()
        best = float("inf")
        for _ in range(args.repeat):
            started = time.process_time()
            result = extract(path.name, data)
            best = min(best, time.process_time() - started)
        if fmt == "pdf":
            speed = f"{result.extra['pages'] / best:7.0f} pages/s ({result.extra['pages']} p.)"
        else:
            speed = f"{len(result.text.encode()) / best / 1e6:7.1f} MB/s"
        in_order, whole = quality(ref, result.text)
        print(f"{fmt:6} {len(data) // 1024:>6} KB {speed:>16} {in_order:>14.2%} {whole:>10.1%}")
        if fmt == "rtf":
            print(f"{'':6} {'striprtf alone:':>9} {striprtf_speed(data, args.repeat):7.1f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
