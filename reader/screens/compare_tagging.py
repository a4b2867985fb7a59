"""Side by side: tagging the active pane's selection (`t`, and the recent tags `1`-`9`), as on
the main screen, and redrawing both panes when annotations change (a tag here, undo, redo).

`CompareTaggingPart` is a base of `CompareScreen` (reader/screens/compare.py), which provides
`view`, `pane`, `pair` and `_mark`.
"""

from __future__ import annotations

from textual.screen import Screen

from reader.compare_service import Side
from reader.safe_text import sanitize
from reader.screens.opened_document import refused_as_read_only, tag_dialog
from reader.screens.recent_tags import recent_tag
from reader.dialogs.tag import TagChoice
from reader.services import Library, OpenDocument
from reader.store import StoreError
from reader.widgets.labels import one_line


class CompareTaggingPart(Screen):
    """Tag the active pane's selection; redraw both panes after a change (module docstring)."""

    library: Library
    opened: dict[Side, OpenDocument | None]
    side: Side

    def _tag_target(self) -> tuple[Side, OpenDocument, int, int] | None:
        """The active pane's document and selection when they can be tagged; else say why."""
        side = self.side
        opened = self.opened[side]
        if opened is None:
            return None
        if refused_as_read_only(self, opened):
            return None
        selection = self.view(side).selection  # type: ignore[attr-defined]
        if selection is None:
            self.notify("Select a passage first: v (visual), s (sentence), p (paragraph).", severity="warning")
            return None
        return side, opened, *selection

    def action_recent(self, number: int) -> None:
        """1-9: tag the active pane's selection with a recent tag, as on the main screen."""
        target = self._tag_target()
        tag = recent_tag(self, self.library, number) if target is not None else None
        if target is not None and tag is not None:
            self._tag(*target, [tag], "")

    def action_tag(self) -> None:
        """t: tag the selection of the active pane."""
        target = self._tag_target()
        if target is None:
            return
        side, opened, start, end = target
        view = self.view(side)  # type: ignore[attr-defined]

        def done(choice: TagChoice | None) -> None:
            if choice is not None and choice.tags:
                self._tag(side, opened, start, end, list(choice.tags), choice.note)
            view.focus()

        self.app.push_screen(tag_dialog(self.library, opened, start, end), done)

    def _tag(self, side: Side, opened: OpenDocument, start: int, end: int, tags: list[str], note: str) -> None:
        try:
            self.library.annotate(opened, start, end, tags, note)
        except (StoreError, ValueError) as error:
            self.notify(sanitize(str(error)), title="Annotations", severity="error", markup=False, timeout=10)
            return
        quote = one_line(opened.document.text[start:end], 40)
        self.notify(f"Tagged “{quote}” with {sanitize(', '.join(tags))} · u undoes it", markup=False)
        self.view(side).clear_selection()  # type: ignore[attr-defined]
        for screen in self.app.screen_stack:  # the main screen's list counts and open document
            refresh = getattr(screen, "annotations_changed", None)
            if refresh is not None:
                refresh()

    def annotations_changed(self) -> None:
        """Annotations or tags changed (a tag here, undo, redo): place both panes' again."""
        for side in ("a", "b"):
            opened = self.opened[side]
            if opened is not None:
                self.opened[side] = self.library.reanchor(opened)
                self.pane(side).show_header(self.opened[side])  # type: ignore[attr-defined]
        self._mark(self.pair)  # type: ignore[attr-defined]
