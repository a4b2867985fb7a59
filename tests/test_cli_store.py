"""The annotation commands as scripts use them: tag, annotations, tags, meta."""

from __future__ import annotations

import json
import shutil

import click
import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.cli.store import COMMANDS
from reader.paths import Paths

from conftest import SEEDS

DOC = "000_5f0b56e8f3292fd3.txt"


@pytest.fixture()
def env(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    args = ["--corpus", str(corpus), "--annotations", str(tmp_path / "ann"), "--index", str(tmp_path / "ix")]
    return corpus, tmp_path / "ann", args


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def rows(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_tag_by_quote_and_span_then_list_as_json(env):
    corpus, ann, args = env
    text = (corpus / DOC).read_text(encoding="utf-8")
    r = run(
        *args,
        "tag",
        DOC,
        "--quote",
        "growing calls to end the truce",
        "--tag",
        "frame/delay",
        "--tag",
        "actor/US",
        "--note",
        "quoted “truce”",
    )
    assert r.exit_code == 0, r.output
    start = text.index("growing calls to end the truce")
    r2 = run("tag", DOC, "--span", f"{start}:{start + 15}", "--tag", "frame/delay", *args)  # options after
    assert r2.exit_code == 0, r2.output
    listed = rows(run(*args, "annotations", "--json"))
    assert len(listed) == 2
    by_note = {row["note"]: row for row in listed}
    first = by_note[""]
    assert {"id", "doc", "start", "end", "quote", "tags", "note", "status"} <= set(first)
    assert (first["start"], first["end"], first["status"]) == (start, start + 15, "anchored")
    assert by_note["quoted “truce”"]["tags"] == ["frame/delay", "actor/US"]
    assert (
        text[by_note["quoted “truce”"]["start"] : by_note["quoted “truce”"]["end"]] == "growing calls to end the truce"
    )
    assert len(rows(run(*args, "annotations", "--json", "--tag", "actor"))) == 1
    assert rows(run(*args, "annotations", "--json", "--doc", "001_f1d61bf84ce1f504.txt")) == []
    human = run(*args, "annotations")
    assert "2 annotations: 2 in place" in human.stdout


def test_listing_reanchors_against_the_current_text(env):
    corpus, ann, args = env
    assert run(*args, "tag", DOC, "--quote", "growing calls to end the truce", "--tag", "a").exit_code == 0
    assert run(*args, "tag", DOC, "--quote", "south of Baghdad", "--tag", "b").exit_code == 0
    path = corpus / DOC
    text = path.read_text(encoding="utf-8")
    path.write_text("UPDATE: " + text.replace("south of Baghdad", "Less than a week later"), encoding="utf-8")
    listed = {row["tags"][0]: row for row in rows(run(*args, "annotations", "--json"))}
    new = path.read_text(encoding="utf-8")
    assert listed["a"]["status"] == "moved"
    assert new[listed["a"]["start"] : listed["a"]["end"]] == "growing calls to end the truce"
    assert listed["b"]["status"] in ("orphan", "fuzzy")
    path.unlink()  # a document that disappeared: its annotations are orphans, still listed
    listed = rows(run(*args, "annotations", "--json"))
    assert [row["status"] for row in listed] == ["orphan", "orphan"]
    assert listed[0]["start"] is None and listed[0]["end"] is None


def test_a_fuzzy_placement_lists_the_text_it_covers_now(env):
    """A word changed inside a tagged passage: the annotation is placed fuzzily, and the list
    shows what it covers now, then the quote as it was tagged (it showed only the old quote,
    which is no longer in the document)."""
    corpus, ann, args = env
    tagged = "growing calls to end the truce"
    assert run(*args, "tag", DOC, "--quote", tagged, "--tag", "a").exit_code == 0
    path = corpus / DOC
    path.write_text(path.read_text(encoding="utf-8").replace(tagged, "growing calls to end the ceasefire"), "utf-8")
    [row] = rows(run(*args, "annotations", "--json"))
    assert row["status"] == "fuzzy"
    assert row["quote"] == tagged  # the contract: the quote as tagged
    now = path.read_text(encoding="utf-8")[row["start"] : row["end"]]
    assert row["text"] == now and "ceasefire" in now
    human = run(*args, "annotations").stdout
    assert f"“{now}” (tagged: “{tagged}”)" in human
    assert run(*args, "tag", DOC, "--quote", "south of Baghdad", "--tag", "b").exit_code == 0
    in_place = {r["tags"][0]: r for r in rows(run(*args, "annotations", "--json"))}["b"]
    assert in_place["text"] == in_place["quote"] == "south of Baghdad"
    assert "(tagged:" not in [line for line in run(*args, "annotations").stdout.splitlines() if "\tb\t" in line][0]


def test_an_ambiguous_quote_lists_occurrences_and_exits_2(env):
    corpus, ann, args = env
    r = run(*args, "tag", DOC, "--quote", "Nujaba", "--tag", "actor/Nujaba")
    assert r.exit_code == 2
    assert "occurs 2 times" in r.stderr and "1: 10:16" in r.stderr and "--occurrence" in r.stderr
    assert not ann.exists() or not list(ann.rglob("*.json"))
    r = run(*args, "tag", DOC, "--quote", "Nujaba", "--occurrence", "2", "--tag", "actor/Nujaba")
    assert r.exit_code == 0
    assert rows(run(*args, "annotations", "--json"))[0]["start"] == 2390


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--quote", "not in this document at all", "--tag", "t"], "is not in"),
        (["--span", "5:999999", "--tag", "t"], "out of range"),
        (["--span", "9:3", "--tag", "t"], "out of range"),
        (["--span", "abc", "--tag", "t"], "START:END"),
        (["--quote", "Nujaba", "--occurrence", "7", "--tag", "t"], "occurs 2 time"),
        (["--tag", "t"], "exactly one of"),
        (["--span", "1:3", "--quote", "x", "--tag", "t"], "exactly one of"),
        (["--span", "1:3", "--tag", "a//b"], "empty segment"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(env, extra, message):
    corpus, ann, args = env
    r = run(*args, "tag", DOC, *extra)
    assert r.exit_code == 2 and message in r.stderr
    assert not ann.exists() or not list(ann.rglob("*.json"))


def test_unknown_document_exits_2(env):
    corpus, ann, args = env
    r = run(*args, "tag", "nope.txt", "--span", "0:3", "--tag", "t")
    assert r.exit_code == 2 and "nope.txt" in r.stderr
    assert run(*args, "meta", "../escape.txt").exit_code == 2


def test_tags_lists_the_codebook_with_counts(env):
    corpus, ann, args = env
    run(*args, "tag", DOC, "--quote", "Al-Lami asserted", "--tag", "frame/delay")
    run(*args, "tag", DOC, "--quote", "Less than a week later", "--tag", "frame/delay", "--tag", "place/Babil")
    listed = {row["name"]: row for row in rows(run(*args, "tags", "--json"))}
    assert listed["frame/delay"]["count"] == 2 and listed["place/Babil"]["count"] == 1
    assert listed["frame/delay"]["color"].startswith("#")
    human = run(*args, "tags").stdout
    assert "frame/delay" in human and "2" in human


def test_meta_shows_and_overrides_attributes(env):
    corpus, ann, args = env
    r = run(
        *args,
        "meta",
        DOC,
        "--title",
        "Nujaba threatens US bases",
        "--set",
        "outlet=Newsweek",
        "--set",
        "lang=en",
        "--json",
    )
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)
    assert shown["title"] == "Nujaba threatens US bases" and shown["overridden"] == ["title"]
    assert shown["attributes"] == {"lang": "en", "outlet": "Newsweek"}
    run(*args, "meta", DOC, "--title", "", "--set", "lang=")
    shown = json.loads(run(*args, "meta", DOC, "--json").stdout)
    assert shown["overridden"] == [] and shown["attributes"] == {"outlet": "Newsweek"}
    assert shown["title"]  # the document's own title again
    human = run(*args, "meta", DOC).stdout
    assert "outlet: Newsweek" in human and "title:" in human
    assert run(*args, "meta", DOC, "--set", "novalue").exit_code == 2


def test_a_corrupt_store_file_is_reported_and_refused(env):
    corpus, ann, args = env
    run(*args, "tag", DOC, "--quote", "Al-Lami asserted", "--tag", "a")
    bad = ann / "docs" / f"{DOC}.json"
    bad.write_text("{broken")
    r = run(*args, "tag", DOC, "--quote", "Less than a week later", "--tag", "a")
    assert r.exit_code == 3 and "read-only" in r.stderr and str(bad) in r.stderr  # 3: the store (issue 13.10)
    assert bad.read_text() == "{broken"


def test_commands_work_in_any_group_that_puts_paths_in_ctx_obj(env):
    corpus, ann, _args = env

    @click.group()
    @click.pass_context
    def group(ctx):
        ctx.obj = Paths(corpus, ann, corpus.parent / "ix")

    for command in COMMANDS:
        group.add_command(command)
    r = CliRunner().invoke(group, ["tag", DOC, "--quote", "Al-Lami asserted", "--tag", "a"])
    assert r.exit_code == 0, r.output
    assert (ann / "docs" / f"{DOC}.json").exists()
