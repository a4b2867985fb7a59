"""Nothing from a document, a file name, a tag or a note reaches a real terminal raw.

Each command runs as a real process on a pseudo-terminal (a pipe would hide the problem: click
strips escape sequences from what it prints to a pipe). The corpus, its file names, the titles,
sources, quotes, notes and tag names hold escape sequences that set the window title
(`ESC]0;...BEL`), clear the screen (`ESC[2J`), colour text, plus bidi overrides and line
breaks in file names. On the terminal only reader's own styling may appear: after removing SGR
sequences (`ESC[...m`), no ESC, BEL or bidi control is left, and the payloads show as visible
symbols (`␛]0;pwned␇`). Files, pipes and `--json` keep the exact text.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

import pytest

from reader.model import tag_to_json
from reader.store import AnnotationStore

from waiting import HANG

TITLE = "\x1b]0;pwned\x07"  # sets the terminal window's title
CLEAR = "\x1b[2J"  # clears the screen
RED = "\x1b[31m"
BIDI = "\u202e"  # right-to-left override
EVIL = f"evil{RED}red.txt"
BROKEN = "line\nbreak.txt"
BINARY = f"bin{CLEAR}.txt"
EVIL_TEXT = (
    f"Title {TITLE} here\n"
    f"Source: Agency {CLEAR} wire\n"
    "\n"
    f"The payload word {TITLE} sits here. The payload word {BIDI}again.\n"
    + "Ordinary prose follows here, so the file reads as text.\n"
    * 5
)
QUOTE = f"payload word {TITLE} sits"
NOTE = f"a note {CLEAR} that clears"
EVIL_TAG = f"legacy{RED}tag"  # in a codebook written before tag names refused control characters

# reader's own sequences: colours and styles (SGR), and the progress bar's cursor moves.
OWN = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[2K|\x1b\[[0-9]*A|\r")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def run_on_terminal(*args: str, stdin: str | None = None) -> tuple[int, str]:
    """Run `reader ARGS` with stdin, stdout and stderr on a 200x50 pseudo-terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200", "LINES": "50"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reader", *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], HANG)
        assert ready, f"reader {' '.join(args)}: no output for {HANG:.0f} s (a hang?)"
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = proc.wait(HANG)
    return code, b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")


def assert_nothing_raw(output: str) -> None:
    """No payload raw; and apart from reader's own styling and progress bar, no escape sequence,
    no BEL, no bidi control at all."""
    for payload in (TITLE, CLEAR, f"{RED}red", BIDI, EVIL, BROKEN):
        assert payload not in output, (payload, output)
    left = OWN.sub("", output)
    assert "\x1b" not in left, left
    assert "\x07" not in left and BIDI not in left and "\x9b" not in left, left


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A corpus attacking the terminal, with an annotation and a legacy codebook entry."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / EVIL).write_text(EVIL_TEXT, encoding="utf-8")
    (corpus / BROKEN).write_text("Plain title\n\nAnother payload word here.\n", encoding="utf-8")
    (corpus / BINARY).write_bytes(b"\x00\x01\x02" * 100)
    annotations, index = root / "annotations", root / "index"
    store = AnnotationStore(annotations)
    start = EVIL_TEXT.index(QUOTE)
    store.add(EVIL, EVIL_TEXT, "sha", start, start + len(QUOTE), ["place"], note=NOTE)
    store.set_attributes(EVIL, outlet=f"The {TITLE} Times")
    codebook = annotations / "codebook.json"
    data = json.loads(codebook.read_text(encoding="utf-8"))
    data["tags"].append({**tag_to_json(store.tags()[0]), "name": EVIL_TAG, "description": f"described {CLEAR} here"})
    codebook.write_text(json.dumps(data), encoding="utf-8")
    paths = ["--corpus", str(corpus), "--annotations", str(annotations), "--index", str(index)]
    code, out = run_on_terminal("index", *paths)  # built once, up to date for every test
    assert code == 0, out
    return root, paths


