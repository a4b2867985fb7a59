"""`reader disagreements --accept-agreed`: the worklist's `A` from the shell (issue 17).

Every place where the coders agree goes into the consensus as it is, as one change of the
store (journalled: a kill leaves all of it or none), and the command says what it did.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from reader.agreement.settling import CONSENSUS
from reader.cli import main
from reader.store import AnnotationStore, crashpoints

from conftest import SEEDS

DOCS = sorted(p.name for p in SEEDS.glob("*.txt"))[:2]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def code(root, coder: str, doc: str, spans) -> None:
    data = (root / "corpus" / doc).read_bytes()
    store = AnnotationStore(root / "ann", creator=coder)
    for start, end, tags in spans:
        store.add(doc, data.decode("utf-8"), hashlib.sha256(data).hexdigest(), start, end, tags)


@pytest.fixture()
def project(tmp_path):
    """ann and bob agree on `place` at the start of both documents (0:40 and 0:38, within the
    tolerance), and differ on `event` (20 characters apart) and on `actor` (bob alone)."""
    shutil.copytree(SEEDS, tmp_path / "corpus")
    for doc in DOCS:
        code(tmp_path, "ann", doc, [(0, 40, ["place"]), (100, 200, ["event"])])
        code(tmp_path, "bob", doc, [(0, 38, ["place"]), (120, 200, ["event"]), (300, 350, ["actor"])])
    return tmp_path, ["--corpus", tmp_path / "corpus", "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]


def consensus(root) -> list[tuple[str, int, int, tuple[str, ...]]]:
    store = AnnotationStore(root / "ann")
    return sorted((a.doc, a.start, a.end, a.tags) for a in store.annotations() if a.creator == CONSENSUS)


def test_accept_agreed_takes_each_agreed_place_into_the_consensus_and_says_so(project):
    root, args = project
    r = run("disagreements", *args, "--accept-agreed")
    assert r.exit_code == 0, r.output
    assert r.output == (
        "Accepted 2 passages into the consensus, as the coders have them: 2 places where ann, bob agree.\n"
    )
    assert consensus(root) == [(doc, 0, 40, ("place",)) for doc in DOCS]  # ann's version, the first coder's
    # the differences are still to settle, and listing them does not write
    listed = run("disagreements", *args, "--json", "--coder", "ann", "--coder", "bob")
    assert [json.loads(line)["kind"] for line in listed.output.splitlines()] == ["bounds", "missing"] * 2


def test_accept_agreed_again_accepts_nothing_new(project):
    root, args = project
    assert run("disagreements", *args, "--accept-agreed").exit_code == 0
    r = run("disagreements", *args, "--accept-agreed", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report == {"coders": ["ann", "bob"], "agreed_places": 2, "settled_before": 2, "accepted": 0, "ids": []}
    assert len(consensus(root)) == 2


def test_accept_agreed_json_names_what_it_created(project):
    root, args = project
    r = run("disagreements", *args, "--accept-agreed", "--json", "--doc", DOCS[1])
    report = json.loads(r.output)
    assert (report["agreed_places"], report["accepted"]) == (1, 1)
    store = AnnotationStore(root / "ann")
    assert [store.get(i).creator for i in report["ids"]] == [CONSENSUS]
    assert consensus(root) == [(DOCS[1], 0, 40, ("place",))]


def test_accept_agreed_with_no_agreement_says_nothing_was_accepted(project):
    root, args = project
    r = run("disagreements", *args, "--accept-agreed", "--tag", "event")
    assert r.exit_code == 0, r.output
    assert r.output == "No place where ann, bob agree: nothing was accepted into the consensus.\n"
    assert consensus(root) == []


def test_accept_agreed_cannot_compare_the_consensus_itself(project):
    root, args = project
    r = run("disagreements", *args, "--accept-agreed", "--coder", CONSENSUS, "--coder", "ann")
    assert r.exit_code == 2
    assert "drop --coder consensus" in r.output
    assert consensus(root) == []


def test_accept_agreed_refuses_over_an_unreadable_annotation_file(project):
    """Nothing is accepted when a coder's annotations cannot all be read (exit 3)."""
    root, args = project
    files = sorted(p for p in (root / "ann").rglob("*.json") if p.name != "codebook.json")
    before = files[0].read_bytes()
    files[0].write_text("{not json", encoding="utf-8")
    r = run("disagreements", *args, "--accept-agreed")
    assert r.exit_code == 3
    files[0].write_bytes(before)
    assert consensus(root) == []


def test_accept_agreed_killed_mid_change_keeps_all_of_it(project, tmp_path):
    """The change writes two documents' files; killed after the first rename, the next command
    completes it from the store's journal: both consensus annotations, never one."""
    root, args = project
    env = {
        **os.environ,
        "READER_CACHE_DIR": str(tmp_path / "cache"),
        "READER_DATA_DIR": str(tmp_path / "data"),
        "READER_CONFIG_DIR": str(tmp_path / "config"),
    }
    argv = [sys.executable, "-m", "reader", "disagreements", "--accept-agreed", *map(str, args)]
    shutil.copytree(root / "ann", tmp_path / "rehearsal")  # the same command on a copy, to number its points
    rehearsal = [str(tmp_path / "rehearsal") if a == str(root / "ann") else a for a in argv]
    trace = tmp_path / "trace.txt"
    subprocess.run(rehearsal, env={**env, crashpoints.TRACE_ENV: str(trace)}, check=True, capture_output=True)
    first_rename = next(
        int(line.split()[0]) for line in trace.read_text().splitlines() if line.endswith("after rename")
    )
    killed = subprocess.run(
        argv, env={**env, crashpoints.CRASH_AT_ENV: str(first_rename)}, capture_output=True, text=True
    )
    assert killed.returncode == -9, killed.stderr
    assert (root / "ann" / ".journal").exists()  # the kill landed between the two files
    listed = subprocess.run(
        [sys.executable, "-m", "reader", "annotations", "--json", "--coder", CONSENSUS, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sorted(json.loads(line)["doc"] for line in listed.stdout.splitlines()) == DOCS
    assert not (root / "ann" / ".journal").exists()
