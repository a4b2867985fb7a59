"""The annotation panel: the open document's annotations in text order, orphans last.

Each entry shows its tags (with their colours), the quote and the note. The placement is named
with the one vocabulary of `reader.anchoring.STATUS_SHOWS`: `↪ moved` (the same text elsewhere),
`≈ fuzzy` (the nearest text now is shown, and the quote tagged under it as "was"), `⚠ orphan`
(not found: the quote tagged), so the user can re-attach them to a new selection (`r`) or delete
them on purpose (`x`). The panel only posts `AnnotationRequest`
messages; the screen does the work through `services.Library`. Quotes, tags and notes are shown
through `safe_text.sanitize` as `Content`, never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.messages import AnnotationRequest
from reader.coders import coder_of
from reader.safe_text import sanitize
from reader.widgets.labels import one_line, swatch

if TYPE_CHECKING:
    from reader.services import OpenDocument

QUOTE_LIMIT = 80
#: The mark and style of each placement that is not simply in place (see STATUS_SHOWS).
STATUS_MARKS = {"moved": ("↪", "$text-muted"), "fuzzy": ("≈", "$text-warning"), "orphan": ("⚠", "bold $text-error")}


class AnnotationPanel(OptionList):
    """The annotations of one document; option ids are annotation ids."""

    DEFAULT_CSS = """
    AnnotationPanel {
        width: 38;
        height: 1fr;
        border: none;
        border-left: solid $foreground 15%;
        border-title-color: $text-muted;
    }
    AnnotationPanel > .option-list--option {
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "request('edit')", "Edit", id="reader.panel.edit"),
        Binding("x,delete", "request('delete')", "Delete", id="reader.panel.delete"),
        Binding("r", "request('reattach')", "Re-attach", id="reader.panel.reattach"),
        Binding("W", "request('walk')", "Walk tag", key_display="W", id="reader.panel.walk"),
        Binding("escape", "screen.focus_reader", "Back", show=False, id="reader.panel.leave"),
    ]

    def show(self, opened: OpenDocument | None, colors: dict[str, str]) -> None:
        """List `opened`'s annotations (keeping the highlighted one when it is still there)."""
        keep = self.highlighted_id
        self.clear_options()
        if opened is None:
            self.border_title = "Annotations"
            return
        placed = sorted((a for a in opened.anchored if a.span is not None), key=lambda a: (a.span.start, a.span.end))  # type: ignore[union-attr]
        orphans = [a for a in opened.anchored if a.span is None]
        options = []
        for anchored in [*placed, *orphans]:
            annotation = anchored.annotation
            head = [swatch(colors.get(tag, "")) for tag in annotation.tags[:3]]
            head.append(Content(" " + sanitize(", ".join(annotation.tags))).stylize("bold"))
            head.append(Content("  · " + sanitize(coder_of(annotation))).stylize("italic"))
            if anchored.status in STATUS_MARKS:
                mark, style = STATUS_MARKS[anchored.status]
                head.append(Content(f"  {mark} {anchored.status}").stylize(style))
            quote = annotation.quote.exact
            if anchored.status == "fuzzy" and anchored.span is not None:
                quote = opened.document.text[anchored.span.start : anchored.span.end]
            lines = [Content.assemble(*head), Content(f"“{one_line(quote, QUOTE_LIMIT)}”").stylize("dim")]
            if quote != annotation.quote.exact:
                lines.append(Content(f"was “{one_line(annotation.quote.exact, QUOTE_LIMIT)}”").stylize("dim italic"))
            if annotation.note:
                lines.append(Content("✎ " + one_line(annotation.note, QUOTE_LIMIT)).stylize("italic"))
            options.append(Option(Content("\n").join(lines), id=annotation.id))
        self.add_options(options)
        count = f"{len(placed) + len(orphans)}"
        self.border_title = f"Annotations ({count}, {len(orphans)} orphaned)" if orphans else f"Annotations ({count})"
        if keep is not None and any(o.id == keep for o in options):
            self.highlighted = self.get_option_index(keep)
        elif options:
            self.highlighted = 0

    def follow(self, annotation_id: str) -> None:
        """Highlight (and scroll to) an annotation the reader's cursor is on, unless the user
        is working in the panel itself."""
        if self.has_focus or annotation_id == self.highlighted_id:
            return
        try:
            self.highlighted = self.get_option_index(annotation_id)
        except Exception:  # not listed (yet): nothing to follow
            pass

    @property
    def highlighted_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    def action_request(self, action: str) -> None:
        annotation_id = self.highlighted_id
        if annotation_id is not None:
            self.post_message(AnnotationRequest(annotation_id, action))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(AnnotationRequest(event.option.id, "jump"))