def test_index_shows_skipped_file_names_as_symbols(hostile):
    root, paths = hostile
    (root / "corpus" / BINARY).write_bytes(b"\x00\x01\x03" * 100)  # changed: listed again
    code, out = run_on_terminal("index", *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    assert "skipped bin␛[2J.txt" in out


def test_search_shows_file_names_and_titles_as_symbols(hostile):
    _, paths = hostile
    code, out = run_on_terminal("search", "payload", *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    plain = SGR.sub("", out)
    assert "evil␛[31mred.txt" in plain and "line␊break.txt" in plain
    assert "Title ␛]0;pwned␇ here" in plain
    assert "\nbreak.txt" not in plain  # the newline in a file name never starts a line


def test_annotations_show_quote_note_and_file_name_as_symbols(hostile):
    _, paths = hostile
    code, out = run_on_terminal("annotations", *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    assert "evil␛[31mred.txt" in out
    assert "payload word ␛]0;pwned␇ sits" in out and "a note ␛[2J that clears" in out


def test_annotations_json_is_printable_and_exact(hostile):
    _, paths = hostile
    code, out = run_on_terminal("annotations", "--json", *paths)
    assert code == 0, out
    assert "\x1b" not in out and "\x07" not in out
    row = json.loads(out.strip().splitlines()[-1])
    assert row["quote"] == QUOTE and row["note"] == NOTE and row["doc"] == EVIL


def test_meta_shows_title_source_and_attributes_as_symbols(hostile):
    _, paths = hostile
    code, out = run_on_terminal("meta", EVIL, *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    assert "title: Title ␛]0;pwned␇ here" in out
    assert "source: Agency ␛[2J wire" in out
    assert "outlet: The ␛]0;pwned␇ Times" in out


def test_tags_show_tag_names_and_descriptions_as_symbols(hostile):
    _, paths = hostile
    code, out = run_on_terminal("tags", *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    assert "legacy␛[31mtag" in out and "described ␛[2J here" in out


def test_tag_lists_occurrences_with_their_context_as_symbols(hostile):
    _, paths = hostile
    code, out = run_on_terminal("tag", EVIL, "--quote", "payload word", "--tag", "x", *paths)
    assert code == 2, out
    assert_nothing_raw(out)
    assert "occurs 2 times in evil␛[31mred.txt" in out
    assert "[payload word] ␛]0;pwned␇ sits" in out and "⇆again" in out


def test_tag_names_refuse_control_characters(hostile):
    _, paths = hostile
    for name in (f"a{RED}b", "bell\x07", f"rtl{BIDI}", "c1\x9b"):
        code, out = run_on_terminal("tag", EVIL, "--quote", "sits here", "--tag", name, *paths)
        assert code == 2, out
        assert "control characters are not allowed" in out
        assert_nothing_raw(out)


def test_import_report_shows_source_names_as_symbols(hostile, tmp_path):
    _, paths = hostile
    w3c = tmp_path / "in.jsonld"
    w3c.write_text(
        json.dumps(
            {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "type": "Annotation",
                "id": "urn:x:1",
                "body": [{"type": "TextualBody", "purpose": "tagging", "value": "place"}],
                "target": {
                    "source": f"urn:x:{TITLE}gone.txt",
                    "selector": [{"type": "TextQuoteSelector", "exact": "nowhere at all"}],
                },
            }
        ),
        encoding="utf-8",
    )
    code, out = run_on_terminal("import", str(w3c), "--on-conflict", "skip", *paths)
    assert_nothing_raw(out)
    assert "urn:x:␛]0;pwned␇gone.txt" in out, out


def test_kwic_csv_is_sanitised_on_a_terminal_and_exact_in_a_pipe(hostile):
    _, paths = hostile
    code, out = run_on_terminal("kwic", "payload", "--csv", *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    assert "evil␛[31mred.txt" in out and "line␊break.txt" in out
    piped = subprocess.run(
        [sys.executable, "-m", "reader", "kwic", "payload", "--csv", *paths],
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert piped.returncode == 0, piped.stderr
    assert EVIL in piped.stdout and TITLE in piped.stdout  # redirected: the exact text


def test_kwic_table_shows_context_as_symbols(hostile):
    _, paths = hostile
    code, out = run_on_terminal("kwic", "payload", *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    assert "evil␛[31mred.txt:" in SGR.sub("", out) and "[2J wire" in out


def test_matrix_csv_is_sanitised_on_a_terminal(hostile):
    _, paths = hostile
    code, out = run_on_terminal("matrix", "--csv", *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    assert "evil␛[31mred.txt" in out


@pytest.mark.parametrize("fmt", ["csv", "md", "jsonl"])
def test_export_to_a_terminal_is_sanitised_and_to_a_pipe_exact(hostile, fmt):
    _, paths = hostile
    code, out = run_on_terminal("export", "-f", fmt, *paths)
    assert code == 0, out
    assert_nothing_raw(out)
    assert "␛[31m" in out or "\\u001b[31m" in out  # the document id, visible
    piped = subprocess.run(
        [sys.executable, "-m", "reader", "export", "-f", fmt, *paths], capture_output=True, timeout=HANG
    )
    assert piped.returncode == 0, piped.stderr
    if fmt == "csv":
        assert QUOTE.encode() in piped.stdout  # a file or a pipe gets the exact text


def test_markdown_export_file_holds_no_escape_sequence(hostile, tmp_path):
    _, paths = hostile
    target = tmp_path / "out.md"
    code, out = run_on_terminal("export", "-f", "md", "-o", str(target), *paths)
    assert code == 0, out
    text = target.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text, text
    assert "evil␛\\[31mred.txt" in text or "evil␛[31mred.txt" in text
