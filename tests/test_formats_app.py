"""The app on a folder of PDFs and transcripts: listed, opened, and the status bar names the
page or the cue time under the cursor, as the original shows it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reader.app import create_app
from reader.widgets.document_view import DocumentView

from app_helpers import status_text
from conftest import make_paths
from waiting import settle

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


async def test_the_status_bar_shows_the_page_and_the_cue_time(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("interview.pdf", "interview.srt"):
        shutil.copy(FIXTURES / name, corpus / name)
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.open_document("interview.pdf")
        await settle(pilot)
        view = app.screen.query_one(DocumentView)
        assert "p. 1" in status_text(app)
        text = app.screen.opened.document.text
        view.move_cursor(text.index("On the second page"))
        await settle(pilot)
        assert "p. 2" in status_text(app)
        app.screen.open_document("interview.srt")
        await settle(pilot)
        view.move_cursor(app.screen.opened.document.text.index("spring"))
        await settle(pilot)
        assert "00:14:03 of 00:14:09" in status_text(app)  # the cue and the transcript's length


def _rows(view) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


async def test_the_reader_marks_where_each_pdf_page_starts_without_changing_the_text(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "interview.pdf", corpus / "interview.pdf")
    shutil.copy(FIXTURES.parent / "pdf" / "layout.pdf", corpus / "layout.pdf")
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.open_document("interview.pdf")  # page 2 starts a paragraph
        await settle(pilot)
        view = app.screen.query_one(DocumentView)
        document = app.screen.opened.document
        assert view.text == document.text  # nothing inserted: offsets are the document's
        rows = _rows(view)
        rule = next(i for i, row in enumerate(rows) if "\u2500\u2500\u2500\u2500 p. 2 \u2500" in row)
        assert rows[rule + 1].lstrip().startswith("On the second page")
        assert not any("p. 1" in row for row in rows)  # the first page needs no mark
        view.move_cursor(document.text.index("On the second page") - 1)  # onto the rule's row
        await settle(pilot)
        assert "p. 2" in _rows(view)[rule]

        app.screen.open_document("layout.pdf")  # page 2 starts inside a paragraph
        await settle(pilot)
        document = app.screen.opened.document
        page2 = next(p.start for p in document.positions if p.label == "2")
        view.move_cursor(page2)
        await settle(pilot)
        assert view.text == document.text
        marked = [row for row in _rows(view) if row.startswith("\u2504\u2504")]
        assert len(marked) == 1
        word = document.text[page2:].split(" ", 1)[0]
        assert word in marked[0] and "p. 2" in status_text(app)


async def test_the_bar_counts_the_pages_of_a_pdf_indexed_before_any_other_document(tmp_path, monkeypatch):
    """A folder of one long PDF: its pages fill the bar, whose total (one document) is shown
    before the first page (the bar used to stand at "--%" the whole time)."""
    from reader.screens import indexing_part

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES.parent / "pdf" / "layout.pdf", corpus / "layout.pdf")  # two pages
    shown: list[tuple[float, int]] = []
    monkeypatch.setattr(indexing_part, "PROGRESS_INTERVAL", 0.0)  # every report: no clock in the test
    monkeypatch.setattr(
        indexing_part.IndexingPart, "_show_progress", lambda self, done, total: shown.append((done, total))
    )
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert [row.id for row in app.screen.rows] == ["layout.pdf"]
    assert shown[:4] == [(0, 1), (0.5, 1), (1.0, 1), (1, 1)]


async def test_a_multi_process_build_shows_its_total_and_a_pdfs_pages_before_its_first_chunk(tmp_path, monkeypatch):
    """The workers report documents only when a chunk of them is done: the bar knows the
    number of documents from the start, and a PDF's pages move it meanwhile (it stood at
    "--%" until the first chunk, or counted the PDF's pages as if they were the documents)."""
    from index import batching, parallel
    from reader.screens import indexing_part

    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 10)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "PAGE_INTERVAL", 0.0)  # every page: the test needs no clock
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(12):
        (corpus / f"note{n:02}.txt").write_text(f"Note {n} about the river crossing.\n", encoding="utf-8")
    shutil.copy(FIXTURES.parent / "pdf" / "layout.pdf", corpus / "layout.pdf")  # two pages
    shown: list[tuple[float, int]] = []
    monkeypatch.setattr(indexing_part, "PROGRESS_INTERVAL", 0.0)
    monkeypatch.setattr(
        indexing_part.IndexingPart, "_show_progress", lambda self, done, total: shown.append((done, total))
    )
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(app.screen.rows) == 13
    # one chunk holds all 13: the PDF's pages are heard before any document is counted, and
    # move the bar by the PDF's share of the bytes to read (a page of two: half of it)
    sizes = {path.name: path.stat().st_size for path in corpus.iterdir()}
    share = 13 * sizes["layout.pdf"] / sum(sizes.values())
    assert shown[:3] == [(0, 13), (pytest.approx(share / 2), 13), (pytest.approx(share), 13)]
    assert shown[-1] == (13, 13) and all(total == 13 for _, total in shown)
    assert [done for done, _ in shown] == sorted(done for done, _ in shown)  # never back


async def test_the_bar_weighs_a_long_pdf_by_its_bytes_not_as_one_document(tmp_path, monkeypatch):
    """A PDF and two short notes: the PDF, read first, fills most of the bar, page by page
    (counted as one document of three it moved a third of the bar, then stood still)."""
    from reader.screens import indexing_part

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES.parent / "pdf" / "layout.pdf", corpus / "a.pdf")  # two pages, read first
    for name in ("b.txt", "c.txt"):
        (corpus / name).write_text("A short note.\n", encoding="utf-8")
    shown: list[tuple[float, int]] = []
    monkeypatch.setattr(indexing_part, "PROGRESS_INTERVAL", 0.0)
    monkeypatch.setattr(
        indexing_part.IndexingPart, "_show_progress", lambda self, done, total: shown.append((done, total))
    )
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(app.screen.rows) == 3
    assert shown[0] == (0, 3) and shown[-1] == (3, 3)
    after_pdf = shown[3][0]  # the start, two pages, then the PDF's end
    assert after_pdf > 2.9 and shown[1][0] == pytest.approx(after_pdf / 2)
