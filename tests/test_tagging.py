"""Pilot tests of tagging from the keyboard (issue 5): each drives the real app and asserts on the
annotation store's state afterwards (a fresh `AnnotationStore` reading the files, so what is
checked is what was written)."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Static, Tree

from reader.app import ReaderApp, create_app
from reader.screens.codebook import CodebookScreen
from reader.dialogs.prompts import ChoiceDialog, PromptDialog
from reader.dialogs.tag import TagDialog
from reader.services import Library
from reader.store import AnnotationStore
from reader.widgets.annotation_panel import AnnotationPanel
from reader.widgets.document_view import DocumentView

from app_helpers import status_text, toasts, type_query
from test_app import SHAFAQ
from waiting import settle

FIRST_SENTENCE = (
    "Shafaq News/ The political leader of the Iraqi Nujaba Movement, known for its "
    "attacks on US forces, has warned that strikes against American troops could "
    "resume as regional tensions escalate due to the Gaza conflict and broader "
    "Middle Eastern crises, according to a Newsweek report."
)


def on_disk(app: ReaderApp) -> AnnotationStore:
    """The annotations as written (a new store reading the folder)."""
    return AnnotationStore(app.library.paths.annotations)


def seeded(paths, tags_and_words: list[tuple[str, str]]) -> Library:
    """A library with SHAFAQ annotated: one annotation per (tag, first occurrence of word)."""
    library = Library(paths)
    library.update_index()
    document = library.index.load(SHAFAQ)
    for tag, word in tags_and_words:
        start = document.text.index(word)
        library.store.add(SHAFAQ, document.text, document.sha256, start, start + len(word), [tag])
    return library


async def open_shafaq(app: ReaderApp, pilot, at: str | None = None) -> DocumentView:
    await settle(pilot)
    app.screen.open_document(SHAFAQ)
    await settle(pilot)
    view = app.screen.query_one("#document", DocumentView)
    assert view.doc_id == SHAFAQ and app.focused is view
    if at is not None:
        view.move_cursor(view.text.index(at))
        await pilot.pause()
    return view


async def test_select_a_sentence_and_tag_it_with_a_new_tag(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        await pilot.press("s")
        start, end = view.selection
        assert view.text[start:end] == FIRST_SENTENCE
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)
        await pilot.press(*"actor/Nujaba")
        await pilot.pause()
        options = app.screen.query_one("#tag-options", OptionList)
        assert options.get_option_at_index(0).id == "create:actor/Nujaba"
        await pilot.press("ctrl+n", *"first sentence", "enter")
        await settle(pilot)
        assert app.screen is app.main_screen
        [annotation] = on_disk(app).annotations(SHAFAQ)
        assert annotation.tags == ("actor/Nujaba",)
        assert annotation.note == "first sentence"
        assert annotation.quote.exact == FIRST_SENTENCE
        assert "actor/Nujaba" in [t.name for t in on_disk(app).tags()]
        # drawn at once, and shown in the status bar under the cursor
        assert [(h.start, h.end) for h in view.highlights] == [(start, end)]
        assert view.selection is None
        assert "actor/Nujaba — first sentence" in status_text(app)
        assert any("Tagged" in text for text in toasts(app))


async def test_several_tags_at_once_with_tab(seed_paths):
    seeded(seed_paths, [("place/Iraq", "Iraqi"), ("actor/Nujaba", "Nujaba")])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_shafaq(app, pilot, at="Gaza conflict")
        await pilot.press("s", "t")
        await pilot.pause()
        await pilot.press(*"nujaba", "tab")  # fuzzy: actor/Nujaba, into the chosen set
        await pilot.pause()
        dialog = app.screen
        assert dialog.chosen == ["actor/Nujaba"]
        assert dialog.filter_box.value == ""
        await pilot.press(*"event/threat", "enter")
        await settle(pilot)
        sentence = on_disk(app).annotations(SHAFAQ, tag="event")
        assert len(sentence) == 1
        assert sentence[0].tags == ("actor/Nujaba", "event/threat")
        assert view.text[sentence[0].start : sentence[0].end] == FIRST_SENTENCE


async def test_escape_cancels_the_dialog_without_writing(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shafaq(app, pilot, at="political leader")
        await pilot.press("s", "t", *"x", "escape")
        await settle(pilot)
        assert app.screen is app.main_screen
        assert on_disk(app).annotations() == []


async def test_from_a_search_hit_to_a_tagged_passage_in_three_keys(seed_paths):
    """Enter on the hit, m selects the match, 1 applies the most recent tag."""
    seeded(seed_paths, [("org/Nujaba", "Nujaba")])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Haniyeh")
        hit = app.screen.hits[0]
        await pilot.press("enter", "m", "1")
        await settle(pilot)
        tagged = [a for a in on_disk(app).annotations(hit.doc_id) if a.quote.exact == "Haniyeh"]
        assert len(tagged) == 1 and tagged[0].tags == ("org/Nujaba",)
        assert tagged[0].start == hit.spans[0].start


async def test_recent_tags_by_number(seed_paths):
    seeded(seed_paths, [("older", "Iraqi"), ("newer", "Nujaba")])  # newest first: 1 = newer
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot, at="Gaza conflict")
        await pilot.press("s", "2")
        await settle(pilot)
        store = on_disk(app)
        assert [a.tags for a in store.annotations(SHAFAQ, tag="older")][-1] == ("older",)
        assert len(store.annotations(SHAFAQ, tag="older")) == 2
        assert store.recent_tags()[0] == "older"
        # without a selection: a warning, nothing written
        await pilot.press("1")
        await settle(pilot)
        assert len(on_disk(app).annotations(SHAFAQ)) == 3
        assert any("Select a passage first" in text for text in toasts(app))
        # a number with no recent tag behind it says so
        await pilot.press("p", "9")
        await settle(pilot)
        assert len(on_disk(app).annotations(SHAFAQ)) == 3
        assert view.selection is not None


async def test_edit_the_note_and_tags_from_the_panel(seed_paths):
    seeded(seed_paths, [("actor/Nujaba", "Nujaba")])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shafaq(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        panel = app.screen.query_one("#annotations", AnnotationPanel)
        assert panel.display and app.focused is panel and panel.option_count == 1
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TagDialog) and dialog.chosen == ["actor/Nujaba"]
        await pilot.press("ctrl+n", *"the movement", "enter")
        await settle(pilot)
        [annotation] = on_disk(app).annotations(SHAFAQ)
        assert annotation.note == "the movement" and annotation.tags == ("actor/Nujaba",)
        assert "✎ the movement" in str(panel.get_option_at_index(0).prompt)
        # edit the tags: backspace drops the chip, a new tag replaces it
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("backspace", *"group/armed", "enter")
        await settle(pilot)
        [annotation] = on_disk(app).annotations(SHAFAQ)
        assert annotation.tags == ("group/armed",) and annotation.note == "the movement"


async def test_jump_between_annotations_and_delete_one(seed_paths):
    seeded(seed_paths, [("a", "Nujaba"), ("b", "Gaza")])
    app = create_app(seed_paths)
    notices: list[str] = []  # a toast expires before a busy machine lets the test look at it
    shown = app.notify
    app.notify = lambda message, *args, **kwargs: (
        notices.append(str(message)),  # type: ignore[method-assign]
        shown(message, *args, **kwargs),
    )[1]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot)
        await pilot.press("right_square_bracket")
        assert view.cursor == view.text.index("Nujaba")
        assert status_text(app).split("│")[1].strip() == "■ a"
        await pilot.press("right_square_bracket")
        assert view.cursor == view.text.index("Gaza")
        await pilot.press("left_square_bracket")
        assert view.cursor == view.text.index("Nujaba")
        await pilot.press("a", "down", "x")
        await settle(pilot)
        assert [a.tags for a in on_disk(app).annotations(SHAFAQ)] == [("a",)]
        assert len(view.highlights) == 1
        assert any("Deleted" in text for text in notices)
        # enter in the panel jumps to the annotation in the reader
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is view and view.cursor == view.text.index("Nujaba")


async def test_undo_and_redo_say_what_they_did(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        await pilot.press("s", "t", *"topic", "enter")
        await settle(pilot)
        assert len(on_disk(app).annotations(SHAFAQ)) == 1
        await pilot.press("u")
        await settle(pilot)
        assert on_disk(app).annotations(SHAFAQ) == []
        assert view.highlights == []
        assert any(text.startswith("Undone: add topic") for text in toasts(app))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert [a.tags for a in on_disk(app).annotations(SHAFAQ)] == [("topic",)]
        assert len(view.highlights) == 1
        assert any(text.startswith("Redone: add topic") for text in toasts(app))


async def test_autocode_a_search_and_undo_it_in_one_step(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Nujaba")
        expected = sum(len(app.library.match_spans(d, "Nujaba")) for d in {hit.doc_id for hit in app.screen.hits})
        await pilot.press("escape", "A")  # leave the box (to the list), auto-code
        await settle(pilot)
        assert isinstance(app.screen, TagDialog)
        await pilot.press(*"actor/Nujaba", "enter")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ChoiceDialog)
        assert f"{expected} matches in 4 document(s)" in str(confirm.query_one(".choice-message", Static).render())
        assert confirm.query_one("#choice-preview", OptionList).option_count == expected
        await pilot.press("enter")
        await settle(pilot)
        store = on_disk(app)
        coded = store.annotations(tag="actor/Nujaba")
        assert len(coded) == expected
        assert all(a.quote.exact.lower().startswith("nujaba") for a in coded)
        await pilot.press("u")
        await settle(pilot)
        assert on_disk(app).annotations() == []
        assert any("Undone: auto-code" in text for text in toasts(app))


async def test_autocode_cancelled_writes_nothing(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "Nujaba")
        await pilot.press("escape", "A")
        await settle(pilot)
        await pilot.press(*"x", "enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # "Cancel"
        await settle(pilot)
        assert app.screen is app.main_screen
        assert on_disk(app).annotations() == []


async def codebook(app: ReaderApp, pilot) -> CodebookScreen:
    app.screen.query_one("#documents").focus()
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(app.screen, CodebookScreen)
    return app.screen


def select_tag(screen: CodebookScreen, name: str) -> None:
    tree = screen.query_one("#codebook-tree", Tree)
    stack = [tree.root]
    while stack:
        node = stack.pop()
        if node.data == name:
            tree.move_cursor(node)
            return
        stack.extend(node.children)
    raise AssertionError(f"no node {name}")


async def test_codebook_lists_tags_and_jumps_to_a_passage(seed_paths):
    seeded(seed_paths, [("actor/Nujaba", "Nujaba"), ("actor/Hamas", "Hamas"), ("place", "Gaza")])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await codebook(app, pilot)
        tree = screen.query_one("#codebook-tree", Tree)
        top = [str(node.label).split("  ")[0] for node in tree.root.children]
        assert top == ["actor", "■ place"]
        assert str(tree.root.children[0].label) == "actor  0 (2)"
        select_tag(screen, "actor")
        await pilot.pause()
        passages = screen.query_one("#passages", OptionList)
        assert passages.option_count == 2  # actor/Hamas and actor/Nujaba
        select_tag(screen, "actor/Hamas")
        await pilot.press("enter")  # to the passages
        await pilot.pause()
        assert app.focused is passages and passages.option_count == 1
        await pilot.press("enter")  # jump
        await settle(pilot)
        assert app.screen is app.main_screen
        view = app.screen.query_one("#document", DocumentView)
        assert view.doc_id == SHAFAQ and view.cursor == view.text.index("Hamas")


async def test_rename_and_merge_tags(seed_paths):
    seeded(seed_paths, [("actor/Nujaba", "Nujaba"), ("actor/Hamas", "Hamas"), ("militia", "Gaza")])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await codebook(app, pilot)
        select_tag(screen, "actor")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("ctrl+u", *"group", "enter")
        await settle(pilot)
        store = on_disk(app)
        assert sorted(t for a in store.annotations() for t in a.tags) == ["group/Hamas", "group/Nujaba", "militia"]
        assert any("Renamed actor to group (2 annotations changed)" in t for t in toasts(app))
        assert screen.selected_tag == "group"
        # merge militia into group/Nujaba (picked fuzzily in the tag dialog)
        select_tag(screen, "militia")
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)
        await pilot.press(*"group/nuj", "enter")
        await settle(pilot)
        store = on_disk(app)
        assert sorted(t for a in store.annotations() for t in a.tags) == ["group/Hamas", "group/Nujaba", "group/Nujaba"]
        assert "militia" not in [t.name for t in store.tags()]
        # one undo brings the merged tag back
        await pilot.press("u")
        await settle(pilot)
        assert "militia" in [t for a in on_disk(app).annotations() for t in a.tags]


async def test_recolour_describe_and_delete_a_tag_in_use(seed_paths):
    seeded(seed_paths, [("actor/Nujaba", "Nujaba"), ("place", "Gaza")])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await codebook(app, pilot)
        select_tag(screen, "place")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+u", *"#123456", "enter")
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"Where it happened", "enter")
        await settle(pilot)
        tag = on_disk(app).tag("place")
        assert (tag.color, tag.description) == ("#123456", "Where it happened")
        await pilot.press("x")  # in use: asks
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "enter")  # delete the annotations
        await settle(pilot)
        store = on_disk(app)
        assert "place" not in [t.name for t in store.tags()]
        assert [a.tags for a in store.annotations()] == [("actor/Nujaba",)]


async def test_orphan_is_listed_and_reattached_to_the_selection(seed_paths):
    seeded(seed_paths, [("quote", "This illegal and illegitimate presence")])
    path = seed_paths.corpus / SHAFAQ
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("This illegal and illegitimate presence", "Foreign presence"), encoding="utf-8")
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot, at="Foreign presence")
        assert view.highlights == []
        await pilot.press("v", "w", "right" * 1, *["l"] * 6)  # "Foreign presence"
        assert view.text[slice(*view.selection)] == "Foreign presence"
        await pilot.press("a")
        await pilot.pause()
        panel = app.screen.query_one("#annotations", AnnotationPanel)
        assert "⚠ orphan" in str(panel.get_option_at_index(0).prompt)
        assert "1 orphaned" in str(panel.border_title)
        await pilot.press("r")
        await settle(pilot)
        [annotation] = on_disk(app).annotations(SHAFAQ)
        assert annotation.quote.exact == "Foreign presence"
        assert annotation.tags == ("quote",)
        assert [(h.start, h.end) for h in view.highlights] == [
            (view.text.index("Foreign presence"), view.text.index("Foreign presence") + 16)
        ]
        assert "orphan" not in str(panel.get_option_at_index(0).prompt)


async def test_orphan_deleted_on_purpose(seed_paths):
    seeded(seed_paths, [("quote", "This illegal and illegitimate presence")])
    path = seed_paths.corpus / SHAFAQ
    path.write_text(
        path.read_text(encoding="utf-8").replace("This illegal and illegitimate presence", "Foreign presence"),
        encoding="utf-8",
    )
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shafaq(app, pilot)
        await pilot.press("a", "x")
        await settle(pilot)
        assert on_disk(app).annotations(SHAFAQ) == []


async def test_corrupt_annotation_file_is_read_only(seed_paths):
    broken = seed_paths.annotations / "docs" / f"{SHAFAQ}.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json", encoding="utf-8")
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        warning = app.screen.query_one("#doc-warning", Static)
        assert warning.display and "read-only" in str(warning.render())
        assert "read-only" in status_text(app)
        await pilot.press("s", "t")
        await pilot.pause()
        assert app.screen is app.main_screen  # no dialog
        await pilot.press("1")
        await settle(pilot)
        assert any("read-only" in text and "annotations" in text for text in toasts(app))
        assert broken.read_text(encoding="utf-8") == "{not json"
        assert view.selection is not None


async def test_palette_offers_the_tagging_commands(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for words, expected in (
            ("codebook", "Codebook"),
            ("undo", "Undo"),
            ("redo", "Redo"),
            ("auto-code", "Auto-code the current search"),
            ("annotations panel", "Annotations panel"),
            ("tag the selection", "Tag the selection"),
        ):
            await pilot.press("ctrl+p", *words)
            await settle(pilot)
            commands = app.screen.query_one("CommandList", OptionList)
            assert str(commands.get_option_at_index(0).prompt).startswith(expected)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+p", *"codebook")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CodebookScreen)


@pytest.mark.parametrize("key", ["s", "p"])
async def test_sentence_and_paragraph_selection_keys(seed_paths, key):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        await pilot.press(key)
        start, end = view.selection
        assert view.text[start:end] == FIRST_SENTENCE  # this paragraph is one sentence
        await pilot.press("o", "w")  # adjust the other end: the selection now starts a word on
        assert view.selection == (view.text.index("News/"), end)


async def test_tags_and_notes_with_markup_are_shown_literally(seed_paths):
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shafaq(app, pilot, at="political leader")
        await pilot.press("s", "t", *"[@click=app.quit]x", "ctrl+n", *"[bold]n[/bold]", "enter")
        await settle(pilot)
        [annotation] = on_disk(app).annotations(SHAFAQ)
        assert annotation.tags == ("[@click=app.quit]x",) and annotation.note == "[bold]n[/bold]"
        await pilot.press("a")
        await pilot.pause()
        svg = app.export_screenshot()
        assert "[@click=app.quit]x" in svg and "[bold]n[/bold]" in svg
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("r")  # the rename dialog's title carries the tag name
        await pilot.pause()
        assert "[@click=app.quit]x" in app.export_screenshot()
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.is_running and app.screen is app.main_screen
