"""Every command that reads the Whoosh index mends a damaged one as `reader search` does.

`kwic`, `similar`, `freq` (the corpus's words) and `export --query` read the index through
`search_repairing` (reader/cli/indexing.py): a segment damaged on disk (same size and time, so
only reading finds it) is said, rebuilt, and read again, and the output is the healthy index's,
printed once; a reading that fails again on the rebuilt index ends with the sentence and exit 3,
never a traceback. (tests/test_index_recovery.py does the same for `search`, with processes.)
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from reader.cli import main

from conftest import SEEDS, damage_segments

D0, D1, D2, D3, D4 = sorted(p.name for p in SEEDS.glob("*.txt"))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def seeded(tmp_path):
    """The seeds indexed, with one annotation (on a document that mentions Nujaba)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    args = ["--corpus", corpus, "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]
    assert run(*args, "index").exit_code == 0
    tagged = run(*args, "tag", D4, "--quote", "Nujaba", "--occurrence", 1, "--tag", "actor")
    assert tagged.exit_code == 0, tagged.output
    return corpus, args


def _similar(corpus):
    text = (corpus / D3).read_text(encoding="utf-8")
    start = text.index("Less than a week later")
    return ["similar", D3, "--span", f"{start}:{text.index(chr(10), start)}", "--json"]


COMMANDS = {
    "kwic": lambda corpus: ["kwic", "Nujaba", "--json"],
    "similar": _similar,
    "freq": lambda corpus: ["freq", "--limit", "10", "--json"],
    "export": lambda corpus: ["export", "-f", "jsonl", "--query", "Nujaba"],
}

# What each command calls to read the index, to make it fail every time.
READERS = {
    "kwic": ("reader.analytics.kwic", "search"),
    "similar": ("reader.align.similar", "candidate_documents"),
    "freq": ("reader.analytics.frequencies", "most_frequent_terms"),
    "export": ("index.search", "search"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_damaged_segment_is_said_rebuilt_and_read_again(seeded, command):
    corpus, args = seeded
    words = COMMANDS[command](corpus)
    healthy = run(*args, *words)
    assert healthy.exit_code == 0 and healthy.stdout.strip(), healthy.output
    assert "rebuilding" not in healthy.stderr
    assert damage_segments(args[-1], keep_mtime=True)  # looks untouched to a stat
    repaired = run(*args, *words)
    assert repaired.exit_code == 0, repaired.output
    assert "Traceback" not in repaired.stderr
    assert "reader: searching failed: index damaged (Exception: Block tag error" in repaired.stderr
    assert "rebuilding the index" in repaired.stderr
    assert repaired.stdout == healthy.stdout  # printed once, as on the healthy index
    again = run(*args, *words)
    assert again.exit_code == 0 and again.stdout == healthy.stdout and "rebuilding" not in again.stderr


def test_kwic_failing_in_the_middle_of_its_stream_prints_each_line_once(seeded, monkeypatch):
    """The stream is read whole inside the repair, before anything is printed: lines read before
    the failure are not printed twice, nor are notes said twice."""
    import reader.analytics.kwic as kwic

    corpus, args = seeded
    healthy = run(*args, "kwic", "Nujaba", "--json")
    read_text, calls = kwic.read_text, []

    def failing_once(*a, **k):
        calls.append(1)
        if len(calls) == 2:  # the second matching document, the first one's lines collected
            raise KeyError("postings")
        return read_text(*a, **k)

    monkeypatch.setattr(kwic, "read_text", failing_once)
    result = run(*args, "kwic", "Nujaba", "--json")
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    assert "searching failed: index damaged (KeyError: 'postings'); rebuilding the index" in result.stderr
    assert result.stdout == healthy.stdout and len(result.stdout.splitlines()) == 14


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_reading_that_fails_again_after_the_rebuild_ends_with_a_sentence(seeded, monkeypatch, command):
    import importlib

    from reader.logs import log_file

    from conftest import assert_failed_again

    corpus, args = seeded
    module, name = READERS[command]
    calls: list[int] = []

    def failing(*a, **k):
        calls.append(1)
        raise TypeError("unsupported operand \x1b[2J for +")

    monkeypatch.setattr(importlib.import_module(module), name, failing)
    result = run(*args, *COMMANDS[command](corpus))
    assert_failed_again(result, calls, args[-1])
    assert result.stdout == ""
    assert "Traceback" in log_file().read_text("utf-8")
