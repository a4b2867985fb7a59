"""`reader compare` and `reader similar` as scripts use them."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from reader.cli import main

from conftest import SEEDS

D000 = "000_5f0b56e8f3292fd3.txt"
D003 = "003_c50da1745df50ef1.txt"
D004 = "004_e50d8a5f429aba39.txt"


@pytest.fixture()
def env(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    args = ["--corpus", str(corpus), "--annotations", str(tmp_path / "ann"), "--index", str(tmp_path / "ix")]
    return corpus, args


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_compare_json_has_one_object_per_pair_with_offsets(env):
    corpus, args = env
    text_a = (corpus / D003).read_text(encoding="utf-8")
    text_b = (corpus / D000).read_text(encoding="utf-8")
    r = run(*args, "compare", D003, D000, "--json")
    assert r.exit_code == 0, r.output
    pairs = rows(r)
    assert all({"a_start", "a_end", "b_start", "b_end", "score", "kind", "in_order"} <= set(p) for p in pairs)
    paired = [p for p in pairs if p["a_start"] is not None and p["b_start"] is not None]
    assert len(paired) == 13  # every paragraph of 003
    thabit = next(p for p in paired if "Thabit" in text_a[p["a_start"] : p["a_end"]])
    assert "Thabet" in text_b[thabit["b_start"] : thabit["b_end"]]
    assert 0 < thabit["score"] <= 1 and thabit["kind"] == "paragraph"
    share = next(p for p in pairs if p["b_start"] is not None and text_b[p["b_start"] : p["b_end"]] == "Share:")
    assert share["a_start"] is None and share["a_end"] is None and share["score"] == 0


def test_compare_human_output_shows_both_sides_and_a_summary(env):
    _, args = env
    r = run(*args, "compare", D003, D000)
    assert r.exit_code == 0, r.output
    assert "In late July, an Iraqi" in r.stdout
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith("13 pairs (0 out of order), 0 passages only in A, ")


def test_compare_unknown_document_exits_2_with_a_message(env):
    _, args = env
    r = run(*args, "compare", D003, "nope.txt")
    assert r.exit_code == 2
    assert "unknown or unreadable document 'nope.txt'" in r.stderr


def test_similar_lists_the_same_claim_elsewhere(env):
    corpus, args = env
    text = (corpus / D003).read_text(encoding="utf-8")
    start = text.index("Less than a week later")
    end = text.index("\n", start)
    r = run(*args, "similar", D003, "--span", f"{start}:{end}", "--json", "--limit", "5")
    assert r.exit_code == 0, r.output
    found = rows(r)
    assert 1 <= len(found) <= 5
    assert {"doc", "start", "end", "score", "text"} <= set(found[0])
    assert found[0]["doc"] == D000 and found[0]["text"].startswith("Less than a week later")
    assert any(f["doc"] == D004 for f in found)
    assert all(f["doc"] != D003 for f in found)


def test_similar_bad_span_exits_2(env):
    _, args = env
    r = run(*args, "similar", D003, "--span", "10:5")
    assert r.exit_code == 2 and "out of range" in r.stderr
    r = run(*args, "similar", D003, "--span", "x")
    assert r.exit_code == 2 and "expected START:END" in r.stderr
