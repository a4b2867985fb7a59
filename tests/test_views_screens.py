"""The analytic views as screens (issue 8): concordance, code matrix, co-occurrence, frequencies.

Each view is pushed alone by a tiny app on copies of the seeds with a fixed annotation set (the
one tests/test_analytics.py uses). The numbers shown are checked against the texts (regex
counts) or against the headless functions the views call; following a row must close the view
with the `OpenAt` of that match. Snapshots at 120x40: accept changes with --snapshot-update after
looking at them, on the pinned Textual only.
"""

from __future__ import annotations

import re

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, OptionList, Select

from reader.analytics.cooccur import cooccurrence
from reader.analytics.frequencies import tag_counts, term_frequencies, timeline
from reader.analytics.kwic import concordance, flatten, sort_lines
from reader.analytics.matrix import code_matrix
from reader.screens import views
from reader.screens.code_matrix import CodeMatrixScreen
from reader.screens.concordance import ConcordanceScreen
from reader.screens.cooccurrence import CooccurrenceScreen
from reader.screens.frequencies import FrequenciesScreen
from reader.screens.views import OpenAt
from reader.services import Library
from reader.store import NewAnnotation

from conftest import SEEDS
from test_analytics import DUAL_QUOTE, THREAT_LINE, WORDS
from waiting import settle

D0, D1, D2, D3, D4 = sorted(p.name for p in SEEDS.glob("*.txt"))
SIZE = (120, 40)


