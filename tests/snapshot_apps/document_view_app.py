"""The reader pane alone: overlapping annotations, search matches with a current one, a cursor.

Run by tests/test_document_view_snapshot.py through `snap_compare`.
"""

from __future__ import annotations

import re

from textual.app import App, ComposeResult

from reader.widgets.document_view import DocumentView, Highlight

TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
    "age of foolishness, it was the epoch of belief, it was the epoch of incredulity.\n"
    "\n"
    "There were a king with a large jaw and a queen with a plain face, on the throne of England; "
    "there were a king with a large jaw and a queen with a fair face, on the throne of France.\n"
    "\n"
    "Markup stays literal: [bold]not bold[/bold] [@click=app.quit]no action[/] \x1b[31mno red\x07\n"
)

ANNOTATIONS = [
    Highlight(TEXT.index("the best"), TEXT.index("worst of times") + 14, "#d7263d", "a1", "contrast"),
    Highlight(TEXT.index("the worst"), TEXT.index("age of wisdom"), "#1b998b", "a2", "time"),
    Highlight(TEXT.index("a king"), TEXT.index("England") + 7, "#2e86ab", "a3", "monarchy"),
]
MATCHES = [(m.start(), m.end()) for m in re.finditer("king", TEXT)]


class DocumentViewApp(App):
    CSS = "Screen { background: black; }"

    def compose(self) -> ComposeResult:
        yield DocumentView()

    def on_mount(self) -> None:
        view = self.query_one(DocumentView)
        view.load("dickens.txt", TEXT, annotations=ANNOTATIONS)
        view.set_matches(MATCHES, current=1)
        view.focus()


if __name__ == "__main__":
    DocumentViewApp().run()
