"""The real `reader` command in a real terminal (tmux at 120x40): search, open a hit, select the
match, tag it, quit; the annotation must then be in the annotations folder's JSON.

Skipped when tmux is not installed. A private tmux server (`-L`, its own socket) is started from
this process, so the session inherits the test's environment (tmp config folders) and never
touches the user's tmux. The screen is polled with `capture-pane` in a bounded loop, and every
step waits for its own outcome (never for text the test typed itself, never for a time): the tag
step waits until the dialog has closed and the annotation is in the store's file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import SEEDS
from waiting import HANG, wait_until

TMUX = shutil.which("tmux")
READER = Path(sys.executable).with_name("reader")
WAIT = HANG  # seconds before a step is declared stuck
POLL = 0.1  # seconds between two looks at the screen

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(not READER.exists(), reason="the reader console script is not installed"),
]


class Tmux:
    """One detached session on a private server."""

    def __init__(self, socket: str, session: str) -> None:
        self.socket, self.session = socket, session

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=check, timeout=WAIT
        )

    def screen(self) -> str:
        result = self.run("capture-pane", "-p", "-t", self.session, check=False)
        return result.stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.session, "-l", text)

    def wait_for(self, what: str) -> str:
        def showing() -> str:
            screen = self.screen()
            return screen if what in screen else ""

        return wait_until(showing, f"{what!r} on the screen", explain=self.screen, poll=POLL)

    def start(self, command: str, width: int, height: int, cwd: Path | None = None) -> None:
        """Run `command` in a new detached session of `width` x `height` on this private server."""
        env = {**os.environ, "TERM": "xterm-256color"}
        args = ["-f", "/dev/null", "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height)]
        subprocess.run([TMUX, "-L", self.socket, *args, command], check=True, env=env, timeout=WAIT, cwd=cwd)

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.session, check=False).returncode == 0


def saved_annotations(annotations: Path) -> str:
    """Every annotation file's text ("" before the first save)."""
    try:
        return "".join(p.read_text(encoding="utf-8") for p in (annotations / "docs").glob("*.json"))
    except OSError:  # a file replaced while read: the next poll reads the new one
        return ""


def test_tag_a_passage_in_the_real_reader(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    annotations, index = tmp_path / "annotations", tmp_path / "index"
    tmux = Tmux(f"reader-test-{uuid.uuid4().hex[:8]}", "reader")
    command = f"{READER} --corpus {corpus} --annotations {annotations} --index {index}"
    tmux.start(command, 120, 40)
    try:
        tmux.wait_for("Iraqi militias")  # indexed: the last document is listed
        tmux.type("Haniyeh")  # the search box has the focus at start
        tmux.wait_for("2 hits")  # the results of this query, not of a prefix of it
        tmux.keys("Enter")  # open the first hit at its first match
        tmux.wait_for("match 1 of")
        tmux.keys("m", "t")  # select the match, open the tag dialog
        tmux.wait_for("Tag the selection")
        tmux.type("event/killing")
        tmux.wait_for("Create")
        tmux.keys("Enter")
        wait_until(lambda: "Tag the selection" not in tmux.screen(), "the tag dialog closes", poll=POLL)
        wait_until(lambda: "event/killing" in saved_annotations(annotations), "the annotation is saved", poll=POLL)
        assert "event/killing" in tmux.screen()  # in the status bar, under the cursor
        tmux.keys("C-q")
        wait_until(lambda: not tmux.alive(), "reader quits", poll=POLL)
    finally:
        tmux.run("kill-server", check=False)
    files = list((annotations / "docs").glob("*.json"))
    assert len(files) == 1
    data = json.loads(files[0].read_text(encoding="utf-8"))
    text = json.dumps(data)
    assert "event/killing" in text and '"Haniyeh"' in text
    assert "event/killing" in (annotations / "codebook.json").read_text(encoding="utf-8")
