"""`reader export` and `reader import` as scripts use them: outputs, messages, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.store import AnnotationStore
from test_export import FIXED, INTL_FIXED, make_env


@pytest.fixture()
def env(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch, intl=True, fixed=FIXED + INTL_FIXED)
    args = ["--corpus", str(paths.corpus), "--annotations", str(paths.annotations), "--index", str(paths.index)]
    return paths, store, args


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def test_export_to_stdout_with_filters(env):
    paths, store, args = env
    r = run(*args, "export", "--format", "jsonl", "--tag", "actor", "--doc", "000_5f0b56e8f3292fd3.txt")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert {row["tag"] for row in rows} == {"actor/US", "actor/Nujaba"}
    assert "2 annotation(s) exported as jsonl to stdout" in r.stderr
    r = run(*args, "export", "-f", "md", "--query", "Shafaq")
    assert r.exit_code == 0 and "Harakat Hezbollah al-Nujaba" in r.stdout


def test_export_to_a_file_prints_path_and_count(env, tmp_path):
    paths, store, args = env
    out = tmp_path / "out.qdpx"
    r = run(*args, "export", "--format", "qdpx", "-o", out)
    assert r.exit_code == 0, r.output
    assert out.exists() and r.stdout == ""
    assert f"10 annotation(s) exported as qdpx to {out}" in r.stderr


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--format", "docx"], "is not one of"),
        (["--format", "qdpx"], "give a file with -o"),
        (["--format", "csv", "-o", "/nonexistent-folder/x.csv"], "cannot write /nonexistent-folder/x.csv"),
        (["--format", "md", "--query", '"unclosed'], "invalid query"),
        (["--format", "md", "--by", "author"], "is not one of"),
    ],
)
def test_export_errors_exit_2_with_a_clear_message(env, extra, message):
    paths, store, args = env
    r = run(*args, "export", *extra)
    assert r.exit_code == 2
    assert message in r.stderr


def test_export_to_a_read_only_folder_exits_2(env, tmp_path):
    paths, store, args = env
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        r = run(*args, "export", "--format", "md", "-o", locked / "x.md")
        if r.exit_code == 0:
            pytest.skip("running as a user who can write anywhere (root)")
        assert r.exit_code == 2 and "cannot write" in r.stderr
    finally:
        locked.chmod(0o700)


def test_import_round_trip_and_conflicts(env, tmp_path):
    paths, store, args = env
    out = tmp_path / "x.jsonld"
    assert run(*args, "export", "-f", "w3c", "-o", out).exit_code == 0
    fresh = ["--corpus", str(paths.corpus), "--annotations", str(tmp_path / "fresh"), "--index", str(paths.index)]
    r = run(*fresh, "import", out)
    assert r.exit_code == 0, r.output
    assert "10 added, 0 already present" in r.stderr
    r = run(*fresh, "import", out)
    assert "0 added, 10 already present" in r.stderr
    # a conflict: not on a terminal, --on-conflict ask lists it and exits 2
    target = next(a for a in AnnotationStore(tmp_path / "fresh").annotations() if a.tags == ("event/truce",))
    AnnotationStore(tmp_path / "fresh").edit(target.id, note="changed")
    r = run(*fresh, "import", out)
    assert r.exit_code == 2 and "1 conflict(s); nothing imported" in r.stderr and "--on-conflict" in r.stderr
    r = run(*fresh, "import", out, "--on-conflict", "skip")
    assert r.exit_code == 0 and "1 conflicting (1 skipped)" in r.stderr
    r = run(*fresh, "import", out, "--on-conflict", "add")
    assert r.exit_code == 0 and "1 added" in r.stderr


def test_import_errors_exit_2(env, tmp_path):
    paths, store, args = env
    r = run(*args, "import", tmp_path / "missing.qdpx")
    assert r.exit_code == 2 and "no such file" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    r = run(*args, "import", bad)
    assert r.exit_code == 2 and "not readable JSON" in r.stderr
    r = run(*args, "import", bad, "--on-conflict", "maybe")
    assert r.exit_code == 2
