"""Start-up on a project whose annotation files have no summaries yet (issue 19): the first
frame does not wait for the store, the list comes from the index with its counts pending, and
once the files are read the counts, the ⚠ column, the title overrides and the status bar are
right; keys typed before then still work.

The reading is held back by a gate on `Library.documents` (the call that reads the files, in
the start-up worker) so the pending state can be looked at; everything else is real: the
seeds, their index, a git merge's conflicts made by the real driver."""

from __future__ import annotations

import threading

from reader.app import create_app
from reader.services import ANNOTATION_SUMMARY, Library
from reader.store import AnnotationStore
from reader.widgets.document_list import PENDING, DocumentList

from app_helpers import status_text
from test_app import SHAFAQ
from test_app_conflicts import conflicted
from test_app_first_hour import burst
from waiting import pilot_wait_until, settle, settle_workers

OTHER = "000_5f0b56e8f3292fd3.txt"


def held_reading(monkeypatch) -> threading.Event:
    """Library.documents reading the files (wait=True) off the main thread waits for the
    returned event."""
    gate = threading.Event()
    real = Library.documents

    def documents(self, wait: bool = True):
        if wait and threading.current_thread() is not threading.main_thread():
            assert gate.wait(timeout=60), "the test never opened the gate"
        return real(self, wait)

    monkeypatch.setattr(Library, "documents", documents)
    return gate


def cell(table: DocumentList, doc: str, column: str) -> str:
    return str(table.get_cell(doc, column))


async def test_counts_pending_then_filled_in_and_keys_typed_early_work(seed_paths, monkeypatch):
    conflicted(seed_paths)  # SHAFAQ: the lead's annotations, three merge conflicts
    store = AnnotationStore(seed_paths.annotations)
    store.set_attributes(OTHER, title="A title the user gave")
    (seed_paths.index / ANNOTATION_SUMMARY).unlink(missing_ok=True)  # the first start after the merge
    expected = {doc: len(store.annotations(doc)) for doc in store.documents() if store.annotations(doc)}
    assert expected.get(SHAFAQ)
    gate = held_reading(monkeypatch)
    app = create_app(seed_paths)
    assert not app.library.store_opened  # not before the first frame
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        table = screen.query_one("#documents", DocumentList)
        await pilot_wait_until(pilot, lambda: table.row_count == 5, "the rows, counts pending")
        assert all(not row.counted for row in screen.rows)
        assert cell(table, SHAFAQ, "annotations") == PENDING
        assert "merge conflict" not in status_text(app)
        assert "coding as" in status_text(app)
        # typed while the counts are pending: the search runs and Enter opens the hit
        burst(app, *"Haniyeh", "enter")
        await pilot_wait_until(
            pilot, lambda: screen.opened is not None and screen.opened.document.id == SHAFAQ, "the hit opened"
        )
        assert screen.opened.anchored  # its annotations, read for it
        gate.set()
        await pilot_wait_until(pilot, lambda: all(row.counted for row in screen.rows), "the counts")
        await settle(pilot)
        await settle_workers(app)
        counts = {row.id: row.annotation_count for row in screen.rows if row.annotation_count}
        assert counts == expected
        screen.search_box.value = ""  # the list again, in place of the hits
        await pilot_wait_until(pilot, lambda: table.size.width and "conflicts" in table.columns, "the list shown")
        await settle(pilot)
        assert cell(table, SHAFAQ, "annotations") == str(expected[SHAFAQ])
        assert cell(table, SHAFAQ, "conflicts") == "3"
        assert cell(table, OTHER, "title") == "A title the user gave"
        assert "3 merge conflicts (X)" in status_text(app)
    assert (seed_paths.index / ANNOTATION_SUMMARY).exists()  # kept for the next start


async def test_with_summaries_the_first_rows_have_their_counts(seed_paths, monkeypatch):
    conflicted(seed_paths)
    library = Library(seed_paths)
    library.store.load_all()  # keeps the summaries, as an earlier start did
    expected = {row.id: row.annotation_count for row in library.documents()}
    seen: list[list] = []
    real = DocumentList.show

    def show(self, rows):
        seen.append(rows)
        return real(self, rows)

    monkeypatch.setattr(DocumentList, "show", show)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle_workers(app)
        assert seen and all(row.counted for rows in seen for row in rows)  # never pending
        assert {row.id: row.annotation_count for row in app.screen.rows} == expected
        assert "3 merge conflicts (X)" in status_text(app)
