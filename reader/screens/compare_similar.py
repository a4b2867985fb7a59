"""Side by side: `f` finds the passages of other documents most like the active pane's
selection (or the paragraph under its cursor), in a worker, and opens the one chosen in the
other pane (which aligns again).

`SimilarPart` is a base of `CompareScreen` (reader/screens/compare.py), which provides `view`
and `open_in`.
"""

from __future__ import annotations

from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

from index.document import Span
from reader.compare_service import Side, SimilarRow, find_similar, other, passage_at
from reader.dialogs.pickers import SimilarDialog
from reader.services import Library, OpenDocument

SIMILAR_LIMIT = 10


class SimilarPart(Screen):
    """Find similar passages elsewhere in the corpus (module docstring)."""

    library: Library
    opened: dict[Side, OpenDocument | None]
    side: Side

    def action_similar(self) -> None:
        """f: passages elsewhere like the selection (or the paragraph under the cursor)."""
        opened = self.opened[self.side]
        if opened is None:
            return
        view = self.view(self.side)  # type: ignore[attr-defined]
        selection = view.selection
        document = opened.document
        if selection is not None:
            span = Span(*selection)
        else:
            span = passage_at(document.paragraphs, view.cursor, len(document.text))
        self.notify("Finding similar passages…", timeout=2)
        self._find_similar(self.side, document.id, span, document.text[span.start : span.end])

    @work(thread=True, exclusive=True, exit_on_error=False, group="similar")
    def _find_similar(self, side: Side, doc_id: str, span: Span, quote: str) -> None:
        worker = get_current_worker()
        rows = find_similar(self.library.index, doc_id, span, SIMILAR_LIMIT)
        titles = {row.id: row.title for row in self.library.documents()}
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_similar, side, rows, titles, quote)

    def _show_similar(self, side: Side, rows: list[SimilarRow], titles: dict[str, str], quote: str) -> None:
        if not rows:
            self.notify("No similar passage elsewhere in the corpus.", severity="warning")
            return

        def chosen(row: SimilarRow | None) -> None:
            if row is not None:
                self.open_in(other(side), row.doc_id, row.span.start, hold=True)  # type: ignore[attr-defined]

        self.app.push_screen(SimilarDialog(rows, titles, quote), chosen)
