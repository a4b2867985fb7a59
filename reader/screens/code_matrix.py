"""The code matrix view: documents (or the values of a document attribute) by tags.

A table of counts from `reader.analytics.matrix.code_matrix`, computed in a thread worker: one
row per document (or per value of `source`, `date` or a free attribute such as `outlet`), one
column per tag, a total row and a total column. A cell counts tagged passages, or with `m` the
characters they cover. `g` cycles the rows through documents, source, date and every free
attribute the annotations folder knows; `G` asks for an attribute name. Enter on a cell lists its
passages below the table; enter on a passage closes the view on it (the main screen opens the
document there and selects it); escape in the list goes back to the table.

An annotation with two tags counts in both columns, so totals are distinct passages (or
characters covered), not sums of cells (see `reader/analytics/matrix.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, OptionList
from textual.widgets.option_list import Option

from reader.model import Annotation
from reader.safe_text import sanitize
from reader.dialogs.prompts import PromptDialog
from reader.screens.views import (
    AnalyticsScreen,
    OpenAt,
    Timer,
    passage_label,
    plain,
    right,
)
from reader.services import Library
from reader.widgets.labels import one_line, plural

if TYPE_CHECKING:
    from reader.analytics.matrix import CodeMatrix

ROW_COLUMN = "_row"
TOTAL = "_total"
ROW_LABEL_WIDTH = 34
BUILTIN_GROUPS = ("doc", "source", "date")


class CodeMatrixScreen(AnalyticsScreen):
    """Rows by tags, with totals; the passages behind any cell."""

    VIEW_TITLE = "Code matrix"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_measure", "Passages/characters", id="reader.matrix.measure"),
        Binding("g", "next_grouping", "Rows by…", id="reader.matrix.group"),
        Binding("G", "ask_grouping", "Rows by attribute", key_display="G", id="reader.matrix.group.ask"),
    ]

    def __init__(self, library: Library, by: str = "doc", measure: str = "passages") -> None:
        super().__init__(library)
        self.by = by  # "doc" or an attribute name
        self.measure = measure
        self.matrix: CodeMatrix | None = None
        self.attribute_names: list[str] = []
        self.listed: list[Annotation] = []

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="matrix-table", cursor_type="cell", zebra_stripes=True)
        passages = OptionList(id="matrix-passages", classes="view-passages")
        passages.display = False
        yield passages

    def on_mount(self) -> None:
        self.query_one("#matrix-table").focus()
        self.recompute()

    @property
    def table(self) -> DataTable:
        return self.query_one("#matrix-table", DataTable)

    @property
    def passages(self) -> OptionList:
        return self.query_one("#matrix-passages", OptionList)

    # ------------------------------------------------------------------ computing

    def recompute(self) -> None:
        self.set_status([f"Counting ({self._describe()})…"])
        self._compute(self.by, self.measure)

    def _describe(self) -> str:
        rows = "by document" if self.by == "doc" else f"by {self.by}"
        return f"{rows} · counting {self.measure}"

    @work(thread=True, exclusive=True, exit_on_error=False, group="matrix")
    def _compute(self, by: str, measure: str) -> None:
        from reader.analytics.matrix import code_matrix

        timer = Timer()
        store = self.library.shown
        grouping = "doc" if by == "doc" else ("attribute", by)
        matrix = code_matrix(store, self.library.index.documents(), grouping, measure)  # type: ignore[arg-type]
        names = sorted({name for doc in store.documents() for name in store.attributes(doc).attributes})
        titles = self.titles()
        self.app.call_from_thread(self._show, matrix, names, titles, str(timer))

    def _show(self, matrix: CodeMatrix, names: list[str], titles: dict[str, str], elapsed: str) -> None:
        if (matrix.by, matrix.measure) != (self.by, self.measure):
            return  # a newer computation is on its way
        self.matrix = matrix
        self.attribute_names = names
        self._titles = titles
        table = self.table
        table.clear(columns=True)
        label = "Document" if matrix.by == "doc" else matrix.by
        table.add_column(plain(label, "bold"), width=ROW_LABEL_WIDTH, key=ROW_COLUMN)
        numbers = [*matrix.cells.values(), *matrix.column_totals.values(), matrix.grand_total]
        digits = len(f"{max(numbers, default=0):,}")
        widths = {}
        for tag in matrix.columns:
            widths[tag] = max(cell_len(sanitize(tag)), digits)
            table.add_column(right(sanitize(tag), widths[tag], "bold"), width=widths[tag], key=tag)
        widths[TOTAL] = max(5, digits)
        table.add_column(right("Total", widths[TOTAL], "bold"), width=widths[TOTAL], key=TOTAL)
        for row in matrix.rows:
            name = matrix.row_labels.get(row) or row
            cells: list[Text] = [plain(name, "", ROW_LABEL_WIDTH)]
            for tag in matrix.columns:
                n = matrix.cell(row, tag)
                cells.append(right(f"{n:,}", widths[tag]) if n else right("·", widths[tag], "dim"))
            cells.append(right(f"{matrix.row_totals.get(row, 0):,}", widths[TOTAL], "bold"))
            table.add_row(*cells, key=row)
        totals = [plain("Total", "bold")]
        totals += [right(f"{matrix.column_totals.get(tag, 0):,}", widths[tag], "bold") for tag in matrix.columns]
        totals.append(right(f"{matrix.grand_total:,}", widths[TOTAL], "bold"))
        table.add_row(*totals, key=TOTAL)
        if matrix.columns:
            table.move_cursor(row=0, column=1, animate=False)
        rows = (
            plural(len(matrix.rows), "document")
            if matrix.by == "doc"
            else plural(len(matrix.rows), f"value of {matrix.by}", f"values of {matrix.by}")
        )
        if not matrix.rows:
            self.set_status(["No annotations yet: tag passages first", elapsed])
        else:
            self.set_status(
                [
                    f"{rows} × {plural(len(matrix.columns), 'tag')}",
                    f"{matrix.grand_total:,} {self.measure} in all",
                    self._totals_note(matrix),
                    self._describe(),
                    elapsed,
                ]
            )

    def _totals_note(self, matrix) -> str:
        """Say that a Total is not the sum of its cells, when it is not (a passage with two
        tags counts in both columns but once in its row's total)."""
        sums = all(
            matrix.row_totals.get(row, 0) == sum(matrix.cell(row, t) for t in matrix.columns) for row in matrix.rows
        )
        if sums:
            return ""
        what = "passage" if self.measure == "passages" else "character"
        return f"Totals count each {what} once"

    # ------------------------------------------------------------------ passages

    def cell_passages(self, row: str, column: str) -> list[Annotation]:
        """The annotations behind a cell, a row total, a column total or the grand total."""
        matrix = self.matrix
        if matrix is None or column == ROW_COLUMN:
            return []
        rows = matrix.rows if row == TOTAL else (row,)
        tags = matrix.columns if column == TOTAL else (column,)
        found: dict[str, Annotation] = {}
        for r in rows:
            for tag in tags:
                for a in matrix.passages(r, tag):
                    found.setdefault(a.id, a)
        return sorted(found.values(), key=lambda a: (a.doc, a.start, a.id))

    @on(DataTable.CellSelected, "#matrix-table")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        row = str(event.cell_key.row_key.value)
        column = str(event.cell_key.column_key.value)
        self.show_passages(row, column)

    def show_passages(self, row: str, column: str) -> None:
        self.listed = self.cell_passages(row, column)
        box = self.passages
        box.clear_options()
        if not self.listed:
            box.display = False
            self.notify("No passages in this cell.", severity="warning")
            return
        titles = self.titles()
        box.add_options(
            Option(passage_label(a, titles.get(a.doc, a.doc)), id=str(i)) for i, a in enumerate(self.listed)
        )
        matrix = self.matrix
        row_name = "every row" if row == TOTAL else (matrix.row_labels.get(row, row) if matrix is not None else row)
        tag_name = "every tag" if column == TOTAL else column
        count = len(self.listed)
        box.border_title = Content(one_line(f"{plural(count, 'passage')} · {tag_name} · {row_name}", 100))
        box.display = True
        box.highlighted = 0
        box.focus()

    @on(OptionList.OptionSelected, "#matrix-passages")
    def _passage_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        a = self.listed[int(event.option.id or 0)]
        self.follow(OpenAt(a.doc, a.start, a.end, select=True, annotation_id=a.id))

    # ------------------------------------------------------------------ keys

    def action_close(self) -> None:
        """Escape: from the passages back to the table; from the table, close the view."""
        if self.focused is self.passages:
            self.passages.display = False
            self.table.focus()
        else:
            self.dismiss(None)

    def action_toggle_measure(self) -> None:
        """`m`: count passages, or the characters they cover."""
        self.measure = "characters" if self.measure == "passages" else "passages"
        self.recompute()

    def groupings(self) -> list[str]:
        return [*BUILTIN_GROUPS, *(n for n in self.attribute_names if n not in BUILTIN_GROUPS)]

    def action_next_grouping(self) -> None:
        """`g`: rows by document, source, date, then each free attribute, in turn."""
        groups = self.groupings()
        index = groups.index(self.by) if self.by in groups else -1
        self.set_grouping(groups[(index + 1) % len(groups)])

    def action_ask_grouping(self) -> None:
        """`G`: rows by an attribute typed by name."""
        known = ", ".join(self.groupings()[1:])

        def done(name: str | None) -> None:
            if name and name.strip():
                self.set_grouping(name.strip())

        self.app.push_screen(
            PromptDialog("Rows by attribute", f"Known: {sanitize(known)}", placeholder="outlet"),
            done,
        )

    def set_grouping(self, by: str) -> None:
        self.by = by
        self.passages.display = False
        self.recompute()
