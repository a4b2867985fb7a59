"""Issue 14 ("the first hour with reader"), items 9 and 10: the first screen and the many smaller
things a new user ran into. Each test failed before its fix."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from textual.widgets import OptionList, Static
from textual.widgets._toast import Toast

from reader.app import create_app
from reader.screens.code_matrix import CodeMatrixScreen
from reader.dialogs.pickers import SimilarDialog
from reader.screens.concordance import ConcordanceScreen
from reader.dialogs.prompts import PromptDialog
from reader.screens.frequencies import FrequenciesScreen
from reader.dialogs.tag import TagDialog
from reader.services import Library
from reader.widgets.labels import one_line
from reader.widgets.annotation_panel import AnnotationPanel
from reader.widgets.document_list import DocumentList

from snapshot_apps.compare_app import CompareApp

from app_helpers import toasts, type_query
from conftest import REPO, SEEDS, make_paths
from test_app import SHAFAQ
from test_compare_screen import D000, D001, D003, LESS
from test_compare_screen import _visible_text
from test_tagging import codebook, on_disk, open_shafaq, seeded, select_tag
from test_views_screens import ViewsApp, fixed_time, library  # noqa: F401 (fixtures)
from waiting import pilot_wait_until, settle


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
        await settle(pilot)
        table = app.screen.query_one("#documents", DocumentList)
        assert [str(c.label) for c in table.columns.values()] == ["Title", "Words"]
        assert table.columns["title"].width >= 45
        # the seeds (one source and one date among five) keep those columns, as narrow as their values
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    app = create_app(make_paths(tmp_path / "s", seeds))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#documents", DocumentList)
        assert [str(c.label) for c in table.columns.values()] == ["Title", "Source", "Date", "Words"]
        assert table.columns["words"].width == len("Words")
        assert table.columns["title"].width >= 24


async def test_the_first_screen_hint_is_not_cut(tmp_path):
    """Item 9: the hint read `...or search wit…`; then it said "search with /" to a user whose keys
    already went to the search box."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    for size in ((120, 40), (80, 24)):
        app = create_app(make_paths(tmp_path / f"{size[0]}", seeds))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            header = app.screen.query_one("#doc-header", Static)
            shown = " ".join(header.render_line(y).text.strip() for y in range(header.size.height))
            # the search box starts focused: the hint says to type, not to press / first
            assert "or type a search (/ goes to the box)" in shown, shown
            assert app.focused is not None and app.focused.id == "search"


async def test_code_matrix_says_its_totals_are_not_sums_of_cells(library):
    """Item 10: row totals count distinct passages, so they do not add up across cells; say so."""
    app = ViewsApp(CodeMatrixScreen(library))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        matrix = app.view.matrix
        d3 = [
            row for row in matrix.rows if matrix.row_totals[row] != sum(matrix.cell(row, tag) for tag in matrix.columns)
        ]
        assert d3  # the passage tagged event/threat and frame/truce
        assert "Totals count each passage once" in app.view.status_text
        await pilot.press("m")
        await settle(pilot)
        assert "Totals count each character once" in app.view.status_text


def record_codebook_details(monkeypatch) -> list[tuple[str, int]]:
    """Every text the codebook's details pane is given, with how many tags its tree holds
    then: what a user could see, however briefly, on a busy machine."""
    from reader.screens.codebook import CodebookScreen

    shown: list[tuple[str, int]] = []
    original = CodebookScreen.show_tag

    def show_tag(self, name):
        original(self, name)
        details = self.query_one("#tag-details", Static)
        shown.append((str(details.render()), len(self.tree.root.children)))

    monkeypatch.setattr(CodebookScreen, "show_tag", show_tag)
    return shown


def codebook_shown(app):
    """The codebook once its tree is there (None before)."""
    screen = app.screen
    return screen if type(screen).__name__ == "CodebookScreen" and screen.query("#codebook-tree") else None


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_the_codebook_never_says_no_tags_beside_a_tree_of_tags(seed_paths, monkeypatch, size):
    """Item 10: opened right after start-up (indexing not over), the codebook first said "No
    tags yet" beside its tree: the tree highlights its hidden root as it is built."""
    seeded(seed_paths, [("actor/Nujaba", "Nujaba"), ("place", "Gaza")])
    shown = record_codebook_details(monkeypatch)
    app = create_app(seed_paths)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.screen.action_codebook()
        screen = await pilot_wait_until(pilot, lambda: codebook_shown(app), "the codebook")
        await pilot_wait_until(
            pilot,
            lambda: screen.tree.cursor_node is not None and screen.tree.cursor_node.data == "actor",
            "its cursor on actor",
        )
        await settle(pilot)
        assert shown and all("No tags yet" not in text for text, _ in shown), shown
        assert "actor" in shown[-1][0] and "1 passage" in shown[-1][0]


