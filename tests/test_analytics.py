"""The analytic views computed on the seeds with a fixed annotation set; exact counts.

Expected numbers are derived from the texts themselves (regex counts, lines), or by a naive
brute force, never by calling the code under test.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

from index.indexer import CorpusIndex
from index.search import QueryError
from index.term_counts import _segment_weights_public
from index.whoosh_internals import segment_term_weights
from reader.analytics.cooccur import cooccurrence, iter_cooccurrence
from reader.analytics.frequencies import (
    STOPWORDS,
    corpus_terms,
    passage_terms,
    tag_counts,
    term_frequencies,
    timeline,
    undated,
)
from reader.analytics.kwic import concordance, concordance_stream, flatten
from reader.analytics.matrix import MISSING, code_matrix
from reader.store import AnnotationStore, NewAnnotation

from conftest import SEEDS

D0, D1, D2, D3, D4 = sorted(p.name for p in SEEDS.glob("*.txt"))

WORDS = {  # tag -> (word pattern, documents)
    "actor/Nujaba": (r"\bNujaba\b", (D3, D4)),
    "frame/truce": (r"\b[Tt]ruce\b", (D0, D3)),
    "place/Babel": (r"\bBab[ie]l\b", (D0, D3, D4)),
}
THREAT_LINE = "These warnings, including those from the Nujaba movement"
DUAL_QUOTE = "have ended this truce"


def _text(corpus: Path, doc: str) -> str:
    return (corpus / doc).read_bytes().decode("utf-8")


def _sha(corpus: Path, doc: str) -> str:
    return hashlib.sha256((corpus / doc).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Seeds in tmp, indexed in tmp, with the fixed annotation set and two outlets."""
    root = tmp_path_factory.mktemp("analytics")
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    ix = CorpusIndex(corpus, root / "index")
    ix.update()
    store = AnnotationStore(root / "ann", creator="test")
    items = []
    for tag, (pattern, docs) in WORDS.items():
        for doc in docs:
            text = _text(corpus, doc)
            for m in re.finditer(pattern, text):
                items.append(NewAnnotation(doc, text, _sha(corpus, doc), m.start(), m.end(), (tag,)))
    text4 = _text(corpus, D4)
    line_start = text4.index(THREAT_LINE)
    line_end = text4.index("\n", line_start)
    items.append(NewAnnotation(D4, text4, _sha(corpus, D4), line_start, line_end, ("event/threat",)))
    text3 = _text(corpus, D3)
    q = text3.index(DUAL_QUOTE)
    items.append(NewAnnotation(D3, text3, _sha(corpus, D3), q, q + len(DUAL_QUOTE), ("event/threat", "frame/truce")))
    store.add_many(items)
    store.set_attributes(D3, outlet="The National")
    store.set_attributes(D4, outlet="Newsweek", source="Newsweek")
    return corpus, ix, store


def _count(corpus, doc, pattern):
    return len(re.findall(pattern, _text(corpus, doc)))


# --- kwic ---------------------------------------------------------------------------------------


def test_kwic_finds_every_occurrence_with_real_offsets(world):
    corpus, ix, _ = world
    lines = concordance(ix, "Nujaba", width=30)
    expected = sum(_count(corpus, d, r"(?i)\bnujaba\b") for d in (D0, D1, D2, D3, D4))
    assert expected == 14
    assert len(lines) == expected
    assert [(l.doc_id, l.start) for l in lines] == sorted((l.doc_id, l.start) for l in lines)
    for l in lines:
        text = _text(corpus, l.doc_id)
        assert text[l.start : l.end].lower() == "nujaba"
        assert l.match == text[l.start : l.end]
        assert l.left == flatten(text[max(0, l.start - 30) : l.start])
        assert l.right == flatten(text[l.end : l.end + 30])
        assert "\n" not in l.left + l.right and len(l.left) <= 30 and len(l.right) <= 30


