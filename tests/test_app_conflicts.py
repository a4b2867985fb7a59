"""Pilot tests of the conflicts screen: a git merge's conflicts (made by the real merge driver
from two coders' copies) are shown in the document list and the status bar, `X` lists them with
their versions, a digit keeps one, and `u` brings the conflict back. At 120x40 and 80x24."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import OptionList, Static

from reader.app import create_app
from reader.conflict_service import differing
from reader.screens.conflicts import ConflictsScreen
from reader.services import Library
from reader.store import AnnotationStore
from reader.store.paths import doc_path
from reader.teams.merge_driver import main as driver_main

from app_helpers import status_text, toasts
from test_app import SHAFAQ
from waiting import settle

SIZES = [(120, 40), (80, 24)]


def conflicted(paths) -> dict[str, str]:
    """SHAFAQ coded by the lead; ann and bob edit two annotations differently (bob's quote
    carries markup-like text and a control character), ann deletes a third that bob edits;
    the real driver merges bob's file into ann's, which is the app's annotations folder."""
    library = Library(paths)
    library.update_index()
    document = library.index.load(SHAFAQ)
    text = document.text
    lead = library.store
    lead.creator = "lead"
    ids = {}
    for name, word in (("nujaba", "Nujaba"), ("gaza", "Gaza"), ("iraq", "Iraqi")):
        start = text.index(word)
        ids[name] = lead.add(SHAFAQ, text, document.sha256, start, start + len(word), ["actor"]).id
    folder = paths.annotations
    base, theirs = folder.parent / "base", folder.parent / "bob"
    shutil.copytree(folder, base)
    shutil.copytree(folder, theirs)
    ann, bob = AnnotationStore(folder, creator="ann"), AnnotationStore(theirs, creator="bob")
    ann.edit(ids["nujaba"], tags=["actor/militia"])
    bob.edit(ids["nujaba"], note="[bold]not markup[/bold] \x1b[31mred")
    ann.edit(ids["gaza"], tags=["place"])
    bob.edit(ids["gaza"], tags=["place/city"])
    ann.delete(ids["iraq"])
    bob.edit(ids["iraq"], note="kept by bob")
    files = [str(doc_path(f, SHAFAQ)) for f in (base, folder, theirs)]
    assert driver_main([*files, SHAFAQ]) == 0
    assert len(AnnotationStore(folder).conflicts()) == 3
    return ids


def detail(app) -> str:
    return str(app.screen.query_one("#conflicts-detail", Static).render())


def header(app) -> str:
    return str(app.screen.query_one("#conflicts-header", Static).render())


async def open_conflicts(app, pilot) -> ConflictsScreen:
    await settle(pilot)
    app.screen.query_one("#documents").focus()  # from the document list (the search box types)
    await pilot.pause()
    await pilot.press("X")
    await settle(pilot)
    await settle(pilot)
    assert isinstance(app.screen, ConflictsScreen) and app.screen.loaded
    return app.screen


def test_the_fields_that_differ_are_named():
    from reader.conflict_service import VersionRow

    from reader.model import Annotation, TextPositionSelector, TextQuoteSelector

    def ann(tags, note="", start=0):
        return Annotation(
            id="x",
            doc="d",
            doc_sha256="s",
            position=TextPositionSelector(start, start + 4),
            quote=TextQuoteSelector("word", "", ""),
            tags=tuple(tags),
            note=note,
            creator="c",
            created="t",
            modified="t",
        )

    same = differing((VersionRow(1, "ours", ann(["a"])), VersionRow(2, "theirs", ann(["a"], "n"))))
    assert same == {"note"}
    moved = differing((VersionRow(1, "ours", ann(["a"])), VersionRow(2, "theirs", ann(["a"], start=9))))
    assert moved == {"quote"}
    gone = differing((VersionRow(1, "ours", None), VersionRow(2, "theirs", ann(["b"]))))
    assert gone == {"deleted"}


