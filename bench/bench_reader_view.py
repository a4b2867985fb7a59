"""Benchmark the reader pane (DocumentView) on a 5 MB document: the King James Bible.

    python bench/bench_reader_view.py [--text FILE] [--rounds N]

Gets the text from Debian's bible-kjv (`bible "Gen1:1-Rev22:21"`), installing the package with
apt-get when it is missing and we are root; otherwise pass --text FILE. Runs the widget in a
Textual pilot at 120x40 and prints a Markdown table:

- open: `load()` of the whole text, then the first paint of the visible rows (`render_lines` of
  the viewport), and the same through a full compositor frame (`render_update(full=True)`).
- page-down / next-match keystrokes at the start, middle and end of the document: the key's
  action plus rendering the viewport (what a keystroke costs the app), and the same plus a full
  compositor frame. Pilot round trips (`pilot.press`) are not timed: the pilot's own
  wait-for-idle costs ~40 ms per key on this machine whatever the key does.

Targets (issue 4): open < 0.3 s; each keystroke < 16 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.geometry import Region

from reader.widgets.document_view import DocumentView

SIZE = (120, 40)
QUERY = r"\bLORD\b"


def get_kjv(cache: Path) -> str:
    """The KJV text, from the `bible` command (installing bible-kjv if needed and possible)."""
    if cache.exists() and cache.stat().st_size > 4_000_000:
        return cache.read_text(encoding="utf-8")
    if shutil.which("bible") is None:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            print("installing bible-kjv with apt-get ...", file=sys.stderr)
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            if subprocess.run(["apt-get", "install", "-y", "bible-kjv"], env=env, capture_output=True).returncode != 0:
                subprocess.run(["apt-get", "update"], env=env, capture_output=True)
                subprocess.run(["apt-get", "install", "-y", "bible-kjv"], env=env, capture_output=True)
        if shutil.which("bible") is None:
            sys.exit(
                "bible-kjv is not installed and could not be: run "
                "`apt-get install bible-kjv` or pass --text FILE (any ~5 MB text)."
            )
    out = subprocess.run(["bible", "Gen1:1-Rev22:21"], capture_output=True, check=True)
    text = out.stdout.decode("utf-8", errors="replace")
    cache.write_text(text, encoding="utf-8")
    return text


class BenchApp(App):
    def compose(self) -> ComposeResult:
        yield DocumentView()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


async def run(text: str, rounds: int) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    matches = [(m.start(), m.end()) for m in re.finditer(QUERY, text)]
    app = BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(DocumentView)
        view.focus()
        await pilot.pause()
        region = view.scrollable_content_region
        viewport = Region(0, 0, region.width, region.height)
        compositor = app.screen._compositor

        def paint() -> None:
            view.render_lines(viewport)

        def frame() -> None:
            view.render_lines(viewport)
            compositor.render_update(full=True)

        opens, first_frames = [], []
        for _ in range(3):
            view.load("empty", "")
            await pilot.pause()
            gc.collect()
            start = time.perf_counter()
            view.load("kjv", text, matches=matches, cursor=0)
            paint()
            opens.append(time.perf_counter() - start)
            await pilot.pause()
            view.load("empty", "")
            await pilot.pause()
            gc.collect()
            start = time.perf_counter()
            view.load("kjv", text, matches=matches, cursor=0)
            frame()
            first_frames.append(time.perf_counter() - start)
            await pilot.pause()
        rows.append(
            (
                "open 4.3 MB (load + first paint)",
                f"{statistics.median(opens) * 1000:.0f}",
                f"{max(opens) * 1000:.0f}",
                "3 runs: median / max ms",
            )
        )
        rows.append(
            (
                "open + full compositor frame",
                f"{statistics.median(first_frames) * 1000:.0f}",
                f"{max(first_frames) * 1000:.0f}",
                "3 runs: median / max ms",
            )
        )
        view.set_matches(matches, current=None)

        for where, fraction in (("start", 0.0), ("middle", 0.5), ("end", 0.97)):
            for label, action in (("page-down", view.action_page_down_cursor), ("next-match", view.action_next_match)):
                for kind, render in (("paint", paint), ("frame", frame)):
                    view.move_cursor(int(len(text) * fraction))
                    view.scroll_to_offset(view.cursor)
                    await pilot.pause()
                    times = []
                    for _ in range(rounds):
                        start = time.perf_counter()
                        action()
                        render()
                        times.append(time.perf_counter() - start)
                    await pilot.pause()
                    rows.append(
                        (
                            f"{label} at {where} ({kind})",
                            f"{pct(times, 0.5):.2f}",
                            f"{pct(times, 0.95):.2f}",
                            f"{rounds} keys: p50 / p95 ms",
                        )
                    )
        # resize: rewrap the whole document at a new width
        times = []
        for width in (100, 80, 120):
            start = time.perf_counter()
            await pilot.resize_terminal(width, SIZE[1])
            await pilot.pause()
            times.append(time.perf_counter() - start)
        rows.append(
            (
                "resize (rewrap + repaint, via pilot)",
                f"{statistics.median(times) * 1000:.0f}",
                f"{max(times) * 1000:.0f}",
                "3 widths: median / max ms",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, help="a text file to open instead of the KJV")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    if args.text:
        text = args.text.read_text(encoding="utf-8", errors="replace")
        name = args.text.name
    else:
        text = get_kjv(Path(tempfile.gettempdir()) / "reader-bench-kjv.txt")
        name = "KJV Bible"
    lines = text.count("\n")
    print(
        f"# DocumentView on {name}: {len(text.encode('utf-8')) / 1e6:.1f} MB, "
        f"{lines:,} lines, pilot {SIZE[0]}x{SIZE[1]}, Python {sys.version.split()[0]}\n"
    )
    rows = asyncio.run(run(text, args.rounds))
    print("| measure | p50 / median | p95 / max | runs |")
    print("|---|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
