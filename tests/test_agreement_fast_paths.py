"""The fast paths of `reader agree` give what the plain ones give (issue 17's 2 s target).

The `char` table built with arrays equals the document-by-document sweep, its order included
(the bootstrap's draws follow the table's order); the merge and the pairwise sweep of unitizing
alpha with numpy equal the walk over sections pair by pair; the places cache serves unchanged
documents without reading their files, and notices every change.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil

import pytest
from click.testing import CliRunner

from reader.agreement import unitizing
from reader.agreement.char_runs import MAX_TAGS, char_table
from reader.agreement.places_cache import FILE_NAME
from reader.agreement.study import CodedSpan, Study, _char_runs
from reader.agreement.table import ReliabilityTable
from reader.cli import main
from reader.store import AnnotationStore

from conftest import SEEDS

CODERS = ("a", "b", "c")


def random_docs(rng: random.Random, n_tags: int = 5, absent: bool = False):
    """Documents with overlapping spans of one coder and tag, spans past the end, touching
    spans and coders absent from a document."""
    docs = []
    for d in range(rng.randint(1, 6)):
        length = rng.randint(0, 400)
        spans = []
        for _ in range(rng.randint(0, 25)):
            start = rng.randint(0, length + 10)
            end = start + rng.randint(1, 80)
            tags = frozenset(f"t{rng.randrange(n_tags)}" for _ in range(rng.randint(1, 3)))
            spans.append(CodedSpan(rng.choice(CODERS), f"d{d}", start, end, tags))
        present = [(not absent) or any(s.coder == c for s in spans) for c in CODERS]
        docs.append((length, spans, present))
    return docs


@pytest.mark.parametrize("seed", range(40))
def test_the_char_table_with_arrays_is_the_sweeps_table_in_the_same_order(seed):
    rng = random.Random(seed)
    docs = random_docs(rng, absent=seed % 2 == 1)
    fast, slow = ReliabilityTable(CODERS), ReliabilityTable(CODERS)
    assert char_table(fast, CODERS, docs)
    for length, spans, present in docs:
        _char_runs(slow, CODERS, spans, length, present)
    assert list(fast.patterns.items()) == list(slow.patterns.items())
    assert list(fast.classes.items()) == list(slow.classes.items())


def test_a_study_with_more_tags_than_the_masks_hold_takes_the_sweep():
    rng = random.Random(7)
    docs = random_docs(rng, n_tags=3 * MAX_TAGS)
    while len({t for _, spans, _ in docs for s in spans for t in s.tags}) <= MAX_TAGS:
        docs += random_docs(rng, n_tags=3 * MAX_TAGS)
    assert not char_table(ReliabilityTable(CODERS), CODERS, docs)
    texts = {f"x{k}": "x" * length for k, (length, _, _) in enumerate(docs)}
    spans = [s._replace(doc=f"x{k}") for k, (_, doc_spans, _) in enumerate(docs) for s in doc_spans]
    study = Study(spans, texts, CODERS, replicates=0)
    slow = ReliabilityTable(CODERS)
    for doc, doc_spans in sorted(study._by_doc.items()):
        _char_runs(slow, CODERS, doc_spans, len(texts[doc]), [True] * 3)
    assert study._table().patterns == slow.patterns


def _walked(first, second) -> int:
    """The pairwise sweep as Krippendorff describes it: every overlapping pair, one by one."""
    total = i = j = 0
    while i < len(first) and j < len(second):
        a, b = first[i], second[j]
        total += unitizing._distance(a, b)
        if a[1] <= b[1]:
            i += 1
        if b[1] <= a[1]:
            j += 1
    return total


def _merged(intervals):
    out: list[list[int]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [tuple(i) for i in out]


@pytest.mark.parametrize("seed", range(40))
def test_unitizing_with_numpy_merges_and_sums_as_the_walk_does(seed):
    rng = random.Random(seed)
    length = rng.randint(1, 500)
    coders = []
    for _ in range(2):
        units = []
        for _ in range(rng.randint(0, 20)):
            start = rng.randrange(length)
            units.append((start, min(length, start + rng.randint(0, 60))))
        coders.append(units)
    merged = [unitizing.merge(units) for units in coders]
    assert merged == [_merged(units) for units in coders]
    cut = [unitizing.sections(units, 0, length) for units in merged]
    assert unitizing._pair_disagreement(*cut) == _walked(*cut)


# --- the places cache, through the command ---------------------------------------------------


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def project(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "corpus")
    docs = sorted(p.name for p in SEEDS.glob("*.txt"))[:3]
    for coder, shift in (("ann", 0), ("bob", 3)):
        store = AnnotationStore(tmp_path / "ann", creator=coder)
        for doc in docs:
            data = (tmp_path / "corpus" / doc).read_bytes()
            text, sha = data.decode("utf-8"), hashlib.sha256(data).hexdigest()
            store.add(doc, text, sha, 10 + shift, 60, ["place"])
            store.add(doc, text, sha, 100, 150 + shift, ["event"])
    args = ["--corpus", tmp_path / "corpus", "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]
    return tmp_path, docs, args


def agree_json(args) -> list[dict]:
    r = run("agree", *args, "--json", "--replicates", "50")
    assert r.exit_code == 0, r.output
    return [json.loads(line) for line in r.output.splitlines()]


def test_a_second_run_reads_neither_the_annotation_files_nor_the_texts(project, monkeypatch):
    root, _, args = project
    first = agree_json(args)
    assert (root / "ix" / FILE_NAME).is_file()

    def refused(*_a, **_k):
        raise AssertionError("read a file the cache holds")

    monkeypatch.setattr("reader.agreement.load.text_of", refused)
    monkeypatch.setattr("reader.store.folder.StoreFolder._parse", staticmethod(refused))
    assert agree_json(args) == first


def test_the_cache_notices_a_changed_annotation_file(project):
    root, docs, args = project
    before = agree_json(args)
    data = (root / "corpus" / docs[0]).read_bytes()
    AnnotationStore(root / "ann", creator="bob").add(
        docs[0], data.decode("utf-8"), hashlib.sha256(data).hexdigest(), 300, 340, ["actor"]
    )
    after = agree_json(args)
    assert [r["tag"] for r in after] == ["actor", "event", "place", None]
    assert after[-1]["coded_by"]["bob"] == before[-1]["coded_by"]["bob"] + 40


def test_the_cache_notices_a_changed_text_and_places_the_annotations_again(project):
    root, docs, args = project
    agree_json(args)
    path = root / "corpus" / docs[0]
    path.write_bytes(b"Inserted at the start. " + path.read_bytes())  # every passage moves
    after = agree_json(args)
    (root / "ix" / FILE_NAME).unlink()
    assert agree_json(args) == after  # the same as without a cache


def test_a_damaged_annotation_file_is_seen_despite_the_cache(project):
    root, docs, args = project
    agree_json(args)
    files = sorted(p for p in (root / "ann").rglob("*.json") if p.name != "codebook.json")
    files[0].write_text("{not json", encoding="utf-8")
    r = run("agree", *args, "--json", "--replicates", "0")
    assert r.exit_code == 3
    assert "--skip-unreadable" in r.output
    r = run("agree", *args, "--json", "--replicates", "0", "--skip-unreadable")
    assert r.exit_code == 0
    assert "warning" in r.stderr and "left out" in r.stderr


@pytest.mark.parametrize("garbage", [b"{not json", b'{"version": 2, "for": ["x", "y"], "docs": {}}', b"[]"])
def test_a_damaged_or_foreign_cache_is_ignored(project, garbage):
    root, _, args = project
    first = agree_json(args)
    (root / "ix" / FILE_NAME).write_bytes(garbage)
    assert agree_json(args) == first
    assert json.loads((root / "ix" / FILE_NAME).read_bytes())["version"] == 2  # written anew


def test_a_cache_entry_that_does_not_fit_is_dropped(project):
    """What the cache trusts is the pair of file keys: a changed file gets a new key (the store
    replaces files it writes: a new inode), so editing a cached entry by hand is not a case;
    but an entry whose numbers do not fit is dropped, not used."""
    root, _, args = project
    first = agree_json(args)
    path = root / "ix" / FILE_NAME
    obj = json.loads(path.read_bytes())
    for entry in obj["docs"].values():
        entry[4] = entry[4][:-1]  # a span cut short: an index out of range
    path.write_text(json.dumps(obj), encoding="utf-8")
    assert agree_json(args) == first


@pytest.mark.parametrize("seed", range(10))
def test_counting_and_mapping_values_give_what_counters_and_a_loop_give(seed):
    from collections import Counter

    from reader.agreement.coefficients import counted

    rng = random.Random(seed)
    values = [None, frozenset(), frozenset({"a"}), frozenset({"a", "b"}), frozenset({"b"})]
    table = ReliabilityTable(CODERS)
    for _ in range(200):
        table.add(tuple(rng.choice(values) for _ in CODERS), rng.randint(1, 50))
    for pattern in table.patterns:
        assert list(counted(pattern).items()) == list(Counter(pattern).items())  # order included
    calls = []

    def has_a(v):
        calls.append(v)
        return "a" in v

    mapped = table.map_values(has_a)
    assert len(calls) == len(set(calls)) == 4  # once per distinct present value
    expected = ReliabilityTable(CODERS)
    for pattern, _bin in table.classes:
        runs, units = table.classes[(pattern, _bin)]
        expected._add(tuple(None if v is None else "a" in v for v in pattern), _bin, runs, units)
    assert mapped.patterns == expected.patterns and mapped.classes == expected.classes
