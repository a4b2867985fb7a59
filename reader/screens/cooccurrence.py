"""The co-occurrence view: pairs of tags coded on overlapping passages, or in one paragraph.

A table of tag pairs with their counts, most frequent first, from
`reader.analytics.cooccur.iter_cooccurrence` in a thread worker. `m` switches between overlapping
passages and passages in the same paragraph; paragraph mode reads the documents with two tags or
more and streams its partial counts in as it goes. Enter on a pair lists where the tags meet
(document, the passages' quotes) below the table; enter there closes the view on that span (the
main screen opens the document and selects it); escape in the list goes back to the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from reader.screens.views import AnalyticsScreen, OpenAt, Timer, plain, right
from reader.services import Library
from reader.widgets.labels import one_line
from reader.wording import plural

if TYPE_CHECKING:
    from reader.analytics.cooccur import Cooccurrence, CooccurrenceProgress, Occurrence

MODES = {"overlap": "overlapping passages", "paragraph": "same paragraph"}
PROGRESS_EVERY = 50
"""Documents read between two partial results (paragraph mode)."""
TAG_WIDTH = 30
NUMBER_WIDTH = 9


class CooccurrenceScreen(AnalyticsScreen):
    """Pairs of tags that meet, with counts; where they meet."""

    VIEW_TITLE = "Co-occurrence"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_mode", "Overlap/paragraph", id="reader.cooccur.mode"),
    ]

    def __init__(self, library: Library, mode: str = "overlap") -> None:
        super().__init__(library)
        self.mode = mode
        self.pairs: list[Cooccurrence] = []
        self.listed: list[Occurrence] = []
        self.finished = False

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="cooccur-table", cursor_type="row", zebra_stripes=True)
        passages = OptionList(id="cooccur-passages", classes="view-passages")
        passages.display = False
        yield passages

    def on_mount(self) -> None:
        table = self.table
        table.add_column(Text("Tag A", "bold"), width=TAG_WIDTH, key="a")
        table.add_column(Text("Tag B", "bold"), width=TAG_WIDTH, key="b")
        for label, key in (("Count", "count"), ("Passages", "passages"), ("Documents", "documents")):
            table.add_column(right(label, NUMBER_WIDTH, "bold"), width=NUMBER_WIDTH, key=key)
        table.focus()
        self.recompute()

    @property
    def table(self) -> DataTable:
        return self.query_one("#cooccur-table", DataTable)

    @property
    def passages(self) -> OptionList:
        return self.query_one("#cooccur-passages", OptionList)

    # ------------------------------------------------------------------ computing

    def recompute(self) -> None:
        self.finished = False
        self.passages.display = False
        self.set_status([f"Looking for tags that meet ({MODES[self.mode]})…"])
        self._compute(self.mode)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cooccur")
    def _compute(self, mode: str) -> None:
        from reader.analytics.cooccur import iter_cooccurrence

        worker = get_current_worker()
        timer = Timer()
        self.titles()  # read once here, not on the UI thread
        for progress in iter_cooccurrence(
            self.library.shown,
            self.library.index,
            mode,  # type: ignore[arg-type]
            every=PROGRESS_EVERY,
        ):
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._show, mode, progress, str(timer))

    def _show(self, mode: str, progress: CooccurrenceProgress, elapsed: str) -> None:
        if mode != self.mode:
            return
        current = self.current_pair()
        self.pairs = list(progress.pairs)
        self.finished = progress.finished
        table = self.table
        table.clear()
        for pair in self.pairs:
            documents = len({occ.doc_id for occ in pair.occurrences})
            table.add_row(
                plain(pair.tag_a, "bold", TAG_WIDTH),
                plain(pair.tag_b, "bold", TAG_WIDTH),
                right(f"{pair.count:,}", NUMBER_WIDTH),
                right(f"{len(pair.passages):,}", NUMBER_WIDTH),
                right(f"{documents:,}", NUMBER_WIDTH),
            )
        if current is not None:
            keys = [(p.tag_a, p.tag_b) for p in self.pairs]
            if current in keys:
                table.move_cursor(row=keys.index(current), animate=False)
        parts = [f"{plural(len(self.pairs), 'pair')} of tags", MODES[mode]]
        if not progress.finished:
            parts.append(f"{progress.done:,} of {progress.total:,} documents…")
        else:
            parts.append(elapsed)
            if not self.pairs:
                parts[0] = "No two tags meet"
        if progress.unreadable:
            parts.append(f"{len(progress.unreadable)} document(s) unreadable")
        self.set_status(parts)

    def current_pair(self) -> tuple[str, str] | None:
        row = self.table.cursor_row
        if not self.pairs or not 0 <= row < len(self.pairs):
            return None
        pair = self.pairs[row]
        return pair.tag_a, pair.tag_b

    # ------------------------------------------------------------------ occurrences

    @on(DataTable.RowSelected, "#cooccur-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.pairs):
            self.show_occurrences(self.pairs[event.cursor_row])

    def show_occurrences(self, pair: Cooccurrence) -> None:
        self.listed = list(pair.occurrences)
        by_id = {a.id: a for a in pair.passages}
        titles = self.titles()
        box = self.passages
        box.clear_options()
        options = []
        for i, occ in enumerate(self.listed):
            involved = sorted(
                (by_id[x] for x in occ.annotation_ids if x in by_id), key=lambda a: (a.start, a.end)
            )  # in text order, not by id
            shown = " / ".join(f"“{one_line(a.quote.exact, 50)}”" for a in involved)
            options.append(
                Option(
                    Text.assemble(
                        plain(titles.get(occ.doc_id, occ.doc_id), "dim", 28),
                        "  ",
                        plain(shown, "", 90),
                    ),
                    id=str(i),
                )
            )
        box.add_options(options)
        count = len(self.listed)
        box.border_title = Content(
            one_line(f"{pair.tag_a} + {pair.tag_b}: {plural(count, 'time')} ({MODES[self.mode]})", 100)
        )
        box.display = True
        box.highlighted = 0
        box.focus()

    @on(OptionList.OptionSelected, "#cooccur-passages")
    def _occurrence_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        occ = self.listed[int(event.option.id or 0)]
        self.follow(OpenAt(occ.doc_id, occ.start, occ.end, select=True))

    # ------------------------------------------------------------------ keys

    def action_close(self) -> None:
        """Escape: from the list back to the table; from the table, close the view."""
        if self.focused is self.passages:
            self.passages.display = False
            self.table.focus()
        else:
            self.dismiss(None)

    def action_toggle_mode(self) -> None:
        """`m`: overlapping passages, or passages in the same paragraph."""
        self.mode = "paragraph" if self.mode == "overlap" else "overlap"
        self.recompute()
