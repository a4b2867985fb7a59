"""Blind coding is blind everywhere (issue 17): while the app shows only one coder's work, the
app's exports, the concordance's tagging, the tag walk, co-occurrence, the code matrix,
frequencies, the codebook and the recent tags follow that view.

Every test has two coders on one document (SHAFAQ): ann codes `actor` on "Nujaba" and `place`
on "Gaza"; bob codes `conflict` on the same "Gaza" and `place` on "Tehran". The app codes as
ann and shows only her coding (blind coding) unless a test says otherwise.
"""

from __future__ import annotations

import json

import pytest

from reader.app import create_app
from reader.screens.code_matrix import CodeMatrixScreen
from reader.screens.codebook import CodebookScreen
from reader.screens.concordance import ConcordanceScreen
from reader.screens.cooccurrence import CooccurrenceScreen
from reader.dialogs.export import ExportDialog
from reader.screens.frequencies import FrequenciesScreen
from reader.dialogs.tag import TagDialog
from reader.services import MINE, Library

from app_helpers import status_text
from test_app import SHAFAQ
from test_tagging import open_shafaq, seeded
from waiting import pilot_wait_until, settle

CODING = (("ann", "actor", "Nujaba"), ("ann", "place", "Gaza"), ("bob", "conflict", "Gaza"), ("bob", "place", "Tehran"))


@pytest.fixture()
def two_coders(seed_paths, monkeypatch):
    library = seeded(seed_paths, [])
    document = library.index.load(SHAFAQ)
    for coder, tag, word in CODING:
        library.store.creator = coder
        start = document.text.index(word)
        library.store.add(SHAFAQ, document.text, document.sha256, start, start + len(word), [tag])
    monkeypatch.setenv("READER_CODER", "ann")
    return seed_paths


async def blind(app, pilot, showing=MINE) -> None:
    await settle(pilot)
    app.library.showing = showing
    app.main_screen.annotations_changed()
    await settle(pilot)


async def open_view(app, pilot, key: str, kind):
    await open_shafaq(app, pilot)
    await pilot.press(key)
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, kind), f"{key} opens the view")
    await settle(pilot)
    return app.screen


async def test_the_export_dialog_exports_only_what_is_shown(two_coders, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot)
        await open_shafaq(app, pilot)
        await pilot.press("E")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), "E opens")
        await settle(pilot)
        preview = str(app.screen.query_one("#export-preview").render())
        assert preview.startswith("2 annotations will be exported: only mine (blind coding)"), preview
        app.screen.query_one("#export-format").value = "jsonl"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot_wait_until(pilot, lambda: app.screen is app.main_screen, "the export ends")
        await settle(pilot)
    written = list(tmp_path.glob("reader-export-*.jsonl"))
    assert len(written) == 1
    rows = [json.loads(line) for line in written[0].read_text(encoding="utf-8").splitlines()]
    assert sorted((row["tag"], row["coder"]) for row in rows) == [("actor", "ann"), ("place", "ann")]


async def test_everyones_view_exports_everyone(two_coders, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot, showing=None)
        await open_shafaq(app, pilot)
        await pilot.press("E")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), "E opens")
        await settle(pilot)
        preview = str(app.screen.query_one("#export-preview").render())
        assert preview.startswith("4 annotations will be exported: the whole store"), preview


async def _export_preview(app, pilot) -> str:
    await open_shafaq(app, pilot)
    await pilot.press("E")
    await pilot_wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), "E opens")
    await pilot_wait_until(
        pilot, lambda: "exported" in str(app.screen.query_one("#export-preview").render()), "the count shows"
    )
    return str(app.screen.query_one("#export-preview").render())


async def test_the_export_dialog_says_its_filtered_count_is_only_the_shown_coding(two_coders, tmp_path, monkeypatch):
    """With a filter the count still says whose coding it counts (it is not the store's)."""
    monkeypatch.chdir(tmp_path)
    app = create_app(two_coders)
    async with app.run_test(size=(80, 24)) as pilot:
        await blind(app, pilot)
        await _export_preview(app, pilot)
        tags = app.screen.query_one("#export-tags")
        tags.select("place")
        await pilot_wait_until(
            pilot, lambda: str(app.screen.query_one("#export-preview").render()).startswith("1 of 2"), "recount"
        )
        preview = str(app.screen.query_one("#export-preview").render())
        assert preview.startswith("1 of 2 annotations will be exported, only mine (blind coding)"), preview


