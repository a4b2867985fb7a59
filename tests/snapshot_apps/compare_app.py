"""A bare app that opens the side-by-side view on two documents (tests/test_compare_screen.py).

The real app pushes `CompareScreen` from its main screen; here it is the only screen pushed, so
tests see it alone and closing it leaves the app's empty default screen.
"""

from __future__ import annotations

from textual.app import App

from reader.screens.compare import CompareScreen
from reader.services import Library


class CompareApp(App):
    def __init__(self, library: Library, doc_a: str, doc_b: str | None, **kwargs) -> None:
        super().__init__()
        self.library = library
        self.compare = CompareScreen(library, doc_a, doc_b, **kwargs)

    def on_mount(self) -> None:
        self.push_screen(self.compare)
