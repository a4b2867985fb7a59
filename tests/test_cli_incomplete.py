"""Silence is not success: a listing or export that would leave out unreadable annotation files
fails with exit status 3 unless --skip-unreadable, and then says in its output what it left out;
store failures exit 3, not 1 (which means "a search found nothing")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main

from conftest import SEEDS

GOOD = "000_5f0b56e8f3292fd3.txt"
BAD = "003_c50da1745df50ef1.txt"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def broken(tmp_path):
    """Six annotations in one document, one in another whose file is then corrupted."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    ann = tmp_path / "ann"
    args = ["--corpus", corpus, "--annotations", ann, "--index", tmp_path / "ix"]
    text = (corpus / GOOD).read_text(encoding="utf-8")
    for i in range(6):
        assert run(*args, "tag", GOOD, "--span", f"{i * 10}:{i * 10 + 5}", "--tag", "t").exit_code == 0
    assert run(*args, "tag", BAD, "--quote", "Babel", "--occurrence", "1", "--tag", "t").exit_code == 0
    assert text
    bad = ann / "docs" / f"{BAD}.json"
    bad.write_text("{not json", encoding="utf-8")
    return args, bad


def test_annotations_fail_unless_told_and_then_say_what_is_missing(broken):
    args, bad = broken
    r = run(*args, "annotations")
    assert r.exit_code == 3 and r.stdout == ""
    assert str(bad) in r.stderr and "--skip-unreadable" in r.stderr
    r = run(*args, "annotations", "--json")
    assert r.exit_code == 3 and r.stdout == ""
    r = run(*args, "annotations", "--skip-unreadable")
    assert r.exit_code == 0
    assert f"left out: the annotations of {BAD}" in r.stdout and len(r.stdout.splitlines()) == 8
    lines = [json.loads(x) for x in run(*args, "annotations", "--json", "--skip-unreadable").stdout.splitlines()]
    assert len([x for x in lines if "id" in x]) == 6
    assert [x for x in lines if "left_out" in x] == [{"left_out": str(bad), "doc": BAD, "reason": lines[-1]["reason"]}]
    # a listing of the readable document alone is complete: no flag needed
    assert run(*args, "annotations", "--doc", GOOD).exit_code == 0


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "md", "html", "w3c"])
def test_export_fails_unless_told_and_then_the_file_says_what_is_missing(broken, fmt, tmp_path):
    args, _bad = broken
    r = run(*args, "export", "-f", fmt)
    assert r.exit_code == 3 and r.stdout == "" and "exported" not in r.stderr
    out = tmp_path / f"out.{fmt}"
    r = run(*args, "export", "-f", fmt, "-o", out, "--skip-unreadable")
    assert r.exit_code == 0 and "incomplete" in r.stderr, r.stderr
    data = out.read_text(encoding="utf-8-sig")
    assert BAD.replace("_", "\\_" if fmt == "md" else "_") in data
    if fmt == "csv":
        assert data.splitlines()[-1].count("unreadable") == 1
    elif fmt == "jsonl":
        last = json.loads(data.splitlines()[-1])
        assert last["doc"] == BAD and last["status"] == "unreadable"
    else:
        assert "Incomplete: left out" in data


def test_qdpx_export_says_it_is_incomplete_in_its_description(broken, tmp_path):
    import zipfile

    args, _bad = broken
    out = tmp_path / "out.qdpx"
    assert run(*args, "export", "-f", "qdpx", "-o", out).exit_code == 3 and not out.exists()
    assert run(*args, "export", "-f", "qdpx", "-o", out, "--skip-unreadable").exit_code == 0
    project = zipfile.ZipFile(out).read("project.qde").decode("utf-8")
    assert "<Description>Incomplete: left out" in project and BAD in project


@pytest.mark.parametrize("view", [["tags"], ["matrix"], ["cooccur"], ["freq", "--tags"], ["timeline"]])
def test_views_of_the_store_fail_unless_told(broken, view):
    args, _bad = broken
    r = run(*args, *view)
    assert r.exit_code == 3 and "--skip-unreadable" in r.stderr
    r = run(*args, *view, "--skip-unreadable")
    assert r.exit_code == 0, r.output
    assert f"left out: the annotations of {BAD}" in r.stdout


def test_a_store_refusal_exits_3_not_1(broken):
    args, bad = broken
    r = run(*args, "tag", BAD, "--quote", "Babel", "--occurrence", "1", "--tag", "u")
    assert r.exit_code == 3 and "read-only" in r.stderr
    r = run(*args, "meta", BAD, "--set", "outlet=x")
    assert r.exit_code == 3
    assert bad.read_text(encoding="utf-8") == "{not json"


def test_the_exit_statuses_are_documented():
    helptext = run("--help").stdout
    assert "3  the annotation store failed" in helptext
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "3 the annotation\nstore failed" in readme
