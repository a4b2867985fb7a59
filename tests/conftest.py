"""Shared fixtures: every test works on copies under tmp_path and never on a user's files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from textual.app import App

from reader.paths import Paths

# No per-example deadline: Hypothesis's default (200 ms) fails a correct test on a busy machine.
settings.register_profile("reader", deadline=None)
settings.load_profile("reader")

WORKERS_PER_CORE = 2
"""xdist workers per core for `-n auto` (pyproject.toml's addopts). Why two: the app tests spend
about half their time waiting (a pilot's pauses, a worker thread's result, a spawned process
starting), so with one worker per core the second core sat mostly idle (docs/benchmarks.md,
"The test suite under load", has the figures)."""


def pytest_xdist_auto_num_workers(config) -> int:
    return WORKERS_PER_CORE * (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Per-user folders (config, data, cache, state: the log) point into a fresh tmp folder for every test.

    Also clears the variables that would redirect the corpus, its index or its annotations, and
    NO_COLOR, so the developer's environment cannot change what a test sees.
    """
    home = tmp_path_factory.mktemp("user")
    for name in ("CONFIG", "DATA", "CACHE", "STATE"):
        folder = home / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"READER_{name}_DIR", str(folder))
    for name in ("READER_CORPUS", "READER_ANNOTATIONS", "READER_INDEX", "READER_CODER", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def notifications_stay(monkeypatch):
    """Every toast stays on screen until the test ends.

    A test waits for the event it needs, then looks for the toast that says so; on a busy
    machine the wait can outlast a toast's 2 to 10 s, and the toast would be gone. No test
    checks that a toast disappears."""
    notify = App.notify

    def lasting(self, message, *, timeout=None, **kwargs):
        notify(self, message, timeout=24 * 3600, **kwargs)

    monkeypatch.setattr(App, "notify", lasting)


def make_paths(root: Path, corpus: Path) -> Paths:
    """Paths for a corpus folder with its annotations and index in `root`."""
    return Paths(corpus=corpus, annotations=root / "annotations", index=root / "index")


@pytest.fixture()
def seed_paths(tmp_path) -> Paths:
    """The five seeds copied to tmp_path/corpus; annotations and index under tmp_path too."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    return make_paths(tmp_path, corpus)


def seed_copies(root: Path, copies: int) -> Path:
    """A corpus at root/corpus of `copies` folders, each holding the five seeds as they are."""
    corpus = root / "corpus"
    for n in range(copies):
        folder = corpus / f"set{n:02}"
        folder.mkdir(parents=True)
        for seed in sorted(SEEDS.glob("*.txt")):
            shutil.copy(seed, folder / seed.name)
    return corpus


def seed_variations(corpus: Path, copies: int, folders: int = 7) -> int:
    """`copies` variations of each seed (its paragraphs rotated) in `folders` subfolders of
    `corpus`: documents that differ, for builds and searches bigger than the seeds. Returns how
    many documents were written."""
    count = 0
    for seed in sorted(SEEDS.glob("*.txt")):
        paragraphs = seed.read_text("utf-8").split("\n\n")
        for i in range(copies):
            k = i % len(paragraphs)
            text = "\n\n".join(paragraphs[k:] + paragraphs[:k])
            folder = corpus / f"set{i % folders}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{seed.stem}_{i:03}.txt").write_text(text, "utf-8")
            count += 1
    return count


def segmented_index(root: Path, copies: int = 40):
    """A CorpusIndex of `seed_variations(root / "corpus", copies)` committed in small batches:
    several segments (for the helper process's split and per-segment scoring)."""
    import index.batching as batching
    from index.indexer import CorpusIndex

    seed_variations(root / "corpus", copies)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batching, "BATCH_MIN_BYTES", 1)
        patch.setattr(batching, "FIRST_BATCH_BYTES", 20_000)
        index = CorpusIndex(root / "corpus", root / "index")
        index.update()
    with index.whoosh().searcher() as searcher:
        assert len(searcher.leaf_searchers()) >= 3
    return index


def damage_segments(index: Path, keep_mtime: bool) -> int:
    """Overwrite every postings header in the Whoosh segment files of the index folder `index`
    (same size; with `keep_mtime` the files look untouched to a stat, so the damage is found
    only when a command reads them); return how many."""
    count = 0
    for seg in (index / "whoosh").glob("*.seg"):
        st = seg.stat()
        data = seg.read_bytes()
        count += data.count(b"W3Bl")
        with open(seg, "r+b") as handle:
            handle.write(data.replace(b"W3Bl", b"XXXX"))
        if keep_mtime:
            os.utime(seg, ns=(st.st_atime_ns, st.st_mtime_ns))
    return count


def assert_failed_again(result, calls: list[int], index_dir) -> None:
    """A command whose reading of the index failed, was rebuilt and failed again (the test's
    TypeError with an escape in its text): exit 3, both sentences sanitised, no traceback."""
    from reader.logs import log_file

    assert len(calls) == 2  # once, then once more on the rebuilt index
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr
    assert "reader: searching failed: index damaged (TypeError: unsupported operand ␛[2J for +)" in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith(
        "reader: searching failed again after rebuilding the index (TypeError: unsupported operand ␛[2J for +); "
        f"delete the index folder {index_dir} "
    )
    assert "--index" in last and "report a bug" in last and str(log_file()) in last
