"""The document list at start-up and at 100,000 documents: a virtual list, whose rows are
made only when shown (issue 19: start-up filled the table three times, 30,000 row additions at
10,000 documents; then the rows were added in steps after the first frame, 20 s at 100,000)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from index.indexer import CorpusIndex
from reader.app import create_app
from reader.services import DocumentRow
from reader.widgets import document_list
from reader.widgets.document_list import DocumentList

from conftest import make_paths
from waiting import pilot_wait_until, settle_workers

DOCUMENTS = 450  # more than a screen's rows


def small_corpus(tmp_path, count: int = DOCUMENTS):
    corpus = tmp_path / "corpus"
    for n in range(count):
        path = corpus / f"part{n // 100}" / f"note-{n:04}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Note {n}\n\nA short note numbered {n} about item{n} and the weather.\n", encoding="utf-8")
    return corpus


def counting_shows(monkeypatch) -> list:
    """The rows of every DocumentList.show, in order."""
    shown: list = []
    real = DocumentList.show

    def show(self, rows):
        shown.append(rows)
        return real(self, rows)

    monkeypatch.setattr(DocumentList, "show", show)
    return shown


async def test_start_up_makes_only_the_rows_shown(tmp_path, monkeypatch):
    paths = make_paths(tmp_path, small_corpus(tmp_path))
    CorpusIndex(paths.corpus, paths.index).update()  # the usual start: the index exists
    shows = counting_shows(monkeypatch)
    app = create_app(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#documents", DocumentList)
        await settle_workers(app)  # the start-up index check has ended and listed its rows
        await pilot_wait_until(pilot, lambda: table.row_count == DOCUMENTS, "every row listed")
        await pilot.pause()
        assert table.border_title == f"Documents ({DOCUMENTS})"
        lists = len({tuple(rows) for rows in shows})  # the same rows again make nothing
        assert 0 < table.rows_made <= lists * table.size.height, (table.rows_made, lists)
        table.focus()
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert table.current_id == app.screen.rows[-1].id
        assert app.screen.rows[-1].title in "".join(table.render_line(y).text for y in range(table.size.height))


class ListApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield DocumentList(id="documents")

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.selected.append(str(event.row_key.value))


def rows(count: int, annotated: int = 0) -> list[DocumentRow]:
    return [
        DocumentRow(f"d{n:06}.txt", f"Document {n}", "src", "2024-01-01", 100 + n, annotated if n == 7 else 0)
        for n in range(count)
    ]


def screen_text(listing: DocumentList) -> str:
    return "\n".join(listing.render_line(y).text for y in range(listing.size.height))


async def test_100_000_rows_are_all_there_at_once():
    """Every row is in the list as soon as it is shown: the bottom reached with ctrl+end, a
    row in the middle by its key, Enter selects the cursor's document; only the rows painted
    (and none of the other 99,9xx) had their cells made."""
    many = rows(100_000)
    app = ListApp()
    async with app.run_test(size=(100, 30)) as pilot:
        listing = app.query_one(DocumentList)
        await pilot.pause()  # laid out
        listing.show(many)
        assert listing.row_count == 100_000 and listing.complete  # no step to wait for
        listing.focus()
        await pilot.press("ctrl+end")  # DataTable's key for the last row
        await pilot.pause()
        assert listing.current_id == many[-1].id
        assert "Document 99999" in screen_text(listing)
        assert listing.virtual_size.height == 100_000 + 1  # the rows and the header
        await pilot.press("up", "up", "enter")
        await pilot_wait_until(pilot, lambda: app.selected, "the row selected")
        assert app.selected == [many[-3].id]
        listing.move_cursor(row=listing.get_row_index("d050000.txt"), animate=False)
        await pilot.pause()
        assert listing.current_id == "d050000.txt" and "Document 50000" in screen_text(listing)
        assert [str(cell) for cell in listing.get_row_at(50_000)] == ["Document 50000", "src", "2024-01-01", "50,100"]
        await pilot.press("pagedown")
        await pilot.pause()
        assert listing.cursor_row > 50_000 + 20
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert listing.current_id == many[0].id and "Document 0 " in screen_text(listing)
        assert listing.rows_made < 10 * listing.size.height, listing.rows_made
        with pytest.raises(TypeError):
            listing.add_row("a row added by hand would be lost")


async def test_the_cursor_stays_on_its_document_and_a_hidden_list_is_filled():
    app = ListApp()
    async with app.run_test(size=(100, 30)) as pilot:
        listing = app.query_one(DocumentList)
        listing.show(rows(1_200))
        await pilot_wait_until(pilot, lambda: listing.complete, "the list laid out")
        assert listing.row_count == 1_200
        listing.move_cursor(row=900, animate=False)
        await pilot.pause()
        made = listing.rows_made
        listing.show(rows(1_200))  # the same rows again: nothing made
        await pilot.pause()
        assert listing.rows_made == made and listing.current_id == "d000900.txt"
        listing.show(rows(1_200, annotated=3))  # a count changed: the cursor stays
        await pilot.pause()
        assert listing.current_id == "d000900.txt" and "Document 900" in screen_text(listing)
        assert str(listing.get_cell("d000007.txt", "annotations")) == "3"
        listing.show(rows(1_200)[100:])  # other rows: the cursor follows its document
        await pilot.pause()
        assert listing.current_id == "d000900.txt" and listing.cursor_row == 800
        assert "Document 900" in screen_text(listing)
        listing.display = False  # hidden (search results shown instead): still filled
        await pilot.pause()
        listing.show(rows(300))
        assert listing.complete and listing.row_count == 300


async def test_a_resize_that_only_moves_the_title_makes_no_row():
    app = ListApp()
    async with app.run_test(size=(120, 30)) as pilot:
        listing = app.query_one(DocumentList)
        listing.show(rows(40))
        await pilot_wait_until(pilot, lambda: listing.complete, "every row listed")
        await pilot.pause()
        made = listing.rows_made
        wide = listing.columns["title"].width
        await pilot.resize_terminal(110, 30)
        await pilot_wait_until(pilot, lambda: listing.columns["title"].width != wide, "the title column narrowed")
        await pilot.pause()
        assert listing.columns["title"].width < wide
        assert listing.rows_made == made and listing.row_count == 40
        assert "Document 3" in listing.render_line(4).text


async def test_counts_filled_in_change_the_cells_in_place():
    """A first start lists the rows with their counts pending, then with them: the same
    documents, so the cursor and the scroll stay, and every row has its count."""
    app = ListApp()
    async with app.run_test(size=(100, 30)) as pilot:
        listing = app.query_one(DocumentList)
        await pilot.pause()
        pending = [replace(row, annotation_count=0, counted=False) for row in rows(1_200, annotated=12)]
        listing.show(pending)
        assert str(listing.get_cell("d000007.txt", "annotations")) == document_list.PENDING
        listing.move_cursor(row=600, animate=False)
        await pilot.pause()
        scrolled = listing.scroll_y
        counted = rows(1_200, annotated=12)
        listing.show(counted)
        await pilot.pause()
        assert listing.row_count == 1_200 and listing.current_id == "d000600.txt"
        assert listing.scroll_y == scrolled > 0
        assert str(listing.get_cell("d000007.txt", "annotations")) == "12"
        assert str(listing.get_cell("d001100.txt", "annotations")) == ""
        assert listing.columns["annotations"].width == 2  # as wide as "12" now
        listing.show([replace(row, title="Renamed") if row.id == "d000003.txt" else row for row in counted])
        await pilot.pause()
        assert str(listing.get_cell("d000003.txt", "title")) == "Renamed"
