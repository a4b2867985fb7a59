"""The conflicts screen: resolve what a git merge left with several versions, from the keyboard.

Opened with `X` (or the palette's "Resolve merge conflicts") when the status bar and the
document list's ⚠ column say the project has conflicts. The list at the top has one line per
conflict (its document, the quote, how many versions and what differs); under it the
highlighted conflict's versions one under another, numbered as `reader annotations
--conflicts` numbers them, each with its tags, quote, note, coder and modified time and where
it would be placed in the document's current text (anchored, moved, fuzzy, orphan); the fields
that differ between the versions are marked `≠` and shown in bold.

Keys: up/down (or j/k) choose a conflict; `1`-`9` keep that version (the store's resolution,
reader/store/resolving.py: one change, `u` undoes it and the conflict comes back); escape back.
Every piece of text shown comes from coders and the corpus: sanitised and given as `Content`,
never parsed as markup. The data comes from `Library.conflicts` (reader/conflict_service.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from reader.conflict_service import FIELDS, ConflictRow, VersionRow
from reader.safe_text import sanitize
from reader.widgets.digit_keys import digit_bindings
from reader.store import StoreError
from reader.store.postgres.offline import with_waiting
from reader.wording import plural

if TYPE_CHECKING:
    from reader.services import Library

MAX_VERSIONS = 9
LABEL_WIDTH = 10


def version_lines(row: ConflictRow, version: VersionRow) -> list[Content]:
    """One version as lines: its number and label, then each field (differing ones marked)."""
    head = Content.assemble(
        Content(f"{version.number}").stylize("bold reverse"),
        Content(" " + sanitize(version.label)).stylize("bold"),
    )
    if version.annotation is None:
        return [Content.assemble(head, Content(" · deleted: keeping it deletes the annotation").stylize("italic"))]
    if version.placed is not None:
        head = Content.assemble(head, Content(f" · placed: {version.placed}").stylize("dim"))
    lines = [head]
    for name in FIELDS:
        value = version.field(name)
        if name == "quote":
            a = version.annotation
            value = f"“{' '.join(value.split())}” ({a.start}:{a.end})"
        differs = name in row.differs
        label = Content(f"  {'≠' if differs else ' '} {name:<{LABEL_WIDTH}}").stylize("dim" if not differs else "bold")
        shown = Content(sanitize(value) if value else "—")
        lines.append(Content.assemble(label, shown.stylize("bold $text-warning") if differs else shown))
    return lines


class ConflictsScreen(Screen):
    """Every merge conflict of the project, and its versions to keep (module docstring)."""

    DEFAULT_CSS = """
    ConflictsScreen #conflicts-header { height: auto; padding: 0 1; background: $boost; }
    ConflictsScreen #conflicts-list { height: auto; max-height: 30%; min-height: 3; }
    ConflictsScreen #conflicts-versions { height: 1fr; padding: 0 1; }
    ConflictsScreen #conflicts-status { height: auto; padding: 0 1; background: $boost; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="reader.conflicts.close"),
        Binding("j", "step(1)", "Next", show=False, id="reader.conflicts.next"),
        Binding("k", "step(-1)", "Previous", show=False, id="reader.conflicts.prev"),
        *digit_bindings("keep", "Keep version", "reader.conflicts.keep", MAX_VERSIONS),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.rows: list[ConflictRow] = []
        self.loaded = False
        self._busy = False  # a resolution is being written: keys wait for the list to follow

    def compose(self) -> ComposeResult:
        yield Static("Reading the merge conflicts…", id="conflicts-header")
        yield OptionList(id="conflicts-list")
        with VerticalScroll(id="conflicts-versions"):
            yield Static("", id="conflicts-detail")
        yield Static("", id="conflicts-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @property
    def listing(self) -> OptionList:
        return self.query_one("#conflicts-list", OptionList)

    @work(thread=True, exclusive=True, exit_on_error=False, group="conflicts")
    def load(self) -> None:
        rows = self.library.conflicts()
        self.app.call_from_thread(self._listed, rows)

    def _listed(self, rows: list[ConflictRow]) -> None:
        keep = self.current.id if self.current is not None else None
        at = self.listing.highlighted or 0
        self.rows, self.loaded = rows, True
        listing = self.listing
        listing.clear_options()
        listing.add_options([Option(Content(sanitize(row.summary)), id=row.id) for row in rows])
        if rows:
            ids = [row.id for row in rows]
            listing.highlighted = ids.index(keep) if keep in ids else min(at, len(rows) - 1)
            listing.focus()
        self._busy = False
        self.show_current()

    @property
    def current(self) -> ConflictRow | None:
        index = self.listing.highlighted if self.rows else None
        return self.rows[index] if index is not None and 0 <= index < len(self.rows) else None

    @on(OptionList.OptionHighlighted, "#conflicts-list")
    def _highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self.show_current()

    def show_current(self) -> None:
        header = self.query_one("#conflicts-header", Static)
        detail = self.query_one("#conflicts-detail", Static)
        status = self.query_one("#conflicts-status", Static)
        row = self.current
        if row is None:
            header.update(Content("No merge conflicts: every annotation has one version."))
            detail.update(Content(""))
            status.update(Content("escape: back"))
            return
        docs = len({r.doc for r in self.rows})
        header.update(
            Content(
                sanitize(
                    f"{plural(len(self.rows), 'merge conflict')} in {plural(docs, 'document')}"
                    f"  ·  conflict {self.rows.index(row) + 1} of {len(self.rows)}  ·  {row.doc}"
                )
            )
        )
        lines: list[Content] = []
        for version in row.versions:
            lines.extend(version_lines(row, version))
            lines.append(Content(""))
        detail.update(Content("\n").join(lines))
        last = len(row.versions)
        status.update(
            Content(f"1-{last}: keep that version (u undoes)  ·  ≠ differs between the versions  ·  escape: back")
        )

    # ------------------------------------------------------------------ keys

    def action_close(self) -> None:
        self.dismiss(None)

    def action_step(self, delta: int) -> None:
        if not self.rows:
            return
        index = (self.listing.highlighted or 0) + delta
        self.listing.highlighted = max(0, min(len(self.rows) - 1, index))

    def action_keep(self, number: int) -> None:
        row = self.current
        if row is None or self._busy:
            return
        if number > len(row.versions):
            self.notify(f"This conflict has versions 1 to {len(row.versions)}.", severity="warning")
            return
        self._busy = True
        self.keep(row, number)

    @work(thread=True, exit_on_error=False, group="conflicts-keep")
    def keep(self, row: ConflictRow, number: int) -> None:
        try:
            done = self.library.resolve_conflict(row.id, number)
        except StoreError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        kept = done.chosen
        what = "deleted the annotation" if kept.annotation is None else f"kept version {kept.number} ({kept.label})"
        message = with_waiting(sanitize(f"Resolved: {what} in {row.doc}."), self.library.store)
        self.app.call_from_thread(self._kept, message)

    def _kept(self, message: str) -> None:
        self.notify(message, markup=False)
        self.app.refresh_annotations()  # type: ignore[attr-defined]  # every screen, this one too

    def _failed(self, message: str) -> None:
        self._busy = False
        self.notify(sanitize(f"Cannot resolve: {message}"), severity="error", markup=False, timeout=10)
        self.load()

    def annotations_changed(self) -> None:
        """After a resolution, an undo or redo, or another coder's change: list them again."""
        if self.is_mounted:
            self.load()
