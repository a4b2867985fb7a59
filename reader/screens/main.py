"""The main screen: the document list and corpus search on the left, the reader on the right.

Layout (see main.tcss): a sidebar with the search box, its message line, the indexing progress
bar and either the document list (no query) or the search results (a query); the reader pane with
the document's header line, a warning line for unusable annotation files, and the DocumentView;
a status bar across the bottom (position, current match, annotations folder).

The screen's flows live beside it, each in its own base class: the sidebar (indexing, search, the
document list) in `SearchPart` (reader/screens/search_part.py), tagging and the annotations panel in
`TaggingPart` (tagging_part.py), auto-coding in `AutoCodePart` (autocode_part.py), the tag walk
in `WalkPart` and who codes in `CoderPart`. This module opens documents, keeps the header and the
status bar, and launches the other screens (codebook, side by side, views, export, import). Its
one list of bindings covers every flow's keys. Everything slow runs in thread workers and comes
back with `call_from_thread` (opening a document reads, decodes and re-anchors its annotations
in one).

Every piece of corpus text shown here (titles, sources, snippets, quotes, tags, notes) goes
through `safe_text` and is built into `Text`/`Content` objects, never parsed as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.worker import Worker, WorkerState, get_current_worker

from index.document import Span
from reader.messages import CursorMoved, MatchChanged
from reader.positions import position_of
from reader.safe_text import sanitize
from reader.coders import coder_of
from reader.screens.autocode_part import AutoCodePart
from reader.screens.codebook import CodebookScreen, Jump
from reader.screens.coder_part import CoderPart
from reader.screens.opened_document import show_in_view
from reader.screens.recent_tags import recent_tag_bindings
from reader.screens.search_part import Scope, SearchSidebar
from reader.screens.walk_part import WalkPart
from reader.tag_walk import WalkStart
from reader.services import DocumentRow, Library, OpenDocument
from reader.widgets.annotation_panel import AnnotationPanel
from reader.widgets.document_view import DocumentView
from reader.widgets.labels import one_line, swatch
from reader.wording import plural

if TYPE_CHECKING:  # index.search (Whoosh's query parser) is imported by the first search
    from index.search import Hit, SearchResults
    from reader.importer import ImportReport
    from reader.screens.views import OpenAt


def display_path(path: Path) -> str:
    """A folder as the user thinks of it: relative to the working directory when inside it,
    else with `~` for the home folder."""
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        pass
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


class MainScreen(CoderPart, WalkPart, AutoCodePart):
    """Documents and search on the left, the open document on the right."""

    CSS_PATH = "main.tcss"
    AUTO_FOCUS = "#search"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: handled as it arrives, so the keys typed right after it reach the box
        # (see SearchPart.action_focus_search)
        Binding("slash", "focus_search", "Search", key_display="/", priority=True, id="reader.search.focus"),
        Binding("ctrl+t", "toggle_scope", "Corpus/doc", id="reader.search.scope"),
        Binding("ctrl+g", "toggle_exact", "Exact spelling", show=False, id="reader.search.exact"),
        Binding("f2", "toggle_sidebar", "Sidebar", id="reader.sidebar.toggle"),
        Binding("t", "tag", "Tag", id="reader.tag.dialog"),
        *recent_tag_bindings("reader"),
        Binding("a", "toggle_annotations", "Annotations", id="reader.annotations.toggle"),
        Binding("c", "codebook", "Codebook", id="reader.codebook.open"),
        Binding("A", "autocode", "Auto-code", key_display="A", id="reader.autocode"),
        Binding("C", "compare", "Compare", key_display="C", id="reader.compare"),
        Binding("ctrl+o", "open_beside", "Open beside", show=False, id="reader.compare.hit"),
        Binding("E", "export", "Export", key_display="E", id="reader.export"),
        Binding("K", "concordance", "Concordance", key_display="K", show=False, id="reader.views.concordance"),
        Binding("M", "code_matrix", "Code matrix", key_display="M", show=False, id="reader.views.matrix"),
        Binding("O", "cooccurrence", "Co-occurrence", key_display="O", show=False, id="reader.views.cooccurrence"),
        Binding("F", "frequencies", "Frequencies", key_display="F", show=False, id="reader.views.frequencies"),
        Binding("I", "import_annotations", "Import", key_display="I", show=False, id="reader.import"),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.rows: list[DocumentRow] = []
        self.conflicts_listed = 0  # merge conflicts in the listed documents (the status bar)
        self.hits: list[Hit] = []
        self.results: SearchResults | None = None
        self.opened: OpenDocument | None = None
        self.scope: Scope = "corpus"
        self.exact_spelling = False  # ctrl+g: search the spellings typed only, no variants
        self._position = ""
        self._match = ""
        self._under_cursor: Content | None = None
        self._partial = False  # part of a first build is listed and searched, the rest to come
        self._codebook_tag: str | None = None  # the codebook's cursor when it last closed
        self._kwic_sort = "doc"  # the concordance's order when it last closed
        self._index_failures = 0  # in a row: the first is retried, the second explained
        self._repaired = False  # the index was rebuilt after a search found it damaged

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield SearchSidebar(id="sidebar")
            with Vertical(id="reader-pane"):
                yield Static("", id="doc-header")
                yield Static("", id="doc-warning")
                yield DocumentView(id="document")
            yield AnnotationPanel(id="annotations")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results").display = False
        self.query_one("#indexing").display = False
        self.query_one("#doc-warning").display = False
        self.query_one("#annotations").display = False
        self._message(None)
        self._update_scope()
        self._update_header()
        self._update_status()
        self.query_one("#documents").border_title = "Documents (listing…)"
        # after the first frame: the list (the store opened, the manifest read) and the
        # index's scan would hold it up, and compete with it for the GIL (issue 19)
        self.call_after_refresh(self.index_corpus, list_first=True)

    # ------------------------------------------------------------------ reading

    def keys_must_wait(self) -> bool:
        """Keys typed ahead wait (reader/key_order.py) while Enter waits for its results or a
        document is being opened: they are meant for the document about to be shown."""
        if self._enter_pending is not None:
            return True
        workers = self.app.workers
        return any(worker.group == "open" and not worker.is_finished for worker in workers if worker.node is self)

    def open_document(
        self,
        doc_id: str,
        matches: tuple[Span, ...] = (),
        cursor: int | None = None,
        annotation_id: str | None = None,
        select: tuple[int, int] | None = None,
        tag: bool = False,
    ) -> None:
        """Open a document in the reader: at the first of `matches` (all highlighted), else at
        the annotation `annotation_id` where it is now, else at `cursor`, else at the start.
        `select` selects [start, end) (the annotation's span where it is now, when one is
        given); `tag` then opens the tag dialog on the selection."""
        self._open(doc_id, matches, cursor, annotation_id, select, tag)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open(
        self,
        doc_id: str,
        matches: tuple[Span, ...],
        cursor: int | None,
        annotation_id: str | None,
        select: tuple[int, int] | None = None,
        tag: bool = False,
    ) -> None:
        opened = self.library.open(doc_id)
        for anchored in opened.anchored:
            if anchored.annotation.id == annotation_id and anchored.span is not None:
                cursor = anchored.span.start
                if select is not None:
                    select = (anchored.span.start, anchored.span.end)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_document, opened, matches, cursor, select, tag)

    def _show_document(
        self,
        opened: OpenDocument,
        matches: tuple[Span, ...],
        cursor: int | None,
        select: tuple[int, int] | None = None,
        tag: bool = False,
    ) -> None:
        document = opened.document
        self.opened = opened
        view = self.view
        self._match = ""
        show_in_view(view, opened, cursor, matches)
        self._update_header()
        self._update_scope()
        self._show_panel()
        self._update_under_cursor(view.cursor)
        self._update_status()
        view.focus()
        if select is not None and select[0] < select[1] <= len(document.text):
            view.select(*select)
            view.scroll_to_offset(select[0])
            if tag:
                self.action_tag()

    def _update_header(self) -> None:
        header = self.query_one("#doc-header", Static)
        warning = self.query_one("#doc-warning", Static)
        opened = self.opened
        header.set_class(opened is None, "-hint")  # the hint wraps; a title is cut (main.tcss)
        if opened is None:
            hint = "No document open: choose one from the list, or type a search (/ goes to the box)"
            header.update(Content(hint).stylize("dim"))
            warning.display = False
            return
        parts = [Content(sanitize(opened.title)).stylize("bold")]
        details = " · ".join(sanitize(x) for x in (opened.source, opened.date) if x)
        if details:
            parts.append(Content(details).stylize("dim"))
        header.update(Content("  ").join(parts))
        warning.display = bool(opened.problems)
        if opened.problems:
            warning.update(Content("⚠ " + " ".join(sanitize(p) for p in opened.problems)))

    def on_cursor_moved(self, message: CursorMoved) -> None:
        self._position = f"¶ {message.paragraph_index + 1}/{message.paragraph_count} · {message.percent:.0f}%"
        where = position_of(self.opened, message.offset)
        if where:  # a PDF's page or a transcript's cue time, as the original shows it
            self._position += f" · {where}"
        self._update_under_cursor(message.offset)
        self._update_status()

    def _update_under_cursor(self, offset: int) -> None:
        """The annotation(s) under the cursor for the status bar: tags (coloured) and note."""
        self._under_cursor = None
        if self.opened is None:
            return
        found = self.opened.annotations_at(offset)
        if not found:
            return
        colors = self._colors()
        annotation = found[0].annotation
        self.panel.follow(annotation.id)
        parts = [swatch(colors.get(tag, "")) for tag in annotation.tags[:3]]
        parts.append(Content(" " + sanitize(", ".join(annotation.tags))).stylize("bold"))
        if annotation.note:
            parts.append(Content(" — " + one_line(annotation.note, 60)).stylize("italic"))
        if self.opened.marks:  # several coders shown: whose passage this is
            parts.append(Content(" · " + sanitize(coder_of(annotation))).stylize("italic"))
        if len(found) > 1:
            parts.append(Content(f" (+{len(found) - 1} more)").stylize("dim"))
        self._under_cursor = Content.assemble(*parts)

    def on_match_changed(self, message: MatchChanged) -> None:
        if message.total == 0:
            self._match = ""  # the line under the search box says so
        elif message.index is None:
            self._match = f"{message.total} matches"
        else:
            self._match = f"match {message.index + 1} of {message.total}"
        self._update_status()

    def _update_status(self) -> None:
        parts = []
        if self.opened is not None:
            parts.append(Content(self._position))
            if self._match:
                parts.append(Content(self._match).stylize("bold"))
            if self.walk is not None:
                parts.append(Content(sanitize(self.walk_status())).stylize("bold"))
            if self._under_cursor is not None:
                parts.append(self._under_cursor)
            if self.opened.read_only:
                parts.append(Content("read-only").stylize("bold $text-warning"))
        else:  # where annotations go: on the first screen, not beside a document (`reader where`)
            parts.append(Content(f"annotations: {self._where_annotations_go()}").stylize("dim"))
        if self.conflicts_listed:  # a git merge left conflicts: say so, and the key
            warning = f"⚠ {plural(self.conflicts_listed, 'merge conflict')} (X)"
            parts.append(Content(warning).stylize("bold $text-warning"))
        parts.append(self.coder_status())  # who codes: beside a document and on the first screen
        self.query_one("#status", Static).update(Content("  │  ").join(parts))

    # ------------------------------------------------------------------ panes

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker failed: say so (the app keeps running)."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "index" and error is not None:
            self._index_failed(error)
            return
        if event.worker.group == "search" and error is not None and not self._repaired:
            # not a query error (those are shown under the box): a damaged index; rebuilt
            # once per session, so that a search that fails for another reason cannot loop
            self._repaired = True
            reason = self.library.index.damage_reason(error)
            self.notify(
                sanitize(f"Searching failed: {reason}. Rebuilding the index…"),
                title="Index",
                severity="warning",
                markup=False,
                timeout=10,
            )
            self.library.close()  # the damaged searcher and its helper
            self.index_corpus(rebuild=reason)
            return
        if event.worker.group == "search" and error is not None:  # on the index rebuilt for it
            self._search_failed_again(error)
            return
        what = {"index": "Indexing", "open": "Opening", "autocode": "Auto-coding"}.get(event.worker.group, "A task")
        self.notify(sanitize(f"{what} failed: {error}"), severity="error", markup=False, timeout=10)

    def _search_failed_again(self, error: BaseException) -> None:
        """A search failed on the index this session rebuilt: a rebuild cannot mend it, so say
        what the user can do (the CLI says the same: reader/cli/indexing.py). The worker
        manager has logged the traceback (reader/worker_log.py)."""
        from index.checking import describe
        from reader.logs import log_file
        from reader.wording import search_failed_again

        text = search_failed_again(describe(error), self.library.paths.index, log_file())
        self.notify(sanitize(text[0].upper() + text[1:]), title="Search", severity="error", markup=False, timeout=30)

    def _where_annotations_go(self) -> str:
        from reader.store.backends import describe

        paths = self.library.paths
        return sanitize(describe(paths)) if paths.store else display_path(paths.annotations)

    # ------------------------------------------------------------------ side by side

    def action_compare(self, doc_id: str | None = None) -> None:
        """`C`: the open document beside another (picked in a dialog when doc_id is None)."""
        from reader.screens.compare import CompareScreen  # on first use, not at start-up (bench_pdf_open.py)

        if self.opened is None:
            self.notify("Open a document first.", severity="warning")
            return
        self.app.push_screen(CompareScreen(self.library, self.opened.document.id, doc_id, cursor_a=self.view.cursor))

    def action_open_beside(self) -> None:
        """ctrl+o: the highlighted search hit beside the open document, at the hit."""
        results = self.query_one("#results", OptionList)
        option_id = ""
        if results.display and results.highlighted is not None:
            option_id = results.get_option_at_index(results.highlighted).id or ""
        if self.opened is None or not option_id.startswith("hit:"):
            self.notify("Open a document, then highlight a search hit to open it beside.", severity="warning")
            return
        hit = self.hits[int(option_id[4:])]
        from reader.screens.compare import CompareScreen

        self.app.push_screen(
            CompareScreen(
                self.library, self.opened.document.id, hit.doc_id, cursor_a=self.view.cursor, matches_b=hit.spans
            )
        )

    # ------------------------------------------------------------------ analytic views

    def action_concordance(self) -> None:
        """`K`: every match of the search (or of a query typed there) in context."""
        from reader.screens.concordance import ConcordanceScreen

        screen = ConcordanceScreen(self.library, self.search_box.value.strip(), sort=self._kwic_sort)

        def done(target: OpenAt | None) -> None:
            self._kwic_sort = screen.sort  # its order, next time
            self.open_at(target)

        self.app.push_screen(screen, done)

    def action_code_matrix(self) -> None:
        """`M`: documents (or an attribute) by tags, with the passages behind each count."""
        from reader.screens.code_matrix import CodeMatrixScreen

        self.app.push_screen(CodeMatrixScreen(self.library), self.open_at)

    def action_cooccurrence(self) -> None:
        """`O`: pairs of tags on overlapping passages or in one paragraph."""
        from reader.screens.cooccurrence import CooccurrenceScreen

        self.app.push_screen(CooccurrenceScreen(self.library), self.open_at)

    def action_frequencies(self) -> None:
        """`F`: the most frequent words, passages per tag, documents over time."""
        from reader.screens.frequencies import FrequenciesScreen

        self.app.push_screen(FrequenciesScreen(self.library), self.open_at)

    def open_at(self, target: OpenAt | None) -> None:
        """A view closed on a span: open its document there, select the span and, when asked,
        open the tag dialog on it."""
        if target is None:
            return
        self.open_document(
            target.doc_id,
            cursor=target.start,
            annotation_id=target.annotation_id,
            select=(target.start, target.end) if target.select else None,
            tag=target.tag,
        )

    # ------------------------------------------------------------------ export and import

    def action_export(self) -> None:
        """`E`: the export dialog, on the whole store or the last choice (the open document is
        listed first; neither it nor the search narrows the export unless chosen there). It
        exports what the app shows: with only one coder's work shown (blind coding), only theirs."""
        store = self.library.shown
        titles = {row.id: row.title for row in self.rows}
        docs = [(doc, titles.get(doc, doc)) for doc in sorted({a.doc for a in store.annotations()})]
        from reader.dialogs.export import ExportDialog  # on first use, not at start-up (bench_pdf_open.py)

        self.app.push_screen(
            ExportDialog(
                self.library.paths,
                tags=self.library.tags(),
                docs=docs,
                doc=self.opened.document.id if self.opened is not None else None,
                store=store,
                index=self.library.index,
                view=self.library.showing_label,
            )
        )

    def action_import_annotations(self) -> None:
        """`I`: import a .qdpx or W3C file into the store (one undo step), then redraw."""

        def done(report: ImportReport | None) -> None:
            if report is not None and report.added:
                self.annotations_changed()

        from reader.dialogs.importing import ImportDialog  # on first use, not at start-up (bench_pdf_open.py)

        self.app.push_screen(
            ImportDialog(self.library.paths, store=self.library.store, corpus=self.library.index.corpus), done
        )

    # ------------------------------------------------------------------ codebook

    def action_codebook(self) -> None:
        """`c`: the codebook (tags as a tree; every passage of a tag)."""
        titles = {row.id: row.title for row in self.rows}

        codebook = CodebookScreen(self.library, titles, select=self._codebook_tag)

        def done(jump: Jump | WalkStart | None) -> None:
            self._codebook_tag = codebook.selected_tag  # its cursor, next time
            self.annotations_changed()  # tags may have been renamed, recoloured, deleted
            if isinstance(jump, WalkStart):
                self.start_walk(jump)
            elif jump is not None:
                doc_id, annotation_id = jump
                self.open_document(doc_id, annotation_id=annotation_id)

        self.app.push_screen(codebook, done)
