"""The app steps through match units and shows variant spellings (issue 12 items 5 and 6).

Pilot tests of the real app on the seeds: `Ain al-Asad` typed without quotes is 3 matches in
the article that has it three times (was "match 1 of 6"), `n` goes from one occurrence to the
next, `m` selects the whole name, auto-code tags whole occurrences and counts the variant
spellings apart, and the line under the search box says which spellings were added.
"""

from __future__ import annotations

from textual.widgets import OptionList, Static

from reader.app import create_app
from reader.dialogs.prompts import ChoiceDialog
from reader.dialogs.tag import TagDialog
from reader.store import AnnotationStore
from reader.widgets.document_view import DocumentView

from app_helpers import message_text, status_text, type_query
from waiting import settle

AL_ASAD_3 = "003_c50da1745df50ef1.txt"  # "Ain Al-Asad" three times, "Babel" twice


async def open_hit(app, pilot, doc_id: str) -> DocumentView:
    index = next(i for i, hit in enumerate(app.screen.hits) if hit.doc_id == doc_id)
    await pilot.press("down", *["down"] * index, "enter")
    await settle(pilot)
    view = app.screen.query_one("#document", DocumentView)
    assert view.doc_id == doc_id
    return view


async def test_n_and_m_step_through_whole_occurrences(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Ain al-Asad")
        view = await open_hit(app, pilot, AL_ASAD_3)
        assert "match 1 of 3" in status_text(app)
        await pilot.press("m")
        start, end = view.selection
        assert view.text[start:end] == "Ain Al-Asad"
        await pilot.press("n")
        await pilot.pause()
        assert "match 2 of 3" in status_text(app)
        await pilot.press("m")
        start2, end2 = view.selection
        assert view.text[start2:end2] == "Ain Al-Asad" and start2 > start


async def test_autocode_tags_whole_occurrences_and_counts_variants_apart(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Ain al-Asad")
        await pilot.press("escape", "A")
        await settle(pilot)
        assert isinstance(app.screen, TagDialog)
        await pilot.press(*"place/base", "enter")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ChoiceDialog)
        message = str(confirm.query_one(".choice-message", Static).render())
        assert "15 matches in 4 document(s)" in message  # was 27 fragments
        assert "10 of them by a variant spelling" in message  # the "al-Assad" ones
        first = str(confirm.query_one("#choice-preview", OptionList).get_option_at_index(0).prompt)
        assert first.startswith("variant")
        await pilot.press("enter")
        await settle(pilot)
        quotes = [a.quote.exact for a in AnnotationStore(app.library.paths.annotations).annotations()]
        assert len(quotes) == 15
        assert all(q in {"Ain al-Assad", "Ain al-Asad", "Ain Al-Asad", "Ain Al-Assad", "al-Assad"} for q in quotes), (
            quotes
        )


async def test_added_spellings_are_shown_and_can_be_turned_off(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Babil")
        assert "also: Babel 2" in message_text(app)
        assert AL_ASAD_3 in {hit.doc_id for hit in app.screen.hits}
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert "exact spelling only" in message_text(app)
        assert AL_ASAD_3 not in {hit.doc_id for hit in app.screen.hits}
