"""reader/dialogs/: every modal dialog is built on the one base (its look, escape, its error line)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.app import App
from textual.screen import ModalScreen

import reader
from reader.dialogs.base import ErrorLine, ModalDialog
from reader.dialogs.prompts import PromptDialog

from waiting import pilot_wait_until

READER = Path(reader.__file__).parent
NOT_DIALOGS = {"reader.screens.help.HelpScreen"}
"""Modal screens that are not dialogs: the keys page is a scrollable panel at the right edge."""
SHARED_CSS = ("align: center middle", "border: thick $primary", "background: $background 50%")


def _modal_screens() -> dict[str, type]:
    found = {}
    for package in ("reader.screens", "reader.dialogs"):
        folder = READER / package.split(".")[1]
        for info in pkgutil.iter_modules([str(folder)], prefix=package + "."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, ModalScreen) and cls.__module__ == module.__name__:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def test_every_modal_dialog_is_built_on_the_base_in_reader_dialogs():
    screens = _modal_screens()
    assert "reader.dialogs.tag.TagDialog" in screens  # the walk finds the dialogs
    wrong = [
        name
        for name, cls in screens.items()
        if name not in NOT_DIALOGS and not (issubclass(cls, ModalDialog) and name.startswith("reader.dialogs."))
    ]
    assert not wrong, f"modal dialogs not on reader.dialogs.base.ModalDialog: {wrong}"


def test_the_dialog_look_is_written_once():
    repeated = [
        name
        for name, cls in _modal_screens().items()
        if cls is not ModalDialog
        and name not in NOT_DIALOGS
        and any(rule in cls.__dict__.get("DEFAULT_CSS", "") for rule in SHARED_CSS)
    ]
    assert not repeated, f"dialogs repeating the base's CSS: {repeated}"


class _PromptApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[str | None] = []

    def on_mount(self) -> None:
        def problem(text: str) -> str | None:
            return None if text.isdigit() else f"{text!r} is not a number"

        self.push_screen(PromptDialog("How many", check=problem), self.answers.append)


async def test_an_error_keeps_the_dialog_open_and_escape_cancels():
    app = _PromptApp()
    async with app.run_test() as pilot:
        dialog = await pilot_wait_until(
            pilot, lambda: isinstance(app.screen, PromptDialog) and app.screen, "the prompt is shown"
        )
        await pilot.press("x", "enter")
        line = dialog.query_one("#prompt-error", ErrorLine)
        await pilot_wait_until(pilot, lambda: "not a number" in str(line.render()), "the error line says what is wrong")
        assert app.screen is dialog and app.answers == []
        await pilot.press("escape")
        await pilot_wait_until(pilot, lambda: app.answers == [None], "escape cancels with None")
        assert app.screen is not dialog