@pytest.mark.parametrize("size", SIZES)
async def test_conflicts_are_shown_listed_and_resolved_and_undo_brings_them_back(seed_paths, size):
    ids = conflicted(seed_paths)
    app = create_app(seed_paths)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        assert "⚠ 3 merge conflicts (X)" in status_text(app)
        row = next(r for r in app.main_screen.rows if r.id == SHAFAQ)
        assert row.conflicts == 3
        table = app.screen.query_one("#documents")
        assert "conflicts" in [str(c.value) for c in table.columns]
        screen = await open_conflicts(app, pilot)
        assert header(app).startswith("3 merge conflicts in 1 document  ·  conflict 1 of 3")
        listing = screen.query_one("#conflicts-list", OptionList)
        assert listing.option_count == 3 and app.focused is listing
        # the first listed is the one whose id sorts first: find each by id
        order = [r.id for r in screen.rows]
        assert sorted(order) == sorted(ids.values())
        listing.highlighted = order.index(ids["nujaba"])
        await pilot.pause()
        text = detail(app)
        assert "1 ours" in text and "2 theirs" in text
        assert "≠ tags" in text and "≠ note" in text and "  coder" in text
        assert "[bold]not markup[/bold]" in text and "\x1b" not in text  # shown as text, sanitised
        assert "placed: anchored" in text

        await pilot.press("2")  # keep bob's version
        await settle(pilot)
        await settle(pilot)
        assert AnnotationStore(seed_paths.annotations).get(ids["nujaba"]).tags == ("actor",)
        assert [c.id for c in AnnotationStore(seed_paths.annotations).conflicts()] == sorted([ids["gaza"], ids["iraq"]])
        assert screen.query_one("#conflicts-list", OptionList).option_count == 2
        assert header(app).startswith("2 merge conflicts")
        assert any("Resolved: kept version 2 (theirs)" in t for t in toasts(app))

        await pilot.press("u")
        await settle(pilot)
        await settle(pilot)
        assert len(AnnotationStore(seed_paths.annotations).conflicts()) == 3
        assert screen.query_one("#conflicts-list", OptionList).option_count == 3

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main_screen
        assert "⚠ 3 merge conflicts (X)" in status_text(app)


async def test_keeping_a_deletion_deletes_and_the_last_one_empties_the_list(seed_paths):
    ids = conflicted(seed_paths)
    app = create_app(seed_paths)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_conflicts(app, pilot)
        order = [r.id for r in screen.rows]
        screen.query_one("#conflicts-list", OptionList).highlighted = order.index(ids["iraq"])
        await pilot.pause()
        assert "1 ours · deleted" in detail(app)
        await pilot.press("9")  # no such version: said, nothing changed
        await settle(pilot)
        assert any("versions 1 to 2" in t for t in toasts(app))
        assert len(AnnotationStore(seed_paths.annotations).conflicts()) == 3
        await pilot.press("1")
        await settle(pilot)
        await settle(pilot)
        assert ids["iraq"] not in [a.id for a in AnnotationStore(seed_paths.annotations).annotations()]
        for _ in range(2):
            await pilot.press("1")
            await settle(pilot)
            await settle(pilot)
        assert not AnnotationStore(seed_paths.annotations).conflicts()
        assert header(app).startswith("No merge conflicts")
        await pilot.press("escape")
        await settle(pilot)
        assert "merge conflict" not in status_text(app)
        row = next(r for r in app.main_screen.rows if r.id == SHAFAQ)
        assert row.conflicts == 0


async def test_the_key_is_in_the_help_and_the_palette_and_blind_coding_keeps_it_closed(seed_paths):
    conflicted(seed_paths)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        from reader.screens.help import key_groups

        keys = [(row.keys, row.what) for group in key_groups(app.screen) for row in group.rows]
        assert any("X" in k and d == "Conflicts" for k, d in keys)
        from reader.services import MINE

        app.library.showing = MINE
        app.screen.query_one("#documents").focus()
        await pilot.pause()
        await pilot.press("X")
        await settle(pilot)
        assert app.screen is app.main_screen
        assert any("Blind coding" in t for t in toasts(app))
