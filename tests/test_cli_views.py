"""The view commands as scripts use them: kwic, matrix, cooccur, freq, timeline; exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner

from reader.cli import main

from conftest import SEEDS

D0, D1, D2, D3, D4 = sorted(p.name for p in SEEDS.glob("*.txt"))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def env(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    args = ["--corpus", corpus, "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]
    return corpus, args


def _tag_all(corpus, args, doc, word, tag):
    n = len(re.findall(rf"\b{word}\b", (corpus / doc).read_text(encoding="utf-8")))
    for i in range(1, n + 1):
        r = run(*args, "tag", doc, "--quote", word, "--occurrence", i, "--tag", tag)
        assert r.exit_code == 0, r.output
    return n


def test_kwic_outputs_and_exit_codes(env):
    corpus, args = env
    expected = sum(len(re.findall(r"(?i)\bnujaba\b", p.read_text(encoding="utf-8"))) for p in corpus.iterdir())
    r = run(*args, "kwic", "Nujaba", "--json", "--width", "20")
    assert r.exit_code == 0
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == expected == 14
    for row in rows:
        text = (corpus / row["doc"]).read_text(encoding="utf-8")
        assert text[row["start"] : row["end"]] == row["match"] == "Nujaba"
        assert len(row["left"]) <= 20
    r = run(*args, "kwic", "Nujaba", "--csv", "--sort", "right")
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert table[0] == ["doc", "title", "start", "end", "left", "match", "right"] and len(table) == 15
    human = run(*args, "kwic", "Nujaba")
    assert human.exit_code == 0 and "14 matches in 4 documents" in human.stdout
    assert human.stdout.count("Nujaba") >= 14
    nothing = run(*args, "kwic", "zzzyxq")
    assert nothing.exit_code == 1 and "No matches" in nothing.stderr
    bad = run(*args, "kwic", '"unbalanced')
    assert bad.exit_code == 2 and "invalid query" in bad.stderr
    assert run(*args, "kwic", "Iraq", "--json", "--csv").exit_code == 2
    assert run(*args, "kwic", "Iraq", "--sort", "middle").exit_code == 2


def test_kwic_never_prints_markup_or_controls_from_the_corpus(env):
    corpus, args = env
    (corpus / "evil.txt").write_text("Title\n\n[bold red]Nujaba[/] \u202eafter\n", encoding="utf-8")
    r = run(*args, "kwic", "Nujaba", "--width", "12")
    assert r.exit_code == 0 and "15 matches in 5 documents" in r.stdout
    assert "[bold red]" in r.stdout and "[/]" in r.stdout  # shown as typed, not applied
    assert "\u202e" not in r.stdout and "\u21c6after" in r.stdout


def test_matrix_cooccur_freq_timeline(env):
    corpus, args = env
    n4 = _tag_all(corpus, args, D4, "Nujaba", "actor/Nujaba")
    n3 = _tag_all(corpus, args, D3, "Nujaba", "actor/Nujaba")
    b4 = _tag_all(corpus, args, D4, "Babil", "place/Babel")
    line = next(l for l in (corpus / D4).read_text(encoding="utf-8").splitlines() if "Babil" in l)
    assert run(*args, "tag", D4, "--quote", line, "--tag", "event/threat").exit_code == 0
    assert run(*args, "meta", D4, "--set", "outlet=Newsweek").exit_code == 0

    m = json.loads(run(*args, "matrix", "--json").stdout)
    assert m["columns"] == ["actor/Nujaba", "event/threat", "place/Babel"]
    assert {r["row"]: r["cells"] for r in m["rows"]} == {
        D3: {"actor/Nujaba": n3},
        D4: {"actor/Nujaba": n4, "event/threat": 1, "place/Babel": b4},
    }
    assert m["grand_total"] == n3 + n4 + b4 + 1
    by_outlet = json.loads(run(*args, "matrix", "--by", "attribute", "outlet", "--json").stdout)
    assert {r["row"]: r["total"] for r in by_outlet["rows"]} == {"(none)": n3, "Newsweek": n4 + b4 + 1}
    rows = list(csv.reader(io.StringIO(run(*args, "matrix", "--csv", "--measure", "characters").stdout)))
    assert rows[0] == ["doc", "actor/Nujaba", "event/threat", "place/Babel", "total"]
    assert rows[-1][:2] == ["total", str(6 * (n3 + n4))]
    assert run(*args, "matrix", "--by", "attribute").exit_code == 2
    assert run(*args, "matrix", "outlet").exit_code == 2
    human = run(*args, "matrix")
    assert human.exit_code == 0 and "actor/Nujaba" in human.stdout and "total" in human.stdout

    inside = len(re.findall(r"\bNujaba\b", line))
    pairs = [json.loads(l) for l in run(*args, "cooccur", "--json").stdout.splitlines()]
    got = {(p["tag_a"], p["tag_b"]): p["count"] for p in pairs}
    assert got == {("event/threat", "place/Babel"): 1, ("actor/Nujaba", "event/threat"): inside}
    para = [json.loads(l) for l in run(*args, "cooccur", "--mode", "paragraph", "--json").stdout.splitlines()]
    assert {(p["tag_a"], p["tag_b"]): p["count"] for p in para}[("actor/Nujaba", "place/Babel")] == 1
    assert "event/threat" in run(*args, "cooccur").stdout

    terms = [json.loads(l) for l in run(*args, "freq", "--tag", "actor", "--json").stdout.splitlines()]
    assert terms == [{"term": "nujaba", "count": n3 + n4}]
    corpus_terms = list(csv.reader(io.StringIO(run(*args, "freq", "--csv", "--limit", "5").stdout)))
    assert corpus_terms[0] == ["term", "count"] and len(corpus_terms) == 6
    assert "█" in run(*args, "freq").stdout
    tags = [json.loads(l) for l in run(*args, "freq", "--tags", "--json").stdout.splitlines()]
    assert tags[0] == {"tag": "actor/Nujaba", "count": n3 + n4, "documents": 2}

    tl = run(*args, "timeline", "--json")
    assert [json.loads(l) for l in tl.stdout.splitlines()] == [{"date": "2024-08-02", "count": 1, "docs": [D2]}]
    assert "4 of 5 documents have no date" in tl.stderr
