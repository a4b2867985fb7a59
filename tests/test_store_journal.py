"""Changes to several files are all or nothing: kills at every point of the write path.

The harness is bench/bench_crash_points.py (it prints the figures for docs/benchmarks.md); here
every multi-file operation is killed at each of its points and must leave, after the next open,
exactly the state before or exactly the state after, with nothing acknowledged lost.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from reader.store import AnnotationStore
from reader.store import crashpoints

from conftest import REPO


def _harness():
    spec = importlib.util.spec_from_file_location("bench_crash_points", REPO / "bench" / "bench_crash_points.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_crash_points", module)
    spec.loader.exec_module(module)
    return module


HARNESS = _harness()


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    work = tmp_path_factory.mktemp("crash-points")
    return work, HARNESS.prepare_work(work)


@pytest.mark.parametrize("op", HARNESS.OPERATIONS, ids=[o.name for o in HARNESS.OPERATIONS])
def test_a_kill_at_any_point_leaves_all_or_nothing(work, op, tmp_path):
    root, template = work
    mine = tmp_path / "work"
    mine.mkdir()
    for name in ("corpus", "import.jsonld"):  # each test its own store folder
        os.symlink(root / name, mine / name)
    outcome = HARNESS.crash_everywhere(op, mine, template)
    assert outcome.points >= 10, outcome  # every step of a multi-file write is a point
    assert outcome.kills == outcome.points
    assert outcome.lost == 0 and outcome.half == 0, outcome
    assert outcome.failures == []


def _trace_points(tmp_path, argv, env) -> list[str]:
    trace = tmp_path / "trace.txt"
    subprocess.run(argv, env={**env, crashpoints.TRACE_ENV: str(trace)}, check=True, capture_output=True, text=True)
    return trace.read_text().splitlines()


def test_the_cli_killed_between_document_and_codebook_keeps_the_new_tag(tmp_path):
    """The issue's case: `reader tag` with a new tag name, killed after the document's file was
    replaced and before the codebook's: the next command finds the tag in the codebook."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Babel and Babil are one place.\n", encoding="utf-8")
    ann = tmp_path / "ann"
    env = {
        **os.environ,
        "READER_CACHE_DIR": str(tmp_path / "cache"),
        "READER_DATA_DIR": str(tmp_path / "data"),
        "READER_CONFIG_DIR": str(tmp_path / "config"),
    }
    base = [sys.executable, "-m", "reader", "--corpus", str(corpus), "--annotations", str(ann)]
    subprocess.run(
        [*base, "tag", "a.txt", "--quote", "Babel", "--tag", "place"], env=env, check=True, capture_output=True
    )
    import shutil

    shutil.copytree(ann, tmp_path / "rehearsal")  # the same command on a copy, to number its points
    rehearsal = [*base[:-1], str(tmp_path / "rehearsal")]
    points = _trace_points(tmp_path, [*rehearsal, "tag", "a.txt", "--quote", "Babil", "--tag", "place/new"], env)
    first_rename = next(int(line.split()[0]) for line in points if line.endswith("after rename"))
    killed = subprocess.run(
        [*base, "tag", "a.txt", "--quote", "Babil", "--tag", "place/new"],
        env={**env, crashpoints.CRASH_AT_ENV: str(first_rename)},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -9, killed.stderr
    assert (ann / ".journal").exists()  # the kill landed between the two files
    tags = subprocess.run([*base, "tags", "--json"], env=env, capture_output=True, text=True, check=True)
    names = {json.loads(line)["name"] for line in tags.stdout.splitlines()}
    anns = subprocess.run([*base, "annotations", "--json"], env=env, capture_output=True, text=True, check=True)
    quotes = {json.loads(line)["quote"] for line in anns.stdout.splitlines()}
    codebook = json.loads((ann / "codebook.json").read_text())
    assert {t["name"] for t in codebook["tags"]} >= {"place", "place/new"}
    assert {"place", "place/new"} <= names and quotes == {"Babel", "Babil"}
    assert not (ann / ".journal").exists()


def test_an_open_store_sees_a_killed_writers_change_completed_on_refresh(work, tmp_path):
    """The app keeps its store open while another process dies mid-rename: its next refresh
    completes the change and shows it whole."""
    import shutil

    _root, template = work
    folder = tmp_path / "ann"
    shutil.copytree(template, folder)
    app_store = AnnotationStore(folder)
    rename = next(o for o in HARNESS.OPERATIONS if o.name == "rename tag")
    for crash_at in range(1, 60):
        status, _said = HARNESS._run_child(rename, folder, tmp_path, crash_at)
        if (folder / ".journal").exists():
            break
        shutil.rmtree(folder)
        shutil.copytree(template, folder)
        app_store = AnnotationStore(folder)
    assert os.WIFSIGNALED(status) and (folder / ".journal").exists()
    app_store.refresh()
    tags = {t for a in app_store.annotations() for t in a.tags}
    assert "old" not in tags and {"renamed", "renamed/child"} <= tags
    assert app_store.tag("renamed").color == "#123456"
    assert app_store.tag("renamed").description == "the tag being renamed"
    assert not (folder / ".journal").exists()


def test_a_torn_journal_means_the_change_never_happened(work, tmp_path):
    import shutil

    _root, template = work
    folder = tmp_path / "ann"
    shutil.copytree(template, folder)
    before = HARNESS.snapshot(folder)
    (folder / ".journal").write_text('{"format_version": 1, "steps": [{"target": "codebook.json"')
    (folder / "docs" / ".~0123456789ab.tmp").write_text("half")
    store = AnnotationStore(folder)
    assert HARNESS.snapshot(folder) == before and not (folder / ".journal").exists()
    with store._locked():
        pass
    assert not list(folder.rglob("*.tmp"))
    assert store.recovered == [] or "discarded" in store.recovered[0]


def test_a_kill_during_recovery_is_recovered_the_same_way(work, tmp_path):
    """Completing a killed writer's change is itself killed at each of its points: the next
    open still ends with the whole change."""
    import shutil

    _root, template = work
    rename = next(o for o in HARNESS.OPERATIONS if o.name == "rename tag")
    crashed = tmp_path / "crashed"
    for crash_at in range(1, 60):  # the first kill that leaves a journal with renames to redo
        shutil.rmtree(crashed, ignore_errors=True)
        shutil.copytree(template, crashed)
        HARNESS._run_child(rename, crashed, tmp_path, crash_at)
        if (crashed / ".journal").exists():
            break
    assert (crashed / ".journal").exists()
    after = tmp_path / "after"
    shutil.copytree(template, after)
    rename.run(AnnotationStore(after), tmp_path)
    expected = HARNESS.snapshot(after)
    kills = 0
    for crash_at in range(1, 30):
        folder = tmp_path / f"recover-{crash_at}"
        shutil.copytree(crashed, folder)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the next process to open the folder, killed while it recovers
            os.close(read_fd)
            crashpoints.arm(crash_at)
            try:
                AnnotationStore(folder)
            finally:
                os._exit(0)
        os.close(write_fd)
        os.close(read_fd)
        _pid, status = os.waitpid(pid, 0)
        if not os.WIFSIGNALED(status):
            break
        kills += 1
        assert HARNESS.snapshot(folder) == expected, f"killed at recovery point {crash_at}"
        assert not (folder / ".journal").exists()
    assert kills >= 3  # renames and the journal's removal were each interrupted
