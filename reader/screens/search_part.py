"""The main screen's search half: search as you type, the hits.

`SearchPart` is a base class of `MainScreen` (reader/screens/main.py): the sidebar's search box,
its message line and the results list are driven from here; indexing on open and its progress
bar are its own base, `IndexingPart` (reader/screens/indexing_part.py).

- search as you type: each keystroke starts an exclusive worker that first waits out the
  debounce delay, so a newer keystroke cancels it before it searches; a result that arrives for a
  query no longer in the box is dropped;
- Enter acts on the query as typed: pressed before its results are shown, it searches at once
  and opens the first hit when they arrive.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from index.document import Span
from reader.safe_text import sanitize
from reader.screens.document_matches import match_index, match_options
from reader.screens.indexing_part import IndexingPart
from reader.screens.variant_notes import added_spellings_message
from reader.widgets.document_list import DocumentList
from reader.wording import plural
from reader.widgets.in_order_input import InOrderInput

if TYPE_CHECKING:  # index.search (Whoosh's query parser) is imported by the first search
    from index.search import Hit, QueryError, SearchResults
    from reader.services import DocumentRow, Library, OpenDocument
    from reader.widgets.document_view import DocumentView

Scope = Literal["corpus", "document"]

SEARCH_DELAY = 0.15
"""Debounce: seconds a keystroke waits for the next one before searching."""
PAGE_SIZE = 20
SNIPPET_LIMIT = 140
"""Characters of a hit's snippet shown in the results list (two or three lines of the sidebar)."""
SNIPPET_LEAD = 30
"""Characters of context kept before the first match when a snippet is cut."""
MORE_ID = "more"
SUGGESTION_PREFIX = "suggest:"


def trim_snippet(snippet: str, spans: tuple[Span, ...], limit: int = SNIPPET_LIMIT) -> tuple[str, list[Span]]:
    """At most `limit` characters of `snippet`, from a little before its first match, with the
    spans moved along (an ellipsis marks a cut)."""
    if len(snippet) <= limit:
        return snippet, list(spans)
    first = spans[0].start if spans else 0
    start = max(0, min(first - SNIPPET_LEAD, len(snippet) - limit))
    space = snippet.find(" ", start, first) if start else -1
    if space != -1:
        start = space + 1
    lead = "…" if start else ""
    end = start + limit
    text = lead + snippet[start:end].rstrip() + ("…" if end < len(snippet) else "")
    shift = len(lead) - start
    moved = [
        Span(max(0, s.start + shift), min(len(text), s.end + shift)) for s in spans if s.end > start and s.start < end
    ]
    return text, moved


def hit_prompt(hit: Hit) -> Content:
    """A result: the title in bold, then the snippet with every match highlighted."""
    title = Content(sanitize(hit.title)).stylize("bold")
    if not hit.snippet:
        return Content("\n").join(
            [title, Content("(no snippet: the file changed since it was indexed)").stylize("italic")]
        )
    text, spans = trim_snippet(hit.snippet, hit.snippet_spans)
    snippet = Content(sanitize(text).replace("\n", " "))
    for span in spans:
        snippet = snippet.stylize("bold $text-warning on $warning-muted", span.start, span.end)
    return Content("\n").join([title, snippet])


