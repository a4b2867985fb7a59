"""Page-by-page progress of long extractions, also from the indexer's worker processes
(index/formats/progress.py, index/parallel.py)."""

from __future__ import annotations

from pathlib import Path

from index import batching, parallel
from index.formats.progress import FollowOne, ThrottledPages, page_progress
from index.indexer import CorpusIndex

FIXTURE = Path(__file__).parent / "fixtures" / "pdf" / "layout.pdf"  # two pages


def test_a_multi_process_build_reports_the_pages_of_a_pdf_before_the_document(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 10)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "PAGE_INTERVAL", 0.0)  # every page: the test needs no clock
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(12):
        (corpus / f"note{n:02}.txt").write_text(f"Note {n} about the river crossing.\n", encoding="utf-8")
    (corpus / "layout.pdf").write_bytes(FIXTURE.read_bytes())
    events: list[tuple] = []
    started = []
    real_run = parallel.ParallelBuild.run

    def run(self):  # the build really goes through the worker processes
        started.append(self)
        return real_run(self)

    monkeypatch.setattr(parallel.ParallelBuild, "run", run)
    with page_progress(lambda doc_id, done, total: events.append(("page", doc_id, done, total))):
        report = CorpusIndex(corpus, tmp_path / "index").update(
            progress=lambda done, total, doc_id: events.append(("document", doc_id))
        )
    assert started and "layout.pdf" in report.added
    pdf_events = [event for event in events if "layout.pdf" in event]
    assert pdf_events == [("page", "layout.pdf", 1, 2), ("page", "layout.pdf", 2, 2), ("document", "layout.pdf")]
    assert events[0] == ("document", "")  # the total, before the first chunk is done
    assert sum(event[0] == "document" for event in events) == 14


def test_a_worker_sends_at_most_one_page_report_per_interval_and_every_documents_end() -> None:
    sent: list[tuple] = []
    pages = ThrottledPages(lambda *report: sent.append(report), interval=3600.0)
    for done in range(1, 6):
        pages("long.pdf", done, 5)
    pages.finish()
    pages("short.pdf", 1, 1)  # held back: too soon after the last report, and nothing is open
    pages.finish()
    pages("broken.pdf", 1, 3)  # held back too, so its early stop needs no end
    pages.finish()
    assert sent == [("long.pdf", 1, 5), ("long.pdf", 5, 5)]

    sent.clear()
    pages = ThrottledPages(lambda *report: sent.append(report), interval=3600.0)
    pages("broken.pdf", 1, 3)
    pages.finish()  # stopped before its last page, after a report was sent: its end is sent
    assert sent == [("broken.pdf", 1, 3), ("broken.pdf", 3, 3)]


def test_the_parent_follows_one_document_at_a_time() -> None:
    heard: list[tuple] = []
    follow = FollowOne()
    with page_progress(lambda *report: heard.append(report)):
        for report in [("a.pdf", 1, 3), ("b.pdf", 1, 2), ("a.pdf", 2, 3), ("b.pdf", 2, 2), ("a.pdf", 3, 3)]:
            follow(*report)
        follow("c.pdf", 1, 4)
    assert heard == [("a.pdf", 1, 3), ("a.pdf", 2, 3), ("a.pdf", 3, 3), ("c.pdf", 1, 4)]
