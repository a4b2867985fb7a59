"""The import dialog: annotations from a REFI-QDA project (`.qdpx`) or W3C Web Annotation JSON-LD.

A path box and Import (enter). `reader.importer.import_file` runs in a thread worker with
`on_conflict=None` first: when the file tags passages the store already tags differently it
writes nothing and reports the conflicts, which the dialog lists with three answers: Skip
conflicts (import the rest), Add anyway (import them too, as extra annotations) or Cancel. A
successful import shows its report lines in a notice and dismisses with the `ImportReport`, so
the caller can redraw the annotations; Escape or Cancel dismisses with None. A file that cannot
be imported (`ImportFileError`), a corpus or store error is shown in the dialog, which stays open.

The dialog imports into the store it is given (the app's: then undo takes the whole import back
in one step) or into one opened from `paths`. The report holds names and quotes from the
file: shown as `Content` after `sanitize`, never as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from reader.dialogs.base import ErrorLine, ModalDialog, cancel_binding
from reader.importer import ImportFileError, ImportReport, OnConflict, import_file
from reader.safe_text import sanitize

if TYPE_CHECKING:
    from index.corpus import Corpus
    from reader.paths import Paths
    from reader.store import AnnotationStore

NOTICE_LINES = 12
"""Report lines shown in the success notice (the rest are counted)."""


def report_notice(report: ImportReport, limit: int = NOTICE_LINES) -> str:
    """The report as a notice: its summary (the last line) first, then the other lines."""
    lines = report.lines()
    lines = [lines[-1], *lines[:-1]] if lines else []
    if len(lines) > limit:
        lines = [*lines[: limit - 1], f"… and {len(lines) - limit + 1} more line(s)"]
    return "\n".join(sanitize(line) for line in lines)


class ImportDialog(ModalDialog[ImportReport | None]):
    """Import a file into the store; dismiss with the report (None: cancelled)."""

    DEFAULT_CSS = """
    ImportDialog #import-dialog { width: 96; }
    ImportDialog #import-report {
        height: auto; max-height: 16; border: round $foreground 20%; background: $surface;
    }
    ImportDialog #import-buttons { height: auto; align-horizontal: right; }
    ImportDialog #import-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [cancel_binding("reader.import.cancel")]

    def __init__(
        self,
        paths: Paths,
        *,
        path: str = "",
        store: AnnotationStore | None = None,
        corpus: Corpus | None = None,
    ) -> None:
        """`path`: the file to offer; `store`/`corpus`: the app's, to share (else opened from
        `paths`)."""
        super().__init__()
        self.paths = paths
        self.initial_path = path
        self._store = store
        self._corpus = corpus
        self._busy = False
        self.report: ImportReport | None = None  # the last report (conflicts waiting for an answer)

    def compose(self) -> ComposeResult:
        with Vertical(id="import-dialog", classes="dialog-box") as box:
            box.border_title = "Import annotations"
            yield Static(
                "A REFI-QDA project (.qdpx) or W3C Web Annotation JSON-LD (.jsonld). "
                "Documents are matched by content; annotations already here are skipped.",
                id="import-message",
                classes="dialog-message",
            )
            yield Input(value=self.initial_path, placeholder="file to import", id="import-path")
            yield ErrorLine(id="import-status")
            with VerticalScroll(id="import-report"):
                yield Static("", id="import-report-lines")
            with Horizontal(id="import-buttons"):
                yield Button("Import", variant="primary", id="import-run")
                yield Button("Skip conflicts", variant="primary", id="import-skip")
                yield Button("Add anyway", variant="warning", id="import-add")
                yield Button("Cancel", id="import-cancel")

    def on_mount(self) -> None:
        self._show_conflicts(None)
        self.query_one("#import-path").focus()

    # ------------------------------------------------------------------ display

    def _status(self, message: str | None, error: bool = False) -> None:
        self.show_error(message, tone="error" if error else "plain")

    def _show_conflicts(self, report: ImportReport | None) -> None:
        """The conflicting report and its three answers, or (None) the plain Import state."""
        self.report = report
        waiting = report is not None
        self.query_one("#import-report").display = waiting
        self.query_one("#import-run").display = not waiting
        self.query_one("#import-skip").display = waiting
        self.query_one("#import-add").display = waiting
        if report is not None:
            self.query_one("#import-report-lines", Static).update(
                Content("\n".join(sanitize(line) for line in report.lines()))
            )
            self._status(
                f"{len(report.conflicts)} annotation(s) in the file tag passages the store "
                "already tags differently. Nothing is imported yet.",
                error=True,
            )
            self.query_one("#import-skip").focus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in self.query(Button):
            if button.id != "import-cancel":
                button.disabled = busy

    # ------------------------------------------------------------------ events

    @on(Input.Submitted, "#import-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.report is None:
            self.run_import(None)

    @on(Input.Changed, "#import-path")
    def _path_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.report is not None:  # another file: its conflicts are not known yet
            self._show_conflicts(None)
        self._status(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "import-run":
            self.run_import(None)
        elif event.button.id == "import-skip":
            self.run_import("skip")
        elif event.button.id == "import-add":
            self.run_import("add")
        elif event.button.id == "import-cancel":
            self.action_cancel()

    def can_cancel(self) -> bool:
        return not self._busy  # an import under way is not left half-reported

    # ------------------------------------------------------------------ importing

    def run_import(self, on_conflict: OnConflict) -> None:
        if self._busy:
            return
        value = self.query_one("#import-path", Input).value.strip()
        if not value:
            self._status("Give the file to import.", error=True)
            return
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        self._set_busy(True)
        self._status("Importing…")
        self._import(path, on_conflict)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, path: Path, on_conflict: OnConflict) -> None:
        from index.corpus import CorpusError
        from reader.store import StoreError
        from reader.store.backends import open_store

        try:
            if self._store is None:
                self._store = open_store(self.paths)
            if self._corpus is None:
                self._corpus = self.paths.open_corpus()
            report = import_file(path, self._store, self._corpus, on_conflict=on_conflict)
        except (ImportFileError, CorpusError, StoreError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._imported, report)

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self._status(message, error=True)

    def _imported(self, report: ImportReport) -> None:
        self._set_busy(False)
        if not report.applied:
            self._show_conflicts(report)
            return
        trouble = report.unmatched or report.unplaced or report.problems or report.approximate
        self.app.notify(
            report_notice(report),
            title=f"Imported {report.path.name}",
            markup=False,
            severity="warning" if trouble else "information",
            timeout=10,
        )
        self.dismiss(report)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected failure (a bug) is shown too, never a traceback."""
        if event.worker.group == "import" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self._failed(f"import failed: {type(error).__name__}: {error}")
