"""Small modal dialogs: ask for one line of text, or a choice among a few answers.

`PromptDialog` returns the text typed (None when cancelled; with `check`, only text it accepts:
what it says about the rest is shown under the box, which stays open); `ChoiceDialog` returns the key of
the answer chosen (None when cancelled) and can show a scrollable preview above the answers
(the matches an auto-code run would tag). Messages and previews are `Content` built by the
caller from sanitized text; nothing here parses markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

class PromptDialog(ModalScreen[str | None]):
    """One line of text: enter accepts, escape cancels."""

    DEFAULT_CSS = """
    PromptDialog { align: center middle; background: $background 50%; }
    PromptDialog > Vertical {
        width: 64; max-width: 95%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    PromptDialog .prompt-message { height: auto; color: $text-muted; }
    PromptDialog #prompt-error { height: auto; color: $text-error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="reader.prompt.cancel"),
    ]

    def __init__(self, title: str, message: Content | str = "", value: str = "",
                 placeholder: str = "", check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.dialog_title = title
        self.message = message
        self.value = value
        self.placeholder = placeholder
        self.check = check  # the text typed -> what is wrong with it, or None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Content(self.dialog_title)  # user text: never markup
            if self.message:
                yield Static(Content(self.message) if isinstance(self.message, str)
                             else self.message, classes="prompt-message")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error")

    def on_mount(self) -> None:
        self.query_one("#prompt-input").focus()

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.check(event.value) if self.check is not None else None
        if problem:
            self.query_one("#prompt-error", Static).update(Content(problem))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """A message, an optional preview list and a few answers: enter picks, escape cancels."""

    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; background: $background 50%; }
    ChoiceDialog > Vertical {
        width: 80; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ChoiceDialog .choice-message { height: auto; margin-bottom: 1; }
    ChoiceDialog #choice-preview {
        height: auto; max-height: 14; border: round $foreground 20%; background: $surface;
    }
    ChoiceDialog #choice-answers { height: auto; border: none; background: $surface; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="reader.choice.cancel"),
    ]

    def __init__(self, title: str, message: Content | str, answers: list[tuple[str, str]],
                 preview: list[Content] | None = None) -> None:
        super().__init__()
        self.dialog_title = title
        self.message = message
        self.answers = answers
        self.preview = preview

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Content(self.dialog_title)  # user text: never markup
            yield Static(Content(self.message) if isinstance(self.message, str) else self.message,
                         classes="choice-message")
            if self.preview:
                preview = OptionList(*self.preview, id="choice-preview")
                preview.can_focus = False
                yield preview
            yield OptionList(*(Option(Content(label), id=key) for key, label in self.answers),
                             id="choice-answers")

    def on_mount(self) -> None:
        answers = self.query_one("#choice-answers", OptionList)
        answers.highlighted = 0
        answers.focus()

    @on(OptionList.OptionSelected, "#choice-answers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
