"""The document list on its own: every count shown whole."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from reader.services import DocumentRow
from reader.widgets.document_list import DocumentList


class ListApp(App):
    def compose(self) -> ComposeResult:
        yield DocumentList(id="documents")


async def test_the_words_column_shows_large_counts_whole():
    rows = [
        DocumentRow("big.txt", "A very long manual", "man", "2024-01-01", 823_350, 2),
        DocumentRow("small.txt", "A note", None, None, 12, 0),
    ]
    app = ListApp()
    async with app.run_test(size=(120, 20)) as pilot:
        listing = app.query_one(DocumentList)
        listing.show(rows)
        await pilot.pause()
        words = [str(listing.get_cell(row.id, "words")) for row in rows]
        assert words == ["823,350", "12"]
        assert listing.columns["words"].width >= len("823,350")
        shown = [listing.render_line(y).text for y in range(3)]  # header and both rows
        assert "823,350" in shown[1] and "Words" in shown[0], shown


def _columns_row_by_row(rows):
    """The columns as the list measured them before (each row's `_values`): the reference."""
    from rich.cells import cell_len

    from reader.widgets.document_list import FIXED_COLUMNS, _values

    widest: dict[str, int] = {}
    for row in rows:
        for key, value in _values(row).items():
            if value:
                widest[key] = max(widest.get(key, 0), cell_len(value))
    return tuple(
        (
            key,
            label,
            max(cell_len(label), widest[key]) if key == "words" else min(width, max(cell_len(label), widest[key])),
        )
        for key, label, width in FIXED_COLUMNS
        if key in widest
    )


def test_the_columns_measured_per_column_are_those_measured_row_by_row():
    import random

    from reader.widgets.document_list import _columns_for

    rng = random.Random(19)
    texts = [None, "", "man", "a long source name here", "日本語の出典", "\x1b[2J", "\u200b", "2024-01-01", "1999"]
    for case in range(300):
        rows = [
            DocumentRow(
                f"d{i}",
                "t",
                rng.choice(texts),
                rng.choice(texts),
                rng.choice([0, 7, 999, 1000, 823_350, 12_345_678]),
                rng.choice([0, 0, 1, 12, 100_000]),
                conflicts=rng.choice([0, 0, 0, 3, 12]),
                counted=rng.random() > 0.1 or case % 2 == 0,
            )
            for i in range(rng.randrange(0, 8))
        ]
        assert _columns_for(rows) == _columns_row_by_row(rows), rows


def _as_datatable_has_them(listing: DocumentList):
    """The rows in screen order, their line offsets and the virtual size as DataTable itself
    computes them (over every row, measuring every cell): what the list keeps must equal them."""
    ordered = DataTable.ordered_rows.fget(listing)  # type: ignore[attr-defined]
    listing._offset_cache.clear()
    offsets = DataTable._y_offsets.fget(listing)  # type: ignore[attr-defined]
    size = listing.virtual_size
    DataTable._update_dimensions(listing, list(listing.rows))
    measured = listing.virtual_size
    listing.virtual_size = size
    return ordered, offsets, measured


async def test_the_rows_kept_in_order_are_datatables_own():
    """The list's rows in order and line offsets are views of the documents shown, not
    DataTable's structures built over every row: after fills, refills, in-place updates and
    resizes they are what DataTable itself computes from its rows."""
    rows = [
        DocumentRow(f"d{i:04}.txt", f"Title {i}", "src" if i % 3 else None, None, 10 * i, i % 4) for i in range(1_300)
    ]
    app = ListApp()
    async with app.run_test(size=(100, 30)) as pilot:
        listing = app.query_one(DocumentList)
        for shown in (rows, rows[::-1][:700], [*rows[:5], *rows[900:]], rows):
            listing.show(shown)
            while not listing.complete:
                await pilot.pause()
            await pilot.pause()
            ordered, offsets, measured = _as_datatable_has_them(listing)
            assert [r.key for r in listing.ordered_rows] == [r.key for r in ordered]
            assert list(listing._y_offsets) == offsets
            assert listing.virtual_size == measured
            assert [str(listing.get_row_at(i)[0]) for i in (0, len(shown) - 1)] == [shown[0].title, shown[-1].title]
        changed = [DocumentRow(r.id, r.title, r.source, r.date, r.words, r.annotation_count + 1) for r in rows]
        listing.show(changed)  # the same documents: counts changed in place
        await pilot.pause()
        assert list(listing._y_offsets) == _as_datatable_has_them(listing)[1]
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        ordered, offsets, measured = _as_datatable_has_them(listing)
        assert list(listing._y_offsets) == offsets and listing.virtual_size == measured
        listing.focus()
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert listing.current_id == rows[0].id
        await pilot.press("ctrl+end")  # DataTable's key for the last row ("end" scrolls right)
        await pilot.pause()
        assert listing.current_id == rows[-1].id


class ReferenceApp(App):
    """A plain DataTable filled row by row, as the list was before it became virtual."""

    def compose(self) -> ComposeResult:
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)


def _lines(table) -> list:
    return [list(table.render_line(y)) for y in range(table.size.height)]


async def test_the_virtual_list_paints_what_datatable_painted():
    """Every line painted (text and styles, header, zebra stripes, the cursor's row, focused or
    not), at the top, in the middle and at the bottom, is what a DataTable given the same rows
    with `add_row` paints; hostile titles and sources stay text."""
    from reader.widgets.document_list import _cell, _value_cell, _values

    rows = [
        DocumentRow(
            f"d{i:04}.txt",
            "[bold]not markup[/] \x1b[2J" if i == 3 else f"Title {i} " + "long " * (i % 7),
            "[@click=app.quit]src" if i % 5 == 0 else ("日本語" if i % 5 == 1 else None),
            "2024-01-01" if i % 2 else None,
            10 * i,
            i % 4,
            conflicts=1 if i == 8 else 0,
        )
        for i in range(600)
    ]
    pictures = []
    for make in (ListApp, ReferenceApp):
        app = make()
        async with app.run_test(size=(90, 24)) as pilot:
            table = app.query_one("#documents", DataTable)
            if isinstance(table, DocumentList):
                table.show(rows)
                await pilot.pause()  # its width, less the scroll bar, sets the title's
                layout = table._title_width, table._shown_columns
            else:
                title_width, shown = layout
                table.add_column("Title", key="title", width=title_width)
                for key, label, width in shown:
                    table.add_column(label, key=key, width=width)
                for row in rows:
                    values = _values(row)
                    table.add_row(_cell(row.title), *(_value_cell(k, values[k]) for k, _, _ in shown), key=row.id)
            await pilot.pause()
            seen = [_lines(table)]
            table.focus()
            for keys in (("down", "down", "down"), ("pagedown",), ("ctrl+end",), ("up",), ("ctrl+home",)):
                await pilot.press(*keys)
                await pilot.pause()
                seen.append(_lines(table))
            table.move_cursor(row=300, animate=False)
            await pilot.pause()
            seen.append(_lines(table))
            pictures.append(seen)
    assert len(layout[1]) == 5  # every column shown at this width
    listed, reference = pictures
    for at, (a, b) in enumerate(zip(listed, reference)):
        for y, (la, lb) in enumerate(zip(a, b)):
            assert la == lb, (
                at,
                y,
                [(s.text, s.style) for s in la if s not in lb],
                [(s.text, s.style) for s in lb if s not in la],
            )
    assert "[bold]not markup[/]" in "".join(segment.text for line in listed[0] for segment in line)
