"""The worklist's boundary editing: settle on boundaries of the team's own, from the keyboard.

`e` on a difference starts a proposal from the first coder's version there (its extent and its
tags; `1`-`9` start again from that coder's); the proposal is selected in every coder's pane, so
each version's highlights show around it. Then `h` / `l` (or the arrows) move a boundary by a
character, `b` / `w` by a word, `o` (or Tab) switches between the start and the end, Enter
accepts the proposal into the consensus (one annotation, one change: `u` undoes it) and Esc
leaves it. The status line says which boundary moves, the span and its length, so nothing
depends on seeing the selection's colour. The rules of a proposal are headless, in
reader/agreement/editing.py.

`BoundsEditPart` is a base of SettleScreen, which provides `library`, `current`, `notes`,
`coders`, `texts`, `_changed` and `_update_status`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader.agreement.editing import Edit, start_edit
from reader.agreement.settling import WorklistError, edited_item
from reader.safe_text import sanitize
from reader.store import StoreError
from reader.widgets.document_view import DocumentView

if TYPE_CHECKING:
    from reader.agreement.differences import Difference
    from reader.agreement.settling import WorklistNotes
    from reader.services import Library

EDIT_ACTIONS = frozenset({"edit_move", "edit_switch", "edit_accept"})

EDIT_BINDINGS: list[BindingType] = [
    # in SettleScreen's own list: Textual keeps only the subclass's bindings of a key, and `b`
    # is both "both" and (while editing) a word back, told apart by `check_action`
    Binding("e", "edit", "Edit bounds", id="reader.settle.edit"),
    Binding("h,left", "edit_move(-1)", "◂ char", key_display="h/←", id="reader.settle.edit.left"),
    Binding("l,right", "edit_move(1)", "char ▸", key_display="l/→", id="reader.settle.edit.right"),
    Binding("b", "edit_move(-1, True)", "◂ word", id="reader.settle.edit.word_left"),
    Binding("w", "edit_move(1, True)", "word ▸", id="reader.settle.edit.word_right"),
    Binding("o,tab", "edit_switch", "Other end", key_display="o", id="reader.settle.edit.switch"),
    Binding("enter", "edit_accept", "Accept edit", id="reader.settle.edit.accept"),
]


class BoundsEditPart(Screen):
    """Start, move, show and accept a proposal (module docstring)."""

    library: Library
    notes: WorklistNotes
    coders: list[str]
    texts: dict[str, str]
    editing: Edit | None = None

    @property
    def current(self) -> Difference | None:  # provided by SettleScreen
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Edit keys only while editing; while editing, `b` moves a word, not "both"."""
        if action in EDIT_ACTIONS:
            return self.editing is not None
        if action in ("accept_all", "neither", "edit") and self.editing is not None:
            return False
        return True

    def action_edit(self) -> None:
        difference = self.current
        if difference is not None:
            self._propose(start_edit(difference))

    def restart_edit(self, coder: str) -> None:
        """`1`-`9` while editing: start again from that coder's version."""
        difference = self.current
        if difference is None:
            return
        edit = start_edit(difference, coder)
        if edit is None:
            self.notify(sanitize(f"{coder} coded nothing here: keep the proposal."), markup=False)
            return
        self._propose(edit)

    def action_edit_move(self, step: int, by_word: bool = False) -> None:
        difference = self.current
        if self.editing is not None and difference is not None:
            self._propose(self.editing.moved(self.texts[difference.doc], step, by_word))

    def action_edit_switch(self) -> None:
        if self.editing is not None:
            self._propose(self.editing.switched())

    def action_edit_accept(self) -> None:
        difference, edit = self.current, self.editing
        if difference is None or edit is None:
            return
        store = self.library.store
        try:
            item = edited_item(self.library.index.corpus, difference, edit)
            store.add_many(
                [item], description=(f"consensus: accept {edit.start}:{edit.end} (edited) at {difference.key}")
            )
            self.notes.update(difference.key, decision="edited")
        except (StoreError, WorklistError, ValueError) as error:
            self.notify(sanitize(f"Cannot accept: {error}"), severity="error", markup=False)
            return
        self.notify(
            sanitize(f"Consensus: {', '.join(sorted(edit.tags))} at {edit.start}:{edit.end} (edited)."), markup=False
        )
        self.stop_edit()
        self._changed()  # type: ignore[attr-defined]

    def stop_edit(self) -> None:
        if self.editing is None:
            return
        self.editing = None
        for view in self.query(DocumentView):
            view.clear_selection()
        self.refresh_bindings()
        self._update_status()  # type: ignore[attr-defined]

    def _propose(self, edit: Edit | None) -> None:
        if edit is None:
            self.notify("Nobody coded this place: nothing to edit.", severity="warning")
            return
        self.editing = edit
        for view in self.query(DocumentView):
            view.select(edit.start, edit.end)
        self.refresh_bindings()
        self._update_status()  # type: ignore[attr-defined]

    def edit_status(self) -> str:
        """The proposal in words: which boundary moves, the span, its length and its text."""
        edit, difference = self.editing, self.current
        if edit is None or difference is None:
            return ""
        text = self.texts[difference.doc][edit.start : edit.end]
        quote = text if len(text) <= 40 else text[:18] + "…" + text[-18:]
        which = "start ◂" if edit.moving == "start" else "end ▸"
        return (
            f"editing the {which} · {edit.start}–{edit.end} ({edit.end - edit.start} "
            f"characters) «{quote}» · {', '.join(sorted(edit.tags))} from {edit.coder} · "
            "Enter accepts, Esc leaves"
        )
