"""Driving and reading the app in pilot tests: what every pilot test file needs, written once.

Waiting lives in tests/waiting.py; the corpora and paths a test starts from in tests/conftest.py.
"""

from __future__ import annotations

from textual.widgets import Static
from textual.widgets._toast import Toast

from waiting import settle


async def type_query(app, pilot, text: str) -> None:
    """Go to the search box with `/` (unless there already: `/` would be typed), type, settle."""
    if app.focused is not app.screen.search_box:
        await pilot.press("slash")
        assert app.focused is app.screen.search_box
    await pilot.press(*text)
    await settle(pilot)
    assert app.screen.search_box.value.endswith(text)


def status_text(app) -> str:
    """The main screen's status bar."""
    return str(app.screen.query_one("#status", Static).render())


def message_text(app) -> str:
    """The line under the search box ("" while hidden)."""
    message = app.screen.query_one("#search-message", Static)
    return str(message.render()) if message.display else ""


def toasts(app) -> list[str]:
    """The notifications on screen (the app must run with `notifications=True`)."""
    return [str(toast.render()) for toast in app.screen.query(Toast)]