class SearchBox(InOrderInput):
    """The search input: escape leaves it, down moves into the results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", show=False, id="reader.search.leave"),
        Binding("down", "results", "Results", show=False, id="reader.search.results"),
    ]

    def action_leave(self) -> None:
        self.screen.leave_search()  # type: ignore[attr-defined]

    def action_results(self) -> None:
        self.screen.focus_results()  # type: ignore[attr-defined]


class SearchSidebar(Vertical):
    """The sidebar: the search box, its message line, the indexing progress bar, and either
    the search results (a query) or the document list (no query)."""

    def compose(self) -> ComposeResult:
        yield SearchBox(id="search")
        yield Static("", id="search-message")
        with Horizontal(id="indexing"):
            yield Static("Indexing", id="indexing-label")
            yield ProgressBar(id="index-progress", show_eta=False)
        yield OptionList(id="results")
        yield DocumentList(id="documents")


class SearchPart(IndexingPart):
    """The main screen's search (see the module docstring) on top of its indexing
    (reader/screens/indexing_part.py); MainScreen sets up the attributes declared here."""

    library: Library
    rows: list[DocumentRow]
    conflicts_listed: int
    hits: list[Hit]
    results: SearchResults | None
    opened: OpenDocument | None
    scope: Scope
    exact_spelling: bool  # ctrl+g: the spellings typed only (index/variants.py adds none)

    if TYPE_CHECKING:  # provided by MainScreen

        def open_document(self, doc_id: str, matches: tuple[Span, ...] = ()) -> None: ...

    _shown: tuple[str, Scope] | None = None
    """The query (and scope) whose results are on screen."""
    _enter_pending: tuple[str, Scope] | None = None
    """Enter was pressed on this query before its results were shown."""
    _searches = 0
    """Searches asked for so far: a count belongs to the last one only (`_show_total`)."""

    @property
    def search_box(self) -> SearchBox:
        return self.query_one("#search", SearchBox)

    @property
    def view(self) -> DocumentView:
        return self.query_one("#document")  # type: ignore[return-value]

    # ------------------------------------------------------------------ document list

    def show_documents(self, rows: list[DocumentRow]) -> None:
        self.rows = rows
        self.query_one("#documents", DocumentList).show(rows)
        conflicts = sum(row.conflicts for row in rows)
        if conflicts != self.conflicts_listed:  # the status bar's warning follows the list
            self.conflicts_listed = conflicts
            self.refresh_bindings()  # `X` is shown only while there are conflicts
            update = getattr(self, "_update_status", None)
            if update is not None:
                update()

    @on(DataTable.RowSelected, "#documents")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_document(str(event.row_key.value))

    # ------------------------------------------------------------------ search

    def action_focus_search(self) -> None:
        """`/`: search; within the open document when the reader has the focus.

        A priority binding: Textual hands a key to the focused widget as it arrives and runs
        ordinary bindings only when it comes back unhandled, so a word typed fast after `/`
        (tmux, a paste, a quick typist) was already on its way to the reader, which took it
        as commands (`u` undid, `c` opened the codebook) and the word was lost. Run first, `/`
        moves the focus before the next key is handed out. In a text box it types a `/`."""
        if isinstance(self.focused, Input):
            raise SkipAction()
        in_document = self.focused is self.view and self.opened is not None
        self.set_scope("document" if in_document else "corpus")
        self.focus_search_box()

    def action_toggle_scope(self) -> None:
        """Switch the search between the whole corpus and the open document."""
        if self.scope == "corpus" and self.opened is None:
            self.notify("Open a document first to search within it.", severity="warning")
            return
        self.set_scope("document" if self.scope == "corpus" else "corpus")
        self.focus_search_box()

    def action_toggle_exact(self) -> None:
        """ctrl+g: search only the spellings typed, or with their variants again."""
        self.exact_spelling = not self.exact_spelling
        self.notify("Exact spelling only." if self.exact_spelling else "Variant spellings searched too.", timeout=2)
        self.search(delay=0)

    def set_scope(self, scope: Scope) -> None:
        if scope == self.scope:
            return
        self.scope = scope
        self._update_scope()
        self.search(delay=0)

    def _update_scope(self) -> None:
        box = self.search_box
        if self.scope == "document" and self.opened is not None:
            box.border_title = "Find in this document"
        else:
            box.border_title = "Search the corpus"
        box.placeholder = 'words, "a phrase", wild*, title:word'
        box.border_subtitle = "ctrl+t: scope"
        if self.scope == "corpus":
            self._show_result_list(bool(box.value.strip()))

    def _show_result_list(self, show: bool) -> None:
        self.query_one("#results").display = show
        self.query_one("#documents").display = not show

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.search()

    @on(Input.Submitted, "#search")
    def _query_submitted(self, event: Input.Submitted) -> None:
        """Enter: open the highlighted hit or take the suggestion (corpus), or go to the current
        match (document), for the query as typed: when its results are not shown yet (the
        debounce is still waiting, or the search running), search now and act when they come."""
        query = self.search_box.value.strip()
        if query and self._shown != (query, self.scope):
            self._enter_pending = (query, self.scope)
            self.search(delay=0)
            return
        self._act_on_enter()

    def _act_on_enter(self) -> None:
        if self.scope == "document":
            self.view.focus()
            return
        results = self.query_one("#results", OptionList)
        if results.display and results.option_count:
            index = results.highlighted if results.highlighted is not None else 0
            self._select_option(results.get_option_at_index(index))

    def search(self, delay: float | None = None, page: int = 1) -> None:
        """Search for what is in the box, after `delay` (default SEARCH_DELAY) unless another
        keystroke comes first."""
        query = self.search_box.value.strip()
        self._searches += 1
        self._message(None)
        if delay is None:
            delay = SEARCH_DELAY
        if not query:
            self._shown = None
            self.workers.cancel_group(self, "search")
            self.hits, self.results = [], None
            self.query_one("#results", OptionList).clear_options()
            if self.scope == "document" and self.opened is not None:
                self.view.set_matches([], current=None)
            self._show_result_list(False)
            return
        if self.scope == "corpus":
            self._show_result_list(True)
        doc_id = self.opened.document.id if self.opened is not None else None
        known = self.results
        total = known.total if known is not None and known.counted and known.query == query and page > 1 else None
        self._run_search(query, self.scope, doc_id, page, delay, not self.exact_spelling, total, self._searches)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def _run_search(
        self,
        query: str,
        scope: Scope,
        doc_id: str | None,
        page: int,
        delay: float,
        variants: bool = True,
        known_total: int | None = None,
        search_number: int = 0,
    ) -> None:
        """The search, then, when it left its total uncounted (a phrase of common words: the
        hits come first), the count, shown when it comes (`known_total`: the page before's)."""
        from index.search import QueryError

        worker = get_current_worker()
        if delay:
            worker.cancelled_event.wait(delay)  # a newer keystroke (or Enter) ends the wait
        if worker.is_cancelled:
            return
        result: SearchResults | tuple[Span, ...] | QueryError
        try:
            if scope == "document" and doc_id is not None:
                result = self.library.match_spans(doc_id, query, variants)
            else:
                result = self.library.search(query, page=page, pagelen=PAGE_SIZE, variants=variants, count=False)
                if not result.counted and known_total is not None:
                    result = replace(result, total=known_total, counted=True)
        except QueryError as error:
            result = error
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._show_search, query, scope, result)
        if not isinstance(result, (tuple, QueryError)) and not result.counted:
            try:
                total = self.library.count_hits(query, variants=variants, cancelled=lambda: worker.is_cancelled)
            except Exception:  # the worker fails and the screen says why; the line stops saying "counting"
                self.app.call_from_thread(self._show_total, result, None, search_number)
                raise
            if total is not None and not worker.is_cancelled:
                self.app.call_from_thread(self._show_total, result, total, search_number)

    def _show_total(self, counted: SearchResults, total: int | None, search_number: int) -> None:
        """The count of hits shown first without it, if they are still the ones shown and no
        search was asked for since (a keystroke queued before this call: its search has
        cleared the line and its results are on their way). None: the count failed."""
        if self.results is not counted or search_number != self._searches:
            return
        if total is None:
            self._message(Content(f"{counted.total:,}+ hits (not counted: the count failed)"))
            return
        self.results = replace(counted, total=total, counted=True)
        options = self.query_one("#results", OptionList)
        more = self._more_prompt(self.results)
        if options.option_count and options.get_option_at_index(-1).id == MORE_ID:
            if more is None:
                options.remove_option(MORE_ID)
            else:
                options.replace_option_prompt(MORE_ID, more)
        self._message(self._status(self.results))

    def _show_search(self, query: str, scope: Scope, result: SearchResults | tuple[Span, ...] | QueryError) -> None:
        if query != self.search_box.value.strip() or scope != self.scope:
            return  # a newer query is on its way
        self._shown = (query, scope)
        pending, self._enter_pending = self._enter_pending, None
        if isinstance(result, Exception):  # QueryError
            self._message(Content(result.message).stylize("$text-error"))
            return
        if isinstance(result, tuple):  # spans in the open document
            self._show_document_matches(result)
        else:
            self._show_results(result)
        if pending == (query, scope):
            self._act_on_enter()

    def _show_results(self, results: SearchResults) -> None:
        options = self.query_one("#results", OptionList)
        if results.page == 1:
            self.hits = []
            options.clear_options()
        elif options.option_count and options.get_option_at_index(-1).id == MORE_ID:
            options.remove_option(MORE_ID)
        self.results = results
        start = len(self.hits)
        self.hits.extend(results.hits)
        new: list[Option] = [Option(hit_prompt(hit), id=f"hit:{start + i}") for i, hit in enumerate(results.hits)]
        if results.total == 0:
            for suggestion in results.suggestions[:3]:
                prompt = Content.assemble("Did you mean ", (sanitize(suggestion), "bold"), "?")
                new.append(Option(prompt, id=SUGGESTION_PREFIX + suggestion))
        more = self._more_prompt(results)
        if more is not None:
            new.append(Option(more, id=MORE_ID))
        options.add_options(new)
        if results.page == 1 and options.option_count:
            options.highlighted = 0
        self._message(self._status(results))

    def _more_prompt(self, results: SearchResults) -> Content | None:
        """The last option's text when there are more hits than shown, else None."""
        if results.counted and len(self.hits) >= results.total:
            return None
        if not results.counted and len(results.hits) < results.pagelen:
            return None
        left = f" ({results.total - len(self.hits):,} left)" if results.counted else ""
        return Content(f"More results{left}…").stylize("italic")

    def _status(self, results: SearchResults) -> Content:
        message = self._results_message(results)
        spellings = added_spellings_message(results, self.exact_spelling)
        if spellings is not None:
            message = Content(" · ").join([message, spellings])
        if self._partial:  # a first build is under way: more may be found shortly
            message = Content(" · ").join([message, Content("indexing, more to come").stylize("dim")])
        return message

    def _message(self, content: Content | None) -> None:
        """The line under the search box: totals, suggestions, an invalid query's message."""
        message = self.query_one("#search-message", Static)
        message.update(content or "")
        message.display = content is not None

    @staticmethod
    def _results_message(results: SearchResults) -> Content:
        count = plural(results.total, "hit") if results.counted else f"{results.total:,}+ hits, counting…"
        parts = [Content("No matches" if results.total == 0 else count)]
        if results.suggestions:
            parts.append(
                Content.assemble("did you mean ", (sanitize(results.suggestions[0]), "bold $text-accent"), "?")
            )
        parts.extend(Content(sanitize(note)).stylize("dim") for note in results.notes)
        return Content(" · ").join(parts)

    def _show_document_matches(self, spans: tuple[Span, ...]) -> None:
        view = self.view
        pairs = [(s.start, s.end) for s in spans]
        after = next((i for i, (start, _) in enumerate(pairs) if start >= view.cursor), 0)
        view.set_matches(pairs, current=after if pairs else None)
        total = len(pairs)
        text = f"{plural(total, 'match', 'matches')} in this document"
        self._message(Content(text))
        results = self.query_one("#results", OptionList)  # the matches, not an older list
        self.hits, self.results = [], None
        results.clear_options()
        results.add_options(match_options(view.text, spans))
        results.highlighted = after if pairs else None
        self._show_result_list(True)

    def focus_results(self) -> None:
        if self.scope == "corpus" and self.query_one("#results").display:
            self.query_one("#results").focus()
        elif self.query_one("#documents").display:
            self.query_one("#documents").focus()

    def leave_search(self) -> None:
        """Escape in the search box: back to the reader if a document is open, else the list."""
        if self.opened is not None:
            self.view.focus()
        else:
            self.focus_results()

    @on(OptionList.OptionSelected, "#results")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        self._select_option(event.option)

    def _select_option(self, option: Option) -> None:
        option_id = option.id or ""
        if option_id == MORE_ID and self.results is not None:
            self.search(delay=0, page=self.results.page + 1)
        elif option_id.startswith(SUGGESTION_PREFIX):
            self.search_box.value = option_id[len(SUGGESTION_PREFIX) :]
            self.focus_search_box()
        elif option_id.startswith("hit:"):
            hit = self.hits[int(option_id[4:])]
            self.open_document(hit.doc_id, matches=hit.spans)
        elif (match := match_index(option_id)) is not None:
            self.view.set_matches(self.view.matches, current=match)
            self.view.focus()

    def start_search(self, query: str, scope: Scope = "corpus") -> None:
        """Put `query` in the box and search (the palette's "search" command)."""
        self.set_scope(scope)
        self.search_box.value = query
        self.focus_search_box()
