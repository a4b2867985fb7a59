"""Keys 1-9: tag the selection with one of the nine most recent tags, without a dialog.

The main screen and the side-by-side screen both offer them; the bindings and the rule for a
number with no recent tag behind it live here so the two screens cannot drift apart.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from reader.safe_text import sanitize
from reader.services import Library

__all__ = ["recent_tag", "recent_tag_bindings"]

RECENT_COUNT = 9


def recent_tag_bindings(prefix: str) -> list[Binding]:
    """Bindings `1`...`9` running `recent(n)`, with ids `<prefix>.tag.recent<n>`."""
    return [
        Binding(str(n), f"recent({n})", f"Recent tag {n}", show=False, id=f"{prefix}.tag.recent{n}")
        for n in range(1, RECENT_COUNT + 1)
    ]


def recent_tag(node: Widget | Screen, library: Library, number: int) -> str | None:
    """The number-th most recent tag, or None after telling the user which ones there are."""
    recent = library.recent_tags(RECENT_COUNT)
    if 1 <= number <= len(recent):
        return recent[number - 1]
    known = ", ".join(f"{i + 1} {name}" for i, name in enumerate(recent)) or "none yet"
    node.notify(
        sanitize(f"No recent tag {number} (recent: {known}). Tag with t first."), severity="warning", markup=False
    )
    return None
