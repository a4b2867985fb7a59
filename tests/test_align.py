"""Alignment of two documents, word diffs within a pair, similar passages (reader.align)."""

from __future__ import annotations

import importlib.util
import sys
import time

import pytest

from index.corpus import Corpus
from index.document import Span
from index.indexer import CorpusIndex
from reader.align import Alignment, Cancelled, align, diff_words, similar_passages

from conftest import REPO, SEEDS

D000 = "000_5f0b56e8f3292fd3.txt"
D002 = "002_aa247d70c2f24e11.txt"
D003 = "003_c50da1745df50ef1.txt"
D004 = "004_e50d8a5f429aba39.txt"


def _bench():
    """bench/bench_align.py: the edited copies the benchmark measures, used here on seeds."""
    spec = importlib.util.spec_from_file_location("bench_align", REPO / "bench" / "bench_align.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_align", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seeds():
    corpus = Corpus(SEEDS)
    return {doc_id[:3]: corpus.load(doc_id) for doc_id in (D000, D002, D003, D004)}


def _opening(doc, span: Span | None, n: int = 5) -> str | None:
    if span is None:
        return None
    return " ".join(doc.text[span.start : span.end].split()[:n])


def _pairs_by_opening(a, b, alignment: Alignment, n: int = 5) -> dict[str, str | None]:
    return {_opening(a, p.a, n): _opening(b, p.b, n) for p in alignment.pairs if p.a is not None}


# --- seeds -----------------------------------------------------------------------------------

# 003 is a concise translation; 000 first translates it again (lines 3-25, names spelt
# differently, the first sentences of the lede lost), then rewrites it at length with
# headings, a table, a history section and web boilerplate. Each paragraph of 003 belongs with
# the paragraph of 000's translation that tells the same thing. 003's lede (the movement
# announces the truce is over and U.S. bases are targets) is told in 000 only by its headline,
# which is also the paragraph just before the translation of 003's second paragraph.
EXPECTED_003_000 = {
    "The Iraqi Nujaba Movement announced": "Iraq.. Al-Nujaba Movement threatens to",
    "Haider Al-Lami, a member of": "Iraq are considering this truce,",
    "Al-Lami accused the U.S. of": "Al-Lami asserted that there has",
    "Calls to end the truce": "In Iraq, there are growing",
    "Less than a week later,": "Less than a week later,",
    "Al-Lami, who had warned after": "“A response will occur in",
    "In January, Iraq began talks": "Iraq initiated discussions with the",
    "In late July, an Iraqi": "In late July, an Iraqi",
    "A senior government official told": "A senior government official informed",
    "“We had almost finished everything,": "“We had nearly completed everything,",
    "Under the agreement, U.S.-led coalition": "According to the agreement, US-led",
    "Al-Lami mentioned that some forces": "Al-Lami indicated that some forces",
    "He added, “Counterterrorism in Syria": "Al-Lami emphasized, “Combatting terrorism in",
}


def test_every_paragraph_of_003_pairs_with_the_000_paragraph_telling_the_same(seeds):
    a, b = seeds["003"], seeds["000"]
    alignment = align(a, b)
    got = _pairs_by_opening(a, b, alignment)
    assert len(a.paragraphs) == len(EXPECTED_003_000)
    for opening_a, opening_b in EXPECTED_003_000.items():
        assert got.get(opening_a) == opening_b, (opening_a, got.get(opening_a))
    assert all(p.kind == "paragraph" and p.in_order for p in alignment.paired)


def test_000_added_sections_and_boilerplate_stay_unpaired(seeds):
    a, b = seeds["003"], seeds["000"]
    alignment = align(a, b)
    only_b = {_opening(b, p.b, 3) for p in alignment.pairs if p.a is None}
    for opening in (
        "Share:",
        "Facebook",
        "Leave a Reply",
        "Your email address",
        "This site uses",
        "Case Studies: Historical",
        "• 2003 Invasion:",
        "Implications for Regional",
        "Date Event Outcome",
    ):
        assert opening in only_b
    # reading order: B-only passages sit after the pair that precedes them in B
    starts_b = [p.b.start for p in alignment.pairs if p.b is not None]
    assert starts_b == sorted(starts_b)


def test_the_same_alignment_seen_from_the_other_side(seeds):
    a, b = seeds["000"], seeds["003"]
    got = _pairs_by_opening(
        b, a, Alignment(tuple(type(p)(p.b, p.a, p.score, p.kind, p.in_order) for p in align(a, b).pairs), 0.0)
    )
    for opening_003, opening_000 in EXPECTED_003_000.items():
        assert got.get(opening_003) == opening_000


def test_002_and_004_pair_what_both_report_and_not_the_different_interviews(seeds):
    # Both cite Newsweek, but they are two interviews (Asadi in 002, Musawi in 004): only the
    # shared reporting pairs; each outlet's own quotes stay unpaired.
    a, b = seeds["002"], seeds["004"]
    got = _pairs_by_opening(a, b, align(a, b), 3)
    assert got["Newsweek has reached"] == "Newsweek contacted the"
    assert got["He added, “All"] is None  # Asadi's quote
    assert got["Asadi criticized the"] is None
    assert "“On the other" not in got.values()  # Musawi's quote


def test_pair_at_finds_the_counterpart_of_a_cursor(seeds):
    a, b = seeds["003"], seeds["000"]
    alignment = align(a, b)
    offset = a.text.index("Defense Minister Thabit")
    pair = alignment.pair_at("a", offset)
    assert pair is not None and pair.b is not None
    assert b.text[pair.b.start : pair.b.end].startswith("In late July, an Iraqi delegation")
    back = alignment.pair_at("b", pair.b.start + 3)
    assert back == pair
    assert alignment.pair_at("a", len(a.text) + 10) is None


def test_cancelled_stops_the_work(seeds):
    with pytest.raises(Cancelled):
        align(seeds["003"], seeds["000"], cancelled=lambda: True)


# --- constructed pairs -----------------------------------------------------------------------


def test_hand_edited_copy_reordered_reworded_deleted_with_boilerplate(seeds):
    bench = _bench()
    a = seeds["003"]
    paras = [a.text[p.start : p.end] for p in a.paragraphs]
    edited = [
        "Share this article: Facebook Twitter LinkedIn Email",
        paras[0],
        paras[1].replace("told", "informed").replace("newspaper", "daily"),
        paras[6],  # moved up from after paragraph 5
        paras[2],
        paras[3].replace("Babel", "Babil"),
        # paragraph 4 deleted
        paras[5],
        paras[7].replace("Thabit", "Thabet").replace("finalize the deal", "conclude the accord"),
        "This site uses cookies to improve your experience. By continuing you agree to our policy.",
        *paras[8:],
    ]
    b = bench.make_document("edited", "\n\n".join(edited))
    alignment = align(a, b)
    got = _pairs_by_opening(a, b, alignment)
    for n, text in enumerate(paras):
        opening = _opening(a, a.paragraphs[n])
        if n == 4:
            assert got[opening] is None
        else:
            assert got[opening] == " ".join(
                edited[edited.index(next(e for e in edited if e.startswith(text[:20])))].split()[:5]
            )
    moved = [p for p in alignment.paired if a.text[p.a.start :].startswith(paras[6][:20])]
    assert moved and (
        not moved[0].in_order
        or all(not q.in_order for q in alignment.paired if a.text[q.a.start :].startswith(paras[2][:20]))
    )
    only_b = [b.text[p.b.start : p.b.end] for p in alignment.pairs if p.a is None]
    assert any(t.startswith("Share this article") for t in only_b)
    assert any(t.startswith("This site uses cookies") for t in only_b)


def test_seeds_against_edited_copies_precision_and_recall():
    bench = _bench()
    corpus = Corpus(SEEDS)
    right = given = true = 0
    for n, f in enumerate(corpus.scan()[0]):
        for seed in range(4):
            c = bench.edited_copy(corpus.load(f), 1000 * n + seed)
            r, g, t = bench.score(c, align(c.a, c.b))
            right, given, true = right + r, given + g, true + t
    assert true > 200
    assert right / given >= 0.9, (right, given)
    assert right / true >= 0.85, (right, true)


def test_a_paragraph_split_in_two_pairs_with_both_halves(seeds):
    bench = _bench()
    a = seeds["003"]
    paras = [a.text[p.start : p.end] for p in a.paragraphs]
    cut = paras[9].index("“So,")
    edited = paras[:9] + [paras[9][:cut].rstrip(), paras[9][cut:]] + paras[10:]
    b = bench.make_document("split", "\n\n".join(edited))
    pair = align(a, b).pair_at("a", a.paragraphs[9].start)
    assert pair is not None and pair.b is not None
    assert b.text[pair.b.start : pair.b.end] == paras[9][:cut].rstrip() + "\n\n" + paras[9][cut:]


def test_paragraphs_that_do_not_correspond_fall_back_to_sentences(seeds):
    # 003's "We had almost finished" paragraph (two sentences) is torn apart in B: each
    # sentence is buried at either end of B in long unrelated paragraphs (from seed 001), so no
    # paragraph of B corresponds to it, but each of its sentences has a counterpart.
    bench = _bench()
    a = seeds["003"]
    other = Corpus(SEEDS).load("001_f1d61bf84ce1f504.txt")
    paras = [a.text[p.start : p.end] for p in a.paragraphs]
    filler = [other.text[p.start : p.end] for p in other.paragraphs if len(p) > 300]
    torn = a.paragraphs[9]
    first, second = [a.text[s.start : s.end] for s in a.sentences if torn.start <= s.start < torn.end]
    b = bench.make_document(
        "torn",
        "\n\n".join(
            [" ".join(filler[0:4]) + " " + first, *paras[:9], *paras[10:], second + " " + " ".join(filler[4:8])]
        ),
    )
    alignment = align(a, b)
    sentence_pairs = [p for p in alignment.paired if p.kind == "sentence"]
    assert [(a.text[p.a.start : p.a.end], b.text[p.b.start : p.b.end]) for p in sentence_pairs] == [
        (first, first),
        (second, second),
    ]
    assert len([p for p in alignment.paired if p.kind == "paragraph"]) == 12
    # the unrelated sentences of B's torn paragraphs are listed, unpaired, as sentences
    assert any(p.a is None and p.kind == "sentence" for p in alignment.pairs)


def test_align_two_50_kb_documents_quickly():
    bench = _bench()
    corpus = Corpus(SEEDS)
    texts = [corpus.load(f).text for f in corpus.scan()[0]]
    big = bench.make_document("big", "\n\n".join(texts * 2)[:50_000])
    c = bench.edited_copy(big, 3)
    started = time.process_time()
    align(c.a, c.b)
    cpu = time.process_time() - started
    assert cpu < 0.5, cpu  # CPU time: the machine's other load does not count


# --- diff_words ------------------------------------------------------------------------------


def _words(text: str, spans) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_diff_words_ignores_spelling_variants_of_names(seeds):
    a, b = seeds["003"], seeds["000"]
    pa = next(p for p in a.paragraphs if a.text[p.start :].startswith("In late July"))
    pb = next(p for p in b.paragraphs if b.text[p.start :].startswith("In late July"))
    only_a, only_b = diff_words(a.text, pa, b.text, pb)
    assert _words(a.text, only_a) == ["deal"]
    assert _words(b.text, only_b) == ["agreement"]
    assert all(pa.start <= s.start < s.end <= pa.end for s in only_a)


def test_diff_words_more_variants_and_a_real_difference():
    a = "Rockets struck Ain Al-Asad in Babel, said Thabit."
    b = "Missiles struck Ain al-Assad in Babil, said Thabet."
    only_a, only_b = diff_words(a, Span(0, len(a)), b, Span(0, len(b)))
    assert _words(a, only_a) == ["Rockets"]
    assert _words(b, only_b) == ["Missiles"]
    c = "Rockets struck Babylon."
    _, only_c = diff_words(a, Span(0, len(a)), c, Span(0, len(c)))
    assert _words(c, only_c) == ["Babylon"]  # another word, not a spelling of Babel


# --- similar passages ------------------------------------------------------------------------


def test_similar_passages_finds_the_same_claim_in_other_outlets(tmp_path, seeds):
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = CorpusIndex(corpus, tmp_path / "index")
    index.update()
    a = seeds["003"]
    start = a.text.index("Less than a week later")
    span = Span(start, a.text.index("\n", start))
    found = similar_passages(index, D003, span, limit=5)
    assert found and all(s.doc_id != D003 for s in found)
    texts = {s.doc_id: index.load(s.doc_id).text for s in found}
    best = found[0]
    assert best.doc_id == D000
    assert texts[D000][best.span.start :].startswith("Less than a week later, missiles")
    assert any(s.doc_id == D004 and "Ain al-Asad airbase" in texts[D004][s.span.start : s.span.end] for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    # a plain Corpus (no index) gives the same best passage
    plain = similar_passages(Corpus(corpus), D003, span, limit=5)
    assert (plain[0].doc_id, plain[0].span) == (best.doc_id, best.span)
