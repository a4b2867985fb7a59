"""File names that are not UTF-8 (issue 12, item 1): the rest of the corpus is never affected,
the name is shown escaped, and its id round-trips to the file."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from index.corpus import Corpus
from index.filenames import escaped_id, path_part
from reader.app import create_app
from reader.cli import main
from reader.widgets.document_list import DocumentList

from conftest import SEEDS, make_paths
from waiting import pilot_wait_until

BAD_NAME = b"bad\xffname\xe9.txt"
BAD_ID = "bad%FFname%E9.txt"


@pytest.fixture()
def corpus(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(SEEDS, root)
    with open(os.path.join(os.fsencode(root), BAD_NAME), "wb") as handle:
        handle.write(b"x marks the spot\n")
    return root


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_escaping_round_trips_and_leaves_valid_names_alone():
    decoded = os.fsdecode(BAD_NAME)
    assert escaped_id(decoded) == BAD_ID
    assert path_part(BAD_ID) == decoded
    assert escaped_id("café %E9.txt") == "café %E9.txt"
    assert path_part("plain.txt") is None


def test_scan_gives_an_escaped_id_that_loads_the_file(corpus):
    files, skipped = Corpus(corpus).scan()
    assert skipped == []
    assert BAD_ID in [f.id for f in files]
    document = Corpus(corpus).load(BAD_ID)
    assert document.text == "x marks the spot\n"
    assert os.fsencode(document.path).endswith(BAD_NAME)
    assert document.meta.title == "x marks the spot"


def test_a_literal_name_wins_over_an_escaped_one_and_the_other_is_skipped(corpus):
    (corpus / BAD_ID).write_text("the literal name\n", encoding="utf-8")
    files, skipped = Corpus(corpus).scan()
    assert [f.id for f in files].count(BAD_ID) == 1
    assert Corpus(corpus).load(BAD_ID).text == "the literal name\n"
    assert [s.id for s in skipped] == [BAD_ID]
    assert "not UTF-8" in skipped[0].reason


def test_index_search_and_tag_work_beside_the_bad_name(corpus, tmp_path):
    args = ["--corpus", corpus, "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]
    indexed = run("index", *args)
    assert indexed.exit_code == 0, indexed.output
    assert "6 indexed" in indexed.output
    found = run("search", "spot", "--json", *args)
    assert found.exit_code == 0, found.output
    rows = [json.loads(line) for line in found.output.splitlines()]
    assert [row["id"] for row in rows] == [BAD_ID]
    assert run("search", "Babel", *args).exit_code == 0  # the rest of the corpus still answers
    tagged = run("tag", BAD_ID, "--quote", "spot", "--tag", "place", *args)
    assert tagged.exit_code == 0, tagged.output
    listed = run("annotations", "--json", *args)
    [annotation] = [json.loads(line) for line in listed.output.splitlines()]
    assert annotation["doc"] == BAD_ID and annotation["quote"] == "spot"
    assert annotation["status"] == "anchored"


async def test_the_app_lists_every_document_with_the_name_escaped(corpus, tmp_path):
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        table = await pilot_wait_until(
            pilot,
            lambda: (t := app.screen.query_one("#documents", DocumentList)).row_count == 6 and t,
            "every document listed",
        )
        assert table.row_count == 6
        assert BAD_ID in [row_key.value for row_key in table.rows]