async def test_the_codebook_right_after_a_first_tag_shows_it(seed_paths, monkeypatch):
    """Item 10, the other way it was seen: the first tag of a new store, then `c`."""
    shown = record_codebook_details(monkeypatch)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_shafaq(app, pilot, at="political leader")
        await pilot.press("s", "t")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, TagDialog), "the tag dialog")
        await pilot.press(*"actor/Nujaba", "enter")
        await pilot_wait_until(pilot, lambda: app.screen is app.main_screen and view.highlights, "the passage tagged")
        await pilot.press("c")
        screen = await pilot_wait_until(pilot, lambda: codebook_shown(app), "the codebook")
        await settle(pilot)
        assert shown and all("No tags yet" not in text for text, _ in shown), shown
        assert "actor" in shown[-1][0] and "1 passage" in shown[-1][0]
        assert screen.tree.cursor_node.data == "actor"
        assert on_disk(app).annotations(SHAFAQ)


async def test_the_colour_dialog_takes_names_and_stays_open_on_an_error(seed_paths):
    """Item 10: the colour dialog rejected `red` and closed."""
    seeded(seed_paths, [("place", "Gaza")])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await codebook(app, pilot)
        select_tag(screen, "place")
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PromptDialog)
        await pilot.press("ctrl+u", *"blu", "enter")
        await pilot.pause()
        assert app.screen is dialog  # still open, saying why
        assert "is not a colour" in str(dialog.query_one("#prompt-error", Static).render())
        await pilot.press("ctrl+u", *"red", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert on_disk(app).tag("place").color == "#ff0000"


async def test_the_merge_dialog_shows_only_hints_that_work_there(seed_paths):
    """Item 10: the merge dialog showed the tag picker's tab and ctrl+n hints."""
    seeded(seed_paths, [("actor/Nujaba", "Nujaba"), ("place", "Gaza")])
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await codebook(app, pilot)
        select_tag(screen, "place")
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)
        hint = str(app.screen.query_one("#tag-hint", Static).render())
        assert "tab" not in hint and "ctrl+n" not in hint and "enter" in hint
        await pilot.press("tab")  # adds nothing: one target
        assert app.screen.chosen == []
        await pilot.press(*"actor/Nujaba", "enter")
        await settle(pilot)
        assert [a.tags for a in on_disk(app).annotations()] == [("actor/Nujaba",), ("actor/Nujaba",)]


def test_the_auto_code_preview_cuts_context_at_words_on_one_line(seed_paths):
    """Item 10: the auto-code preview cut context mid-word and showed `␊`."""
    library = Library(seed_paths)
    library.update_index()
    plan = library.plan_autocode("Nujaba")
    assert plan.matches
    for match in plan.matches:
        text = library.index.load(match.doc_id).text
        a, b = match.context_span
        assert match.context[a:b] == text[match.start : match.end]
        assert "\n" not in match.context and "␊" not in one_line(match.context, 200)
        # whole words only: the context (ellipses off) is a run of whole words of the text
        body = match.context.removeprefix("…").removesuffix("…")
        flat = " ".join(text.split())
        assert re.search(r"(?<!\S)" + re.escape(body) + r"(?!\S)", flat), match.context
    assert one_line("The Revolutionaries.\nA new one") == "The Revolutionaries. A new one"


