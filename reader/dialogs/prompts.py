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
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.dialogs.base import ErrorLine, ModalDialog, cancel_binding


class PromptDialog(ModalDialog[str | None]):
    """One line of text: enter accepts, escape cancels."""

    DEFAULT_CSS = """
    PromptDialog .dialog-box { width: 64; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [cancel_binding("reader.prompt.cancel")]

    def __init__(
        self,
        title: str,
        message: Content | str = "",
        value: str = "",
        placeholder: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.dialog_title = title
        self.message = message
        self.value = value
        self.placeholder = placeholder
        self.check = check  # the text typed -> what is wrong with it, or None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = Content(self.dialog_title)  # user text: never markup
            if self.message:
                yield Static(
                    Content(self.message) if isinstance(self.message, str) else self.message,
                    classes="dialog-message prompt-message",
                )
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield ErrorLine(id="prompt-error", hide_when_empty=False)

    def on_mount(self) -> None:
        self.query_one("#prompt-input").focus()

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.check(event.value) if self.check is not None else None
        if problem:
            self.show_error(problem)
            return
        self.dismiss(event.value)


class ChoiceDialog(ModalDialog[str | None]):
    """A message, an optional preview list and a few answers: enter picks, escape cancels."""

    DEFAULT_CSS = """
    ChoiceDialog .dialog-box { width: 80; }
    ChoiceDialog .choice-message { height: auto; margin-bottom: 1; }
    ChoiceDialog #choice-preview {
        height: auto; max-height: 14; border: round $foreground 20%; background: $surface;
    }
    ChoiceDialog #choice-answers { height: auto; border: none; background: $surface; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [cancel_binding("reader.choice.cancel")]

    def __init__(
        self, title: str, message: Content | str, answers: list[tuple[str, str]], preview: list[Content] | None = None
    ) -> None:
        super().__init__()
        self.dialog_title = title
        self.message = message
        self.answers = answers
        self.preview = preview

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = Content(self.dialog_title)  # user text: never markup
            yield Static(
                Content(self.message) if isinstance(self.message, str) else self.message, classes="choice-message"
            )
            if self.preview:
                preview = OptionList(*self.preview, id="choice-preview")
                preview.can_focus = False
                yield preview
            yield OptionList(*(Option(Content(label), id=key) for key, label in self.answers), id="choice-answers")

    def on_mount(self) -> None:
        answers = self.query_one("#choice-answers", OptionList)
        answers.highlighted = 0
        answers.focus()

    @on(OptionList.OptionSelected, "#choice-answers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
