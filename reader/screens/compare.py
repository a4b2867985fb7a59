"""Two documents side by side, aligned passage by passage (issue 6).

Layout (compare.tcss): two panes, A and B, each a header (title, source, date) over a full
DocumentView; side by side from 100 columns, stacked below that; a status line (alignment
summary, the current pair, sync) and the footer.

How it works:
- Opening documents and aligning them run in one exclusive thread worker (group "compare"):
  opening another document in a pane cancels an alignment in flight and starts a new one. The
  status line says "Aligning…" meanwhile; `reader.align.align` polls the worker's cancellation.
- The active side is the focused pane (tab switches). When its cursor moves into another passage,
  the passage and its counterpart are marked (a blue tint; grey for a passage with no
  counterpart), the words present on one side only are tinted amber (`diff_words`, tolerant of
  spelling variants of names), and with sync on the other pane brings the counterpart into view
  and puts its cursor there. Marks are `Highlight`s drawn over the annotations, so search matches
  stay free for a hit opened in a pane.
- `f` lists the passages of other documents most like the selection (or the paragraph under the
  cursor), found in a worker; enter opens one in the other pane and aligns again
  (`SimilarPart`, reader/screens/compare_similar.py).
- `t` and the recent tags `1`-`9` tag the selection of the active pane, as on the main screen;
  undo and redo (the app's) call `annotations_changed`, which redraws both panes
  (`CompareTaggingPart`, reader/screens/compare_tagging.py).

Corpus text (titles, sources, snippets) goes through `safe_text` into `Content`, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from index.document import Span
from reader.align import Alignment, Cancelled, Pair, align, diff_words
from reader.compare_service import (
    Side,
    other,
    span_on,
    step,
    summary,
)
from reader.messages import CursorMoved
from reader.safe_text import sanitize
from reader.dialogs.pickers import DocumentPicker
from reader.screens.compare_similar import SimilarPart
from reader.screens.compare_tagging import CompareTaggingPart
from reader.screens.opened_document import show_in_view
from reader.screens.recent_tags import recent_tag_bindings
from reader.services import Library, OpenDocument
from reader.widgets.document_view import DocumentView, Highlight
from reader.widgets.labels import one_line

__all__ = ["ComparePane", "CompareScreen"]

PAIR_COLOR = "#3b82f6"
"""Tint of the current passage and its counterpart."""
ALONE_COLOR = "#8a8a8a"
"""Tint of a current passage with no counterpart."""
DIFF_COLOR = "#f59e0b"
"""Tint of the words of a pair present on one side only."""
MARK_KEY = "compare:pair"
DIFF_KEY = "compare:diff"


class ComparePane(Vertical):
    """One side: a header line over a DocumentView."""

    def __init__(self, side: Side) -> None:
        super().__init__(id=f"pane-{side}", classes="compare-pane")
        self.side = side

    def compose(self) -> ComposeResult:
        yield Static("", classes="pane-header", id=f"header-{self.side}")
        yield DocumentView(id=f"view-{self.side}")

    def show_header(self, opened: OpenDocument | None) -> None:
        label = Content(f" {self.side.upper()} ").stylize("bold reverse")
        header = self.query_one(".pane-header", Static)
        if opened is None:
            header.update(Content.assemble(label, " ", Content("Loading…").stylize("dim")))
            return
        parts = [label, Content(" "), Content(one_line(opened.title, 200)).stylize("bold")]
        details = " · ".join(sanitize(x) for x in (opened.source, opened.date) if x)
        if details:
            parts += [Content("  "), Content(details).stylize("dim")]
        if opened.read_only:
            parts += [Content("  "), Content("read-only").stylize("bold $text-warning")]
        header.update(Content.assemble(*parts))


class CompareScreen(CompareTaggingPart, SimilarPart):
    """Documents `doc_a` and `doc_b` side by side, aligned (`doc_b` None: pick it first)."""

    CSS_PATH = "compare.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "switch_side", "Other side", id="compare.side.switch"),
        Binding("J,alt+down", "step(1)", "Next pair", key_display="J", id="compare.pair.next"),
        Binding("K,alt+up", "step(-1)", "Prev pair", key_display="K", show=False, id="compare.pair.prev"),
        Binding("U", "unpaired(1)", "Next unpaired", key_display="U", show=False, id="compare.unpaired.next"),
        Binding("y", "toggle_sync", "Sync", id="compare.sync.toggle"),
        Binding("d", "toggle_diff", "Diff", show=False, id="compare.diff.toggle"),
        Binding("f", "similar", "Find similar", id="compare.similar"),
        Binding("O", "pick_document", "Open here", key_display="O", id="compare.open"),
        Binding("t", "tag", "Tag", show=False, id="compare.tag"),
        *recent_tag_bindings("compare"),
        Binding("escape,q", "close", "Close", id="compare.close"),
    ]

    def __init__(
        self,
        library: Library,
        doc_a: str,
        doc_b: str | None,
        *,
        cursor_a: int | None = None,
        cursor_b: int | None = None,
        matches_b: tuple[Span, ...] = (),
    ) -> None:
        super().__init__()
        self.library = library
        self.opened: dict[Side, OpenDocument | None] = {"a": None, "b": None}
        self.alignment: Alignment | None = None
        self.side: Side = "a"
        self.sync = True
        self.show_diff = True
        self.pair: Pair | None = None
        self._aligning = False
        self._lead: Side | None = None  # a pane just opened at a place: the other one follows it
        self._hold = False  # the next alignment moves no cursor (see open_in)
        self._initial: list[tuple[Side, str, int | None, tuple[Span, ...]]] = [("a", doc_a, cursor_a, ())]
        if doc_b is not None:
            self._initial.append(("b", doc_b, cursor_b, matches_b))

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="compare-panes"):
            yield ComparePane("a")
            yield ComparePane("b")
        yield Static("", id="compare-status")
        yield Footer()

    def on_mount(self) -> None:
        for side in ("a", "b"):
            self.pane(side).show_header(None)
        self._set_active("a")
        self.view("a").focus()
        self._update_status()
        self._load(tuple(self._initial))
        if len(self._initial) == 1:
            self.call_after_refresh(self.action_pick_document, "b")

    def pane(self, side: Side) -> ComparePane:
        return self.query_one(f"#pane-{side}", ComparePane)

    def view(self, side: Side) -> DocumentView:
        return self.query_one(f"#view-{side}", DocumentView)

    # ------------------------------------------------------------------ public API

    def open_in(
        self, side: Side, doc_id: str, offset: int | None = None, matches: tuple[Span, ...] = (), hold: bool = False
    ) -> None:
        """Open `doc_id` in pane `side` at `offset` (or the first of `matches`, all shown as
        search matches), then align the two panes again (`hold`: and move neither cursor, as
        after find similar: the user was reading where the other pane's cursor is)."""
        self._hold = hold
        self._load(((side, doc_id, offset, matches),))

    # ------------------------------------------------------------------ loading and aligning

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def _load(self, changes: tuple[tuple[Side, str, int | None, tuple[Span, ...]], ...]) -> None:
        worker = get_current_worker()
        for side, doc_id, cursor, matches in changes:
            opened = self.library.open(doc_id)
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._show, side, opened, cursor, matches)
        a, b = self.opened["a"], self.opened["b"]
        if a is None or b is None or worker.is_cancelled:
            return
        self.app.call_from_thread(self._set_aligning)
        try:
            alignment = align(a.document, b.document, cancelled=lambda: worker.is_cancelled)
        except Cancelled:
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._aligned, alignment, a.document.id, b.document.id)

    def _show(self, side: Side, opened: OpenDocument, cursor: int | None, matches: tuple[Span, ...]) -> None:
        self.opened[side] = opened
        self.alignment = None  # until the new one arrives
        self.pair = None
        view = self.view(side)
        if cursor is None and matches:
            cursor = matches[0].start
        if cursor is not None:
            self._lead = side
        show_in_view(view, opened, cursor, matches)
        self.pane(side).show_header(opened)
        self._mark(None)

    def _set_aligning(self) -> None:
        self._aligning = True
        self._update_status()

    def _aligned(self, alignment: Alignment, doc_a: str, doc_b: str) -> None:
        a, b = self.opened["a"], self.opened["b"]
        if a is None or b is None or (a.document.id, b.document.id) != (doc_a, doc_b):
            return  # a pane changed since: its own alignment is on the way
        self._aligning = False
        self.alignment = alignment
        self.pair = None
        if self._hold:
            self._follow(force=True, reveal=False)
        else:
            self._follow(force=True, source=self._lead)
        self._lead, self._hold = None, False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker failed: say so (the screen keeps working)."""
        if event.state != WorkerState.ERROR:
            return
        what = {"compare": "Opening or aligning", "similar": "Finding similar passages"}.get(
            event.worker.group, "A task"
        )
        self._aligning = False
        self._update_status()
        self.notify(sanitize(f"{what} failed: {event.worker.error}"), severity="error", markup=False, timeout=10)

    # ------------------------------------------------------------------ following the cursor

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        for side in ("a", "b"):
            if widget is self.view(side) and side != self.side:
                self._set_active(side)
                self._follow()

    def _set_active(self, side: Side) -> None:
        self.side = side
        self.pane(side).add_class("-active")
        self.pane(other(side)).remove_class("-active")
        self._update_status()

    def on_cursor_moved(self, message: CursorMoved) -> None:
        # Either view may have posted it (the other one when it was synced): what counts is
        # the active side's cursor, and nothing happens unless it entered another passage.
        self._follow()

    def _follow(self, force: bool = False, source: Side | None = None, reveal: bool = True) -> None:
        """Mark the pair at the cursor of the active side (or `source`) and, with sync on (and
        `reveal`), bring its counterpart into view on the other side."""
        alignment = self.alignment
        if alignment is None:
            return
        side = source or self.side
        pair = alignment.pair_at(side, self.view(side).cursor)
        if pair == self.pair and not force:
            return
        self.pair = pair
        self._mark(pair)
        if reveal and self.sync and pair is not None and pair.paired:
            self._reveal(other(side), span_on(pair, other(side)))  # type: ignore[arg-type]
        self._update_status()

    def _reveal(self, side: Side, span: Span) -> None:
        """Bring `span` into view in pane `side`, its cursor at its start."""
        view = self.view(side)
        if not view.selecting and not span.start <= view.cursor < span.end:
            view.move_cursor(span.start, scroll=False)
        view.scroll_to_offset((span.start + span.end) // 2, center=True)
        view.scroll_to_offset(span.start, center=False)  # a long passage: its start on screen

    def _mark(self, pair: Pair | None) -> None:
        """Draw the pair (and its differing words) over each pane's annotations."""
        only: dict[Side, tuple[Span, ...]] = {"a": (), "b": ()}
        a, b = self.opened["a"], self.opened["b"]
        if (
            pair is not None
            and pair.a is not None
            and pair.b is not None
            and self.show_diff
            and a is not None
            and b is not None
        ):  # a pair with both sides (`paired`)
            only["a"], only["b"] = diff_words(a.document.text, pair.a, b.document.text, pair.b)
        for side in ("a", "b"):
            opened = self.opened[side]
            if opened is None:
                continue
            marks = list(opened.highlights)
            span = span_on(pair, side) if pair is not None else None
            if span is not None:
                color = PAIR_COLOR if pair.paired else ALONE_COLOR  # type: ignore[union-attr]
                label = "aligned passage" if pair.paired else "no counterpart"  # type: ignore[union-attr]
                marks.append(Highlight(span.start, span.end, color, MARK_KEY, label))
            marks += [Highlight(w.start, w.end, DIFF_COLOR, DIFF_KEY, f"only in {side.upper()}") for w in only[side]]
            self.view(side).set_annotations(marks)

    # ------------------------------------------------------------------ status

    def _update_status(self) -> None:
        # most wanted first: a narrow screen cuts the end
        parts = [
            Content(f"Active: {self.side.upper()}").stylize("bold"),
            Content(f"Sync {'on' if self.sync else 'off'}").stylize("bold" if self.sync else "dim"),
        ]
        if self._aligning:
            parts.append(Content("Aligning…").stylize("italic $text-warning"))
        elif self.alignment is not None:
            parts.append(self._pair_status())
            parts.append(Content(summary(self.alignment)))
        parts.append(Content(f"Diff {'on' if self.show_diff else 'off'}").stylize("dim"))
        status = self.query_one("#compare-status", Static)
        width = status.content_size.width or self.size.width
        content = Content("  │  ").join(parts)
        if content.cell_length > width:  # narrow: tighter, and on two lines if need be
            content = Content(" │ ").join(parts)
        status.styles.height = 1 if content.cell_length <= width else 2
        status.update(content)

    def on_resize(self, event: events.Resize) -> None:
        self._update_status()

    def _pair_status(self) -> Content:
        pair, alignment = self.pair, self.alignment
        if pair is None or alignment is None:
            return Content("no passage here").stylize("dim")
        if not pair.paired:
            return Content(f"only in {'A' if pair.a is not None else 'B'}").stylize("dim")
        paired = alignment.paired
        number = next((i for i, p in enumerate(paired) if p == pair), 0) + 1
        text = f"pair {number}/{len(paired)} · {pair.score:.2f}"
        if pair.kind == "sentence":
            text += " · sentence"
        if not pair.in_order:
            text += " · out of order"
        return Content(text)

    # ------------------------------------------------------------------ actions

    def action_switch_side(self) -> None:
        """tab: make the other pane active."""
        self.view(other(self.side)).focus()

    def action_step(self, direction: int) -> None:
        """J / K: the next / previous aligned pair on the active side."""
        self._go(
            step(self.alignment, self.side, self.view(self.side).cursor, direction)
            if self.alignment is not None
            else None,
            "No aligned passages.",
        )

    def action_unpaired(self, direction: int) -> None:
        """U: the next passage of the active side with no counterpart."""
        self._go(
            step(self.alignment, self.side, self.view(self.side).cursor, direction, paired=False)
            if self.alignment is not None
            else None,
            f"Every passage of {self.side.upper()} has a counterpart.",
        )

    def _go(self, pair: Pair | None, nothing: str) -> None:
        if self.alignment is None:
            self.notify("Still aligning…" if self._aligning else "Nothing aligned yet.", severity="warning")
            return
        span = span_on(pair, self.side) if pair is not None else None
        if span is None:
            self.notify(nothing, severity="warning")
            return
        view = self.view(self.side)
        view.move_cursor(span.start, scroll=False)
        view.scroll_to_offset(span.start, center=True)
        self._follow()

    def action_toggle_sync(self) -> None:
        """y: synced scrolling on or off."""
        self.sync = not self.sync
        self._follow(force=True)
        self._update_status()

    def action_toggle_diff(self) -> None:
        """d: show or hide the words present on one side only."""
        self.show_diff = not self.show_diff
        self._mark(self.pair)
        self._update_status()

    def action_close(self) -> None:
        """escape / q: back to the main screen."""
        self.workers.cancel_group(self, "compare")
        self.workers.cancel_group(self, "similar")
        self.dismiss()

    def action_pick_document(self, side: Side | None = None) -> None:
        """O: open another document in the active pane (or `side`)."""
        target: Side = side or self.side
        current = self.opened[target]
        exclude = self.opened[other(target)]

        def chosen(doc_id: str | None) -> None:
            if doc_id is not None:
                self.open_in(target, doc_id)
            elif self.opened["b"] is None and len(self._initial) == 1 and target == "b":
                self.dismiss()  # asked what to compare with, and nothing was chosen

        title = f"Open in pane {target.upper()}"
        if current is not None:
            title += f" (instead of {one_line(current.title, 40)})"
        self.app.push_screen(
            DocumentPicker(
                self.library.documents(), title=title, exclude=exclude.document.id if exclude is not None else None
            ),
            chosen,
        )
