"""Snapshots of the tagging screens (issue 5): the reader with overlapping annotations, the tag
dialog and the codebook. Accept changes with --snapshot-update after looking at them, on the
pinned Textual only."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from reader.app import create_app
from reader.services import Library

from test_app import SHAFAQ
from waiting import settle_workers

OVERLAPPING = [
    # (tags, note, text): nested and overlapping spans in the first paragraph
    (
        ["topic/escalation"],
        "the whole claim",
        "The political leader of the Iraqi Nujaba Movement, known for its attacks on US forces, has warned",
    ),
    (["actor/Nujaba"], "", "Iraqi Nujaba Movement"),
    (["event/attack"], "threat of renewed strikes", "attacks on US forces, has warned that strikes"),
]


@pytest.fixture()
def tagged_app(seed_paths, monkeypatch):
    """The app on the seeds with three overlapping annotations in SHAFAQ, run from tmp_path
    (stable relative path in the status bar)."""
    monkeypatch.chdir(seed_paths.corpus.parent)
    monkeypatch.setenv("READER_CODER", "coder")  # the status bar's coder, not the OS user
    library = Library(seed_paths)
    library.update_index()
    document = library.index.load(SHAFAQ)
    library.store.set_tag("topic/escalation", color="#4363d8", description="Talk of escalation")
    library.store.set_tag("actor/Nujaba", color="#3cb44b")
    library.store.set_tag("event/attack", color="#e6194b")
    for tags, note, quote in OVERLAPPING:
        start = document.text.index(quote)
        library.store.add(SHAFAQ, document.text, document.sha256, start, start + len(quote), tags, note)
    return create_app(seed_paths)


async def _open(pilot) -> None:
    app = pilot.app
    await settle_workers(app)
    await pilot.pause()
    app.screen.open_document(SHAFAQ)
    await settle_workers(app)
    await pilot.pause()
    view = app.screen.view
    view.move_cursor(view.text.index("Nujaba Movement"))
    await pilot.pause()


async def _no_blink(pilot) -> None:
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def test_reader_with_overlapping_annotations(snap_compare, tagged_app):
    """Tints per tag, underline where annotations overlap, gutter markers, the annotation under
    the cursor in the status bar, the panel listing all three."""

    async def run_before(pilot) -> None:
        await _open(pilot)
        await pilot.press("a")
        await pilot.press("escape")
        await pilot.pause()

    assert snap_compare(tagged_app, terminal_size=(120, 40), run_before=run_before)


def test_tag_dialog(snap_compare, tagged_app):
    """The dialog on a selected sentence, filtered by "ac": swatches, paths, counts, a chip."""

    async def run_before(pilot) -> None:
        await _open(pilot)
        await pilot.press("s", "t")
        await pilot.pause()
        await pilot.press(*"topic", "tab", *"ac")
        await _no_blink(pilot)

    assert snap_compare(tagged_app, terminal_size=(120, 40), run_before=run_before)


def test_codebook(snap_compare, tagged_app):
    """The codebook: the tag tree with colours and counts, the passages of actor."""

    async def run_before(pilot) -> None:
        await settle_workers(pilot.app)
        await pilot.pause()
        pilot.app.screen.query_one("#documents").focus()
        await pilot.press("c")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(tagged_app, terminal_size=(120, 40), run_before=run_before)
