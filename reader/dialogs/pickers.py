"""The side-by-side view's two pickers: a document (to open in a pane) and a similar passage.

Both return what was chosen, or None when cancelled (escape). Titles and snippets are corpus
text: sanitized and built into `Content`, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.compare_service import SimilarRow
from reader.dialogs.base import ModalDialog, cancel_binding
from reader.safe_text import sanitize
from reader.services import DocumentRow
from reader.widgets.labels import one_line

__all__ = ["DocumentPicker", "SimilarDialog"]

PICKER_LIMIT = 300
"""Documents listed at once; typing narrows the list."""

PickedT = TypeVar("PickedT")


class ListDialog(ModalDialog[PickedT]):
    """The look the two pickers share: a wide box around a list."""

    DEFAULT_CSS = """
    ListDialog .dialog-box { width: 96; }
    ListDialog OptionList { height: auto; max-height: 24; border: none; background: $surface; }
    ListDialog OptionList > .option-list--option { padding: 0 1; }
    """


class DocumentPicker(ListDialog[str | None]):
    """Choose a document: type to narrow by title, id or source; enter opens, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        cancel_binding("compare.picker.cancel"),
        Binding("down", "list", "List", show=False, id="compare.picker.list"),
    ]

    def __init__(self, rows: Sequence[DocumentRow], title: str = "Open a document", exclude: str | None = None) -> None:
        super().__init__()
        self.rows = [row for row in rows if row.id != exclude]
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = Content(self.dialog_title)
            yield Input(placeholder="title, id or source", id="picker-filter")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-filter").focus()

    def _fill(self, words: str) -> None:
        wanted = words.lower().split()
        options = []
        for row in self.rows:
            haystack = f"{row.title} {row.id} {row.source or ''}".lower()
            if all(word in haystack for word in wanted):
                details = " · ".join(sanitize(x) for x in (row.source, row.date) if x)
                prompt = Content.assemble(
                    Content(one_line(row.title, 60)).stylize("bold"),
                    "  ",
                    Content(f"{sanitize(row.id)}  {details}").stylize("dim"),
                )
                options.append(Option(prompt, id=row.id))
                if len(options) >= PICKER_LIMIT:
                    break
        listing = self.query_one("#picker-list", OptionList)
        listing.clear_options()
        listing.add_options(options)
        if options:
            listing.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        listing = self.query_one("#picker-list", OptionList)
        if listing.highlighted is not None:
            self.dismiss(listing.get_option_at_index(listing.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_list(self) -> None:
        self.query_one("#picker-list").focus()


class SimilarDialog(ListDialog[SimilarRow | None]):
    """Passages like the one asked about: title, score and opening words; enter picks one."""

    BINDINGS: ClassVar[list[BindingType]] = [cancel_binding("compare.similar.cancel")]

    def __init__(self, rows: Sequence[SimilarRow], titles: dict[str, str], quote: str) -> None:
        super().__init__()
        self.rows = list(rows)
        self.titles = titles
        self.quote = quote

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = Content("Similar passages")
            yield Static(
                Content(f"Like “{one_line(self.quote, 80)}” · enter opens it in the other pane"),
                classes="dialog-message",
            )
            options = []
            for index, row in enumerate(self.rows):
                title = self.titles.get(row.doc_id, row.doc_id)
                prompt = Content.assemble(
                    Content(one_line(title, 60)).stylize("bold"),
                    "  ",
                    Content(f"{row.score:.2f}").stylize("dim"),
                    "\n",
                    Content(row.snippet or "(no text)"),
                )
                options.append(Option(prompt, id=str(index)))
            yield OptionList(*options, id="similar-list")

    def on_mount(self) -> None:
        listing = self.query_one("#similar-list", OptionList)
        if listing.option_count:
            listing.highlighted = 0
        listing.focus()

    @on(OptionList.OptionSelected, "#similar-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.rows[int(event.option.id or 0)])
