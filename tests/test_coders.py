"""Who codes: --coder, READER_CODER, config.toml, the user name; stamped on new annotations."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.coders import CoderError, config_path, resolve_coder

from conftest import SEEDS

DOC = "003_c50da1745df50ef1.txt"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def args(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "corpus")
    return ["--corpus", tmp_path / "corpus", "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]


def creators(args):
    r = run("annotations", *args, "--json")
    return [json.loads(line)["creator"] for line in r.output.splitlines()]


def test_the_order_is_option_environment_config_user(monkeypatch):
    monkeypatch.delenv("READER_CODER", raising=False)
    assert resolve_coder().source == "the system user name"
    config_path().write_text('coder = "from-config"\n', encoding="utf-8")
    assert resolve_coder() == resolve_coder().__class__("from-config", str(config_path()))
    monkeypatch.setenv("READER_CODER", "from-env")
    assert resolve_coder().name == "from-env"
    assert resolve_coder("from-option").name == "from-option"


def test_bad_names_are_refused(monkeypatch):
    with pytest.raises(CoderError):
        resolve_coder("  ")
    with pytest.raises(CoderError):
        resolve_coder("evil\x1b[2J")
    config_path().write_text("coder = [1]\n", encoding="utf-8")
    with pytest.raises(CoderError, match="must be a string"):
        resolve_coder()


def test_tag_stamps_the_coder_given_or_configured(args, monkeypatch):
    assert (
        run("tag", *args, DOC, "--quote", "Babel", "--occurrence", "1", "--tag", "place", "--coder", "ann").exit_code
        == 0
    )
    monkeypatch.setenv("READER_CODER", "bob")
    assert run("tag", *args, DOC, "--quote", "Babel", "--occurrence", "2", "--tag", "place").exit_code == 0
    assert sorted(creators(args)) == ["ann", "bob"]


def test_a_bad_coder_setting_stops_a_writing_command(args, monkeypatch):
    monkeypatch.setenv("READER_CODER", "bad\x07name")
    r = run("tag", *args, DOC, "--quote", "Babel", "--occurrence", "1", "--tag", "place")
    assert r.exit_code == 2
    assert "control characters" in r.output
    assert creators(args) == []


def test_where_says_who_codes(args, monkeypatch):
    monkeypatch.setenv("READER_CODER", "cy")
    r = run("where", *args)
    assert "coder\tcy\t(from READER_CODER)" in r.output.splitlines()


@pytest.fixture()
def two_coders(args):
    for coder, occurrence in (("ann", 1), ("bob", 2), ("bob", 3)):
        assert (
            run(
                "tag",
                *args,
                DOC,
                "--quote",
                "Iraq",
                "--occurrence",
                occurrence,
                "--tag",
                f"place/{coder}",
                "--coder",
                coder,
            ).exit_code
            == 0
        )
    return args


def test_reading_commands_filter_by_coder(two_coders):
    args = two_coders
    assert creators([*args, "--coder", "bob"]) == ["bob", "bob"]
    assert sorted(creators([*args, "--coder", "ann", "--coder", "bob"])) == ["ann", "bob", "bob"]
    tags = {
        json.loads(line)["name"]: json.loads(line)["count"]
        for line in run("tags", *args, "--json", "--coder", "ann").output.splitlines()
    }
    assert tags == {"place/ann": 1, "place/bob": 0}  # the codebook is shared, counts are ann's
    r = run("export", *args, "--format", "jsonl", "--coder", "bob")
    assert [json.loads(line)["creator"] for line in r.stdout.splitlines()] == ["bob", "bob"]
    r = run("cooccur", *args, "--json", "--coder", "ann")
    assert r.exit_code == 0


def test_matrix_by_coder(two_coders):
    r = run("matrix", *two_coders, "--by", "coder", "--json")
    m = json.loads(r.output)
    assert m["by"] == "coder"
    assert {row["row"]: row["total"] for row in m["rows"]} == {"ann": 1, "bob": 2}
    r = run("matrix", *two_coders, "--by", "coder", "--json", "--coder", "ann")
    assert [row["row"] for row in json.loads(r.output)["rows"]] == ["ann"]


def test_exports_carry_coders_and_a_w3c_import_keeps_them(two_coders, tmp_path):
    args = two_coders
    out = tmp_path / "w3c.jsonld"
    assert run("export", *args, "--format", "w3c", "-o", out).exit_code == 0
    items = json.loads(out.read_text(encoding="utf-8"))["first"]["items"]
    people = {i["creator"]["name"]: i["creator"]["id"] for i in items}
    assert set(people) == {"ann", "bob"}
    assert people["ann"] != people["bob"] and people["ann"].startswith("urn:uuid:")
    again = tmp_path / "again.jsonld"
    run("export", *args, "--format", "w3c", "-o", again)
    assert {i["creator"]["id"] for i in json.loads(again.read_text())["first"]["items"]} == set(
        people.values()
    )  # stable ids
    rows = [json.loads(line) for line in run("export", *args, "--format", "jsonl").stdout.splitlines()]
    assert sorted(r["coder"] for r in rows) == ["ann", "bob", "bob"]
    # a colleague's file: the same project imported into a fresh store keeps ann and bob
    fresh = [*args[:2], "--annotations", tmp_path / "fresh", "--index", tmp_path / "ix2"]
    r = run("import", *fresh, out, "--coder", "me")
    assert r.exit_code == 0, r.output
    assert sorted(creators(fresh)) == ["ann", "bob", "bob"]
