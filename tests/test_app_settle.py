"""Pilot tests of the worklist screen (issue 17): every difference between the coders in order,
each coder's version side by side, and the keys that settle them into the `consensus` coder
(annotations written by the store, undone with `u`) or note and mark them (worklist.json)."""

from __future__ import annotations

import json

from textual.widgets import Static

from reader.agreement.settling import CONSENSUS, WORKLIST_FILE
from reader.app import create_app
from reader.dialogs.prompts import PromptDialog
from reader.screens.settle import SettleScreen
from reader.store import AnnotationStore
from reader.widgets.document_view import DocumentView

from test_app import SHAFAQ
from test_app_coders import palette_first
from test_tagging import seeded
from waiting import settle


def coded(seed_paths):
    """ann and bob on SHAFAQ: ann alone on 'Nujaba', both on 'Gaza' with different tags."""
    library = seeded(seed_paths, [])
    document = library.index.load(SHAFAQ)
    text = document.text
    for coder, tag, word in (("ann", "actor", "Nujaba"), ("ann", "place", "Gaza"), ("bob", "conflict", "Gaza")):
        library.store.creator = coder
        start = text.index(word)
        library.store.add(SHAFAQ, text, document.sha256, start, start + len(word), [tag])
    return seed_paths


def header(app) -> str:
    return str(app.screen.query_one("#settle-header", Static).render())


def status(app) -> str:
    return str(app.screen.query_one("#settle-status", Static).render())


def consensus(app):
    return [a for a in AnnotationStore(app.library.paths.annotations).annotations() if a.creator == CONSENSUS]


async def open_worklist(app, pilot) -> SettleScreen:
    await settle(pilot)
    app.screen.query_one("#documents").focus()  # from the document list (the search box types)
    await pilot.pause()
    await pilot.press("D")
    await settle(pilot)
    await settle(pilot)
    assert isinstance(app.screen, SettleScreen)
    return app.screen


async def test_the_worklist_lists_differences_with_each_coders_version(seed_paths):
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_worklist(app, pilot)
        assert header(app).startswith("difference 1 of 2  ·  missing")
        views = list(screen.query(DocumentView))
        assert len(views) == 2 and all(v.doc_id == SHAFAQ for v in views)
        nujaba = views[0].text.index("Nujaba")
        assert [(h.start, h.label) for h in views[0].highlights][0] == (nujaba, "actor")
        labels = [str(s.render()) for s in screen.query(".settle-coder")]
        assert labels == ["1  ann: actor", "2  bob: (nothing here)"]
        await pilot.press("n")
        await pilot.pause()
        assert header(app).startswith("difference 2 of 2  ·  tags")
        await pilot.press("p")
        await pilot.pause()
        assert header(app).startswith("difference 1 of 2")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen


async def test_the_palette_opens_the_worklist(seed_paths):
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await palette_first(app, pilot, "settle differences", "Settle differences")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SettleScreen)


async def test_accept_one_coder_both_and_undo(seed_paths):
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_worklist(app, pilot)
        await pilot.press("1")  # ann's version of difference 1
        await settle(pilot)
        assert [a.tags for a in consensus(app)] == [("actor",)]
        assert "consensus: actor (1)" in status(app)
        await pilot.press("n", "b")  # both versions of difference 2
        await settle(pilot)
        assert sorted(a.tags for a in consensus(app)) == [("actor",), ("conflict",), ("place",)]
        await pilot.press("b")  # again: nothing new
        await settle(pilot)
        assert len(consensus(app)) == 3
        await pilot.press("u")
        await settle(pilot)
        assert [a.tags for a in consensus(app)] == [("actor",)]
        assert "consensus: not settled" in status(app)
        # the compared coders stay ann and bob: the list did not move
        assert header(app).startswith("difference 2 of 2")


async def test_accept_the_second_coder_and_neither(seed_paths):
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_worklist(app, pilot)
        await pilot.press("0")
        await settle(pilot)
        assert consensus(app) == [] and "consensus: neither" in status(app)
        await pilot.press("n", "2")
        await settle(pilot)
        assert [a.tags for a in consensus(app)] == [("conflict",)]
    saved = json.loads((seed_paths.annotations / WORKLIST_FILE).read_text(encoding="utf-8"))
    assert sorted(v["decision"] for v in saved["places"].values()) == ["bob", "neither"]


async def test_note_and_discussed_are_kept_across_sessions(seed_paths):
    paths = coded(seed_paths)
    app = create_app(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_worklist(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await pilot.press(*"ask [b]bob[/b]", "enter")
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert "discussed" in status(app) and "note: ask [b]bob[/b]" in status(app)
    app = create_app(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_worklist(app, pilot)
        assert "discussed" in status(app) and "note: ask [b]bob[/b]" in status(app)
        await pilot.press("d")
        await pilot.pause()
        assert "discussed" not in status(app)


async def test_a_damaged_worklist_file_is_never_overwritten(seed_paths):
    paths = coded(seed_paths)
    (paths.annotations / WORKLIST_FILE).write_text("{broken", encoding="utf-8")
    app = create_app(paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_worklist(app, pilot)
        assert "cannot be read" in status(app)
        await pilot.press("d")
        await settle(pilot)
        assert any("Cannot save" in n.message for n in app._notifications)
    assert (paths.annotations / WORKLIST_FILE).read_text(encoding="utf-8") == "{broken"


async def test_one_coder_has_nothing_to_settle(seed_paths):
    seeded(seed_paths, [("actor", "Nujaba")])
    app = create_app(seed_paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_worklist(app, pilot)
        assert header(app).startswith("Nothing to settle: agreement needs two coders")
        await pilot.press("n", "1", "b", "0", "d")  # nothing to act on: no error
        await settle(pilot)
        assert consensus(app) == []
