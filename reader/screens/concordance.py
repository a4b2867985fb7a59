"""The concordance view (keyword in context): every match of a query as one aligned line.

A query box (prefilled from the main screen's search) and a table: document title, the left
context right-aligned against the match, the match highlighted, the right context. Lines stream
in document by document (best-ranked first) from `reader.analytics.kwic.concordance_stream` in a
thread worker; when the stream ends they are put in the chosen order (1 by document and
position, 2 by the words left of the match, 3 by the words right of it). Enter closes the view
on the match (the main screen opens the document there and selects it); `t` tags the match
without leaving the view. A query that cannot run shows its message on the status line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Input
from textual.worker import get_current_worker

from reader.safe_text import sanitize
from reader.screens.views import AnalyticsScreen, OpenAt, Timer, plain
from reader.services import Library
from reader.wording import plural

if TYPE_CHECKING:
    from reader.analytics.kwic import KwicLine

SORT_NAMES = {"doc": "document", "left": "left context", "right": "right context"}
TITLE_WIDTH = 22
MATCH_WIDTH = 24
FLUSH_INTERVAL = 0.1
"""At most this often (seconds) does the worker send the lines found so far."""


def tail_cells(text: str, cells: int) -> str:
    """The end of `text` that fits in `cells` terminal cells."""
    used = 0
    for i in range(len(text) - 1, -1, -1):
        used += get_character_cell_size(text[i])
        if used > cells:
            return text[i + 1 :]
    return text


def head_cells(text: str, cells: int) -> str:
    """The start of `text` that fits in `cells` terminal cells."""
    used = 0
    for i, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > cells:
            return text[:i]
    return text


class ConcordanceScreen(AnalyticsScreen):
    """Keyword in context across the corpus."""

    VIEW_TITLE = "Concordance"
    AUTO_FOCUS = None

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Query", key_display="/", id="reader.kwic.query"),
        Binding("1", "sort('doc')", "By doc", id="reader.kwic.sort.doc"),
        Binding("2", "sort('left')", "By left", id="reader.kwic.sort.left"),
        Binding("3", "sort('right')", "By right", id="reader.kwic.sort.right"),
        Binding("t", "tag", "Tag match", id="reader.kwic.tag"),
    ]

    def __init__(self, library: Library, query: str = "", sort: str = "doc") -> None:
        super().__init__(library)
        self.initial_query = query
        self.sort = sort
        self.lines: list[KwicLine] = []
        self.query_text = ""
        self.documents: int | None = None
        self.notes: list[str] = []
        self.running = False
        self._elapsed = ""
        self._widths = (TITLE_WIDTH, 40, MATCH_WIDTH, 40)

    def compose_body(self) -> ComposeResult:
        yield Input(value=self.initial_query, placeholder='a word, "a phrase", wild*, title:word', id="kwic-query")
        table: DataTable[Text] = DataTable(id="kwic-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        box = self.query_one("#kwic-query", Input)
        box.border_title = "Query"
        box.border_subtitle = "enter runs it"  # not as you type: a concordance reads every match
        if self.initial_query.strip():
            self.query_one("#kwic-table").focus()
            self.run_query(self.initial_query)
        else:
            self.query_one("#kwic-query").focus()
            self.set_status(["Type a query and press enter"])

    @property
    def table(self) -> DataTable:
        return self.query_one("#kwic-table", DataTable)

    # ------------------------------------------------------------------ computing

    @on(Input.Changed, "#kwic-query")
    def _edited(self, event: Input.Changed) -> None:
        """The box no longer holds the query shown: say that enter runs it."""
        query = event.value.strip()
        if query and query != self.query_text:
            self.set_status(
                [Content.assemble("Press enter to list every match of ", Content(sanitize(query)).stylize("bold"))]
            )

    @on(Input.Submitted, "#kwic-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.run_query(event.value):
            self.table.focus()

    def run_query(self, query: str) -> bool:
        """Start the concordance of `query` (cancelling one in flight); False if it is empty."""
        query = query.strip()
        if not query:
            self.set_status(["Type a query and press enter"], error=True)
            return False
        self.query_text = query
        self.lines, self.notes, self.documents = [], [], None
        self._layout_columns()
        self.running = True
        self.set_status([f"Searching for {query}…"])
        width = max(self._widths[1], self._widths[3])
        self._compute(query, width)
        return True

    def _layout_columns(self) -> None:
        """Columns sized to the screen: title, left context, match, right context."""
        total = max(self.size.width, 80)
        # the match column fits its content; expect about the query's length
        match = min(max(cell_len(self.query_text), 6), MATCH_WIDTH)
        # each column has one cell of padding either side; 2 for the scrollbar
        side = max(10, (total - TITLE_WIDTH - match - 4 * 2 - 2) // 2)
        self._widths = (TITLE_WIDTH, side, MATCH_WIDTH, side)
        table = self.table
        table.clear(columns=True)
        table.add_column("Document", width=TITLE_WIDTH, key="title")
        table.add_column(Text("Left".rjust(side)), width=side, key="left")
        table.add_column("Match", key="match")
        table.add_column("Right", width=side, key="right")

    @work(thread=True, exclusive=True, exit_on_error=False, group="kwic")
    def _compute(self, query: str, width: int) -> None:
        from index.search import QueryError
        from reader.analytics.kwic import concordance_stream

        worker = get_current_worker()
        timer = Timer()
        try:
            stream = concordance_stream(self.library.index, query, width)
        except QueryError as error:
            self.app.call_from_thread(self._failed, query, error.message)
            return
        titles = self.titles()
        batch: list[KwicLine] = []
        last = time.monotonic()
        for lines in stream:
            if worker.is_cancelled:
                return
            batch.extend(lines)
            if time.monotonic() - last >= FLUSH_INTERVAL:
                last = time.monotonic()
                self.app.call_from_thread(self._add, query, batch, titles, stream.documents)
                batch = []
        if not worker.is_cancelled:
            self.app.call_from_thread(self._add, query, batch, titles, stream.documents)
            self.app.call_from_thread(self._finished, query, list(stream.notes), str(timer))

    def _failed(self, query: str, message: str) -> None:
        if query != self.query_text:
            return
        self.running = False
        self.table.clear()
        self.set_status([f"Invalid query: {message}"], error=True)
        self.query_one("#kwic-query").focus()

    def _add(self, query: str, lines: list[KwicLine], titles: dict[str, str], documents: int | None) -> None:
        if query != self.query_text:
            return
        self.documents = documents
        self.lines.extend(lines)
        self.table.add_rows(self._cells(line, titles) for line in lines)
        self._status(f"{len(self.lines):,} so far…")

    def _finished(self, query: str, notes: list[str], elapsed: str) -> None:
        if query != self.query_text:
            return
        self.running = False
        self.notes = notes
        self._elapsed = elapsed
        self._show_sorted()
        self._status()
        if not self.lines:
            self.query_one("#kwic-query").focus()

    # ------------------------------------------------------------------ showing

    def _cells(self, line: KwicLine, titles: dict[str, str]) -> list[Text]:
        title_w, left_w, match_w, right_w = self._widths
        title = titles.get(line.doc_id) or line.title
        left = tail_cells(sanitize(line.left), left_w)
        pad = " " * (left_w - cell_len(left))  # DataTable ignores Text.justify: align by hand
        match = sanitize(line.match)
        if cell_len(match) > match_w:  # a long phrase: its start, then an ellipsis
            match = head_cells(match, match_w - 1) + "…"
        return [
            plain(title, "dim", title_w),
            Text(pad + left, no_wrap=True),
            Text(match, style="bold reverse", no_wrap=True, overflow="ellipsis"),
            Text(head_cells(sanitize(line.right), right_w), no_wrap=True),
        ]

    def _show_sorted(self, keep: KwicLine | None = None) -> None:
        """Rebuild the table in the current order, the cursor staying on `keep`'s line."""
        from reader.analytics.kwic import sort_lines

        self.lines = sort_lines(self.lines, self.sort)  # type: ignore[arg-type]
        titles = self.titles()
        table = self.table
        table.clear()
        table.add_rows(self._cells(line, titles) for line in self.lines)
        if keep is not None and keep in self.lines:
            table.move_cursor(row=self.lines.index(keep), animate=False)

    def _status(self, progress: str = "") -> None:
        count = len(self.lines)
        docs = len({line.doc_id for line in self.lines})
        parts: list[str | Content] = [
            Content(sanitize(self.query_text)).stylize("bold"),
            "No matches"
            if not count and not self.running
            else f"{plural(count, 'match', 'matches')} in {plural(docs, 'document')}",
            progress,
            f"sorted by {SORT_NAMES[self.sort]}",
            self._elapsed if not self.running else "",
            *self.notes,
        ]
        self.set_status(parts)

    # ------------------------------------------------------------------ keys

    def current_line(self) -> KwicLine | None:
        table = self.table
        if not self.lines or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.lines[row] if 0 <= row < len(self.lines) else None

    def action_sort(self, sort: str) -> None:
        """1, 2, 3: order the lines by document, by the left context, by the right context."""
        self.sort = sort
        if not self.running:
            self._show_sorted(keep=self.current_line())
        self._status()

    def action_focus_query(self) -> None:
        self.query_one("#kwic-query").focus()

    @on(DataTable.RowSelected, "#kwic-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._follow(tag=False)

    def action_tag(self) -> None:
        """`t`: tag the match in place (the tag dialog, then back here on the same line)."""
        from reader.dialogs.tag import TagChoice, TagDialog
        from reader.store import StoreError
        from reader.widgets.labels import one_line

        line = self.current_line()
        if line is None:
            self.notify("No match to tag.", severity="warning")
            return
        library = self.library
        reason = library.read_only_reason(line.doc_id)
        if reason:
            self.notify(
                sanitize(f"This document's annotations are read-only: {reason}"), severity="warning", markup=False
            )
            return

        def done(choice: TagChoice | None) -> None:
            if choice is None or not choice.tags:
                return
            try:
                opened = library.open(line.doc_id)
                library.annotate(opened, line.start, line.end, list(choice.tags), choice.note)
            except (StoreError, ValueError) as error:
                self.notify(sanitize(str(error)), severity="error", markup=False)
                return
            quote = one_line(opened.document.text[line.start : line.end], 40)
            self.notify(sanitize(f"Tagged “{quote}” with {', '.join(choice.tags)} · u undoes it"), markup=False)

        self.app.push_screen(
            TagDialog(library.tags(), counts=library.tag_counts(), recent=library.recent_tags(), quote=line.match),
            done,
        )

    def _follow(self, tag: bool) -> None:
        line = self.current_line()
        if line is None:
            self.notify("No match to open.", severity="warning")
            return
        self.follow(OpenAt(line.doc_id, line.start, line.end, select=True, tag=tag))
