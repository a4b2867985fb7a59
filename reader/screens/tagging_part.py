"""The main screen's tagging flow: the selection to an annotation, and the annotations panel.

`t` opens the tag dialog on the reader's selection, 1-9 apply the nine most recent tags, `a`
shows the open document's annotations beside it, and the panel's requests (jump, edit, delete,
re-attach an orphan, walk its tag) land here. Single changes are written on the spot (one small
file) through the services; after every change the open document's annotations are placed again
and redrawn (`annotations_changed`). A document whose annotation file is unreadable is
read-only: the tag keys say so instead of writing.

`TaggingPart` is a base of MainScreen (reader/screens/main.py), which provides `opened`,
`show_documents`, `_update_header`, `_update_under_cursor` and `_update_status`; the bindings
stay in MainScreen's one list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader.messages import AnnotationRequest
from reader.safe_text import sanitize
from reader.screens.opened_document import refused_as_read_only, tag_dialog
from reader.screens.recent_tags import recent_tag
from reader.screens.search_part import SearchPart
from reader.dialogs.tag import TagChoice, TagDialog
from reader.store import StoreError
from reader.tag_walk import WalkStart
from reader.widgets.annotation_panel import AnnotationPanel
from reader.store.postgres.offline import with_waiting
from reader.widgets.labels import one_line

if TYPE_CHECKING:
    from reader.services import OpenDocument


class TaggingPart(SearchPart):
    """Tag the selection, and act on the annotation panel's requests (module docstring)."""

    def _colors(self) -> dict[str, str]:
        return {tag.name: tag.color for tag in self.library.tags()}

    def _writable(self) -> OpenDocument | None:
        """The open document when its annotations can be changed; otherwise say why."""
        opened = self.opened
        if opened is None:
            self.notify("Open a document first.", severity="warning")
            return None
        if refused_as_read_only(self, opened):
            return None
        return opened

    def _selection(self) -> tuple[int, int] | None:
        """The reader's selection, or None after telling the user how to make one."""
        selection = self.view.selection
        if selection is None:
            self.notify(
                "Select a passage first: v (visual), s (sentence), p (paragraph), m (search match).", severity="warning"
            )
        return selection

    def _store_call(self, call, done: str | None = None):
        """Run one store change; show what went wrong instead of raising. Returns the result,
        or None on failure."""
        try:
            result = call()
        except (StoreError, ValueError) as error:
            self.notify(sanitize(str(error)), title="Annotations", severity="error", markup=False, timeout=10)
            if isinstance(error, StoreError):
                self.annotations_changed()  # a shared store may have brought others' changes in
            return None
        if done:
            self.notify(with_waiting(done + " · u undoes it", self.library.store), markup=False)
        self.annotations_changed()
        return result

    def action_tag(self) -> None:
        """`t`: the tag dialog on the selection."""
        opened = self._writable()
        selection = self._selection() if opened is not None else None
        if opened is None or selection is None:
            return
        start, end = selection

        def done(choice: TagChoice | None) -> None:
            if choice is not None and choice.tags:
                self._tag(opened, start, end, list(choice.tags), choice.note)
            else:
                self.view.focus()

        self.app.push_screen(tag_dialog(self.library, opened, start, end), done)

    def action_recent(self, number: int) -> None:
        """1-9: tag the selection with the number-th most recent tag, without a dialog."""
        opened = self._writable()
        if opened is None:
            return
        tag = recent_tag(self, self.library, number)
        selection = self._selection() if tag is not None else None
        if tag is not None and selection is not None:
            self._tag(opened, *selection, [tag])

    def _tag(self, opened: OpenDocument, start: int, end: int, tags: list[str], note: str = "") -> None:
        quote = one_line(opened.document.text[start:end], 40)
        done = f"Tagged “{quote}” with {sanitize(', '.join(tags))}"
        if self._store_call(lambda: self.library.annotate(opened, start, end, tags, note), done) is not None:
            self.view.clear_selection()
        self.view.focus()

    def annotations_changed(self) -> None:
        """Annotations or tags changed: place the open document's again and redraw them,
        the panel, the status bar and the counts in the document list."""
        if self.opened is not None:
            self.opened = self.library.reanchor(self.opened)
            self.view.set_annotations(self.opened.highlights)
            self._show_panel()
            self._update_under_cursor(self.view.cursor)  # type: ignore[attr-defined]
            self._update_header()  # type: ignore[attr-defined]
        self._update_status()  # type: ignore[attr-defined]
        self.show_documents(self.library.documents())

    # ------------------------------------------------------------------ annotation panel

    @property
    def panel(self) -> AnnotationPanel:
        return self.query_one("#annotations", AnnotationPanel)

    def _show_panel(self) -> None:
        if self.panel.display:
            self.panel.show(self.opened, self._colors())

    # ------------------------------------------------------------------ the annotation panel's requests

    def action_toggle_annotations(self) -> None:
        """`a`: show the open document's annotations beside it (and focus them), or hide them."""
        panel = self.panel
        if panel.display and self.focused is panel:
            self.show_panel(False)
            self.action_focus_reader()
            return
        self.show_panel(True)
        panel.show(self.opened, self._colors())
        panel.focus()

    def action_focus_reader(self) -> None:
        if self.opened is not None:
            self.view.focus()

    def on_annotation_request(self, request: AnnotationRequest) -> None:
        opened = self.opened
        anchored = opened.find(request.annotation_id) if opened is not None else None
        if opened is None or anchored is None:
            return
        annotation = anchored.annotation
        if request.action == "walk":
            self.start_walk(WalkStart(annotation.tags[0], annotation.id))  # type: ignore[attr-defined]
            return
        if request.action == "jump":
            if anchored.span is None:
                self.notify(
                    "This annotation's text is no longer in the document: select where "
                    "it belongs and press r in the panel, or x to delete it.",
                    title="Orphan",
                    severity="warning",
                )
                return
            self.view.clear_selection()
            self.view.move_cursor(anchored.span.start, scroll=False)
            self.view.scroll_to_offset(anchored.span.start)
            self.view.focus()
            return
        if self._writable() is None:
            return
        if request.action == "delete":
            self._store_call(
                lambda: self.library.delete(annotation.id), f"Deleted “{one_line(annotation.quote.exact, 40)}”"
            )
        elif request.action == "edit":

            def done(choice: TagChoice | None) -> None:
                if choice is not None and choice.tags:
                    self._store_call(
                        lambda: self.library.edit(annotation.id, list(choice.tags), choice.note), "Annotation changed"
                    )

            self.app.push_screen(
                TagDialog(
                    self.library.tags(),
                    counts=self.library.tag_counts(),
                    recent=self.library.recent_tags(),
                    title="Edit the annotation",
                    quote=annotation.quote.exact,
                    chosen=annotation.tags,
                    note=annotation.note,
                ),
                done,
            )
        elif request.action == "reattach":
            selection = self.view.selection
            if selection is None and anchored.status == "fuzzy" and anchored.span is not None:
                selection = (anchored.span.start, anchored.span.end)  # confirm the fuzzy place
            if selection is None:
                self.notify(
                    "Select the passage it belongs to in the reader first, then press r here.", severity="warning"
                )
                return
            start, end = selection
            if (
                self._store_call(
                    lambda: self.library.reattach(opened, annotation.id, start, end),
                    f"Re-attached to “{one_line(opened.document.text[start:end], 40)}”",
                )
                is not None
            ):
                self.view.clear_selection()
