"""A whole sitting in the real `reader` in a real terminal (tmux), at 80x24 and 120x40: search,
open a hit, select the match, tag it (a new tag), tag the next match with the recent tag, walk
the tag's passages, export, quit. Every step waits for what it checks (a line on the screen, the
annotation in the store's files, the export file), never for a time; WAIT only catches a hang.

Skipped when tmux is not installed (see test_tmux_tagging.py for the private tmux server).
"""

from __future__ import annotations

import json
import re
import shutil
import uuid

import pytest

from conftest import SEEDS
from test_tmux_tagging import POLL, READER, TMUX, Tmux
from waiting import wait_until

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(not READER.exists(), reason="the reader console script is not installed"),
]

TAG = "actor/Nujaba"


class CountingTmux(Tmux):
    """Counts the keystrokes sent (a typed character is one): the README's keystroke counts
    for the main tasks are asserted here, at 80x24 and 120x40."""

    def __init__(self, socket: str, session: str) -> None:
        super().__init__(socket, session)
        self.keystrokes = 0

    def keys(self, *keys: str) -> None:
        self.keystrokes += len(keys)
        super().keys(*keys)

    def type(self, text: str) -> None:
        self.keystrokes += len(text)
        super().type(text)

    def count(self) -> int:
        """Keystrokes since the last call."""
        counted, self.keystrokes = self.keystrokes, 0
        return counted


def tagged(annotations) -> int:
    """How many annotations in the store's files carry TAG."""
    total = 0
    for path in (annotations / "docs").rglob("*.json") if (annotations / "docs").exists() else ():
        try:
            total += json.dumps(json.loads(path.read_text(encoding="utf-8"))).count(f'"{TAG}"')
        except ValueError:  # being replaced right now: read it again
            continue
    return total


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_a_whole_sitting_in_the_real_reader(tmp_path, size):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    annotations, index = tmp_path / "annotations", tmp_path / "index"
    tmux = CountingTmux(f"reader-test-{uuid.uuid4().hex[:8]}", "reader")
    counts: dict[str, int] = {}
    command = f"{READER} --corpus {corpus} --annotations {annotations} --index {index}"
    tmux.start(command, *size, cwd=tmp_path)
    try:
        tmux.wait_for("Iraqi")  # the document list is shown; the search box has the focus
        tmux.type("Nujaba")
        wait_until(lambda: re.search(r"\b\d+ hits\b", tmux.screen()), "the hit count", explain=tmux.screen, poll=POLL)
        tmux.count()
        tmux.keys("Enter")  # open the first hit at its first match
        tmux.wait_for("match 1 of")
        tmux.keys("m", "t")  # select the match, tag it
        tmux.wait_for("Tag the selection")
        tmux.type(TAG)
        tmux.wait_for("Create")
        tmux.keys("Enter")
        wait_until(lambda: tagged(annotations) == 1, "the first annotation on disk", explain=tmux.screen, poll=POLL)
        counts["hit to passage tagged with a new tag"] = tmux.count()
        tmux.keys("n")  # the next match, tagged with the recent tag: n m 1
        tmux.wait_for("match 2 of")
        tmux.keys("m", "1")
        wait_until(lambda: tagged(annotations) == 2, "the second annotation on disk", explain=tmux.screen, poll=POLL)
        counts["next match tagged with a recent tag"] = tmux.count()
        tmux.keys("W")  # walk the tag of the passage under the cursor
        tmux.wait_for("passage 2 of 2")
        tmux.keys("<")
        tmux.wait_for("passage 1 of 2")
        counts["walk from a tagged passage, 2 passages"] = tmux.count()
        tmux.keys("c")  # walk from the codebook: c, the tag, W, then > per next passage
        tmux.wait_for("▼ actor")  # the tree, its cursor on the parent tag, actor
        tmux.keys("Down")
        wait_until(
            lambda: re.search(r"│\W*actor/Nujaba", tmux.screen().splitlines()[0]),
            "actor/Nujaba described (the details' first line)",
            explain=tmux.screen,
            poll=POLL,
        )
        tmux.keys("W")
        tmux.wait_for("passage 1 of 2")
        tmux.keys(">")
        tmux.wait_for("passage 2 of 2")
        counts["walk from the codebook, 2 passages"] = tmux.count()
        tmux.keys("E")  # export
        tmux.wait_for("Export annotations")
        tmux.wait_for("2 annotations will be exported: the whole store")
        tmux.keys("C-s")  # the default file first (the dialog's format is Markdown)
        wait_until(lambda: list(tmp_path.glob("reader-export-*.md")), "the export file", explain=tmux.screen, poll=POLL)
        counts["export everything"] = tmux.count()
        tmux.keys("C-q")
        wait_until(lambda: not tmux.alive(), "reader quitting", poll=POLL)
    finally:
        tmux.run("kill-server", check=False)
    [exported] = tmp_path.glob("reader-export-*.md")
    text = exported.read_text(encoding="utf-8")
    assert text.count("Nujaba") >= 2 and TAG in text
    # the README's "Keystrokes for the main tasks", as driven here at both sizes
    assert counts == {
        "hit to passage tagged with a new tag": 4 + len(TAG),  # Enter m t NAME Enter
        "next match tagged with a recent tag": 3,  # n m 1
        "walk from a tagged passage, 2 passages": 2,  # W <
        "walk from the codebook, 2 passages": 3 + 1,  # c Down W, then > per next passage
        "export everything": 2,  # E ctrl+s
    }, counts