def test_kwic_phrase_and_per_document_stream(world):
    corpus, ix, _ = world
    expected = {d: _count(corpus, d, r"(?i)nujaba\s+movement") for d in (D0, D1, D2, D3, D4)}
    stream = concordance_stream(ix, '"Nujaba movement"', width=10)
    batches = list(stream)
    assert stream.documents == sum(1 for n in expected.values() if n)
    assert {b[0].doc_id: len(b) for b in batches} == {d: n for d, n in expected.items() if n}
    assert all(len({l.doc_id for l in b}) == 1 for b in batches)  # one document per batch
    assert all(l.match.lower().split() == ["nujaba", "movement"] for b in batches for l in b)


def test_kwic_paging_covers_more_documents_than_the_first_page(world, monkeypatch):
    _, ix, _ = world
    import reader.analytics.kwic as kwic

    everything = concordance(ix, "Iraq")
    monkeypatch.setattr(kwic, "FIRST_PAGE", 1)  # pages of 1, 1, 2: every hit still comes once
    paged = concordance(ix, "Iraq")
    assert paged == everything
    assert len({l.doc_id for l in paged}) == 5


def test_kwic_sorts_by_left_and_right_words(world):
    corpus, ix, _ = world
    left = concordance(ix, "Nujaba", width=40, sort="left")
    keys = [re.findall(r"\w+", l.left)[-1].lower() if re.findall(r"\w+", l.left) else "" for l in left]
    assert keys == sorted(keys)
    assert keys.count("al") == sum(_count(corpus, d, r"(?i)\bal-nujaba\b") for d in (D0, D1, D2, D3, D4))
    right = concordance(ix, "Nujaba", width=40, sort="right")
    rkeys = [re.findall(r"\w+", l.right)[0].lower() for l in right]
    assert rkeys == sorted(rkeys)
    assert sorted(right, key=lambda l: (l.doc_id, l.start)) == concordance(ix, "Nujaba", width=40)


def test_kwic_errors(world):
    _, ix, _ = world
    with pytest.raises(QueryError):
        concordance_stream(ix, '"unbalanced')
    assert concordance(ix, "zzzyxq") == []
    with pytest.raises(ValueError):
        concordance(ix, "Iraq", sort="middle")


# --- matrix -------------------------------------------------------------------------------------


def test_matrix_by_document_counts_passages(world):
    corpus, ix, store = world
    m = code_matrix(store, ix.documents())
    nujaba3, nujaba4 = _count(corpus, D3, WORDS["actor/Nujaba"][0]), _count(corpus, D4, WORDS["actor/Nujaba"][0])
    truce0, truce3 = _count(corpus, D0, WORDS["frame/truce"][0]), _count(corpus, D3, WORDS["frame/truce"][0])
    babel = {d: _count(corpus, d, WORDS["place/Babel"][0]) for d in (D0, D3, D4)}
    assert (nujaba3, nujaba4, truce0, truce3, babel) == (2, 6, 5, 2, {D0: 3, D3: 2, D4: 1})
    assert m.rows == (D0, D3, D4)
    assert m.columns == ("actor/Nujaba", "event/threat", "frame/truce", "place/Babel")
    assert m.cell(D3, "actor/Nujaba") == nujaba3 and m.cell(D4, "actor/Nujaba") == nujaba4
    assert m.cell(D0, "frame/truce") == truce0
    assert m.cell(D3, "frame/truce") == truce3 + 1  # the passage tagged threat and truce
    assert m.cell(D3, "event/threat") == 1 and m.cell(D4, "event/threat") == 1
    assert m.cell(D0, "actor/Nujaba") == 0
    assert m.row_totals == {D0: truce0 + babel[D0], D3: nujaba3 + truce3 + babel[D3] + 1, D4: nujaba4 + babel[D4] + 1}
    assert m.column_totals == {"actor/Nujaba": 8, "event/threat": 2, "frame/truce": 8, "place/Babel": 6}
    assert m.grand_total == len(store.annotations()) == 8 + 7 + 6 + 2  # the dual passage once
    assert len(m.passages(D4, "actor/Nujaba")) == nujaba4
    assert all(a.doc == D4 and "actor/Nujaba" in a.tags for a in m.passages(D4, "actor/Nujaba"))
    assert m.row_labels[D4] == ix.documents()[D4].title