async def test_the_export_dialog_names_the_one_coder_shown(two_coders, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot, showing="bob")
        preview = await _export_preview(app, pilot)
        assert preview.startswith("2 annotations will be exported: only bob's coding, as shown"), preview


async def test_the_tag_walk_visits_only_the_shown_coders_passages(two_coders):
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await blind(app, pilot)
        view = await open_shafaq(app, pilot, at="Gaza")
        await pilot.press("W")
        await settle(pilot)
        assert app.main_screen.walk is not None
        assert "passage 1 of 1 · place" in status_text(app)  # bob's "Tehran" is not walked
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert view.cursor == view.text.index("Gaza")
        await blind(app, pilot, showing=None)
        view.move_cursor(view.text.index("Tehran"))  # bob's alone: "Gaza" has two annotations
        await pilot.pause()
        await pilot.press("W")
        await settle(pilot)
        assert "passage 2 of 2 · place" in status_text(app)


async def test_cooccurrence_counts_only_the_shown_coders_pairs(two_coders):
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot, showing=None)
        screen = await open_view(app, pilot, "O", CooccurrenceScreen)
        assert [(p.tag_a, p.tag_b, p.count) for p in screen.pairs] == [("conflict", "place", 1)]
        await pilot.press("escape")
        await blind(app, pilot)
        screen = await open_view(app, pilot, "O", CooccurrenceScreen)
        assert screen.pairs == []  # ann's two passages do not overlap: the pair was bob's


async def test_the_code_matrix_counts_only_the_shown_coder(two_coders):
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot)
        screen = await open_view(app, pilot, "M", CodeMatrixScreen)
        matrix = screen.matrix
        assert {tag: matrix.cell(SHAFAQ, tag) for tag in matrix.columns} == {"actor": 1, "place": 1}


async def test_frequencies_count_only_the_shown_coders_tags(two_coders):
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot)
        screen = await open_view(app, pilot, "F", FrequenciesScreen)
        counts = {c.tag: c.count for c in screen.tag_counts}
        assert counts.get("place") == 1 and counts.get("actor") == 1
        assert not counts.get("conflict")


async def test_the_codebook_counts_only_the_shown_coder(two_coders):
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot)
        await open_view(app, pilot, "c", CodebookScreen)
        assert app.library.tag_counts() == {"actor": 1, "conflict": 0, "place": 1}
        await blind(app, pilot, showing="bob")
        assert app.library.tag_counts() == {"actor": 0, "conflict": 1, "place": 1}


async def test_tagging_from_the_concordance_offers_only_the_shown_counts_and_recent_tags(two_coders):
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot)
        await open_shafaq(app, pilot)
        app.main_screen.app.push_screen(ConcordanceScreen(app.library, "Gaza"))
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "the concordance opens")
        await settle(pilot)
        await pilot.press("t")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, TagDialog), "t opens")
        dialog = app.screen
        assert dialog.counts == {"actor": 1, "conflict": 0, "place": 1}
        assert "conflict" not in dialog.recent


def test_recent_tags_and_autocode_follow_the_coder(two_coders):
    library = Library(two_coders)
    library.store.creator = "ann"
    library.showing = MINE
    assert set(library.recent_tags()) == {"actor", "place"}
    library.showing = None
    assert set(library.recent_tags()) == {"actor", "conflict", "place"}
    # bob's `conflict` on "Gaza" is no reason to skip ann's: each coder codes independently
    plan = library.plan_autocode("Gaza", doc_ids=[SHAFAQ])
    made = library.autocode(plan, ["conflict"])
    assert len(made) == len(plan.spans) == 2 and {a.creator for a in made} == {"ann"}
    assert library.autocode(library.plan_autocode("Gaza", doc_ids=[SHAFAQ]), ["conflict"]) == []


async def test_the_worklist_does_not_open_during_blind_coding(two_coders):
    from reader.screens.settle import SettleScreen

    app = create_app(two_coders)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await blind(app, pilot)
        app.screen.query_one("#documents").focus()
        await pilot.press("D")
        await settle(pilot)
        assert app.screen is app.main_screen
        assert any("Blind coding" in n.message for n in app._notifications)
        await blind(app, pilot, showing=None)
        await pilot.press("D")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, SettleScreen), "D opens")
