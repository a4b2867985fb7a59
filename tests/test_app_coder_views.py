"""Pilot tests of the app's coder views (issue 17): everyone's coding, only mine (blind coding:
the others' annotations and counts hidden) or one coder's, and the coder of each annotation
marked in the annotation panel."""

from __future__ import annotations

from textual.widgets import OptionList

from reader.app import create_app
from reader.dialogs.prompts import ChoiceDialog
from reader.widgets.annotation_panel import AnnotationPanel

from app_helpers import status_text
from test_app import SHAFAQ
from test_app_coders import palette_first
from test_app_settle import coded
from test_tagging import open_shafaq
from waiting import settle


async def show(app, pilot, answer: str) -> None:
    await palette_first(app, pilot, "show coding of", "Show coding of")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ChoiceDialog)
    answers = app.screen.query_one("#choice-answers", OptionList)
    ids = [answers.get_option_at_index(i).id for i in range(answers.option_count)]
    assert ids == ["all", "mine", "coder:ann", "coder:bob"]
    answers.highlighted = ids.index(answer)
    await pilot.press("enter")
    await settle(pilot)
    assert app.screen is app.main_screen


def shown_tags(view) -> list[str]:
    return sorted(h.label for h in view.highlights)


def listed_count(app) -> int:
    return next(r.annotation_count for r in app.main_screen.rows if r.id == SHAFAQ)


async def test_only_mine_hides_the_others_annotations_and_counts(seed_paths, monkeypatch):
    monkeypatch.setenv("READER_CODER", "ann")
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_shafaq(app, pilot)
        assert shown_tags(view) == ["actor", "conflict", "place"] and listed_count(app) == 3
        await show(app, pilot, "mine")
        assert shown_tags(view) == ["actor", "place"]
        assert listed_count(app) == 2
        assert app.library.tag_counts()["conflict"] == 0  # bob's tag: in the codebook, uncounted
        assert "coding as ann · showing only mine" in status_text(app)
        await show(app, pilot, "coder:bob")
        assert shown_tags(view) == ["conflict"] and listed_count(app) == 1
        assert "showing bob's coding" in status_text(app)
        await show(app, pilot, "all")
        assert shown_tags(view) == ["actor", "conflict", "place"]
        assert "showing" not in status_text(app)


async def test_blind_coding_follows_a_switch_of_coder(seed_paths, monkeypatch):
    monkeypatch.setenv("READER_CODER", "ann")
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_shafaq(app, pilot)
        await show(app, pilot, "mine")
        app.library.code_as("bob")
        app.main_screen.annotations_changed()
        await settle(pilot)
        assert shown_tags(view) == ["conflict"]


async def test_the_panel_marks_each_annotation_with_its_coder(seed_paths):
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shafaq(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        panel = app.screen.query_one(AnnotationPanel)
        heads = sorted(str(panel.get_option_at_index(i).prompt).split("\n")[0] for i in range(panel.option_count))
        assert [h.split(" ", 1)[1] for h in heads] == ["actor  · ann", "conflict  · bob", "place  · ann"]
