"""Issue 14 ("the first hour with reader"), items 9 and 10: the first screen and the many smaller
things a new user ran into. Each test failed before its fix."""

from __future__ import annotations

import shutil

from textual.widgets import Static

from reader.app import ReaderApp, create_app
from reader.widgets.document_list import DocumentList

from conftest import SEEDS, make_paths


async def settle(app: ReaderApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def plain_corpus(tmp_path, titles: list[str]):
    """A corpus of documents with a title line and no source or date."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, title in enumerate(titles):
        body = f"{title}\n\nThe body of document {n} says a few ordinary things about it.\n"
        (corpus / f"doc{n}.txt").write_text(body, encoding="utf-8")
    return make_paths(tmp_path, corpus)


async def test_empty_columns_give_their_room_to_the_title(tmp_path):
    """Item 9: empty Source and Date columns held the room while titles were cut."""
    title = "Iraqi militias fighting in Syria return home after the truce"  # 61 characters
    app = create_app(plain_corpus(tmp_path, [title, "A short one"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#documents", DocumentList)
        assert [str(c.label) for c in table.columns.values()] == ["Title", "Words"]
        assert table.columns["title"].width >= 45
        # the seeds (one source and one date among five) keep those columns, as narrow as their values
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    app = create_app(make_paths(tmp_path / "s", seeds))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#documents", DocumentList)
        assert [str(c.label) for c in table.columns.values()] == ["Title", "Source", "Date", "Words"]
        assert table.columns["words"].width == len("Words")
        assert table.columns["title"].width >= 24


async def test_the_first_screen_hint_is_not_cut(tmp_path):
    """Item 9: the hint read `...or search wit…`."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    for size in ((120, 40), (80, 24)):
        app = create_app(make_paths(tmp_path / f"{size[0]}", seeds))
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            header = app.screen.query_one("#doc-header", Static)
            shown = " ".join(header.render_line(y).text.strip() for y in range(header.size.height))
            assert "search with /" in shown, shown
