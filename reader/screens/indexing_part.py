"""The main screen's indexing: the index brought up to date on open, in a worker, with a
progress bar; what lands is listed and searched at once.

`IndexingPart` is the base of `SearchPart` (reader/screens/search_part.py) and so of
`MainScreen`. Every batch of a first build that lands, and the end of indexing, search again for
what is in the box (`search`, SearchPart's), so the hits never go stale. A failure is shown,
logged and retried once. The bar weighs documents by their bytes (`planned`), and a long PDF's
pages move it while it is read (index/formats/progress.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import ProgressBar

from index.document import IndexReport
from index.formats.progress import page_progress
from index.indexer import FIRST_BUILD
from reader.safe_text import sanitize
from reader.screens.panes import PanesPart
from reader.store.errors import StoreError

if TYPE_CHECKING:
    from reader.services import DocumentRow, Library

PROGRESS_INTERVAL = 0.05
"""At most this often (seconds) does the indexing worker repaint the progress bar."""
OLD_INDEX = (
    "This index was made by an earlier version: phrases of common words search several times "
    "faster once it is rebuilt (command palette, ctrl+p: Rebuild the index)."
)
REBUILD_ASKED = "asked for from the command palette"
NOTE_SECONDS = 20


class IndexingPart(PanesPart):
    """Indexing on open (see the module docstring); MainScreen sets up the attributes
    declared here, SearchPart provides the search and the list."""

    library: Library
    _partial: bool
    _index_failures: int  # in a row: the first is retried, the second explained
    _asked_old_index = False  # whether the index predates the arrays: asked once a session

    if TYPE_CHECKING:  # provided by SearchPart

        def search(self, delay: float | None = None, page: int = 1) -> None: ...

        def show_documents(self, rows: list[DocumentRow]) -> None: ...

    # ------------------------------------------------------------------ indexing

    @work(thread=True, exclusive=True, exit_on_error=False, group="index")
    def index_corpus(self, rebuild: str | None = None, list_first: bool = False) -> None:
        """Bring the index up to date (or rebuild it, for the reason `rebuild`), showing
        progress; then refresh the list and the search. `list_first` (start-up, after the
        first frame): list what the index holds before the check, counts pending while the
        annotation files without a summary are read (then they fill in).

        A failure is shown, logged (reader/worker_log.py) and retried once (`_index_failed`).
        """
        last = 0.0
        counted = [0, 0]  # documents done, documents in all: where a big PDF's pages add to
        sizes: dict[str, int] = {}  # the documents to read and their bytes: the bar's weights
        weighed = [0, 0]  # bytes of the documents done, bytes in all

        def planned(work: dict[str, int]) -> None:
            sizes.clear()
            sizes.update(work)
            weighed[:] = [0, sum(work.values())]

        def shown(done_bytes: float, total: int) -> float:
            """Documents done, as the share of the bytes read: a 400-page PDF moves the bar
            more than a note does, and while it is read its pages move it."""
            return total * done_bytes / weighed[1] if weighed[1] else 0.0

        def progress(done: int, total: int, doc_id: str) -> None:
            nonlocal last
            counted[:] = [done, total]
            weighed[0] += sizes.get(doc_id, 0)
            now = time.monotonic()
            if done == total or now - last >= PROGRESS_INTERVAL:
                last = now
                at = done if done == total or not weighed[1] else shown(weighed[0], total)
                self.app.call_from_thread(self._show_progress, at, total)

        def pages(doc_id: str, done: int, total: int) -> None:  # a long PDF, page by page
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL:
                last = now
                if counted[1] and doc_id in sizes and weighed[1]:  # its share of the bytes
                    at = shown(weighed[0] + sizes[doc_id] * done / total, counted[1])
                    self.app.call_from_thread(self._show_progress, at, counted[1])
                elif counted[1]:  # within the documents counted so far
                    self.app.call_from_thread(self._show_progress, counted[0] + done / total, counted[1])
                else:  # no document counted yet (a folder of one PDF): the bar counts its pages
                    self.app.call_from_thread(self._show_progress, done, total)

        def committed(done: int, total: int) -> None:
            rows = self.library.documents()
            self.app.call_from_thread(self._partly_indexed, rows)

        def notice(message: str) -> None:  # a lock waited for or taken over
            self.app.call_from_thread(self.notify, sanitize(message), title="Indexing", markup=False, timeout=10)

        if list_first:
            try:
                listed = self.library.documents(wait=False)
                self.app.call_from_thread(self.show_documents, listed)
                if any(not row.counted for row in listed):
                    self.app.call_from_thread(self.show_documents, self.library.documents())
            except StoreError as error:  # opened here now, no longer before the app starts
                self.app.call_from_thread(
                    self.notify,
                    sanitize(f"Cannot read the annotations: {error}"),
                    title="Annotations",
                    severity="error",
                    markup=False,
                    timeout=30,
                )
                return
        self.app.call_from_thread(self._set_indexing, True)
        report: IndexReport | None = None
        rows: list[DocumentRow] | None = None
        try:
            with page_progress(pages):
                if rebuild is not None:
                    report = self.library.rebuild_index(rebuild, progress, committed, notice, planned=planned)
                else:
                    report = self.library.update_index(progress, committed, notice, planned=planned)
            rows = self.library.documents()
        finally:  # also when the update failed: the hits must not stay "more to come"
            self.app.call_from_thread(self._indexing_ended, report, rows)
        self._index_failures = 0
        self.library.warm_search()  # after the list is shown: the first searches need not wait
        if not self._asked_old_index:  # not at every update: it opens the index's segments
            self._asked_old_index = True
            if self.library.index_made_before_arrays():
                self.app.call_from_thread(self.notify, OLD_INDEX, title="Index", markup=False, timeout=NOTE_SECONDS)

    def action_rebuild_index(self) -> None:
        """Build the index afresh (the command palette's "Rebuild the index")."""
        self.index_corpus(rebuild=REBUILD_ASKED)

    def _index_failed(self, error: BaseException) -> None:
        """Indexing raised: say so and where the details are; try once more, then say what to
        do. What is already committed stays listed and searchable either way."""
        from reader.logs import log_file

        self._index_failures += 1
        self.show_documents(self.library.documents())
        if self._index_failures == 1:
            self.notify(
                sanitize(f"Indexing stopped: {error}. Trying again…"),
                title="Indexing",
                severity="warning",
                markup=False,
                timeout=10,
            )
            self.index_corpus()
        else:
            self.notify(
                sanitize(
                    f"Indexing stopped again: {error}. What is indexed can be searched; "
                    f"`reader index {self.library.paths.corpus}` in a shell finishes the build "
                    f"and says why it stops. Details: {log_file()}"
                ),
                title="Indexing failed",
                severity="error",
                markup=False,
                timeout=30,
            )

    def _set_indexing(self, indexing: bool) -> None:
        self.query_one("#indexing").display = indexing
        if indexing:
            self.query_one("#index-progress", ProgressBar).update(total=None, progress=0)

    def _show_progress(self, done: float, total: int) -> None:
        self.query_one("#index-progress", ProgressBar).update(total=total, progress=done)

    def _partly_indexed(self, rows: list[DocumentRow]) -> None:
        """Part of a first build is searchable: list it, and search it for what is typed."""
        self._partial = True
        self.show_documents(rows)
        self.search(delay=0)

    def _indexing_ended(self, report: IndexReport | None, rows: list[DocumentRow] | None) -> None:
        """Indexing is over (`report` is None when it failed): hide the bar, list what is
        indexed and search again whenever the hits shown may be out of date: after a first
        build listed in parts (the line under the box says "more to come" until then), or when
        anything was indexed or removed."""
        self._set_indexing(False)
        partial, self._partial = self._partial, False
        if rows is not None:
            self.show_documents(rows)
        if report is not None and report.rebuilt_reason not in (None, FIRST_BUILD):
            # e.g. a new version reads words differently ("index built by schema version 1")
            self.notify(sanitize(f"Index rebuilt: {report.rebuilt_reason}."), title="Indexing", markup=False)
        if report is not None and report.skipped:
            names = ", ".join(s.id for s in report.skipped[:5])
            more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
            self.notify(
                sanitize(f"{len(report.skipped)} file(s) skipped: {names}{more}. `reader index` lists why."),
                title="Indexing",
                severity="warning",
                markup=False,
            )
        if partial or (report is not None and (report.indexed or report.removed)):
            self.search(delay=0)
        self.app.start_up_done()  # type: ignore[attr-defined]
