"""Who you code as: `CoderDialog`, a coder name and whether to save it in config.toml.

Opened by the palette's "Code as…" (reader/screens/coder_part.py); it returns a `CoderChoice`
(None when cancelled) and writes nothing itself. A name `validate_coder` refuses is said on the
error line and the dialog stays open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Input, Static

from reader.coders import CoderError, config_path, validate_coder
from reader.dialogs.base import ErrorLine, ModalDialog, cancel_binding
from reader.safe_text import sanitize


@dataclass(frozen=True)
class CoderChoice:
    name: str
    save: bool


class CoderDialog(ModalDialog[CoderChoice | None]):
    """A coder name and "save in config.toml": enter accepts, escape cancels."""

    DEFAULT_CSS = """
    CoderDialog .dialog-box { width: 64; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [cancel_binding("reader.coder.cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = "Code as"
            yield Static(
                Content(sanitize(f"New annotations are stamped with this coder (now: {self.current or 'nobody'}).")),
                id="coder-message",
                classes="dialog-message",
            )
            yield Input(value=self.current, placeholder="coder name", id="coder-name")
            yield Checkbox(Content(sanitize(f"Save in {config_path()}")), id="coder-save")
            yield ErrorLine(id="coder-error", hide_when_empty=False)

    def on_mount(self) -> None:
        self.query_one("#coder-name").focus()

    @on(Input.Submitted, "#coder-name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            name = validate_coder(event.value)
        except CoderError as error:
            self.show_error(str(error))
            return
        self.dismiss(CoderChoice(name, self.query_one("#coder-save", Checkbox).value))
