"""The frequencies view: the most frequent words, passages per tag, documents over time.

Left, the most frequent words (stop words left out) of the whole corpus (from the index's
statistics) or of the passages under one tag (chosen in the select box, `f`), drawn as bars; enter
on a word opens its concordance, and following a line there closes this view on it too. Right, a
bar chart of passages per tag, and a timeline of documents by date (the user's date if set, else
the document's own) per month; `d` switches between day, month and year. Documents without a
date are counted, not drawn.

Words and tag counts are computed in thread workers (`reader.analytics.frequencies`); bars are
rich `Text` of block characters, every label sanitized.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Select, Static
from textual.widgets.option_list import Option

from reader.safe_text import sanitize
from reader.screens.views import AnalyticsScreen, OpenAt, Timer, bar, plain, right
from reader.services import Library
from reader.widgets.labels import plural

if TYPE_CHECKING:
    from reader.analytics.frequencies import TagCount, TermCount, TimelineEntry

CORPUS = ""
"""The select box's value for the whole corpus."""
TERM_LIMIT = 50
LABEL_WIDTH = 18
TAG_LABEL_WIDTH = 24
DATE_LABEL_WIDTH = 10
BAR_WIDTH = 40
"""The longest bar (cells); narrower panes get shorter bars."""
GRANULARITIES = ("month", "day", "year")


def bar_line(
    label: str, count: int, maximum: int, label_width: int = LABEL_WIDTH, bar_width: int = BAR_WIDTH, style: str = ""
) -> Text:
    """`label  count ████▍` on one line (label sanitized and cut to its width)."""
    name = plain(label, "", label_width)
    padding = " " * max(0, label_width - cell_len(name.plain))
    return Text.assemble(
        name, padding, " ", right(f"{count:,}", 6, "dim"), " ", (bar(count, maximum, bar_width), style or "cyan")
    )


def bar_chart(
    rows: list[tuple[str, int]], label_width: int = LABEL_WIDTH, bar_width: int = BAR_WIDTH, style: str = ""
) -> Text:
    """Several `bar_line`s, scaled to the largest count."""
    maximum = max((n for _, n in rows), default=0)
    return Text("\n").join(bar_line(label, n, maximum, label_width, bar_width, style) for label, n in rows)


