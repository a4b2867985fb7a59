"""Pilot tests of editing a difference's boundaries in the worklist before accepting it into
the consensus (issue 17: "edit the boundaries"), and of the proposal's rules."""

from __future__ import annotations

from reader.agreement.differences import Difference, Version
from reader.agreement.editing import Edit, start_edit
from reader.agreement.study import CodedSpan
from reader.app import create_app
from reader.screens.settle import SettleScreen
from reader.widgets.document_view import DocumentView

from waiting import settle
from test_app_settle import coded, consensus, header, open_worklist, status

TEXT = "The Nujaba Movement, also called Harakat"


def test_a_proposal_moves_by_characters_and_words_and_stays_a_span():
    edit = Edit(4, 10, frozenset({"actor"}), "ann")  # "Nujaba"
    assert edit.moved(TEXT, -1).start == 3
    assert edit.moved(TEXT, -1, by_word=True).start == 0  # the start of "The"
    assert edit.moved(TEXT, 1, by_word=True).start == 9  # never past the end
    end = edit.switched()
    assert end.moving == "end"
    assert TEXT[4 : end.moved(TEXT, 1, by_word=True).end] == "Nujaba Movement"
    assert end.moved(TEXT, 2, by_word=True).end == TEXT.index(" called")
    assert end.moved(TEXT, -1, by_word=True).end == 5  # never before the start
    assert end.moved(TEXT, 100).end == len(TEXT)


def test_a_proposal_starts_from_a_coders_version():
    spans = (CodedSpan("bob", "d", 4, 10, frozenset({"actor"})), CodedSpan("bob", "d", 11, 19, frozenset({"group"})))
    place = Difference("d", 4, 19, "missing", (Version("ann", ()), Version("bob", spans)))
    assert start_edit(place) == Edit(4, 19, frozenset({"actor", "group"}), "bob")
    assert start_edit(place, "ann") is None


def selections(app) -> set:
    return {view.selection for view in app.screen.query(DocumentView)}


async def test_edit_the_boundaries_then_accept_and_undo(seed_paths):
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_worklist(app, pilot)
        assert header(app).startswith("difference 1 of 2")
        text = screen.texts[screen.current.doc]
        nujaba = screen.current.start
        await pilot.press("e")
        await pilot.pause()
        assert "editing the start ◂" in status(app) and "«Nujaba»" in status(app)
        assert selections(app) == {(nujaba, nujaba + 6)}  # in every coder's pane
        await pilot.press("o", "w", "l", "h")  # the end: a word on, a character on and back
        await pilot.pause()
        end = nujaba + len("Nujaba Movement")
        assert text[nujaba:end] == "Nujaba Movement"
        assert f"editing the end ▸ · {nujaba}–{end} (15 characters)" in status(app)
        await pilot.press("b", "w")  # a word back and on again; `b` is not "both" here
        await pilot.pause()
        assert consensus(app) == []
        await pilot.press("enter")
        await settle(pilot)
        assert [(a.start, a.end, a.tags) for a in consensus(app)] == [(nujaba, end, ("actor",))]
        assert "editing" not in status(app) and "consensus: actor (1)" in status(app)
        assert selections(app) == {None}
        await pilot.press("u")
        await settle(pilot)
        assert consensus(app) == [] and "consensus: not settled" in status(app)


async def test_escape_leaves_the_edit_and_a_number_restarts_from_that_coder(seed_paths):
    app = create_app(coded(seed_paths))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_worklist(app, pilot)
        await pilot.press("n", "e")  # difference 2: ann `place`, bob `conflict` on "Gaza"
        await pilot.pause()
        assert "place from ann" in status(app)
        await pilot.press("2")
        await pilot.pause()
        assert "conflict from bob" in status(app) and consensus(app) == []
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SettleScreen) and "editing" not in status(app)
        await pilot.press("e", "n")  # stepping away leaves the edit too
        await pilot.pause()
        assert "editing" not in status(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen


async def test_A_takes_every_agreed_place_into_the_consensus(seed_paths):
    """ann and bob agree on "Tehran" (place): `A` copies it into the consensus as it is (one
    change, undone with u); the differences stay to settle."""
    import hashlib

    from reader.store import AnnotationStore

    from test_app import SHAFAQ

    paths = coded(seed_paths)
    data = (paths.corpus / SHAFAQ).read_bytes()
    text, sha = data.decode("utf-8"), hashlib.sha256(data).hexdigest()
    start = text.index("Tehran")
    for coder in ("ann", "bob"):
        AnnotationStore(paths.annotations, creator=coder).add(
            SHAFAQ, text, sha, start, start + len("Tehran"), ["place"]
        )
    app = create_app(paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_worklist(app, pilot)
        assert header(app).startswith("difference 1 of 2")
        await pilot.press("A")
        await settle(pilot)
        assert [(a.start, a.tags) for a in consensus(app)] == [(start, ("place",))]
        await pilot.press("A")  # again: nothing new
        await settle(pilot)
        assert len(consensus(app)) == 1
        await pilot.press("u")
        await settle(pilot)
        assert consensus(app) == []