class ViewsApp(App):
    """Pushes one view and keeps what it was dismissed with (`result`, "open" while open)."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.view = screen
        self.result: object = "open"

    def on_mount(self) -> None:
        self.push_screen(self.view, self._view_closed)

    def _view_closed(self, result) -> None:
        self.result = result


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    """Durations on status lines would change every run: snapshots see "5 ms"."""
    monkeypatch.setattr(views.Timer, "__str__", lambda self: "5 ms")


@pytest.fixture()
def library(seed_paths) -> Library:
    """The seeds indexed, with Nujaba / truce / Babel passages, a threat line, a passage with
    two tags, outlets for D3 and D4 and dates for three documents."""
    library = Library(seed_paths)
    library.update_index()
    store = library.store
    items = []
    for tag, (pattern, docs) in WORDS.items():
        for doc in docs:
            document = library.index.load(doc)
            for m in re.finditer(pattern, document.text):
                items.append(NewAnnotation(doc, document.text, document.sha256, m.start(), m.end(), (tag,)))
    d4 = library.index.load(D4)
    start = d4.text.index(THREAT_LINE)
    items.append(NewAnnotation(D4, d4.text, d4.sha256, start, d4.text.index("\n", start), ("event/threat",)))
    d3 = library.index.load(D3)
    q = d3.text.index(DUAL_QUOTE)
    items.append(NewAnnotation(D3, d3.text, d3.sha256, q, q + len(DUAL_QUOTE), ("event/threat", "frame/truce")))
    store.add_many(items)
    store.set_attributes(D3, outlet="The National", date="2024-03-05")
    store.set_attributes(D4, outlet="Newsweek", source="Newsweek", date="2024-03-20")
    return library


def _text(library: Library, doc: str) -> str:
    return library.index.load(doc).text


async def _no_blink(pilot) -> None:
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def _plain_row(table: DataTable, row: int) -> list[str]:
    return [str(getattr(cell, "plain", cell)).strip() for cell in table.get_row_at(row)]


# --- concordance ----------------------------------------------------------------------------------


async def test_concordance_lists_every_match_and_enter_follows_it(library):
    texts = {doc: _text(library, doc) for doc in (D0, D1, D2, D3, D4)}
    expected = sum(len(re.findall(r"(?i)\bnujaba\b", t)) for t in texts.values())
    app = ViewsApp(ConcordanceScreen(library, "Nujaba"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        assert expected == 14
        assert screen.table.row_count == expected == len(concordance(library.index, "Nujaba"))
        docs = len({doc for doc, t in texts.items() if re.search(r"(?i)\bnujaba\b", t)})
        assert f"{expected} matches in {docs} documents" in screen.status_text
        assert screen.lines == concordance(library.index, "Nujaba", width=screen._widths[1])
        # the match column shows the match; the left context ends right before it
        row = _plain_row(screen.table, 2)
        line = screen.lines[2]
        assert row[2] == "Nujaba"
        assert flatten(texts[line.doc_id][: line.start]).rstrip().endswith(row[1])
        await pilot.press("down", "down", "enter")
        await pilot.pause()
    target = app.result
    assert isinstance(target, OpenAt)
    assert (target.doc_id, target.start, target.end) == (line.doc_id, line.start, line.end)
    assert texts[target.doc_id][target.start : target.end].lower() == "nujaba"
    assert target.select and not target.tag


async def test_concordance_sort_keys_and_tag_key(library):
    app = ViewsApp(ConcordanceScreen(library, "Nujaba"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        by_doc = list(screen.lines)
        await pilot.press("down", "down", "down")
        current = screen.current_line()
        await pilot.press("3")
        assert screen.lines == sort_lines(by_doc, "right") != by_doc
        assert screen.current_line() == current  # the cursor stays on its line
        assert "sorted by right context" in screen.status_text
        await pilot.press("2")
        assert screen.lines == sort_lines(by_doc, "left")
        await pilot.press("1")
        assert screen.lines == by_doc
        # t tags the match in place: the dialog, then back on the same line (issue 14)
        from reader.dialogs.tag import TagDialog

        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)
        await pilot.press(*"claim/kwic", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.current_line() == current
    saved = library.annotations(current.doc_id, tag="claim/kwic")
    assert [(a.start, a.end) for a in saved] == [(current.start, current.end)]


async def test_concordance_invalid_query_shows_a_message(library):
    app = ViewsApp(ConcordanceScreen(library))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.view
        assert app.focused is screen.query_one("#kwic-query")
        await pilot.press(*'"Nujaba movement', "enter")
        await settle(pilot)
        assert screen.status_text.startswith("Invalid query: Unbalanced quotes")
        assert screen.table.row_count == 0
        assert app.result == "open"  # still open, nothing raised
        box = screen.query_one("#kwic-query", Input)
        box.value = ""
        await pilot.press("end", '"', "enter")
        await settle(pilot)
        # a phrase across the corpus, typed after the error
        box.value = '"Nujaba movement"'
        await pilot.press("enter")
        await settle(pilot)
        expected = sum(len(re.findall(r"(?i)nujaba\s+movement", _text(library, d))) for d in (D0, D1, D2, D3, D4))
        assert screen.table.row_count == expected > 0
        assert app.focused is screen.table
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


async def test_concordance_shows_corpus_text_as_text(library, tmp_path):
    corpus = library.paths.corpus
    (corpus / "markup.txt").write_text(
        "Before [bold]Nujaba[/bold] and \x1b[31m after [@click=app.quit]x[/]\n", encoding="utf-8"
    )
    library.update_index()
    app = ViewsApp(ConcordanceScreen(library, "Nujaba"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        index = next(i for i, l in enumerate(screen.lines) if l.doc_id == "markup.txt")
        row = _plain_row(screen.table, index)
        assert row[1].endswith("Before [bold]") and row[3].startswith("[/bold] and ")
        assert "\x1b" not in "".join(row) and "[@click=app.quit]" in row[3]


# --- code matrix ----------------------------------------------------------------------------------


async def test_code_matrix_counts_totals_and_measure_toggle(library):
    meta = library.index.documents()
    expected = code_matrix(library.store, meta)
    app = ViewsApp(CodeMatrixScreen(library))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        table = screen.table
        tags = list(expected.columns)
        assert tags == ["actor/Nujaba", "event/threat", "frame/truce", "place/Babel"]
        assert table.row_count == len(expected.rows) + 1 == 4
        for i, row in enumerate(expected.rows):
            cells = _plain_row(table, i)
            counts = [int(c) if c != "·" else 0 for c in cells[1:-1]]
            assert counts == [expected.cell(row, tag) for tag in tags]
            assert int(cells[-1]) == expected.row_totals[row]
        totals = _plain_row(table, len(expected.rows))
        assert totals[0] == "Total"
        assert [int(c) for c in totals[1:]] == [8, 2, 8, 6, 23]  # see test_analytics
        assert "3 documents × 4 tags" in screen.status_text
        assert "23 passages in all" in screen.status_text

        await pilot.press("m")
        await settle(pilot)
        chars = code_matrix(library.store, meta, measure="characters")
        assert screen.matrix == chars
        cells = _plain_row(table, expected.rows.index(D4))
        assert int(cells[1].replace(",", "")) == chars.cell(D4, "actor/Nujaba") == 6 * 6
        assert "counting characters" in screen.status_text
        await pilot.press("m")
        await settle(pilot)
        assert screen.matrix == expected


async def test_code_matrix_enter_lists_a_cells_passages_and_follows_one(library):
    expected = code_matrix(library.store, library.index.documents())
    app = ViewsApp(CodeMatrixScreen(library))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        row = expected.rows.index(D4)
        # the cursor starts on the first row's first tag: go to D4 / actor/Nujaba
        await pilot.press(*["down"] * row, "enter")
        await pilot.pause()
        passages = expected.passages(D4, "actor/Nujaba")
        assert len(passages) == 6
        box = screen.passages
        assert box.display and app.focused is box and box.option_count == 6
        assert screen.listed == list(passages)
        await pilot.press("escape")  # back to the table
        assert not box.display and app.focused is screen.table and app.result == "open"
        # the column total: every Nujaba passage of every row
        await pilot.press(*["down"] * (len(expected.rows) - row), "enter")
        await pilot.pause()
        assert box.option_count == expected.column_totals["actor/Nujaba"] == 8
        await pilot.press("down", "enter")
        await pilot.pause()
    chosen = screen.listed[1]
    assert app.result == OpenAt(chosen.doc, chosen.start, chosen.end, select=True, annotation_id=chosen.id)
    assert _text(library, chosen.doc)[chosen.start : chosen.end] == "Nujaba"


async def test_code_matrix_rows_by_attribute(library):
    meta = library.index.documents()
    app = ViewsApp(CodeMatrixScreen(library))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        await pilot.press("g")  # by source
        await settle(pilot)
        assert screen.by == "source"
        assert screen.matrix == code_matrix(library.store, meta, ("attribute", "source"))
        assert _plain_row(screen.table, 1)[0] == "Newsweek"
        await pilot.press("g", "g")  # date, then the free attribute "outlet"
        await settle(pilot)
        assert screen.by == "outlet"
        outlet = code_matrix(library.store, meta, ("attribute", "outlet"))
        assert screen.matrix == outlet
        assert [_plain_row(screen.table, i)[0] for i in range(3)] == list(outlet.rows)
        await pilot.press("G")
        await pilot.pause()
        await pilot.press(*"date", "enter")
        await settle(pilot)
        assert screen.by == "date"
        assert screen.matrix.rows == ("(none)", "2024-03-05", "2024-03-20")
        await pilot.press("g", "g")  # outlet, then past the last attribute: documents again
        await settle(pilot)
        assert screen.by == "doc" and screen.matrix.rows == (D0, D3, D4)


# --- co-occurrence --------------------------------------------------------------------------------


async def test_cooccurrence_pairs_modes_and_follow(library):
    overlap = cooccurrence(library.store, library.index, "overlap")
    paragraph = cooccurrence(library.store, library.index, "paragraph")
    app = ViewsApp(CooccurrenceScreen(library))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        table = screen.table
        assert screen.pairs == overlap and overlap
        assert table.row_count == len(overlap)
        for i, pair in enumerate(overlap):
            cells = _plain_row(table, i)
            assert cells[:3] == [pair.tag_a, pair.tag_b, str(pair.count)]
        assert f"{len(overlap)} pair" in screen.status_text
        assert "overlapping passages" in screen.status_text

        await pilot.press("m")
        await settle(pilot)
        assert screen.pairs == paragraph and len(paragraph) > len(overlap)
        assert table.row_count == len(paragraph)
        assert "same paragraph" in screen.status_text

        await pilot.press("down")
        pair = screen.pairs[table.cursor_row]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.passages.option_count == pair.count == len(pair.occurrences)
        await pilot.press("enter")
        await pilot.pause()
    occ = pair.occurrences[0]
    assert app.result == OpenAt(occ.doc_id, occ.start, occ.end, select=True)


async def test_cooccurrence_overlap_counts_are_the_texts(library):
    """In overlap mode the only pairs are the tags of the threat line with the words inside it,
    and the two tags of the dual passage."""
    d4 = _text(library, D4)
    start = d4.index(THREAT_LINE)
    line = d4[start : d4.index("\n", start)]
    app = ViewsApp(CooccurrenceScreen(library))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        counts = {(p.tag_a, p.tag_b): p.count for p in app.view.pairs}
    assert counts == {
        ("actor/Nujaba", "event/threat"): len(re.findall(WORDS["actor/Nujaba"][0], line)),
        ("event/threat", "place/Babel"): len(re.findall(WORDS["place/Babel"][0], line)),
        # the dual passage with itself, and with the truce passage inside it
        ("event/threat", "frame/truce"): 1 + len(re.findall(WORDS["frame/truce"][0], DUAL_QUOTE)),
    }


# --- frequencies ----------------------------------------------------------------------------------


async def test_frequencies_terms_tags_and_timeline(library):
    app = ViewsApp(FrequenciesScreen(library))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        terms = term_frequencies(library.index, limit=50)
        assert screen.terms == terms
        box = screen.query_one("#freq-terms", OptionList)
        assert box.option_count == len(terms)
        first = str(box.get_option_at_index(0).prompt)
        assert first.split()[:2] == [terms[0].term, str(terms[0].count)] and "█" in first
        assert screen.tag_counts == tag_counts(library.store)
        assert [(c.tag, c.count) for c in screen.tag_counts][:2] == [("actor/Nujaba", 8), ("frame/truce", 8)]
        chart = str(screen.query_one("#freq-tags-chart").render())
        assert "actor/Nujaba" in chart and "place/Babel" in chart

        # D2 has its own date (2024-08-02); D3 and D4 were given March 2024
        assert [(e.date, len(e.doc_ids)) for e in screen.timeline] == [("2024-03", 2), ("2024-08", 1)]
        assert screen.undated == 2
        await pilot.press("d")
        await settle(pilot)
        assert screen.timeline == timeline(library.index.documents(), library.store, "day")
        assert len(screen.timeline) == 3

        # words of the passages under one tag
        screen.query_one("#freq-tag", Select).value = "frame/truce"
        await settle(pilot)
        under = term_frequencies(library.index, library.store, "frame/truce", limit=50)
        assert screen.terms == under and under[0].term == "truce"
        # the seven truce passages and the truce in the passage tagged threat and truce
        assert under[0].count == 7 + 1
        assert box.option_count == len(under)


async def test_frequencies_enter_on_a_word_opens_its_concordance(library):
    app = ViewsApp(FrequenciesScreen(library, tag="place/Babel"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.view
        assert screen.tag == "place/Babel"
        word = screen.terms[0].term
        await pilot.press("enter")
        await settle(pilot)
        kwic = app.screen
        assert isinstance(kwic, ConcordanceScreen) and kwic.query_text == word
        assert kwic.table.row_count == len(concordance(library.index, word))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not kwic and app.screen is not screen
    line = kwic.lines[0]
    assert app.result == OpenAt(line.doc_id, line.start, line.end, select=True)


# --- snapshots ------------------------------------------------------------------------------------


def test_concordance_snapshot(snap_compare, library):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await _no_blink(pilot)
        await pilot.press("down", "down")

    assert snap_compare(ViewsApp(ConcordanceScreen(library, "Nujaba")), terminal_size=SIZE, run_before=run_before)


def test_code_matrix_snapshot(snap_compare, library):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()

    assert snap_compare(ViewsApp(CodeMatrixScreen(library)), terminal_size=SIZE, run_before=run_before)


def test_cooccurrence_snapshot(snap_compare, library):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(ViewsApp(CooccurrenceScreen(library)), terminal_size=SIZE, run_before=run_before)


def test_frequencies_snapshot(snap_compare, library):
    async def run_before(pilot) -> None:
        await settle(pilot)

    assert snap_compare(ViewsApp(FrequenciesScreen(library)), terminal_size=SIZE, run_before=run_before)


# --- wired into the app: the keys open each view, and a view's choice opens the reader --------


async def test_app_keys_open_the_views_and_follow_into_the_reader(library, seed_paths):
    from reader.app import create_app
    from reader.dialogs.tag import TagDialog

    app = create_app(seed_paths)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.main_screen
        main.start_search("Nujaba")
        await settle(pilot)
        main.view.focus()
        await pilot.press("K")
        await settle(pilot)
        kwic = app.screen
        assert isinstance(kwic, ConcordanceScreen) and kwic.query_text == "Nujaba"
        await pilot.press("down", "enter")
        await settle(pilot)
        line = kwic.lines[1]
        assert app.screen is main and main.opened.document.id == line.doc_id
        assert main.view.selection == (line.start, line.end)

        main.view.focus()
        await pilot.press("K")
        await settle(pilot)
        kwic = app.screen
        await pilot.press("t")  # the tag dialog over the concordance, which stays (issue 14)
        await settle(pilot)
        assert isinstance(app.screen, TagDialog) and kwic in app.screen_stack
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is kwic
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main

        await pilot.press("M")
        await settle(pilot)
        matrix = app.screen
        assert isinstance(matrix, CodeMatrixScreen)
        await pilot.press("right", "right", "enter")  # the first document's truce passages
        await pilot.pause()
        chosen = matrix.listed[0]
        await pilot.press("enter")
        await settle(pilot)
        assert main.opened.document.id == chosen.doc
        assert main.view.selection == (chosen.start, chosen.end)

        for key, cls in (("O", CooccurrenceScreen), ("F", FrequenciesScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, cls)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is main
