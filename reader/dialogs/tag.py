"""The tag dialog: choose one or more tags (and a note) for the selection, from the keyboard.

Typing filters the codebook fuzzily on the whole hierarchical name (`actor/Nujaba`); each tag
shows a colour swatch, its parent path dimmed, its count and, for the nine most recent, the
number key that applies it without this dialog. What is typed can also become a new tag
("Create 'x'"). Keys: up/down move in the list, enter applies the highlighted tag together with
any chosen with tab (shown as chips above the box), backspace in an empty box drops the last
chip, ctrl+n goes to the note, escape cancels.

The dialog returns a `TagChoice` (or None when cancelled) and writes nothing itself. Tag names,
the quote and the note are user or corpus text: shown through `safe_text.sanitize` as `Content`,
never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.dialogs.base import ErrorLine, ModalDialog, cancel_binding
from reader.model import Tag, validate_tag_name
from reader.safe_text import sanitize
from reader.widgets.labels import one_line, swatch, tag_label

CREATE = "create:"
TAG = "tag:"


@dataclass(frozen=True)
class TagChoice:
    """What the user chose: the tags (in the order chosen) and the note."""

    tags: tuple[str, ...]
    note: str


class TagDialog(ModalDialog[TagChoice | None]):
    """Pick tags for a passage (or for an auto-code run, or to edit an annotation)."""

    DEFAULT_CSS = """
    TagDialog #tag-dialog {
        width: 72;
    }
    TagDialog #tag-quote {
        color: $text-muted;
        text-style: italic;
        height: auto;
        max-height: 2;
    }
    TagDialog #tag-chips {
        height: auto;
        min-height: 1;
    }
    TagDialog #tag-options {
        height: auto;
        max-height: 12;
        border: none;
        background: $surface;
    }
    TagDialog #tag-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        cancel_binding("reader.tagdialog.cancel"),
        Binding("tab", "toggle_tag", "Add tag", id="reader.tagdialog.toggle"),
        Binding("down", "move(1)", "Next", show=False, id="reader.tagdialog.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="reader.tagdialog.up"),
        Binding("ctrl+n", "note", "Note", id="reader.tagdialog.note"),
    ]

    def __init__(
        self,
        tags: list[Tag],
        *,
        counts: dict[str, int] | None = None,
        recent: list[str] | None = None,
        title: str = "Tag the selection",
        quote: str = "",
        chosen: tuple[str, ...] = (),
        note: str = "",
        allow_note: bool = True,
        multiple: bool = True,
    ) -> None:
        super().__init__()
        self.tags = {tag.name: tag for tag in tags}
        self.counts = counts or {}
        self.recent = [name for name in (recent or []) if name in self.tags]
        self.dialog_title = title
        self.quote = quote
        self.chosen: list[str] = list(chosen)
        self._original_note = note
        self._shown_note = sanitize(note)
        self.allow_note = allow_note
        self.multiple = multiple  # False: one tag is picked (merging), tab adds nothing

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-dialog", classes="dialog-box") as box:
            box.border_title = Content(self.dialog_title)  # user text: never markup
            if self.quote:
                yield Static(Content(f"“{one_line(self.quote, 140)}”"), id="tag-quote")
            yield Static("", id="tag-chips")
            yield Input(placeholder="type to filter, or a new tag name (a/b for a hierarchy)", id="tag-filter")
            yield OptionList(id="tag-options")
            yield ErrorLine(id="tag-error")
            yield Input(value=self._shown_note, placeholder="note (optional)", id="tag-note")
            hints = [
                "enter: apply",
                "tab: add another" if self.multiple else "",
                "ctrl+n: note" if self.allow_note else "",
                "esc: cancel",
            ]
            yield Static(Content(" · ".join(h for h in hints if h)), id="tag-hint")

    def on_mount(self) -> None:
        self.query_one("#tag-note").display = self.allow_note
        self._show_chips()
        self._refilter()
        self.filter_box.focus()

    @property
    def filter_box(self) -> Input:
        return self.query_one("#tag-filter", Input)

    @property
    def options(self) -> OptionList:
        return self.query_one("#tag-options", OptionList)

    # ------------------------------------------------------------------ filtering

    def ranked(self, query: str) -> list[str]:
        """Tag names for `query`: all (recent first, then by name) when empty, else the fuzzy
        matches best first."""
        query = query.strip()
        if not query:
            rest = sorted(name for name in self.tags if name not in self.recent)
            return [*self.recent, *rest]
        matcher = Matcher(query)
        scored = [(matcher.match(name), name) for name in self.tags]
        return [name for score, name in sorted(scored, key=lambda p: (-p[0], p[1])) if score > 0]

    def _refilter(self) -> None:
        query = self.filter_box.value.strip()
        names = self.ranked(query)
        options: list[Option] = []
        for name in names:
            tag = self.tags[name]
            label = tag_label(name, tag.color, self.counts.get(name, 0))
            if name in self.chosen:
                label = Content.assemble(Content("✓ ").stylize("bold $text-success"), label)
            if name in self.recent:
                label = Content.assemble(label, Content(f"  [{self.recent.index(name) + 1}]").stylize("dim"))
            options.append(Option(label, id=TAG + name))
        if query and query not in self.tags:
            create = Option(Content.assemble("Create “", (sanitize(query), "bold"), "”"), id=CREATE + query)
            # first unless an existing tag contains what was typed (then it is likely meant)
            if any(query.lower() in name.lower() for name in names):
                options.append(create)
            else:
                options.insert(0, create)
        option_list = self.options
        option_list.clear_options()
        option_list.add_options(options)
        if options:
            option_list.highlighted = 0

    @on(Input.Changed, "#tag-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.show_error(None)
        self._refilter()

    def _highlighted_name(self) -> str | None:
        option_list = self.options
        if option_list.highlighted is None or not option_list.option_count:
            return None
        option_id = option_list.get_option_at_index(option_list.highlighted).id or ""
        return option_id.split(":", 1)[1] if ":" in option_id else None

    def _show_chips(self) -> None:
        chips = self.query_one("#tag-chips", Static)
        if not self.chosen:
            chips.update(Content("no tag chosen yet").stylize("dim"))
            return
        parts = []
        for name in self.chosen:
            tag = self.tags.get(name)
            color = tag.color if tag else ""
            parts.append(
                Content.assemble(
                    swatch(color), " ", Content(sanitize(name)).stylize("bold"), Content(" ×").stylize("dim")
                )
            )
        chips.update(Content("  ").join(parts))

    def _valid(self, name: str) -> str | None:
        """`name` if it can be a tag, else None (with the reason shown)."""
        if name in self.tags:
            return name
        try:
            return validate_tag_name(name)
        except ValueError as error:
            self.show_error(str(error))
            return None

    # ------------------------------------------------------------------ actions

    def action_move(self, delta: int) -> None:
        option_list = self.options
        if not option_list.option_count:
            return
        current = option_list.highlighted if option_list.highlighted is not None else -delta
        option_list.highlighted = max(0, min(option_list.option_count - 1, current + delta))

    def action_toggle_tag(self) -> None:
        """Tab: add the highlighted tag to the chosen set (or take it out again)."""
        if self.focused is self.query_one("#tag-note"):
            self.filter_box.focus()
            return
        if not self.multiple:
            return
        name = self._highlighted_name()
        if name is None or self._valid(name) is None:
            return
        if name in self.chosen:
            self.chosen.remove(name)
        else:
            self.chosen.append(name)
        self._show_chips()
        if self.filter_box.value:
            self.filter_box.value = ""  # refilters
        else:
            self._refilter()
        self.filter_box.focus()

    def action_note(self) -> None:
        if self.allow_note:
            self.query_one("#tag-note").focus()

    def on_key(self, event) -> None:
        """Backspace in an empty filter box takes the last chip off."""
        if event.key == "backspace" and self.focused is self.filter_box and not self.filter_box.value and self.chosen:
            self.chosen.pop()
            self._show_chips()
            self._refilter()
            event.stop()
            event.prevent_default()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply()

    @on(OptionList.OptionSelected, "#tag-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.apply()

    def apply(self) -> None:
        """Enter: the chosen tags plus the highlighted one (when something is typed, or when
        nothing was chosen with tab)."""
        chosen = list(self.chosen)
        if self.filter_box.value.strip() or not chosen:
            name = self._highlighted_name()
            if name is None:
                self.show_error("Type a tag name, or pick one from the list.")
                return
            if self._valid(name) is None:
                return
            if name not in chosen:
                chosen.append(name)
        note = self.query_one("#tag-note", Input).value
        if note == self._shown_note:
            note = self._original_note  # unchanged: keep the note exactly as stored
        self.dismiss(TagChoice(tuple(chosen), note))
