"""Reads are safe while another thread writes; no process-wide state is changed in passing
(the export's umask, the document view's gc.freeze)."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time

from textual.app import App, ComposeResult

from reader.store import AnnotationStore, NewAnnotation
from reader.widgets.document_view import FREEZE_CHARS, DocumentView

TEXT = "Al-Nujaba said the truce holds. " * 40


def test_listing_while_another_thread_adds_never_fails(tmp_path):
    """The issue's case: `store.add()` in one thread while another lists raised
    `RuntimeError: dictionary changed size during iteration`."""
    store = AnnotationStore(tmp_path / "ann")
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                store.annotations()
                store.tags()
                store.tag_counts()
                store.recent_tags()
                store.documents()
                for a in store.annotations()[:3]:
                    store.get(a.id)
                time.sleep(0)  # let the writer's thread run between rounds, as a UI does
            except BaseException as exc:  # noqa: BLE001 - the test reports it
                errors.append(exc)
                return

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a reader is caught mid-iteration
    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        for i in range(100):  # many documents: each add installs a new entry while readers iterate
            store.add_many([NewAnnotation(f"d{i}/{j}.txt", TEXT, "sha", 0, 5, [f"t{i % 7}"]) for j in range(2)])
    finally:
        stop.set()
        for t in readers:
            t.join(timeout=60)
        sys.setswitchinterval(previous)
    assert errors == []
    assert len(store.annotations()) == 200 and len(store.documents()) == 200


def test_export_never_changes_the_process_umask(tmp_path, monkeypatch):
    """os.umask(0) in the export worker changed every thread's umask for a moment."""
    from reader.export import write_atomic

    calls = []
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or 0o022)
    out = tmp_path / "out.csv"
    write_atomic(out, b"a,b\r\n")
    assert calls == [] and out.read_bytes() == b"a,b\r\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


class _ViewApp(App):
    def compose(self) -> ComposeResult:
        yield DocumentView(id="view")


async def test_a_big_documents_gc_freeze_is_undone_when_it_is_replaced_and_closed():
    gc.unfreeze()
    big = "word " * (FREEZE_CHARS // 5 + 1)
    app = _ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DocumentView)
        view.load("big", big)
        assert gc.get_freeze_count() > 0
        view.load("small", "a small document\n")
        assert gc.get_freeze_count() == 0  # replaced: its objects are collectable again
        view.load("big", big)
        assert gc.get_freeze_count() > 0
        await view.remove()
        await pilot.pause()
        assert gc.get_freeze_count() == 0  # closed