def test_matrix_characters_and_attribute_rows(world):
    corpus, ix, store = world
    chars = code_matrix(store, ix.documents(), measure="characters")
    assert chars.cell(D4, "actor/Nujaba") == 6 * len("Nujaba")
    text4 = _text(corpus, D4)
    line = text4[text4.index(THREAT_LINE) : text4.index("\n", text4.index(THREAT_LINE))]
    assert chars.cell(D4, "event/threat") == len(line)
    # The Nujaba and Babil inside the threat line are covered once in the row total.
    inside = len(re.findall(r"\bNujaba\b", line)) * 6 + len(re.findall(r"\bBabil\b", line)) * 5
    assert chars.row_totals[D4] == len(line) + 6 * 6 + 1 * 5 - inside

    outlet = code_matrix(store, ix.documents(), by=("attribute", "outlet"))
    assert outlet.rows == (MISSING, "Newsweek", "The National")
    assert outlet.cell("Newsweek", "actor/Nujaba") == 6
    assert outlet.cell("The National", "actor/Nujaba") == 2
    assert outlet.cell(MISSING, "frame/truce") == 5
    assert outlet.grand_total == 23

    source = code_matrix(store, ix.documents(), by=("attribute", "source"))
    # D4's source is overridden; D0 and D3 state none (only D2 does, and it has no passages).
    assert ix.documents()[D2].source == "Shafaq News"
    assert source.rows == (MISSING, "Newsweek")
    with pytest.raises(ValueError):
        code_matrix(store, ix.documents(), by="outlet")


# --- co-occurrence ------------------------------------------------------------------------------


def _brute_overlap(store):
    found = Counter()
    anns = store.annotations()
    for i, a in enumerate(anns):
        for b in anns[i:]:
            if a.doc != b.doc or not set(range(a.start, a.end)) & set(range(b.start, b.end)):
                continue
            pairs = {tuple(sorted((s, t))) for s in a.tags for t in b.tags if s != t}
            for p in pairs:
                found[p] += 1
    return found


def test_cooccurrence_overlap(world):
    corpus, ix, store = world
    result = cooccurrence(store, mode="overlap")
    got = {(c.tag_a, c.tag_b): c.count for c in result}
    assert got == dict(_brute_overlap(store))
    text4 = _text(corpus, D4)
    line = text4[text4.index(THREAT_LINE) : text4.index("\n", text4.index(THREAT_LINE))]
    assert got[("actor/Nujaba", "event/threat")] == len(re.findall(r"\bNujaba\b", line)) == 1
    assert got[("event/threat", "place/Babel")] == len(re.findall(r"\bBabil\b", line)) == 1
    # The dual passage pairs with itself and with the truce passage inside it.
    assert got[("event/threat", "frame/truce")] == 2
    pair = next(c for c in result if (c.tag_a, c.tag_b) == ("event/threat", "frame/truce"))
    assert {o.doc_id for o in pair.occurrences} == {D3}
    assert len(pair.passages) == 2
    assert [c.count for c in result] == sorted((c.count for c in result), reverse=True)


def test_cooccurrence_paragraph(world):
    corpus, ix, store = world
    result = cooccurrence(store, ix, mode="paragraph")
    got = {(c.tag_a, c.tag_b): c.count for c in result}
    patterns = {tag: p for tag, (p, _) in WORDS.items()}
    expected = Counter()
    for tag_a, tag_b in combinations(sorted(patterns), 2):
        docs = set(WORDS[tag_a][1]) & set(WORDS[tag_b][1])
        for doc in docs:  # the seeds with passages have one paragraph per line
            for line in _text(corpus, doc).splitlines():
                if re.search(patterns[tag_a], line) and re.search(patterns[tag_b], line):
                    expected[(tag_a, tag_b)] += 1
    for tag, doc, quote in (("event/threat", D4, THREAT_LINE), ("event/threat", D3, DUAL_QUOTE)):
        line = next(l for l in _text(corpus, doc).splitlines() if quote in l)
        for other, pattern in patterns.items():
            if doc in WORDS[other][1] and re.search(pattern, line):
                expected[tuple(sorted((tag, other)))] += 1
    assert expected[("actor/Nujaba", "frame/truce")] == 1
    assert got == dict(expected)
    progress = list(iter_cooccurrence(store, ix, mode="paragraph", every=1))
    assert progress[-1].finished and [p.done for p in progress] == list(range(1, progress[-1].total + 1))
    assert progress[-1].pairs == tuple(result)


