"""The main screen's tag walk: every passage of one tag, across documents, one key each.

`W` starts a walk through the tag of the annotation under the reader's cursor (its first tag),
at that passage; `W` in the codebook (on a tag, or on one of its passages) and in the annotation
panel (on an annotation) start one too. Then `>` and `<` go to the next and previous passage with
that tag, opening its document when it is another one, and the status bar says
"passage 3 of 6 · tag". Visiting the 6 passages of a tag from the reader: `c`, the tag, `W`, then
`>` five times (see the README for the counts). The list is taken when the walk starts (see
reader/tag_walk.py); a passage deleted since is skipped with a notice.

`WalkPart` is a base of MainScreen, which provides `library`, `opened`, `open_document` and
`_update_status`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader.safe_text import sanitize
from reader.tag_walk import Passage, TagWalk, WalkStart

if TYPE_CHECKING:
    from reader.services import Library, OpenDocument


class WalkPart(Screen):
    """Start, step and show the tag walk (module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("W", "walk_here", "Walk tag", key_display="W", id="reader.walk.start"),
        Binding("greater_than_sign", "walk(1)", "Next of tag", key_display=">", show=False, id="reader.walk.next"),
        Binding("less_than_sign", "walk(-1)", "Previous of tag", key_display="<", show=False, id="reader.walk.prev"),
    ]

    library: Library
    opened: OpenDocument | None
    walk: TagWalk | None = None

    def start_walk(self, start: WalkStart) -> None:
        """Walk through `start.tag`, from `start.annotation_id` (else its first passage)."""
        walk = TagWalk.through(start.tag, self.library.annotations(tag=start.tag), start.annotation_id)
        if walk.current is None:
            self.notify(sanitize(f"No passage is tagged {start.tag}."), severity="warning", markup=False)
            return
        self.walk = walk
        self._visit(walk.current)

    def action_walk_here(self) -> None:
        """`W`: walk the tag of the annotation under the cursor (the innermost, its first tag)."""
        opened = self.opened
        view = self.query_one("#document")
        found = opened.annotations_at(view.cursor) if opened is not None else []  # type: ignore[attr-defined]
        if not found:
            self.notify(
                "Put the cursor on a tagged passage (or press W on a tag in the "
                "codebook, c) to walk through every passage of its tag.",
                severity="warning",
            )
            return
        annotation = found[0].annotation
        self.start_walk(WalkStart(annotation.tags[0], annotation.id))

    def action_walk(self, delta: int) -> None:
        """`>` / `<`: the next / previous passage of the walked tag."""
        walk = self.walk
        if walk is None:
            self.notify(
                "No tag walk: press W on a tagged passage, in the codebook (c) or in the annotations panel (a).",
                severity="warning",
            )
            return
        passage = walk.step(delta)
        if passage is None:
            end = "last" if delta > 0 else "first"
            self.notify(
                sanitize(f"That was the {end} passage of {walk.tag} ({len(walk.passages)} in all)."), markup=False
            )
            return
        self._visit(passage)

    def _visit(self, passage: Passage) -> None:
        if not any(a.id == passage.annotation_id for a in self.library.annotations(passage.doc)):
            self.notify("That passage was deleted since the walk started.", severity="warning")
        self.open_document(passage.doc, annotation_id=passage.annotation_id)  # type: ignore[attr-defined]
        self._update_status()  # type: ignore[attr-defined]

    def walk_status(self) -> str:
        return self.walk.label() if self.walk is not None else ""
