"""Pilot tests of the app's flows: list, search as you type, open a hit, jump between matches,
keymap, palette, resize, and documents written to attack the terminal."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import OptionList, ProgressBar, Static

from index.search import search
from reader.app import create_app
from reader.screens import search_part
from reader.services import Library
from reader.widgets.document_list import DocumentList
from reader.widgets.document_view import DocumentView

from app_helpers import message_text, status_text, toasts, type_query
from conftest import SEEDS, make_paths, seed_copies
from waiting import HANG, pilot_wait_until, settle

SHAFAQ = "002_aa247d70c2f24e11.txt"
SHAFAQ_TITLE = "Iraqi military forces threaten new attacks on US amid rising tensions"

HOSTILE = (
    "[@click=app.quit]Click me[/] [bold]not bold[/bold] [link=https://evil.example]x[/link]\n"
    "\n"
    "Colour \x1b[31mred\x1b[0m, a title \x1b]0;pwned\x07, a link \x1b]8;;https://evil.example\x1b\\"
    "here\x1b]8;;\x1b\\, a clipboard write \x1b]52;c;ZXZpbA==\x07, a bell \x07,\r"
    " a carriage return, \u202egnirts desrever\u202c and C1 \x9b31m. payload word.\n"
) + "\nOrdinary prose follows, so that the file reads as text and not as binary.\n" * 20


@pytest.fixture()
def hostile_paths(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "zz_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    return make_paths(tmp_path, corpus)


async def test_opens_on_the_seeds_with_their_titles(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#documents", DocumentList)
        assert table.row_count == 5
        titles = [str(table.get_cell(row_key, "title")) for row_key in table.rows]
        assert SHAFAQ_TITLE in titles
        assert str(table.get_cell(SHAFAQ, "source")) == "Shafaq News"
        assert str(table.get_cell(SHAFAQ, "date")) == "2024-08-02"
        assert table.border_title == "Documents (5)"
        # the first start indexed the corpus in a worker, with a progress bar that reached the end
        bar = app.screen.query_one("#index-progress", ProgressBar)
        assert bar.total == 5 and bar.progress == 5
        assert not app.screen.query_one("#indexing").display
        assert "annotations: " in status_text(app)


async def test_typing_a_query_shows_total_and_hits(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Nujaba")
        expected = search(app.library.index, "Nujaba")
        assert expected.total > 0
        assert message_text(app).startswith(f"{expected.total} hit")
        results = app.screen.query_one("#results", OptionList)
        assert results.display and not app.screen.query_one("#documents").display
        assert results.option_count == len(expected.hits)
        first = str(results.get_option_at_index(0).prompt)
        assert first.startswith(expected.hits[0].title)
        # the snippet's matches are highlighted
        prompt = results.get_option_at_index(0).prompt
        highlighted = {prompt.plain[span.start : span.end] for span in prompt.spans}
        assert any(word.lower() == "nujaba" for word in highlighted)
        # clearing the box brings the document list back
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert app.screen.query_one("#documents").display and not results.display


async def test_search_as_you_type_is_debounced(seed_paths, monkeypatch):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        searched: list[str] = []
        search = app.library.search

        def counting(query, *args, **kwargs):
            searched.append(query)
            return search(query, *args, **kwargs)

        app.library.search = counting
        # A debounce delay no keystroke can outlast (a busy machine may take longer than the
        # real delay between two keys): each key cancels the search of the one before; then the
        # query is searched at once, as Enter does.
        monkeypatch.setattr(search_part, "SEARCH_DELAY", HANG)
        if app.focused is not app.screen.search_box:
            await pilot.press("slash")
        await pilot.press(*"Nujaba")
        assert searched == []
        app.screen.search(delay=0)
        await settle(pilot)
        assert searched == ["Nujaba"]
        assert app.screen.results.query == "Nujaba"


async def test_invalid_query_shows_the_message_under_the_box(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_query(app, pilot, '"Nujaba movement')
        assert message_text(app) == 'Unbalanced quotes: a phrase opened with " is not closed.'
        assert app.is_running
        await pilot.press('"')
        await settle(pilot)
        assert message_text(app).endswith("hits") or message_text(app).endswith("hit")


async def test_nothing_found_suggests_and_enter_takes_the_suggestion(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        expected = app.library.search("militais")
        assert expected.total == 0 and expected.suggestions
        await type_query(app, pilot, "militais")
        assert message_text(app) == f"No matches · did you mean {expected.suggestions[0]}?"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.search_box.value == expected.suggestions[0]
        assert app.screen.results.total > 0


async def test_opening_a_hit_goes_to_the_first_match_and_n_jumps(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Nujaba")
        hit = app.screen.hits[0]
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen.query_one("#document", DocumentView)
        assert app.focused is view
        assert view.doc_id == hit.doc_id
        assert view.match_count == len(hit.spans) >= 2
        assert view.cursor == hit.spans[0].start
        assert view.text[view.cursor :].lower().startswith("nujaba")
        assert f"match 1 of {len(hit.spans)}" in status_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert view.cursor == hit.spans[1].start
        assert f"match 2 of {len(hit.spans)}" in status_text(app)
        await pilot.press("N")
        await pilot.pause()
        assert f"match 1 of {len(hit.spans)}" in status_text(app)
        header = str(app.screen.query_one("#doc-header", Static).render())
        assert header.startswith(hit.title)
        assert "¶ " in status_text(app)


async def test_clicking_a_hit_opens_it(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Shafaq")
        hit = app.screen.hits[0]
        assert await pilot.click("#results", offset=(4, 1))
        await settle(pilot)
        assert app.screen.query_one("#document", DocumentView).doc_id == hit.doc_id


async def test_search_within_the_open_document(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#documents", DocumentList)
        table.focus()
        table.move_cursor(row=table.get_row_index(SHAFAQ))
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen.query_one("#document", DocumentView)
        assert view.doc_id == SHAFAQ and app.focused is view
        await type_query(app, pilot, "Nujaba")  # `/` from the reader: this document only
        assert app.screen.scope == "document"
        expected = app.library.match_spans(SHAFAQ, "Nujaba")
        assert view.match_count == len(expected) > 0
        assert message_text(app) == f"{len(expected)} matches in this document"
        assert f"match 1 of {len(expected)}" in status_text(app)
        await pilot.press("enter")  # back to the reader, at the match
        assert app.focused is view
        await pilot.press("ctrl+t")  # the same query over the corpus
        await settle(pilot)
        assert app.screen.scope == "corpus"
        assert app.screen.results.total >= 1


async def test_keymap_file_remaps_a_binding(seed_paths, tmp_path):
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keys]\n"reader.search.focus" = "s"\n', encoding="utf-8")
    app = create_app(seed_paths, keymap_path=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#documents").focus()
        await pilot.press("slash")
        assert app.focused is not app.screen.search_box
        await pilot.press("s")
        assert app.focused is app.screen.search_box
        assert toasts(app) == []


async def test_keymap_from_the_config_folder(seed_paths, isolated_user_dirs):
    (isolated_user_dirs / "config" / "keymap.toml").write_text(
        '[keys]\n"reader.match.next" = "ctrl+n"\n', encoding="utf-8"
    )
    app = create_app(seed_paths)
    assert app.keymap.keys == {"reader.match.next": "ctrl+n"}


async def test_bad_keymap_notifies_and_keeps_the_defaults(seed_paths, tmp_path):
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keys\n"reader.search.focus" = s\n', encoding="utf-8")
    app = create_app(seed_paths, keymap_path=keymap)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert any("Invalid TOML" in text for text in toasts(app))
        app.screen.query_one("#documents").focus()
        await pilot.press("slash")
        assert app.focused is app.screen.search_box


async def test_unknown_binding_id_is_reported(seed_paths, tmp_path):
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keys]\n"reader.no.such" = "x"\n', encoding="utf-8")
    app = create_app(seed_paths, keymap_path=keymap)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert any("unknown binding id(s): reader.no.such" in text for text in toasts(app))


async def test_palette_opens_a_document(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"open iraqi military forces")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#document", DocumentView).doc_id == SHAFAQ


async def test_palette_offers_theme_and_quit(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for word, expected in (("theme", "Theme"), ("quit", "Quit")):
            await pilot.press("ctrl+p", *word)
            await settle(pilot)
            commands = app.screen.query_one("CommandList", OptionList)
            assert str(commands.get_option_at_index(0).prompt).startswith(expected)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+p", *"theme")
        await settle(pilot)
        await pilot.press("enter")  # the theme picker opens
        await settle(pilot)
        before = app.theme
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.theme != before


def tag_outlet(seed_paths):
    """The seeds with "Shafaq News" tagged `outlet`: (the document, where the tag starts)."""
    library = Library(seed_paths)
    library.update_index()
    document = library.index.load(SHAFAQ)
    start = document.text.index("Shafaq News/")
    library.store.add(SHAFAQ, document.text, document.sha256, start, start + 11, ["outlet"])
    return document, start


async def test_palette_searches_and_jumps_to_an_annotation(seed_paths):
    _document, start = tag_outlet(seed_paths)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"outlet")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen.query_one("#document", DocumentView)
        assert view.doc_id == SHAFAQ and view.cursor == start
        await pilot.press("ctrl+p", *"search haniyeh")
        await settle(pilot)
        await pilot.press("enter")  # first hit: "Search the corpus for haniyeh"
        await settle(pilot)
        assert app.screen.search_box.value == "haniyeh"
        assert app.screen.results.total >= 1


async def palette_lists(app, pilot, words: str) -> list[str]:
    """The commands the palette lists for `words`, best first."""
    await pilot.press("ctrl+p", *words)
    await settle(pilot)
    options = app.screen.query_one("CommandList", OptionList)
    prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    await pilot.press("escape")
    await pilot.pause()
    return prompts


async def test_palette_commands_kept_between_openings_and_made_again_after_a_change(seed_paths):
    """The document and annotation commands are made once and kept from one opening to the
    next while the rows and the annotations shown are the same (making 130,000 was 0.8 s of
    each opening), and made again as soon as either changes."""
    from reader import commands

    document, _start = tag_outlet(seed_paths)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert (await palette_lists(app, pilot, "outlet"))[0].startswith("Annotation: outlet")
        kept = commands._MADE[app.main_screen].commands
        assert (await palette_lists(app, pilot, "outlet"))[0].startswith("Annotation: outlet")
        assert commands._MADE[app.main_screen].commands is kept  # not made again
        end = document.text.index("threaten") + len("threaten")
        app.main_screen.library.store.add(SHAFAQ, document.text, document.sha256, end - 8, end, ["freshly/added"])
        listed = await palette_lists(app, pilot, "freshly")
        assert any(prompt.startswith("Annotation: freshly/added") for prompt in listed)
        assert commands._MADE[app.main_screen].commands is not kept


async def test_annotations_are_listed_coloured_and_counted(seed_paths):
    library = Library(seed_paths)
    library.update_index()
    document = library.index.load(SHAFAQ)
    start = document.text.index("Nujaba")
    library.store.set_tag("actor/Nujaba", color="#3cb44b")
    annotation = library.store.add(SHAFAQ, document.text, document.sha256, start, start + 6, ["actor/Nujaba"])
    opened = Library(seed_paths).open(SHAFAQ)
    assert [(h.start, h.end, h.color, h.key) for h in opened.highlights] == [
        (start, start + 6, "#3cb44b", annotation.id)
    ]
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#documents", DocumentList)
        assert str(table.get_cell(SHAFAQ, "annotations")) == "1"


async def test_unreadable_annotation_file_shows_a_warning(seed_paths):
    broken = seed_paths.annotations / "docs" / f"{SHAFAQ}.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json", encoding="utf-8")
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert any("read-only" in text for text in toasts(app))
        app.screen.open_document(SHAFAQ)
        await settle(pilot)
        warning = app.screen.query_one("#doc-warning", Static)
        assert warning.display
        assert "read-only" in str(warning.render())


async def test_resize_to_80x24_and_back(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#documents", DocumentList)
        assert len(table.columns) == 4  # nothing annotated: no ✎ column
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert screen.has_class("-narrow")
        # the narrow list keeps a readable title and drops source, date and words
        assert [str(c.label) for c in table.columns.values()] == ["Title"]
        assert table.columns["title"].width >= 24
        await type_query(app, pilot, "Nujaba")
        await pilot.press("enter")
        await settle(pilot)
        sidebar, view = screen.query_one("#sidebar"), screen.query_one("#document")
        assert sidebar.region.width <= 32 and view.region.width >= 40
        assert view.region.height >= 15
        assert "match 1 of" in status_text(app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert screen.has_class("-wide") and screen.query_one("#sidebar").region.width > 32
        assert "match 1 of" in status_text(app)


async def test_tab_moves_between_panes_and_f2_hides_the_list(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.focused is app.screen.search_box
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#documents")
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#document")
        await pilot.press("shift+tab")
        assert app.focused is app.screen.query_one("#documents")
        await pilot.press("f2")
        assert not app.screen.query_one("#sidebar").display


async def test_question_mark_shows_the_keys_of_the_focused_part(seed_paths):
    from reader.screens.help import HelpScreen

    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#document").focus()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)
        # in the search box `?` is text (F1 shows the keys there)
        await pilot.press("slash", "question_mark")
        assert app.screen.search_box.value == "?"
        assert not isinstance(app.screen, HelpScreen)


def test_no_color_is_respected(seed_paths, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert create_app(seed_paths).no_color
    monkeypatch.delenv("NO_COLOR")
    assert not create_app(seed_paths).no_color


async def test_hostile_document_is_shown_literally(hostile_paths):
    app = create_app(hostile_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#documents", DocumentList)
        assert table.row_count == 6
        # click the hostile title: a [@click=...] in it must not run anything
        table.move_cursor(row=table.get_row_index("zz_hostile.txt"))
        await pilot.pause()
        assert await pilot.click("#documents", offset=(3, table.get_row_index("zz_hostile.txt") + 1))
        await settle(pilot)
        assert app.is_running
        view = app.screen.query_one("#document", DocumentView)
        assert view.doc_id == "zz_hostile.txt"
        assert view.text == HOSTILE  # offsets are into the real text
        await pilot.click("#doc-header", offset=(2, 0))
        await pilot.pause()
        assert app.is_running
        await type_query(app, pilot, "payload")
        await pilot.press("ctrl+t")  # and in the corpus results (title and snippet)
        await settle(pilot)
        assert app.screen.hits and app.screen.hits[0].doc_id == "zz_hostile.txt"
        svg = app.export_screenshot()
        assert "[@click=app.quit]Click" in svg
        assert "[bold]not" in svg
        for control in ("\x1b", "\x07", "\x9b", "\r", "\u202e"):
            assert control not in svg
        assert "␛" in svg  # ESC shown as a visible placeholder


async def test_first_build_is_searchable_while_it_runs(tmp_path, monkeypatch):
    """A first build commits in batches: after the first one the list shows those documents
    and a search finds them while the rest is still being indexed."""
    import threading

    import index.batching as batching
    import index.indexer as indexer

    corpus = seed_copies(tmp_path, 40)
    monkeypatch.setattr(batching, "BATCH_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "FIRST_BATCH_BYTES", 60_000)
    go_on = threading.Event()
    batches = []
    real_update = indexer.CorpusIndex.update

    def update(self, progress=None, committed=None, notice=None, planned=None):
        def paused(done, total):
            committed(done, total)  # the app lists and searches what is committed...
            batches.append(done)
            if len(batches) == 1:
                assert go_on.wait(HANG)  # ...while the rest waits for the test

        return real_update(self, progress, paused if committed else None, notice, planned)

    monkeypatch.setattr(indexer.CorpusIndex, "update", update)
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot_wait_until(
            pilot,
            lambda: batches and app.screen.query_one("#documents", DocumentList).row_count,
            "the first batch is listed",
        )
        first = batches[0]
        assert 0 < first < 200
        assert app.screen.query_one("#indexing").display  # still indexing
        assert app.screen.query_one("#documents", DocumentList).row_count == first
        await pilot.press("slash", *"Nujaba")
        await pilot_wait_until(pilot, lambda: message_text(app), "the partial results")
        partial = search(app.library.index, "Nujaba").total
        assert 0 < partial < 160 and message_text(app).startswith(f"{partial} hit")
        assert "indexing, more to come" in message_text(app)
        go_on.set()
        await settle(pilot)
        assert not app.screen.query_one("#indexing").display
        assert app.screen.query_one("#documents", DocumentList).row_count == 200
        assert message_text(app).startswith("160 hit")  # 4 of the 5 seeds, 40 times
        assert "indexing" not in message_text(app)


async def test_annotation_panel_follows_the_cursor(seed_paths):
    library = Library(seed_paths)
    library.update_index()
    document = library.index.load(SHAFAQ)
    first = document.text.index("Nujaba")
    second = document.text.index("Kataib")
    added = [
        library.store.add(SHAFAQ, document.text, document.sha256, s, s + 6, [tag])
        for s, tag in ((first, "actor/Nujaba"), (second, "actor/Kataib"))
    ]
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.open_document(SHAFAQ)
        await settle(pilot)
        view, panel = app.screen.view, app.screen.panel
        app.screen.action_toggle_annotations()  # `a`: the panel opens, focused
        await pilot.pause()
        app.screen.action_focus_reader()  # back to reading, the panel stays
        await pilot.pause()
        assert panel.display and not panel.has_focus
        for annotation, offset in ((added[1], second + 2), (added[0], first), (added[1], second)):
            view.move_cursor(offset)
            await pilot.pause()
            assert panel.highlighted_id == annotation.id
            assert "actor/" in status_text(app)
        # while the user works in the panel, the cursor does not move its highlight
        panel.focus()
        await pilot.pause()
        panel.highlighted = panel.get_option_index(added[0].id)
        view.move_cursor(second)
        await pilot.pause()
        assert panel.highlighted_id == added[0].id


async def test_the_search_helper_starts_after_indexing_and_stops_with_the_app(tmp_path, monkeypatch):
    """On a big corpus the app starts the search helper process (both cores for the slow
    queries) once indexing is done, and stops it when it exits."""
    import index.batching as batching
    import index.search as search_module
    import index.search.session as session

    corpus = seed_copies(tmp_path, 30)
    monkeypatch.setattr(batching, "BATCH_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "FIRST_BATCH_BYTES", 100_000)  # a few segments
    monkeypatch.setattr(session, "HELPER_MIN_DOCS", 100)  # "big": 150 documents
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with search_module.searching(app.library.index) as (_searcher, entry):
            helper = entry.helper
        assert helper is not None and helper.wait_ready()
        await type_query(app, pilot, '"United States"')
        assert helper.requests > 0
        assert message_text(app).startswith(
            f"{search(app.library.index, chr(34) + 'United States' + chr(34)).total} hit"
        )
    assert not helper.alive  # stopped with the app
