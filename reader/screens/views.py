"""What the analytic views (issue 8) share: the result they return, and their frame.

Each view (`concordance.py`, `code_matrix.py`, `cooccurrence.py`, `frequencies.py`) is a `Screen`
over the `Library`, pushed by the main screen. It computes in a thread worker (the headless code in
`reader/analytics/`), streams rows in where the computation streams, shows a status line with
counts and the time taken, and closes with escape. A view that can follow a row to the text closes
with an `OpenAt`: the main screen opens that document there, selects the span and, when `tag` is
set, opens the tag dialog on it. Closing without following anything returns None.

`AnalyticsScreen` gives every view the same frame: a title line, the view's body, a status line
and the footer. Corpus text, titles and tag names are untrusted: they reach the screen as rich
`Text` or `Content` built from `sanitize`d strings (`plain`), never as markup.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from reader.model import Annotation
from reader.safe_text import sanitize
from reader.services import Library
from reader.wording import ellipsize

__all__ = ["AnalyticsScreen", "OpenAt", "Timer", "bar", "passage_label", "plain", "right"]


@dataclass(frozen=True)
class OpenAt:
    """Open `doc_id` at [start, end): select that span (`select`), then tag it (`tag`).

    `annotation_id` is set when the span is a stored annotation's: the main screen may place it
    where the annotation is now (the text may have changed since it was anchored).
    """

    doc_id: str
    start: int
    end: int
    select: bool = True
    tag: bool = False
    annotation_id: str | None = None


def plain(value: object, style: str = "", limit: int | None = None) -> Text:
    """Untrusted text as one line of rich `Text`: sanitized, whitespace runs as one space, never
    markup; cut with an ellipsis at `limit` characters."""
    flat = " ".join(sanitize(str(value)).split())
    if limit is not None:
        flat = ellipsize(flat, limit)
    return Text(flat, style=style, no_wrap=True, overflow="ellipsis")


def right(value: str, width: int, style: str = "") -> Text:
    """`value` (already safe: numbers, sanitized names) right-aligned in `width` cells, since
    DataTable ignores `Text.justify`."""
    return Text(" " * max(0, width - cell_len(value)) + value, style=style, no_wrap=True)


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of `value` out of `maximum` in `width` cells, in eighths of a cell."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (PARTS[part] if part else "")


PARTS = " ▏▎▍▌▋▊▉"


def passage_label(annotation: Annotation, title: str, width: int = 70) -> Text:
    """A passage in a list: its document's title (dim), its tags (bold) and its quote."""
    return Text.assemble(
        plain(title, "dim", 28),
        "  ",
        plain(", ".join(annotation.tags), "bold", 30),
        "  ",
        plain(f"“{annotation.quote.exact}”", "", width),
    )


class Timer:
    """Wall-clock time since creation, formatted for a status line."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def __str__(self) -> str:
        seconds = self.elapsed
        return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


class AnalyticsScreen(Screen[OpenAt | None]):
    """A view's frame: title line, body (`compose_body`), status line, footer; escape closes."""

    CSS_PATH = "views.tcss"
    VIEW_TITLE = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="reader.views.close"),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self._titles: dict[str, str] | None = None
        self.status_text = ""
        """The status line as plain text (what tests read)."""

    def compose(self) -> ComposeResult:
        yield Static(Content(self.VIEW_TITLE).stylize("bold"), classes="view-title")
        yield from self.compose_body()
        yield Static("", id="view-status", classes="view-status")
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    # ------------------------------------------------------------------ helpers

    def titles(self) -> dict[str, str]:
        """Document id -> title (the user's override, else the document's own). Any thread."""
        if self._titles is None:
            store = self.library.store
            self._titles = {
                doc_id: store.attributes(doc_id).title or meta.title
                for doc_id, meta in self.library.index.documents().items()
            }
        return self._titles

    def set_status(self, parts: Iterable[str | Content], error: bool = False) -> None:
        """The status line: parts joined by dots (plain strings are shown as typed)."""
        pieces = [Content(sanitize(p)) if isinstance(p, str) else p for p in parts if p]
        content = Content(" · ").join(pieces)
        if error:
            content = content.stylize("$text-error")
        self.status_text = content.plain
        status = self.query_one("#view-status", Static)
        status.set_class(error, "-error")
        status.update(content)

    def action_close(self) -> None:
        self.dismiss(None)

    def follow(self, target: OpenAt) -> None:
        """Close the view and have the main screen open `target`."""
        self.dismiss(target)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A computation failed: say so on the status line and in a notification."""
        if event.state != WorkerState.ERROR:
            return
        message = f"{self.VIEW_TITLE or 'The view'} failed: {event.worker.error}"
        self.set_status([message], error=True)
        self.notify(sanitize(message), severity="error", markup=False, timeout=10)
