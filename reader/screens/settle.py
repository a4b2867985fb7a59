"""The worklist: settle the coders' differences one place at a time, from the keyboard.

Opened with `D` or the palette's "Settle differences". Lists `reader.agreement.differences`
between every coder but the consensus (reader/agreement/settling.py), in document order:
"difference 12 of 47". Each coder's version is shown side by side in a DocumentView of its own,
with that coder's annotations highlighted and the place in view.

Keys: `n` / `p` next and previous difference; `1`-`9` accept that coder's version into the
consensus, `b` both (every coder's), `0` neither, `A` every place where they agree as it
is (so the consensus is a whole coding); `e` edit the boundaries first
(reader/screens/settle_edit.py); `m` a note; `d` discussed (on/off); escape back. Accepting
creates annotations with creator `consensus` as one change (`u` undoes it, like
any change); notes, marks and "neither" are kept in the annotations folder's worklist.json.
The views cannot take the focus: every key is the worklist's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from reader.agreement.differences import Difference
from reader.agreement.settling import (
    CONSENSUS,
    WorklistError,
    WorklistNotes,
    compared_coders,
    accept_agreed,
    consensus_at,
    consensus_items,
)
from reader.safe_text import sanitize
from reader.widgets.digit_keys import digit_bindings
from reader.dialogs.prompts import PromptDialog
from reader.screens.settle_edit import EDIT_BINDINGS, BoundsEditPart
from reader.store import StoreError
from reader.widgets.document_view import DocumentView, Highlight

if TYPE_CHECKING:
    from reader.services import Library

MAX_CODERS = 9


class SettleScreen(BoundsEditPart):
    """Every difference between the coders, one at a time (module docstring)."""

    DEFAULT_CSS = """
    SettleScreen #settle-header { height: auto; padding: 0 1; background: $boost; }
    SettleScreen #settle-versions { height: 1fr; }
    SettleScreen .settle-pane { width: 1fr; border-right: solid $foreground 20%; }
    SettleScreen .settle-coder { height: 1; padding: 0 1; text-style: bold; }
    SettleScreen #settle-status { height: auto; padding: 0 1; background: $boost; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="reader.settle.close"),
        Binding("n", "step(1)", "Next", id="reader.settle.next"),
        Binding("p", "step(-1)", "Previous", id="reader.settle.prev"),
        *digit_bindings("accept", "Accept coder", "reader.settle.accept", MAX_CODERS),
        Binding("b", "accept_all", "Both", id="reader.settle.both"),
        Binding("0", "neither", "Neither", id="reader.settle.neither"),
        Binding("m", "note", "Note", id="reader.settle.note"),
        Binding("d", "discussed", "Discussed", id="reader.settle.discussed"),
        Binding("A", "accept_agreed", "Agreed", id="reader.settle.agreed"),
        *EDIT_BINDINGS,
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.coders: list[str] = []
        self.found: list[Difference] = []
        self.texts: dict[str, str] = {}
        self.index = 0
        self.agreed: list[Difference] = []  # places where the coders agree (`A` takes them)
        self.notes = WorklistNotes(library.annotations_dir)

    def compose(self) -> ComposeResult:
        yield Static("Listing the differences…", id="settle-header")
        yield Horizontal(id="settle-versions")
        yield Static("", id="settle-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load_worklist()

    @work(thread=True, exit_on_error=False, group="settle")
    def load_worklist(self) -> None:
        from reader.agreement.differences import agreements, differences
        from reader.agreement.load import StudyError, gather

        store = self.library.store
        coders = compared_coders(store.annotations())[:MAX_CODERS]
        try:
            gathered = gather(store, self.library.index.corpus, coders, replicates=0)
        except StudyError as error:
            self.app.call_from_thread(self._header, f"Nothing to settle: {error}.")
            return
        study = gathered.study
        found = differences(study.selected, study.coders)
        self.agreed = agreements(study.selected, study.coders)
        self.app.call_from_thread(
            self._listed,  # type: ignore[arg-type]  # a coroutine function: Textual awaits it
            list(study.coders),
            found,
            study.texts,
        )

    def _header(self, text: str) -> None:
        self.query_one("#settle-header", Static).update(Content(sanitize(text)))

    async def _listed(self, coders: list[str], found: list[Difference], texts: dict[str, str]) -> None:
        self.coders, self.found, self.texts = coders, found, texts
        panes = self.query_one("#settle-versions", Horizontal)
        await panes.remove_children()
        for k, coder in enumerate(coders, 1):
            view = DocumentView(id=f"settle-view-{k}")
            view.can_focus = False
            await panes.mount(
                Vertical(
                    Static(Content(sanitize(f"{k}  {coder}")), classes="settle-coder"), view, classes="settle-pane"
                )
            )
        self.show_difference()

    @property
    def current(self) -> Difference | None:
        return self.found[self.index] if self.found else None

    def show_difference(self) -> None:
        difference = self.current
        if difference is None:
            self._header(f"No differences between {', '.join(self.coders)}." if self.coders else "No differences.")
            self._update_status()
            return
        self._header(
            f"difference {self.index + 1} of {len(self.found)}  ·  {difference.kind}"
            f"  ·  {difference.doc}:{difference.start}:{difference.end}"
        )
        colors = {tag.name: tag.color for tag in self.library.tags()}
        text = self.texts[difference.doc]
        for k, version in enumerate(difference.versions, 1):
            view = self.query_one(f"#settle-view-{k}", DocumentView)
            spans = self._spans_of(version.coder, difference.doc)
            highlights = [
                Highlight(
                    s.start,
                    s.end,
                    colors.get(min(s.tags), "") if s.tags else "",
                    key=f"{s.start}:{s.end}",
                    label=", ".join(sorted(s.tags)),
                )
                for s in spans
            ]
            if view.doc_id != difference.doc:
                view.load(difference.doc, text, annotations=highlights, cursor=difference.start)
            else:
                view.set_annotations(highlights)
            view.move_cursor(difference.start, scroll=False)
            view.scroll_to_offset(difference.start, center=True)
            label = ", ".join(sorted(version.tags)) or "(nothing here)"
            assert view.parent is not None  # mounted in its column
            view.parent.query_one(".settle-coder", Static).update(Content(sanitize(f"{k}  {version.coder}: {label}")))
        self._update_status()

    def _spans_of(self, coder: str, doc: str):
        return self._coder_spans.get((coder, doc), [])

    @property
    def _coder_spans(self) -> dict:
        """Every span of each coder per document (cached per listing)."""
        cache = getattr(self, "_spans_cache", None)
        if cache is None or cache[0] is not self.found:
            spans: dict = {}
            for d in self.found:
                for v in d.versions:
                    spans.setdefault((v.coder, d.doc), []).extend(v.spans)
            cache = (self.found, spans)
            self._spans_cache = cache
        return cache[1]

    def _update_status(self) -> None:
        difference = self.current
        parts: list[str] = []
        if self.editing is not None:
            parts.append(self.edit_status())
        if difference is not None:
            note = self.notes.get(difference.key)
            accepted = consensus_at(self.library.store, difference)
            if accepted:
                tags = sorted({t for a in accepted for t in a.tags})
                parts.append(f"consensus: {', '.join(tags) or '(no tag)'} ({len(accepted)})")
            elif note.decision == "neither":
                parts.append("consensus: neither")
            else:
                parts.append("consensus: not settled")
            if note.discussed:
                parts.append("discussed")
            if note.note:
                parts.append(f"note: {note.note}")
        if self.notes.problem:
            parts.append(self.notes.problem)
        self.query_one("#settle-status", Static).update(Content(sanitize("  │  ".join(parts))))

    def annotations_changed(self) -> None:
        """After undo/redo (the app calls this on every screen)."""
        if self.is_mounted:
            self._update_status()

    # ------------------------------------------------------------------ keys

    def action_close(self) -> None:
        if self.editing is not None:
            self.stop_edit()
            return
        self.dismiss(None)

    def action_step(self, delta: int) -> None:
        if not self.found:
            return
        self.stop_edit()
        index = self.index + delta
        if not 0 <= index < len(self.found):
            self.notify("No more differences that way.", severity="warning")
            return
        self.index = index
        self.show_difference()

    def action_accept(self, k: int) -> None:
        if self.editing is not None and 1 <= k <= len(self.coders):
            self.restart_edit(self.coders[k - 1])
        elif self.current is not None and 1 <= k <= len(self.coders):
            self._accept([self.coders[k - 1]], self.coders[k - 1])

    def action_accept_all(self) -> None:
        if self.current is not None:
            self._accept(list(self.coders), "both")

    def _accept(self, coders: list[str], decision: str) -> None:
        difference = self.current
        assert difference is not None
        store = self.library.store
        try:
            items = consensus_items(store, self.library.index.corpus, difference, coders)
            if items:
                store.add_many(items, description=(f"consensus: accept {decision} at {difference.key}"))
            self.notes.update(difference.key, decision=decision)
        except (StoreError, WorklistError, ValueError) as error:
            self.notify(sanitize(f"Cannot accept: {error}"), severity="error", markup=False)
            return
        what = "nothing new" if not items else f"{len(items)} annotation(s)"
        self.notify(sanitize(f"Consensus: {what} from {decision}."), markup=False)
        self._changed()

    def action_accept_agreed(self) -> None:
        """`A`: every place where the coders agree into the consensus, as it is (one change), so
        that the consensus is a whole coding to measure against each coder."""
        try:
            taken = accept_agreed(self.library.store, self.library.index.corpus, self.agreed)
        except (StoreError, WorklistError, ValueError) as error:
            self.notify(sanitize(f"Cannot accept: {error}"), severity="error", markup=False)
            return
        self.notify(
            f"Consensus: {len(taken.created)} agreed passage(s) taken as they are ({len(self.agreed)} places agreed)."
        )
        self._changed()

    def action_neither(self) -> None:
        difference = self.current
        if difference is None:
            return
        if consensus_at(self.library.store, difference):
            self.notify("The consensus has annotations here: undo them (u) first.", severity="warning")
            return
        self._set_note(decision="neither")

    def action_discussed(self) -> None:
        difference = self.current
        if difference is not None:
            self._set_note(discussed=not self.notes.get(difference.key).discussed)

    def action_note(self) -> None:
        difference = self.current
        if difference is None:
            return

        def noted(text: str | None) -> None:
            if text is not None:
                self._set_note(note=text)

        self.app.push_screen(PromptDialog("Note on this difference", value=self.notes.get(difference.key).note), noted)

    def _set_note(self, **changes) -> None:
        difference = self.current
        assert difference is not None
        try:
            self.notes.update(difference.key, **changes)
        except (WorklistError, StoreError) as error:
            self.notify(sanitize(f"Cannot save: {error}"), severity="error", markup=False)
            return
        self._update_status()

    def _changed(self) -> None:
        self._update_status()
        main = getattr(self.app, "main_screen", None)
        if main is not None and hasattr(main, "annotations_changed"):
            main.annotations_changed()


__all__ = ["CONSENSUS", "SettleScreen"]
