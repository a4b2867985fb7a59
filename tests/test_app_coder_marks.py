"""Per-coder marks in the reader (issue 17: "annotations coloured by tag and marked by coder"):
when several coders' annotations are shown, each passage's rows carry its coder's letter in the
margin (in the tag's colour, so readable without colour), the status bar gives the legend, and
the passage under the cursor names its coder. With one coder's work shown: no marks."""

from __future__ import annotations

import pytest

from reader.app import create_app
from reader.coders import coder_marks
from reader.services import MINE

from app_helpers import status_text
from test_app_blind_views import blind, two_coders  # noqa: F401 - the fixture
from test_tagging import open_shafaq
from waiting import pilot_wait_until


def margins(view, word: str) -> list[str]:
    """The margin cells of every row on screen that shows `word`."""
    rows = [view.render_line(y).text for y in range(view.size.height)]
    return [row[:2] for row in rows if word in row]


def test_marks_are_one_ascii_cell_and_unique():
    assert coder_marks(["ann", "bob"]) == {"ann": "A", "bob": "B"}
    assert coder_marks(["ann", "alice", "al"]) == {"al": "A", "alice": "L", "ann": "N"}
    assert coder_marks(["ann/bob", "ānn", "李"]) == {"ann/bob": "A", "ānn": "N", "李": "1"}


@pytest.mark.parametrize("no_color", [False, True])
async def test_several_coders_are_told_apart_in_the_margin(two_coders, monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot, showing=None)
        view = await open_shafaq(app, pilot, at="Nujaba")
        await pilot_wait_until(pilot, lambda: margins(view, "Nujaba"), "the rows are drawn")
        assert app.main_screen.opened.marks == {"ann": "A", "bob": "B"}
        assert sorted(h.mark for h in view.highlights) == ["A", "A", "B", "B"]
        assert "A ann, B bob" in status_text(app)  # the legend
        assert margins(view, "Nujaba")[0].startswith("A")
        gaza = margins(view, "Gaza conflict")  # ann's `place` and bob's `conflict` on "Gaza"
        assert gaza and set(gaza[0]) == {"A", "B"}
        assert "actor · ann" in status_text(app)
        view.move_cursor(view.text.index("Tehran"))
        await pilot.pause()
        assert "place · bob" in status_text(app)


async def test_one_coders_work_has_no_marks(two_coders):
    app = create_app(two_coders)
    async with app.run_test(size=(120, 40)) as pilot:
        await blind(app, pilot, showing=MINE)
        view = await open_shafaq(app, pilot, at="Nujaba")
        await pilot_wait_until(pilot, lambda: margins(view, "Nujaba"), "the rows are drawn")
        assert app.main_screen.opened.marks == {}
        assert all(h.mark == "" for h in view.highlights)
        assert margins(view, "Nujaba")[0].startswith("▌")
        assert "A ann" not in status_text(app) and "· ann" not in status_text(app).split("│")[0]
