"""The document list alone (reader/widgets/document_list.py) at many documents, headless at
120x40: from `show(rows)` to the first rows painted and to the whole list there (every row
listed), the CPU of that, ctrl+end to the last row painted, and the CPU of one `up` at the
bottom (50 presses; the pilot's own round trips are in it, about 14 ms at 100 documents).

    python bench/bench_document_list.py [--documents 100000] [--runs 2]
    PYTHONPATH=OTHER_CHECKOUT python bench/bench_document_list.py   # that checkout's list

It reads nothing but the widget (`complete`, `row_count`, `current_id`, `render_line`), so an
older checkout's list runs it too (with PYTHONPATH first on the path, its `reader` is imported).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from textual.app import App, ComposeResult

import reader
from reader.services import DocumentRow
from reader.widgets.document_list import DocumentList


class ListApp(App):
    def compose(self) -> ComposeResult:
        yield DocumentList(id="documents")


async def once(count: int) -> dict[str, float]:
    rows = [
        DocumentRow(f"d{n:06}.txt", f"Document number {n}", "src", "2024-01-01", 100 + n, n % 3) for n in range(count)
    ]
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        listing = app.query_one(DocumentList)
        await pilot.pause()
        cpu, started = time.process_time(), time.perf_counter()
        listing.show(rows)
        await pilot.pause()
        while not listing.row_count:
            await pilot.pause()
        first = time.perf_counter() - started
        while not (listing.complete and listing.row_count == count):
            await pilot.pause()
        listed, listed_cpu = time.perf_counter() - started, time.process_time() - cpu
        listing.focus()
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("ctrl+end")
        while listing.current_id != rows[-1].id:
            await pilot.pause()
        await pilot.pause()
        end = time.perf_counter() - started
        shown = "".join(listing.render_line(y).text for y in range(listing.size.height))
        assert f"Document number {count - 1}" in shown, shown
        cpu = time.process_time()
        for _ in range(50):
            await pilot.press("up")
        await pilot.pause()
        up = (time.process_time() - cpu) / 50
    return {"first": first, "listed": listed, "listed_cpu": listed_cpu, "end": end, "up": up}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    runs = [asyncio.run(once(args.documents)) for _ in range(args.runs)]

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    print(f"code: {reader.__file__}; {args.documents:,} documents, median of {args.runs}")
    print("| first rows | whole list | its CPU | ctrl+end to the last row painted | CPU per `up` at the bottom |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {median('first'):.2f} s | {median('listed'):.2f} s | {median('listed_cpu'):.2f} s "
        f"| {median('end'):.2f} s | {median('up') * 1000:.0f} ms |"
    )


if __name__ == "__main__":
    main()
