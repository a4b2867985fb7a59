"""The export dialog: tagged snippets out to a file, in any of `reader.export.FORMATS`.

The same choices as `reader export`: a format (with its description), filters that combine with
AND (tags, each also selecting the tags below it; documents; a search query), the grouping of
Markdown and HTML (by tag or by document) and the file to write. It starts from the whole store
(the current search is not a filter unless typed in) or from the last choice made for this
corpus (reader/dialog_state.py), and each filter says what it does. The default file is
`reader-export-<date>.<ext>` in the folder reader was started in; its extension follows the
format while it is one of ours.

Under the filters a line says how many annotations the choice selects, of how many in the
store, and which filters narrow it; when the app shows only some coding (blind coding, one
coder's), the store it passes holds only that, and the line says so: `reader.export.count` in
an exclusive thread worker, run again (after a short debounce while typing a query) whenever a
filter changes; a count that arrives for filters no longer shown is dropped. Export (the button,
or ctrl+s from anywhere in the dialog) runs `reader.export.export` in a thread worker; an
existing file is only replaced after a second press. The dialog dismisses with the
`ExportResult` and a notice "Wrote N annotations to PATH"; an `ExportError` (unwritable path,
invalid query...) is shown in the dialog, which stays open. Escape cancels (None).

The dialog writes nothing but the export file. It reads the annotations through the store it is
given (the app's, so unsaved state cannot differ) or opens one from `paths`; a query needs the
corpus index, which it takes from the caller or opens (and brings up to date) once, in a worker.
Tag names and document titles are user and corpus text: shown as `Content` after `sanitize`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import (
    Button,
    Input,
    Label,
    RadioSet,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState, get_current_worker

from reader.export import (
    FORMATS,
    SUFFIXES,
    ExportError,
    ExportResult,
    Filters,
    count,
    export,
)
from reader.dialogs.base import ErrorLine, ModalDialog, cancel_binding
from reader.dialogs.export_preview import preview_content
from reader.dialog_state import DEFAULT_NAME, ExportChoice, load_export_choice, save_export_choice
from reader.model import Tag, palette_color
from reader.safe_text import sanitize
from reader.widgets.checks import CheckList, Radio
from reader.widgets.labels import one_line, plural, tag_label

if TYPE_CHECKING:
    from index.indexer import CorpusIndex
    from reader.paths import Paths
    from reader.store import AnnotationStore

COUNT_DELAY = 0.15
"""Debounce (seconds) of the preview count while a query is typed."""
GROUPED_FORMATS = frozenset({"md", "html"})
"""Formats whose output is grouped by tag or by document."""


def today() -> str:
    """The date in default file names (a function, so tests can fix it)."""
    return date.today().isoformat()


def default_output(fmt: str) -> str:
    """`reader-export-<date>.<ext>`, relative to the folder reader was started in."""
    return f"reader-export-{today()}{SUFFIXES[fmt]}"


def resolve_output(value: str) -> Path:
    """What the output box holds as an absolute path (`~` expanded; relative to the cwd)."""
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


# Below this many rows the dialog goes compact, below TINY_HEIGHT it also drops its margins,
# the keys hint and the lists' borders (see ExportDialog.on_resize).
SMALL_HEIGHT = 36
TINY_HEIGHT = 26


class ExportDialog(ModalDialog[ExportResult | None]):
    """Choose a format, filters and a file; export; dismiss with the result (None: cancelled)."""

    DEFAULT_CSS = """
    ExportDialog #export-dialog { width: 104; max-height: 95%; }
    ExportDialog .export-row { height: auto; }
    ExportDialog .export-label { width: 10; padding: 1 0 0 0; color: $text-muted; }
    ExportDialog #export-format { width: 1fr; }
    ExportDialog #export-by { width: auto; border: none; padding: 1 0 0 0; }
    ExportDialog #export-by RadioButton { margin-right: 2; }
    ExportDialog #export-by > RadioButton { width: auto; }
    ExportDialog #export-by { layout: horizontal; }
    ExportDialog #export-filters { height: 12; }
    ExportDialog #export-filters > Vertical { width: 1fr; }
    ExportDialog .export-list-title { color: $text-muted; }
    ExportDialog SelectionList { height: 1fr; }
    ExportDialog #export-query, ExportDialog #export-output { width: 1fr; }
    ExportDialog #export-preview { height: 1; margin-top: 1; }
    ExportDialog #export-buttons { height: auto; align-horizontal: right; }
    ExportDialog #export-buttons Button { margin-left: 2; }
    ExportDialog #export-hint { color: $text-muted; }
    ExportDialog.-small #export-dialog { height: 95%; }
    ExportDialog.-small #export-filters { height: 1fr; }
    ExportDialog.-small .export-label, ExportDialog.-small #export-by { padding: 0; }
    ExportDialog.-small .export-row { margin-bottom: 1; }
    ExportDialog.-small #export-preview { margin-top: 0; }
    ExportDialog.-tiny #export-dialog { height: 100%; max-height: 100%; }
    ExportDialog.-tiny .export-row { margin-bottom: 0; }
    ExportDialog.-tiny #export-hint { display: none; }
    ExportDialog.-tiny .export-list-title { text-wrap: nowrap; text-overflow: ellipsis; }
    ExportDialog.-tiny SelectionList { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        cancel_binding("reader.export.cancel"),
        Binding("ctrl+s", "export", "Export", priority=True, id="reader.export.run"),
    ]

    def __init__(
        self,
        paths: Paths,
        *,
        tags: Iterable[str | Tag] = (),
        docs: Iterable[tuple[str, str]] = (),
        query: str | None = None,
        doc: str | None = None,
        fmt: str | None = None,
        output: str | None = None,
        store: AnnotationStore | None = None,
        index: CorpusIndex | None = None,
        remember: bool = True,
        view: str | None = None,
    ) -> None:
        """`tags`: the codebook (names or `Tag`s, for the colours); `docs`: (id, title) of the
        documents to offer (those with annotations); `query`: a query to start with; `doc`: the
        open document, listed first (not ticked). `store`/`index`: the app's, to share (else
        opened from `paths`). With `remember`, what is not given starts as last chosen for
        this corpus, and the choice is kept when the dialog closes. `view`: whose coding
        `store` holds when it is not everyone's ("only mine (blind coding)"), said with the
        count, since only that is exported."""
        super().__init__()
        if fmt is not None and fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        last = load_export_choice(paths.corpus) if remember else None
        self.remember = remember
        if last is not None and last.format not in FORMATS:
            last = None
        self.last = last or ExportChoice()
        fmt = fmt or self.last.format
        if query is None:
            query = self.last.query
        if output is None and self.last.output:
            output = self._renewed(self.last.output, fmt)
        self.paths = paths
        self.tags = [t if isinstance(t, Tag) else Tag(t, palette_color(t)) for t in tags]
        docs = list(docs)
        if doc is not None:  # the open document first
            docs.sort(key=lambda d: d[0] != doc)
        self.docs = docs
        self.current_doc = doc
        self.initial_query = query or ""
        self.initial_format = fmt
        self.initial_output = output if output is not None else default_output(fmt)
        self._store = store
        self._index = index
        self.view = view
        self._open_lock = threading.Lock()
        self._busy = False
        self._replace: Path | None = None  # the existing file a second press may replace

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="export-dialog", classes="dialog-box") as box:
            box.border_title = "Export annotations"
            with Horizontal(classes="export-row"):
                yield Label("Format", classes="export-label")
                yield Select(
                    [(description, name) for name, description in FORMATS.items()],
                    value=self.initial_format,
                    allow_blank=False,
                    id="export-format",
                )
            with Horizontal(classes="export-row", id="export-by-row"):
                yield Label("Group by", classes="export-label")
                with RadioSet(id="export-by"):
                    yield Radio("tag", value=self.last.by != "doc", id="export-by-tag")
                    yield Radio("document", value=self.last.by == "doc", id="export-by-doc")
            with Horizontal(id="export-filters"):
                with Vertical():
                    yield Static("Tags: ticked (+ below); none: all", classes="export-list-title")
                    ticked = set(self.last.tags)
                    yield CheckList(
                        *(Selection(tag_label(t.name, t.color), t.name, t.name in ticked) for t in self.tags),
                        id="export-tags",
                    )
                with Vertical():
                    yield Static("Documents: ticked only; none: all", classes="export-list-title")
                    ticked = set(self.last.docs)
                    yield CheckList(
                        *(
                            Selection(self._doc_label(doc_id, title), doc_id, doc_id in ticked)
                            for doc_id, title in self.docs
                        ),
                        id="export-docs",
                    )
            with Horizontal(classes="export-row"):
                yield Label("Query", classes="export-label")
                yield Input(
                    value=self.initial_query,
                    placeholder="only documents this search finds; empty: all",
                    id="export-query",
                )
            with Horizontal(classes="export-row"):
                yield Label("File", classes="export-label")
                yield Input(
                    value=self.initial_output,
                    placeholder="file to write (relative to the folder reader started in)",
                    id="export-output",
                )
            yield Static("", id="export-preview")
            yield ErrorLine(id="export-error")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-run")
                yield Button("Cancel", id="export-cancel")
            yield Static("ctrl+s: export · space: toggle a tag or document · esc: cancel", id="export-hint")

    def _doc_label(self, doc_id: str, title: str) -> Content:
        label = Content(one_line(title or doc_id, 60))
        if doc_id == self.current_doc:  # before the title, which the list may cut
            label = Content.assemble(Content("(open) ").stylize("bold $text-accent"), label)
        return label

    def on_resize(self, event: events.Resize) -> None:
        """On a short terminal (80x24) the fields lose their borders and the tag and document
        lists take the rows left, so the count, the file and the buttons stay in view; on a
        tiny one (60x20) the margins and the hint go too, so the lists keep rows."""
        small = event.size.height < SMALL_HEIGHT
        self.set_class(small, "-small")
        self.set_class(event.size.height < TINY_HEIGHT, "-tiny")
        for widget in self.query("Input, Select, Button"):
            widget.compact = small  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self._format_changed_to(self.format)
        self.query_one("#export-format").focus()
        self.refresh_count(delay=0.0)

    # ------------------------------------------------------------------ state

    @property
    def format(self) -> str:
        value = self.query_one("#export-format", Select).value
        return value if isinstance(value, str) else self.initial_format

    @property
    def group_by(self) -> str:
        return "doc" if self.query_one("#export-by-doc", Radio).value else "tag"

    def filters(self) -> Filters:
        """The filters as the dialog shows them now."""
        return Filters(
            tags=tuple(self.query_one("#export-tags", SelectionList).selected),
            docs=tuple(self.query_one("#export-docs", SelectionList).selected),
            query=self.query_one("#export-query", Input).value,
        )

    # ------------------------------------------------------------------ events

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._format_changed_to(self.format)

    def _format_changed_to(self, fmt: str) -> None:
        self.query_one("#export-by-row").display = fmt in GROUPED_FORMATS
        box = self.query_one("#export-output", Input)
        path = Path(box.value.strip())
        if box.value.strip() and path.suffix.lower() in SUFFIXES.values() and path.suffix != SUFFIXES[fmt]:
            box.value = str(path.with_suffix(SUFFIXES[fmt]))

    @on(SelectionList.SelectedChanged)
    def _selection_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        self.refresh_count(delay=0.0)

    @on(Input.Changed, "#export-query")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.refresh_count()

    @on(Input.Changed, "#export-output")
    def _output_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._replace = None
        self._reset_button()
        self.show_error(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#export-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "export-count")
        self._remember()
        self.dismiss(None)

    # ------------------------------------------------------------------ memory

    @staticmethod
    def _renewed(output: str, fmt: str) -> str:
        """A remembered file name; the dated default one is renewed with today's date."""
        path = Path(output)
        if DEFAULT_NAME.match(path.name):
            return str(path.with_name(default_output(fmt)))
        return output

    def _remember(self) -> None:
        """Keep the choice for the next visit (this corpus)."""
        if not self.remember:
            return
        filters = self.filters()
        save_export_choice(
            self.paths.corpus,
            ExportChoice(
                format=self.format,
                by=self.group_by,
                tags=list(filters.tags),
                docs=list(filters.docs),
                query=filters.query or "",
                output=self.query_one("#export-output", Input).value.strip(),
            ),
        )

    # ------------------------------------------------------------------ the preview count

    def _open_store(self) -> AnnotationStore:
        with self._open_lock:
            if self._store is None:
                from reader.store.backends import open_store

                self._store = open_store(self.paths)
            return self._store

    def _open_index(self) -> CorpusIndex:
        """The corpus index, opened and brought up to date once (a query needs it)."""
        with self._open_lock:
            if self._index is None:
                from index.corpus import CorpusError
                from index.indexer import CorpusIndex

                try:
                    index = CorpusIndex(self.paths.corpus, self.paths.index)
                    index.update()
                except CorpusError as exc:
                    raise ExportError(str(exc)) from exc
                self._index = index
            return self._index

    def refresh_count(self, delay: float = COUNT_DELAY) -> None:
        """Count the annotations the filters select, in a worker (the newest call wins)."""
        self.query_one("#export-preview", Static).update(Content("counting…").stylize("dim"))
        self._count(self.filters(), delay)

    @work(thread=True, exclusive=True, group="export-count", exit_on_error=False)
    def _count(self, filters: Filters, delay: float) -> None:
        from reader.store import StoreError

        worker = get_current_worker()
        if delay:
            time.sleep(delay)  # a newer keystroke cancels this worker meanwhile
        if worker.is_cancelled:
            return
        try:
            store = self._open_store()
            index = self._open_index() if filters.query else None
            total = count(Filters(), store=store)
            result: int | str = count(filters, store=store, index=index)
        except (ExportError, StoreError) as exc:
            result, total = str(exc), 0
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_count, filters, result, total)

    def _show_count(self, filters: Filters, result: int | str, total: int = 0) -> None:
        """The preview line for `result` (reader/dialogs/export_preview.py), unless the filters
        changed since it was counted: a newer count is then on its way."""
        if filters != self.filters():
            return
        self.query_one("#export-preview", Static).update(preview_content(filters, result, total, self.view))

    # ------------------------------------------------------------------ exporting

    def _reset_button(self) -> None:
        button = self.query_one("#export-run", Button)
        button.label = "Export"
        button.disabled = self._busy

    def action_export(self) -> None:
        if self._busy:
            return
        value = self.query_one("#export-output", Input).value
        if not value.strip():
            self.show_error("Give a file to write the export to.")
            self.query_one("#export-output").focus()
            return
        output = resolve_output(value)
        if output.is_file() and self._replace != output:
            self._replace = output
            self.show_error(f"{output} exists: press Export again to replace it.", tone="warning")
            self.query_one("#export-run", Button).label = "Replace"
            return
        self._busy = True
        self._reset_button()
        self.show_error("Exporting…", tone="warning")
        self._export(self.format, self.filters(), output, self.group_by)

    @work(thread=True, exclusive=True, group="export-run", exit_on_error=False)
    def _export(self, fmt: str, filters: Filters, output: Path, by: str) -> None:
        from reader.store import StoreError

        try:
            store = self._open_store()
            index = self._open_index() if filters.query else None
            result = export(
                fmt,
                filters,
                paths=self.paths,
                store=store,
                index=index,
                corpus=index.corpus if index is not None else None,
                output=output,
                by=by,  # type: ignore[arg-type]
            )
        except (ExportError, StoreError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._exported, result)

    def _failed(self, message: str) -> None:
        self._busy = False
        self._replace = None
        self._reset_button()
        self.show_error(message)

    def _exported(self, result: ExportResult) -> None:
        self._remember()
        written = result.count - len(result.skipped)
        message = f"Wrote {plural(written)} to {result.path}"
        if result.skipped:
            message += f" ({len(result.skipped)} skipped: {'; '.join(result.skipped[:3])})"
        self.app.notify(
            sanitize(message),
            title=f"Exported {result.format}",
            markup=False,
            severity="warning" if result.skipped else "information",
        )
        self.dismiss(result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected failure of the export (a bug) is shown too, never a traceback."""
        worker = event.worker
        if worker.group == "export-run" and event.state == WorkerState.ERROR:
            self._failed(f"export failed: {type(worker.error).__name__}: {worker.error}")
        elif worker.group == "export-count" and event.state == WorkerState.ERROR:
            self.query_one("#export-preview", Static).update(
                Content(sanitize(f"cannot count: {worker.error}")).stylize("$text-error")
            )