# --- frequencies --------------------------------------------------------------------------------


def test_corpus_terms_from_the_index(world):
    corpus, ix, _ = world
    terms = corpus_terms(ix, limit=200)
    counts = dict(terms)
    texts = [_text(corpus, d) for d in (D0, D1, D2, D3, D4)]
    assert counts["truce"] == sum(len(re.findall(r"(?i)\btruces?\b", t)) for t in texts) == 10
    assert counts["nujaba"] == sum(len(re.findall(r"(?i)\bnujaba\b", t)) for t in texts) == 14
    assert not STOPWORDS & set(counts)
    assert "the" not in counts and all(not t.isdigit() for t in counts)
    assert [c for _, c in terms] == sorted((c for _, c in terms), reverse=True)
    assert term_frequencies(ix, limit=5) == terms[:5]


def test_fast_term_table_equals_whoosh_public_api(world):
    _, ix, _ = world
    with ix.whoosh().searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            fast = segment_term_weights(leaf, "body")
            assert fast and fast == _segment_weights_public(leaf, "body")


def test_corpus_terms_exact_after_a_document_is_replaced(world, tmp_path):
    corpus, _, _ = world
    copy = tmp_path / "corpus"
    shutil.copytree(corpus, copy)
    ix = CorpusIndex(copy, tmp_path / "index")
    ix.update()
    before = dict(corpus_terms(ix, limit=500))
    path = copy / D0
    path.write_text(path.read_text(encoding="utf-8").replace("truce", "pause"), encoding="utf-8")
    ix.update()
    after = dict(corpus_terms(ix, limit=500))
    removed = len(re.findall(r"\btruce\b", (corpus / D0).read_text(encoding="utf-8")))
    assert after["truce"] == before["truce"] - removed


def test_passage_terms_and_tag_counts(world):
    corpus, ix, store = world
    terms = passage_terms(store, "event")  # event/threat: the threat line and the dual quote
    text4 = _text(corpus, D4)
    line = text4[text4.index(THREAT_LINE) : text4.index("\n", text4.index(THREAT_LINE))]
    words = [w.lower() for w in re.findall(r"\w+", line + " " + DUAL_QUOTE)]
    assert dict(terms)["nujaba"] == words.count("nujaba") == 1
    assert dict(terms)["truce"] == words.count("truce") == 1
    assert "the" not in dict(terms) and "have" not in dict(terms)
    assert term_frequencies(ix, store, tag="actor") == [("nujaba", 8)]
    counts = {c.tag: (c.count, c.documents) for c in tag_counts(store)}
    assert counts == {"actor/Nujaba": (8, 2), "frame/truce": (8, 2), "place/Babel": (6, 3), "event/threat": (2, 2)}


def test_timeline(world):
    corpus, ix, store = world
    meta = ix.documents()
    # Only D2 states a date in its text ("Last Update: 2024-08-02 ...").
    assert re.search(r"2024-08-02", _text(corpus, D2))
    assert [(e.date, e.doc_ids) for e in timeline(meta, store)] == [("2024-08-02", (D2,))]
    store.set_attributes(D0, date="2024-07-30")
    try:
        assert [(e.date, e.doc_ids) for e in timeline(meta, store, "month")] == [("2024-07", (D0,)), ("2024-08", (D2,))]
        assert undated(meta, store) == [D1, D3, D4]
    finally:
        store.set_attributes(D0, date=None)