async def test_the_concordance_says_that_enter_runs_an_edited_query(library):
    """Item 10: the concordance ran only on Enter without saying so."""
    app = ViewsApp(ConcordanceScreen(library, "Nujaba"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.view
        shown = screen.table.row_count
        assert "matches in" in screen.status_text
        await pilot.press("slash", "ctrl+e", *" OR truce")
        await pilot.pause()
        assert "Press enter to list every match of Nujaba OR truce" in screen.status_text
        assert screen.table.row_count == shown  # nothing ran yet
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_text == "Nujaba OR truce" and screen.table.row_count > shown
        assert "Press enter" not in screen.status_text


KEYMAP_CHECK = """
import asyncio, json, sys
from pathlib import Path
from reader.app import create_app
from reader.paths import Paths

async def main():
    root = Path(sys.argv[1])
    paths = Paths(corpus=root / "corpus", annotations=root / "annotations", index=root / "index")
    app = create_app(paths, keymap_path=root / "keymap.toml")
    loaded = "reader.screens.concordance" in sys.modules
    async with app.run_test() as pilot:
        await pilot.pause()
        print(json.dumps({"loaded_at_start": loaded, "problems": app.keymap.problems}))

asyncio.run(main())
"""


def test_a_keymap_id_of_a_view_not_loaded_yet_is_known(seed_paths):
    """Item 10: `reader.kwic.sort.doc` (the concordance's, imported when first opened) was
    reported as an unknown binding id. A fresh process, as the app starts."""
    root = seed_paths.corpus.parent
    (root / "keymap.toml").write_text(
        '[keys]\n"reader.kwic.sort.doc" = "D"\n"reader.no.such" = "Z"\n', encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-c", KEYMAP_CHECK, str(root)], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded_at_start"] is False  # the case that went wrong
    assert report["problems"] == [f"{root / 'keymap.toml'}: unknown binding id(s): reader.no.such"]


async def test_frequencies_at_80x24_draw_a_bar_for_the_most_frequent_words(library):
    """Item 10: at 80x24 the three most frequent words had no bar (their lines were too long)."""
    app = ViewsApp(FrequenciesScreen(library))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#freq-terms", OptionList)
        shown = [box.render_line(y).text for y in range(3)]
        terms = app.view.terms[:3]
        for line, term in zip(shown, terms):
            assert line.split()[:2] == [term.term, str(term.count)]
            assert "█" in line, shown


async def test_the_panel_names_a_fuzzy_placement_fuzzy_and_shows_the_text_now(seed_paths):
    """Item 10: the panel said "≈ moved" for a fuzzy placement and showed the old quote, while
    `reader annotations` says fuzzy: one vocabulary (anchored, moved, fuzzy, orphan)."""
    old = "This illegal and illegitimate presence"
    new = "This illegal and illegitimate foreign presence"
    seeded(seed_paths, [("quote", old)])
    path = seed_paths.corpus / SHAFAQ
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shafaq(app, pilot)
        [placed] = app.screen.opened.anchored
        assert placed.status == "fuzzy"
        now = app.screen.opened.document.text[placed.span.start : placed.span.end]
        await pilot.press("a")
        await pilot.pause()
        panel = app.screen.query_one("#annotations", AnnotationPanel)
        prompt = str(panel.get_option_at_index(0).prompt)
        assert "≈ fuzzy" in prompt and "moved" not in prompt
        assert f"“{now}”" in prompt and f"was “{old}”" in prompt
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "reader",
            "annotations",
            "--json",
            "--corpus",
            str(seed_paths.corpus),
            "--annotations",
            str(seed_paths.annotations),
            "--index",
            str(seed_paths.index),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert json.loads(cli.stdout.splitlines()[0])["status"] == "fuzzy"


@pytest.fixture()
def indexed(seed_paths) -> Library:
    library = Library(seed_paths)
    library.update_index()
    return library


async def test_find_similar_then_enter_moves_no_cursor(indexed):
    """Item 10: after `f` then Enter in side by side the active pane's cursor jumped away."""
    app = CompareApp(indexed, D000, D001)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await settle(pilot)
        a = screen.view("a")
        for place in ("This attack was claimed", "Al-Lami added", "Iraq initiated discussions", LESS):
            cursor = a.text.index(place)
            a.move_cursor(cursor)
            await pilot.press("f")
            await settle(pilot)
            rows = app.screen.rows
            for index, row in enumerate(rows):  # each similar passage, opened in turn
                if index:
                    await pilot.press("f")
                    await settle(pilot)
                await pilot.press(*["down"] * index, "enter")
                await settle(pilot)
                assert app.screen is screen
                b = screen.view("b")
                assert a.cursor == cursor, (place, index)
                assert (b.doc_id, b.cursor) == (row.doc_id, row.span.start)


async def test_opening_a_second_similar_passage_of_the_same_document_moves_no_cursor(indexed):
    """Item 10, as seen at 80x24: 003 beside 000, `f` on 003's January talks lists two passages
    of 000; opening the second one moved the active pane's cursor away."""
    app = CompareApp(indexed, D003, D000)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.compare
        await settle(pilot)
        a = screen.view("a")
        cursor = a.text.index("In January, Iraq began talks")
        a.move_cursor(cursor)
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        rows = app.screen.rows
        second = [i for i, row in enumerate(rows) if row.doc_id == D000][1]
        await pilot.press(*["down"] * second, "enter")
        await settle(pilot)
        assert app.screen is screen
        b = screen.view("b")
        assert (b.doc_id, b.cursor) == (D000, rows[second].span.start)
        assert a.cursor == cursor


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_a_similar_passage_paired_elsewhere_leaves_the_active_cursor_alone(indexed, size):
    """Item 10: after `f` then Enter the active pane's cursor jumped away. It did when the
    passage opened in B is aligned with another passage of A than the one under A's cursor:
    000's January talks are most like a passage of 003 that the alignment pairs with 000's
    earlier paragraph, and the old code brought that counterpart (and A's cursor) into view.
    The two tests above pass on the old code too (their passages pair back with the cursor's)."""
    app = CompareApp(indexed, D000, D001)
    async with app.run_test(size=size) as pilot:
        screen = app.compare
        await settle(pilot)
        a = screen.view("a")
        cursor = a.text.index("In January, Iraq commenced talks")
        a.move_cursor(cursor)
        await settle(pilot)
        await pilot.press("f")
        await pilot_wait_until(pilot, lambda: isinstance(app.screen, SimilarDialog), "the similar passages dialog")
        row = app.screen.rows[0]
        assert row.doc_id == D003
        await pilot.press("enter")
        b = screen.view("b")
        await pilot_wait_until(
            pilot, lambda: screen.alignment is not None and b.doc_id == D003, "003 opened in B and aligned"
        )
        await settle(pilot)
        pair = screen.alignment.pair_at("b", row.span.start)
        assert pair is not None and pair.paired and not pair.a.start <= cursor < pair.a.end
        assert screen.side == "a" and a.cursor == cursor
        assert (b.doc_id, b.cursor) == (D003, row.span.start)
        assert "In January, Iraq commenced talks" in _visible_text(a)
        status = screen.query_one("#compare-status", Static)
        shown = " ".join(status.render_line(y).text.strip() for y in range(status.size.height))
        assert shown.startswith("Active: A") and "Diff on" in shown, shown


async def test_the_side_by_side_status_line_is_whole_at_80x24(indexed):
    """Item 10: the side-by-side status line was cut at 80x24."""
    app = CompareApp(indexed, D000, D003)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("J")
        await pilot.pause()
        status = app.screen.query_one("#compare-status", Static)
        shown = " ".join(status.render_line(y).text.strip() for y in range(status.size.height))
        assert "pair 1/" in shown or "pair 2/" in shown
        assert "only in B" in shown and "Diff on" in shown, shown


async def test_searching_the_open_document_lists_its_matches_in_the_sidebar(seed_paths):
    """Item 10: under "2 matches in this document" the sidebar kept an unrelated list (the
    document list, or stale corpus hits)."""
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(*"Babel")  # a corpus search first: its hits are in the sidebar
        await settle(pilot)
        view = await open_shafaq(app, pilot)
        await pilot.press("slash", "ctrl+u", *"Nujaba")  # the reader had focus: this document
        await settle(pilot)
        results = screen.query_one("#results", OptionList)
        assert results.display and not screen.query_one("#documents").display
        count = view.match_count
        assert count >= 2 and results.option_count == count
        options = [results.get_option_at_index(i) for i in range(count)]
        assert [o.id for o in options] == [f"match:{i}" for i in range(count)]  # no stale hit
        assert all("Nujaba" in str(o.prompt) for o in options)
        assert str(options[0].prompt).startswith("1. ")
        results.focus()
        results.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        assert view.current_match == 1 and app.focused is view
        assert view.text[view.cursor :].startswith("Nujaba")


async def test_auto_code_on_a_title_search_says_why_there_is_nothing_to_tag(seed_paths):
    """Item 10: `A` on a `title:` search with a hit said there was no match to tag."""
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await type_query(app, pilot, "title:threaten")
        assert app.screen.hits  # the Shafaq article, by its title
        await pilot.press("escape", "A")
        await settle(pilot)
        said = " ".join(toasts(app))
        assert f"found {len(app.screen.hits)} documents by title or source" in said, said
        assert "without title:" in said
        await type_query(app, pilot, "zzzqqq")
        await pilot.press("escape", "A")
        await settle(pilot)
        assert any("No match of zzzqqq to tag." in t for t in toasts(app))


async def test_the_status_bar_keeps_its_room_for_the_document_and_above_notifications(seed_paths):
    """Item 10: beside a document the status bar spent its right half on the annotations path,
    and notifications covered it."""
    app = create_app(seed_paths)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        status = app.screen.query_one("#status", Static)
        assert "annotations: " in str(status.render())  # the first screen says where they go
        await open_shafaq(app, pilot)
        await pilot.press("s", "t", *"topic", "enter")  # a notification: "Tagged ..."
        await settle(pilot)
        shown = str(status.render())
        assert "annotations: " not in shown and "topic" in shown and "¶" in shown
        toasts_now = list(app.screen.query(Toast))
        assert toasts_now
        assert all(t.region.bottom <= status.region.y for t in toasts_now)
