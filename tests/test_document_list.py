"""The document list on its own: every count shown whole."""

from __future__ import annotations

from textual.app import App, ComposeResult

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