class FrequenciesScreen(AnalyticsScreen):
    """Word frequencies, tag counts and a timeline."""

    VIEW_TITLE = "Frequencies"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "focus_tag", "Corpus/tag", id="reader.freq.tag"),
        Binding("d", "next_granularity", "Day/month/year", id="reader.freq.granularity"),
    ]

    def __init__(self, library: Library, tag: str | None = None) -> None:
        super().__init__(library)
        self.tag = tag
        self.granularity = "month"
        self.terms: list[TermCount] = []
        self.tag_counts: list[TagCount] = []
        self.timeline: list[TimelineEntry] = []
        self.undated = 0
        self._terms_time = ""

    def compose_body(self) -> ComposeResult:
        tags = [tag.name for tag in self.library.tags()]
        options = [(Content("Whole corpus"), CORPUS)]
        options += [(Content(sanitize(name)), name) for name in tags]
        value = self.tag if self.tag in tags else CORPUS
        with Horizontal(id="freq-panes"):
            with Vertical(id="freq-left"):
                yield Select(options, value=value, allow_blank=False, id="freq-tag")
                yield Static("", id="freq-terms-heading", classes="freq-heading")
                yield OptionList(id="freq-terms")
            with Vertical(id="freq-right"):
                yield Static("Passages per tag", classes="freq-heading")
                with VerticalScroll(id="freq-tags"):
                    yield Static("", id="freq-tags-chart", classes="freq-chart")
                yield Static("", id="freq-timeline-heading", classes="freq-heading")
                with VerticalScroll(id="freq-timeline"):
                    yield Static("", id="freq-timeline-chart", classes="freq-chart")

    def on_mount(self) -> None:
        self.query_one("#freq-terms").focus()
        self.tag = self.query_one("#freq-tag", Select).value or None  # type: ignore[assignment]
        self._compute_terms(self.tag)
        self._compute_charts(self.granularity)

    # ------------------------------------------------------------------ words

    @on(Select.Changed, "#freq-tag")
    def _tag_changed(self, event: Select.Changed) -> None:
        event.stop()
        tag = event.value or None
        if tag == self.tag:
            return
        self.tag = tag  # type: ignore[assignment]
        self._compute_terms(self.tag)

    def _terms_scope(self, tag: str | None) -> str:
        return f"passages under {tag}" if tag else "the whole corpus"

    @work(thread=True, exclusive=True, exit_on_error=False, group="terms")
    def _compute_terms(self, tag: str | None) -> None:
        from reader.analytics.frequencies import term_frequencies

        self.app.call_from_thread(self._terms_heading, f"Counting the words of {self._terms_scope(tag)}…")
        timer = Timer()
        terms = term_frequencies(self.library.index, self.library.shown, tag, TERM_LIMIT)
        self.app.call_from_thread(self._show_terms, tag, terms, str(timer))

    def _terms_heading(self, text: str) -> None:
        self.query_one("#freq-terms-heading", Static).update(Content(sanitize(text)))

    def _show_terms(self, tag: str | None, terms: list[TermCount], elapsed: str) -> None:
        if tag != self.tag:
            return
        self.terms = terms
        self._terms_time = elapsed
        maximum = max((t.count for t in terms), default=0)
        box = self.query_one("#freq-terms", OptionList)
        width = self._bar_width(box, LABEL_WIDTH, padding=2)
        box.clear_options()
        box.add_options(
            Option(bar_line(t.term, t.count, maximum, bar_width=width), id=str(i)) for i, t in enumerate(terms)
        )
        if terms:
            box.highlighted = 0
        heading = (
            f"Most frequent words of {self._terms_scope(tag)}" if terms else f"No words in {self._terms_scope(tag)}"
        )
        self._terms_heading(heading)
        self._status()

    @on(OptionList.OptionSelected, "#freq-terms")
    def _term_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a word: its concordance; a line followed there closes this view too."""
        event.stop()
        from reader.screens.concordance import ConcordanceScreen

        term = self.terms[int(event.option.id or 0)].term

        def done(target: OpenAt | None) -> None:
            if target is not None:
                self.follow(target)

        self.app.push_screen(ConcordanceScreen(self.library, term), done)

    # ------------------------------------------------------------------ tags and dates

    @work(thread=True, exclusive=True, exit_on_error=False, group="charts")
    def _compute_charts(self, granularity: str) -> None:
        from reader.analytics.frequencies import tag_counts, timeline

        store = self.library.shown
        meta = self.library.index.documents()
        counts = tag_counts(store)
        entries = timeline(meta, store, granularity)
        dated = sum(len(e.doc_ids) for e in entries)
        self.app.call_from_thread(self._show_charts, granularity, counts, entries, len(meta) - dated)

    def _show_charts(
        self, granularity: str, counts: list[TagCount], entries: list[TimelineEntry], undated: int
    ) -> None:
        if granularity != self.granularity:
            return
        self.tag_counts, self.timeline, self.undated = counts, entries, undated
        chart = self.query_one("#freq-tags-chart", Static)
        if counts:
            chart.update(
                bar_chart(
                    [(c.tag, c.count) for c in counts],
                    label_width=TAG_LABEL_WIDTH,
                    bar_width=self._bar_width(chart, TAG_LABEL_WIDTH),
                )
            )
        else:
            chart.update(Content("No tags yet.").stylize("dim"))
        heading = f"Documents per {granularity}"
        if undated:
            heading += f" ({undated} without a {'full ' if granularity != 'year' else ''}date)"
        self.query_one("#freq-timeline-heading", Static).update(Content(heading))
        timeline_chart = self.query_one("#freq-timeline-chart", Static)
        if entries:
            timeline_chart.update(
                bar_chart(
                    [(e.date, len(e.doc_ids)) for e in entries],
                    label_width=DATE_LABEL_WIDTH,
                    style="green",
                    bar_width=self._bar_width(timeline_chart, DATE_LABEL_WIDTH),
                )
            )
        else:
            timeline_chart.update(
                Content("No document has a date: set one with `reader meta DOC --date YYYY-MM-DD`.").stylize("dim")
            )
        self._status()

    @staticmethod
    def _bar_width(widget, label_width: int, padding: int = 0) -> int:
        """What is left of `widget`'s width for the bars, after the label, the count, a
        scrollbar and the `padding` of each line (an OptionList's options have 2). Never more:
        a longer line would push the longest bars out of sight."""
        return max(3, min(BAR_WIDTH, widget.content_size.width - label_width - 8 - 2 - padding))

    def _status(self) -> None:
        documents = sum(len(e.doc_ids) for e in self.timeline)
        self.set_status(
            [
                plural(len(self.terms), "word"),
                plural(len(self.tag_counts), "tag"),
                f"{plural(documents, 'dated document')} in {plural(len(self.timeline), self.granularity)}",
                self._terms_time,
            ]
        )

    # ------------------------------------------------------------------ keys

    def action_focus_tag(self) -> None:
        """`f`: choose the whole corpus or a tag for the word counts."""
        select = self.query_one("#freq-tag", Select)
        select.focus()
        select.expanded = True

    def action_next_granularity(self) -> None:
        """`d`: the timeline per month, day or year."""
        self.granularity = GRANULARITIES[(GRANULARITIES.index(self.granularity) + 1) % len(GRANULARITIES)]
        self._compute_charts(self.granularity)
