"""`reader agree` as scripts and people use it: fields, both choices of text, exit status."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.store import AnnotationStore

from conftest import SEEDS

DOC = sorted(p.name for p in SEEDS.glob("*.txt"))[0]
FIELDS = {"tag", "coders", "unit", "units", "percent", "kappa", "alpha", "alpha_ci", "alpha_u", "uncoded_included"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def code(root: Path, coder: str, spans):
    data = (root / "corpus" / DOC).read_bytes()
    text = data.decode("utf-8")
    store = AnnotationStore(root / "ann", creator=coder)
    for start, end, tags in spans:
        store.add(DOC, text, hashlib.sha256(data).hexdigest(), start, end, tags)


@pytest.fixture()
def project(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "corpus")
    code(tmp_path, "ann", [(0, 40, ["place"]), (100, 200, ["event"])])
    code(tmp_path, "bob", [(0, 38, ["place"]), (120, 200, ["event"]), (300, 350, ["actor"])])
    return tmp_path, ["--corpus", tmp_path / "corpus", "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]


def test_json_has_one_object_per_tag_then_overall(project):
    _, args = project
    r = run("agree", *args, "--json", "--replicates", "200")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [row["tag"] for row in rows] == ["actor", "event", "place", None]
    for row in rows:
        assert FIELDS <= row.keys()
        assert row["coders"] == ["ann", "bob"]
        assert row["unit"] == "char"
        assert row["uncoded_included"] is True
        assert row["without_uncoded"]["uncoded_included"] is False
        assert row["without_uncoded"]["units"] < row["units"]
    place = rows[2]
    assert place["coded_by"] == {"ann": 40, "bob": 38}
    assert place["overlaps"] == 38
    low, high = place["alpha_ci"]
    assert low <= place["alpha"] <= high


def test_exclude_uncoded_puts_the_coded_text_figures_first(project):
    _, args = project
    r = run("agree", *args, "--json", "--replicates", "0", "--exclude-uncoded", "--tag", "event")
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert rows[0]["uncoded_included"] is False
    assert rows[0]["with_uncoded"]["uncoded_included"] is True
    assert rows[0]["alpha_ci"] is None  # no replicates asked


def test_human_output_gives_both_choices_of_text_and_the_bootstrap(project):
    _, args = project
    r = run("agree", *args, "--replicates", "100")
    assert r.exit_code == 0
    assert "text nobody coded counts as agreement" in r.output
    assert "text nobody coded is left out" in r.output
    assert "100 replicates" in r.output
    assert "Cohen's κ" in r.output


def test_csv_has_a_row_per_tag_and_choice_of_text(project):
    _, args = project
    r = run("agree", *args, "--csv", "--replicates", "0", "--unit", "word")
    lines = r.output.splitlines()
    assert lines[0].startswith("tag,coders,unit,uncoded_included")
    assert len(lines) == 1 + 2 * 4


def test_fewer_than_two_coders_exits_2(project):
    _, args = project
    r = run("agree", *args, "--coder", "ann")
    assert r.exit_code == 2
    assert "two coders" in r.output


def test_three_coders_report_fleiss_kappa(project):
    root, args = project
    code(root, "cy", [(0, 40, ["place"])])
    r = run("agree", *args, "--json", "--replicates", "0", "--tag", "place")
    row = json.loads(r.output.splitlines()[0])
    assert row["coders"] == ["ann", "bob", "cy"]
    assert row["kappa_kind"] == "fleiss"


def test_an_unreadable_document_fails_instead_of_measuring_less(project):
    root, args = project
    (root / "corpus" / DOC).unlink()
    r = run("agree", *args, "--json")
    assert r.exit_code == 3
    assert "cannot read 1 document" in r.output
    assert run("agree", *args, "--json", "--skip-unreadable").exit_code == 2  # nothing left


def test_an_unreadable_annotation_file_fails_unless_skipped(project):
    root, args = project
    files = [p for p in (root / "ann").rglob("*.json") if p.name != "codebook.json"]
    files[0].write_text("{not json", encoding="utf-8")
    r = run("agree", *args, "--json")
    assert r.exit_code == 3
    assert "--skip-unreadable" in r.output


def test_coder_names_reach_the_terminal_escaped(project):
    root, args = project
    code(root, "evil\x1b]0;owned\x07", [(0, 40, ["place"])])
    r = run("agree", *args, "--replicates", "0")
    assert "\x1b" not in r.output and "\x07" not in r.output


def test_disagreements_lists_every_place_in_order(project):
    _, args = project
    r = run("disagreements", *args, "--json")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    # place agrees within 5 characters; event starts 20 apart; actor only bob coded
    assert [(row["kind"], row["start"]) for row in rows] == [("bounds", 100), ("missing", 300)]
    assert rows[0]["n"] == 1 and rows[0]["of"] == 2
    ann, bob = rows[1]["versions"]
    assert (ann["coder"], ann["spans"]) == ("ann", [])
    assert bob["tags"] == ["actor"] and bob["spans"][0]["quote"]
    r = run("disagreements", *args)
    assert "difference 1 of 2  bounds" in r.output
    assert run("disagreements", *args, "--json", "--tolerance", "30").output.count("\n") == 1


def test_disagreements_needs_two_coders(project):
    _, args = project
    assert run("disagreements", *args, "--coder", "ann").exit_code == 2


def test_json_lines_escape_what_line_splitters_and_terminals_act_on(project):
    root, args = project
    code(root, "cy\u2028x", [(0, 40, ["place"])])
    r = run("agree", *args, "--json", "--replicates", "0", "--tag", "place")
    assert "\u2028" not in r.output and "\\u2028" in r.output
    assert json.loads(r.output.splitlines()[0])["coders"] == ["ann", "bob", "cy\u2028x"]


def test_the_consensus_is_a_coder_that_is_exported_and_measured(project):
    """What the worklist accepts (creator `consensus`) is measured against each coder and
    exported like anyone's coding."""
    from index.corpus import Corpus
    from reader.agreement.differences import agreements, differences
    from reader.agreement.load import gather
    from reader.agreement.settling import CONSENSUS, agreed_items, consensus_items

    root, args = project
    store = AnnotationStore(root / "ann")
    corpus = Corpus(root / "corpus")
    study = gather(store, corpus, replicates=0).study
    for difference in differences(study.selected, study.coders):
        store.add_many(consensus_items(store, corpus, difference, ["ann"]))
    store.add_many(agreed_items(store, corpus, agreements(study.selected, study.coders)))
    r = run("agree", *args, "--json", "--replicates", "0", "--coder", CONSENSUS, "--coder", "ann")
    assert r.exit_code == 0, r.output
    overall = [json.loads(line) for line in r.output.splitlines()][-1]
    assert overall["coders"] == [CONSENSUS, "ann"]
    assert overall["coded_by"][CONSENSUS] == overall["coded_by"]["ann"] > 0
    assert overall["alpha"] == 1.0  # ann's version everywhere, the agreed places included
    r = run("export", *args, "--format", "jsonl", "--coder", CONSENSUS)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and {row["coder"] for row in rows} == {CONSENSUS}


