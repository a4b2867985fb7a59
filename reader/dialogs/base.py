"""The one modal base every dialog is built on: its look, escape to cancel, and an error line.

Each dialog used to repeat the same dozen lines of CSS (centred, a dimmed screen behind, a
bordered box) and its own escape action; a change of look had to be made seven times. Now a
dialog subclasses `ModalDialog`, puts its content in a container with the class `dialog-box`
(setting only its width, or what differs, in its own CSS), lists `cancel_binding(ID)` in its
BINDINGS (the id is the dialog's own, so users' keymaps keep working) and reports what is wrong
through its `ErrorLine`: the dialog stays open and the user can correct what they typed.
A dialog that must not be left while it works (an import running) overrides `can_cancel`.

Messages are user and corpus text: `ErrorLine` sanitizes them and shows them as `Content`,
never as markup.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.safe_text import sanitize

__all__ = ["ErrorLine", "ModalDialog", "Tone", "cancel_binding"]

ResultT = TypeVar("ResultT")

Tone = Literal["error", "warning", "plain"]
"""How an `ErrorLine` shows its message: a failure, a caution (or work under way), a status."""


def cancel_binding(binding_id: str) -> Binding:
    """Escape cancels the dialog; `binding_id` is the dialog's own id in keymap.toml."""
    return Binding("escape", "cancel", "Cancel", id=binding_id)


class ErrorLine(Static):
    """The line under a dialog's fields that says what is wrong; the dialog stays open.

    `hide_when_empty`: the line takes no row while there is nothing to say (else it keeps its
    row, so the dialog does not grow when a message comes)."""

    DEFAULT_CSS = """
    ErrorLine { height: auto; color: $text-error; }
    ErrorLine.-warning { color: $text-warning; }
    ErrorLine.-plain { color: $foreground; }
    """

    def __init__(self, *, id: str, hide_when_empty: bool = True) -> None:
        super().__init__("", id=id)
        self.hide_when_empty = hide_when_empty
        self.display = not hide_when_empty

    def show(self, message: str | None, *, tone: Tone = "error") -> None:
        """Say `message` (None or "": say nothing)."""
        self.update(Content(sanitize(message or "")))
        self.set_class(tone == "warning", "-warning")
        self.set_class(tone == "plain", "-plain")
        if self.hide_when_empty:
            self.display = bool(message)


class ModalDialog(ModalScreen[ResultT]):
    """A centred box over the dimmed screen; escape (`action_cancel`) dismisses with None."""

    DEFAULT_CSS = """
    ModalDialog { align: center middle; background: $background 50%; }
    ModalDialog .dialog-box {
        max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ModalDialog .dialog-message { height: auto; color: $text-muted; }
    """

    def can_cancel(self) -> bool:
        """Whether escape may close the dialog now."""
        return True

    def action_cancel(self) -> None:
        if self.can_cancel():
            self.dismiss(None)

    def show_error(self, message: str | None, *, tone: Tone = "error") -> None:
        """Say what is wrong (None: nothing) on the dialog's `ErrorLine`; the dialog stays open."""
        self.query_one(ErrorLine).show(message, tone=tone)
