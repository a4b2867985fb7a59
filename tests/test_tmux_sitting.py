"""A whole sitting in the real `reader` in a real terminal (tmux), at 80x24 and 120x40: search,
open a hit, select the match, tag it (a new tag), tag the next match with the recent tag, walk
the tag's passages, export, quit. Every step waits for what it checks (a line on the screen, the
annotation in the store's files, the export file), never for a time; HANG only catches a hang.

Skipped when tmux is not installed (see test_tmux_tagging.py for the private tmux server).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
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
    tmux = Tmux(f"reader-test-{uuid.uuid4().hex[:8]}", "reader")
    command = f"{READER} --corpus {corpus} --annotations {annotations} --index {index}"
    env = {**os.environ, "TERM": "xterm-256color"}
    width, height = size
    subprocess.run([TMUX, "-L", tmux.socket, "-f", "/dev/null", "new-session", "-d", "-s",
                    tmux.session, "-x", str(width), "-y", str(height), command],
                   check=True, env=env, timeout=10, cwd=tmp_path)
    try:
        tmux.wait_for("Iraqi")  # the document list is shown; the search box has the focus
        tmux.type("Nujaba")
        wait_until(lambda: re.search(r"\b\d+ hits\b", tmux.screen()), "the hit count",
                   explain=tmux.screen, poll=POLL)
        tmux.keys("Enter")  # 1: open the first hit at its first match
        tmux.wait_for("match 1 of")
        tmux.keys("m", "t")  # 2, 3: select the match, tag it
        tmux.wait_for("Tag the selection")
        tmux.type(TAG)
        tmux.wait_for("Create")
        tmux.keys("Enter")
        wait_until(lambda: tagged(annotations) == 1, "the first annotation on disk",
                   explain=tmux.screen, poll=POLL)
        tmux.keys("n")  # the next match, tagged with the recent tag: n m 1
        tmux.wait_for("match 2 of")
        tmux.keys("m", "1")
        wait_until(lambda: tagged(annotations) == 2, "the second annotation on disk",
                   explain=tmux.screen, poll=POLL)
        tmux.keys("W")  # walk the tag of the passage under the cursor
        tmux.wait_for("passage 2 of 2")
        tmux.keys("<")
        tmux.wait_for("passage 1 of 2")
        tmux.keys("E")  # export
        tmux.wait_for("Export annotations")
        tmux.wait_for("2 annotations will be exported: the whole store")
        tmux.keys("C-s")  # the default file first (the dialog's format is Markdown)
        wait_until(lambda: list(tmp_path.glob("reader-export-*.md")), "the export file",
                   explain=tmux.screen, poll=POLL)
        tmux.keys("C-q")
        wait_until(lambda: not tmux.alive(), "reader quitting", poll=POLL)
    finally:
        tmux.run("kill-server", check=False)
    [exported] = tmp_path.glob("reader-export-*.md")
    text = exported.read_text(encoding="utf-8")
    assert text.count("Nujaba") >= 2 and TAG in text
