"""The document list at start-up: every row added once, lazily (issue 19: start-up filled the
table three times, 30,000 row additions at 10,000 documents)."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App, ComposeResult

from index.indexer import CorpusIndex
from reader.app import create_app
from reader.services import DocumentRow
from reader.widgets import document_list
from reader.widgets.document_list import DocumentList

from conftest import make_paths
from waiting import pilot_wait_until, settle_workers

DOCUMENTS = 450  # more than FIRST_ROWS: the rest is added in steps after the first frame


def small_corpus(tmp_path, count: int = DOCUMENTS):
    corpus = tmp_path / "corpus"
    for n in range(count):
        path = corpus / f"part{n // 100}" / f"note-{n:04}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Note {n}\n\nA short note numbered {n} about item{n} and the weather.\n", encoding="utf-8")
    return corpus


def counting_rows(monkeypatch) -> list:
    """Every key DocumentList.add_row is called with, in order."""
    added: list = []
    real = DocumentList.add_row

    def add_row(self, *cells, **kwargs):
        added.append(kwargs.get("key"))
        return real(self, *cells, **kwargs)

    monkeypatch.setattr(DocumentList, "add_row", add_row)
    return added


async def test_start_up_adds_each_documents_row_once(tmp_path, monkeypatch):
    assert DOCUMENTS > document_list.FIRST_ROWS
    paths = make_paths(tmp_path, small_corpus(tmp_path))
    CorpusIndex(paths.corpus, paths.index).update()  # the usual start: the index exists
    added = counting_rows(monkeypatch)
    app = create_app(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#documents", DocumentList)
        await settle_workers(app)  # the start-up index check has ended and listed its rows
        await pilot_wait_until(pilot, lambda: table.row_count == DOCUMENTS, "every row listed")
        await pilot.pause()
        assert len(added) == DOCUMENTS, f"{len(added)} row additions for {DOCUMENTS} documents"
        assert len(set(added)) == DOCUMENTS
        assert table.border_title == f"Documents ({DOCUMENTS})"


class ListApp(App):
    def compose(self) -> ComposeResult:
        yield DocumentList(id="documents")


def rows(count: int, annotated: int = 0) -> list[DocumentRow]:
    return [
        DocumentRow(f"d{n:05}.txt", f"Document {n}", "src", "2024-01-01", 100 + n, annotated if n == 7 else 0)
        for n in range(count)
    ]


async def test_the_rest_is_added_after_the_first_frame_and_the_cursor_stays(monkeypatch):
    added = counting_rows(monkeypatch)
    app = ListApp()
    async with app.run_test(size=(100, 30)) as pilot:
        listing = app.query_one(DocumentList)
        listing.show(rows(1_200))
        assert listing.row_count == document_list.FIRST_ROWS  # the rest after the frame
        await pilot_wait_until(pilot, lambda: listing.complete, "every row listed")
        assert listing.row_count == 1_200 and len(added) == 1_200
        listing.move_cursor(row=900, animate=False)
        listing.show(rows(1_200))  # the same rows again: nothing added
        await pilot.pause()
        assert len(added) == 1_200 and listing.current_id == "d00900.txt"
        listing.show(rows(1_200, annotated=3))  # a count changed: listed again, once
        await pilot_wait_until(pilot, lambda: listing.complete, "every row listed again")
        assert len(added) == 2_400 and listing.current_id == "d00900.txt"
        assert str(listing.get_cell("d00007.txt", "annotations")) == "3"
        listing.display = False  # hidden (search results shown instead): still filled
        await pilot.pause()
        listing.show(rows(300))
        await pilot_wait_until(pilot, lambda: listing.complete, "the hidden list filled")
        assert listing.row_count == 300


async def test_a_resize_that_only_moves_the_title_adds_no_row(monkeypatch):
    added = counting_rows(monkeypatch)
    app = ListApp()
    async with app.run_test(size=(120, 30)) as pilot:
        listing = app.query_one(DocumentList)
        listing.show(rows(40))
        await pilot_wait_until(pilot, lambda: listing.complete, "every row listed")
        wide = listing.columns["title"].width
        await pilot.resize_terminal(110, 30)
        await pilot_wait_until(pilot, lambda: listing.columns["title"].width != wide, "the title column narrowed")
        assert listing.columns["title"].width < wide
        assert len(added) == 40 and listing.row_count == 40
        assert "Document 3" in listing.render_line(4).text


async def test_counts_filled_in_change_the_cells_in_place(monkeypatch):
    """A first start lists the rows with their counts pending, then with them: the same
    documents, so no row is added again, and the rows listed later have their counts too."""
    added = counting_rows(monkeypatch)
    app = ListApp()
    async with app.run_test(size=(100, 30)) as pilot:
        listing = app.query_one(DocumentList)
        pending = [replace(row, annotation_count=0, counted=False) for row in rows(1_200, annotated=12)]
        listing.show(pending)
        assert str(listing.get_cell("d00007.txt", "annotations")) == document_list.PENDING
        counted = rows(1_200, annotated=12)
        listing.show(counted)  # while the rest of the pending rows are still being added
        await pilot_wait_until(pilot, lambda: listing.complete, "every row listed")
        assert len(added) == 1_200 and listing.row_count == 1_200
        assert str(listing.get_cell("d00007.txt", "annotations")) == "12"
        assert str(listing.get_cell("d01100.txt", "annotations")) == ""
        assert listing.columns["annotations"].width == 2  # as wide as "12" now
        listing.show([replace(row, title="Renamed") if row.id == "d00003.txt" else row for row in counted])
        await pilot.pause()
        assert len(added) == 1_200 and str(listing.get_cell("d00003.txt", "title")) == "Renamed"