def test_agree_measures_without_the_cycle_collector_and_turns_it_back_on(project, monkeypatch):
    import gc

    from reader.agreement.study import Study

    _, args = project
    seen = []
    real = Study.results

    def results(self):
        seen.append(gc.isenabled())
        return real(self)

    monkeypatch.setattr(Study, "results", results)
    assert gc.isenabled()
    r = run("agree", *args, "--json", "--replicates", "10")
    assert r.exit_code == 0, r.output
    assert seen == [False]  # the million objects of a big study are not walked again and again
    assert gc.isenabled()
    assert run("agree", *args, "--json", "--csv").exit_code == 2  # a usage error turns it back on too
    assert gc.isenabled()


def test_the_interval_is_the_same_in_every_process(tmp_path):
    """The bootstrap is seeded, so its interval must not change from one run to the next: the
    overall table's values are tag sets, whose order followed their hashes (PYTHONHASHSEED),
    and that order decided the last digits of alpha_ci."""
    import random
    import subprocess
    import sys

    shutil.copytree(SEEDS, tmp_path / "corpus")
    rng = random.Random(7)
    tags = ["place", "event", "actor", "claim", "frame", "quote"]
    for coder in ("ann", "bob", "cy"):
        spans = []
        for start in range(0, 3000, 60):
            spans.append(
                (start + rng.randrange(5), start + 40 + rng.randrange(15), rng.sample(tags, rng.randrange(1, 4)))
            )
        code(tmp_path, coder, spans)
    args = ["--corpus", tmp_path / "corpus", "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        env = {"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": seed, "HOME": str(tmp_path)}
        command = [sys.executable, "-m", "reader", "agree", "--json", *map(str, args)]
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1
    overall = json.loads(outputs.pop().splitlines()[-1])
    assert overall["tag"] is None and overall["alpha_ci"] is not None
