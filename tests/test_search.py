"""Search over the seeds: variants and their ranking, spans, snippets, errors, suggestions."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

import index.search as search_module
import index.search.expansion as expansion
from index.analysis import body_term
from index.indexer import CorpusIndex
from index.search import QueryError, match_spans, search

from conftest import SEEDS, seed_variations

D000, D001, D002, D003, D004 = sorted(p.name for p in SEEDS.iterdir())


@pytest.fixture(scope="module")
def ci(tmp_path_factory) -> CorpusIndex:
    """One index of the seeds for the read-only tests of this module."""
    root = tmp_path_factory.mktemp("search")
    shutil.copytree(SEEDS, root / "corpus")
    index = CorpusIndex(root / "corpus", root / "index")
    index.update()
    return index


@pytest.fixture()
def own_ci(tmp_path) -> CorpusIndex:
    """A private index for tests that change the corpus."""
    shutil.copytree(SEEDS, tmp_path / "corpus")
    for path in (tmp_path / "corpus").iterdir():
        path.chmod(0o644)
    index = CorpusIndex(tmp_path / "corpus", tmp_path / "index")
    index.update()
    return index


def ids(results) -> list[str]:
    return [hit.doc_id for hit in results.hits]


def span_texts(index: CorpusIndex, hit) -> list[str]:
    text = index.load(hit.doc_id).text
    return [text[s.start : s.end] for s in hit.spans]


def hit_for(results, doc_id):
    return next(hit for hit in results.hits if hit.doc_id == doc_id)


# --- variant spellings -----------------------------------------------------------------------


def test_ain_al_asad_finds_every_spelling(ci):
    results = search(ci, "Ain al-Asad")
    assert set(ids(results)) == {D000, D001, D003, D004}
    assert "Ain al-Assad" in span_texts(ci, hit_for(results, D000))  # only spelled with ss there
    assert "Ain Al-Asad" in span_texts(ci, hit_for(results, D003))


def test_babil_finds_babel_and_ranks_it_below_exact_spellings(ci):
    results = search(ci, "Babil")
    assert ids(results)[-1] == D003  # Babel only: a variant
    assert set(ids(results)) == {D000, D003, D004}
    assert set(span_texts(ci, hit_for(results, D003))) == {"Babel"}


def test_thabet_ranks_the_exact_spelling_above_thabit(ci):
    results = search(ci, "Thabet")
    assert ids(results) == [D000, D003]
    assert results.hits[0].score > results.hits[1].score
    assert span_texts(ci, results.hits[1]) == ["Thabit"]


def test_the_variant_field_does_not_blur_different_names(ci):
    for hit in search(ci, "Iran").hits:  # "Iraq" is everywhere; only real "Iran" may match
        assert "iran" in ci.load(hit.doc_id).text.lower()
    assert search(ci, "Iran").total == 2


def test_variants_are_phrase_aware(ci):
    results = search(ci, '"Ain al-Asad"')
    assert set(ids(results)) == {D000, D001, D003, D004}
    assert set(span_texts(ci, hit_for(results, D000))) == {"Ain al-Assad"}


# --- analysis through search -----------------------------------------------------------------


def test_stemming_finds_other_forms(ci):
    results = search(ci, "strikes")
    assert D000 in ids(results)  # 000 only writes "strike"
    assert set(t.lower() for t in span_texts(ci, hit_for(results, D000))) == {"strike"}


def test_accent_folding_both_ways(own_ci):
    root = own_ci.corpus_root
    (root / "cafe.txt").write_text("Le café de Flore.", encoding="utf-8")
    (root / "plain.txt").write_text("A plain cafe here.", encoding="utf-8")
    own_ci.update()
    assert set(ids(search(own_ci, "cafe"))) == {"cafe.txt", "plain.txt"}
    assert set(ids(search(own_ci, "CAFÉ"))) == {"cafe.txt", "plain.txt"}
    assert span_texts(own_ci, hit_for(search(own_ci, "cafe"), "cafe.txt")) == ["café"]


def test_phrase_spans_cover_the_whole_phrase(ci):
    results = search(ci, '"Popular Mobilization Forces"')
    assert results.total >= 3
    for hit in results.hits:
        assert set(span_texts(ci, hit)) == {"Popular Mobilization Forces"}


def test_spans_point_at_the_matched_text(ci):
    """Every span covers a word that indexes as the query word (same stem)."""
    for query in ("Nujaba", "withdrawal", "forces", "Baghdad"):
        results = search(ci, query)
        assert results.hits
        for hit in results.hits:
            assert hit.spans
            assert {body_term(t) for t in span_texts(ci, hit)} == {body_term(query)}, query


def test_field_query_searches_only_that_field(ci):
    results = search(ci, "title:Iraqi")
    assert set(ids(results)) == {D002, D003, D004}
    assert all("iraqi" in hit.title.lower() for hit in results.hits)
    assert search(ci, "source:shafaq").total == 1
    assert ids(search(ci, "date:2024*")) == [D002]


def test_boolean_operators(ci):
    assert ids(search(ci, "Nujaba NOT Babil")) == [D002]  # NOT also removes the Babel variant
    assert set(ids(search(ci, "Thabet OR Newsweek"))) == {D000, D002, D003, D004}
    assert ids(search(ci, "Thabet AND Washington")) == [D000, D003]


def test_not_excluded_terms_are_never_highlighted(ci):
    hit = search(ci, "Nujaba NOT Babil").hits[0]
    assert {t.lower() for t in span_texts(ci, hit)} == {"nujaba"}


# --- snippets --------------------------------------------------------------------------------


def test_snippet_is_short_plain_text_with_highlights(ci):
    for hit in search(ci, "Thabet Washington").hits:
        assert 0 < len(hit.snippet) <= search_module.SNIPPET_CHARS + 2
        assert "\n" not in hit.snippet and "  " not in hit.snippet
        assert hit.snippet_spans
        marked = {hit.snippet[s.start : s.end] for s in hit.snippet_spans}
        assert marked <= {"Thabet", "Thabit", "Washington"}


def test_snippet_without_spans_starts_at_the_beginning():
    text = "First   line\n\nsecond line " + "word " * 100
    snip, spans = search_module.snippet(text, [])
    assert snip.startswith("First line second line")
    assert snip.endswith("…") and spans == ()


# --- results as data -------------------------------------------------------------------------


def test_results_are_frozen_plain_data(ci):
    results = search(ci, "Nujaba")
    assert results.total == 4 and results.query == "Nujaba"
    assert results.seconds >= 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.total = 0  # type: ignore[misc]
    assert all(isinstance(hit.score, float) for hit in results.hits)


def test_pagination(ci):
    pages = [search(ci, "Iraq", page=p, pagelen=2) for p in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [2, 2, 1]
    assert all(p.total == 5 for p in pages)
    assert sorted(sum((ids(p) for p in pages), [])) == sorted([D000, D001, D002, D003, D004])
    assert ids(search(ci, "Iraq", pagelen=100))[:2] == ids(pages[0])
    assert search(ci, "Iraq", page=9, pagelen=2).hits == ()


def test_restricting_to_documents(ci):
    assert ids(search(ci, "Nujaba", doc_ids=[D003, D001])) == [D003]
    assert search(ci, "Nujaba", doc_ids=[]).total == 0


# --- query problems --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "title:",
        '"Ain al-Asad',
        "(Nujaba",
        "Nujaba)",
        "AND",
        "Nujaba AND",
        "OR Babil",
        "Nujaba AND OR Babil",
        "",
        "   ",
        "colour:red",
        "title: Iraqi",
        "( )",
    ],
)
def test_invalid_queries_raise_a_short_message(ci, query):
    with pytest.raises(QueryError) as info:
        search(ci, query)
    assert 5 < len(str(info.value)) < 120


@pytest.mark.parametrize("query", ["NOT Babil", "Nujaba AND NOT Babil", "http://example.com", "(a OR b) AND c"])
def test_valid_queries_do_not_raise(ci, query):
    search(ci, query)


def test_did_you_mean(ci):
    assert "nujaba" in search(ci, "Nujabba").suggestions
    assert search(ci, "Nujabba movment").suggestions[0] == "nujaba movement"
    assert search(ci, "Nujaba").suggestions == ()
    nothing = search(ci, "withdrawl")
    assert nothing.suggestions and nothing.suggestions[0] == "withdrawal"


def test_wildcard_expansion_is_capped_with_a_note(ci, monkeypatch):
    assert search(ci, "strik*").notes == ()
    monkeypatch.setattr(expansion, "MAX_EXPANSIONS", 3)
    results = search(ci, "a*")
    assert results.total > 0
    assert any("a*" in note and "3" in note for note in results.notes)


def test_fuzzy_terms(ci):
    results = search(ci, "Nujabba~")
    assert set(ids(results)) == {D000, D002, D003, D004}
    assert all(hit.spans for hit in results.hits)


# --- within one document and stale files -----------------------------------------------------


def test_match_spans_within_one_document(ci):
    text = ci.load(D003).text
    spans = match_spans(ci, D003, "Babil OR Thabet")
    assert [text[s.start : s.end] for s in spans] == ["Babel", "Thabit", "Babel"] or sorted(
        text[s.start : s.end] for s in spans
    ) == ["Babel", "Babel", "Thabit"]
    assert list(spans) == sorted(spans)
    assert match_spans(ci, "missing.txt", "Babil") == ()


def test_a_file_changed_since_indexing_gets_no_wrong_highlights(own_ci):
    path = own_ci.corpus_root / D003
    path.write_text("Thabit " + path.read_text(encoding="utf-8"), encoding="utf-8")
    results = search(own_ci, "Thabit")
    hit = hit_for(results, D003)
    assert hit.spans == () and hit.snippet == ""
    assert any(D003 in note for note in results.notes)


def test_lowercase_common_words_do_not_match_by_sound(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "tehran.txt").write_text("Talks in Tehran\n\nOfficials met in Tehran on Monday.\n")
    (corpus / "drone.txt").write_text("Strike\n\nA drone hit the base.\n")
    ix = CorpusIndex(corpus, tmp_path / "ix")
    ix.update()
    assert ids(search(ix, "drone")) == ["drone.txt"]  # `drone` and `Tehran` share a code
    assert ids(search(ix, "Tehran")) == ["tehran.txt"]
    assert ids(search(ix, "Tehrann")) == ["tehran.txt"]  # a spelling the corpus lacks: by sound


# --- field phrases, fuzzy limits, the shared searcher ----------------------------------------


def test_a_field_followed_by_a_quoted_phrase_is_valid(ci):
    results = search(ci, 'title:"Nujaba Movement"')
    assert ids(results) == [D003] or set(ids(results)) <= {D000, D002, D003, D004}
    assert results.total >= 1
    assert all("nujaba movement" in hit.title.lower() for hit in results.hits)
    with pytest.raises(QueryError):
        search(ci, 'colour:"red car"')


def test_fuzzy_distance_is_capped_and_keeps_the_first_letter(ci):
    capped = search(ci, "Nujabba~5")
    assert any("at most 2" in note for note in capped.notes)
    assert set(ids(capped)) == set(ids(search(ci, "Nujabba~2")))
    assert search(ci, "Mujaba~").total == 0  # the first letter is never changed


def test_the_searcher_is_opened_once_and_reused(ci, monkeypatch):
    search(ci, "Nujaba")
    opened = []
    original = type(ci.whoosh()).searcher

    def counting(self, **kwargs):
        opened.append(1)
        return original(self, **kwargs)

    monkeypatch.setattr(type(ci.whoosh()), "searcher", counting)
    for query in ("Nujaba", "Babil OR Thabet", "strik*", "Nujabba~", '"Ain al-Asad"'):
        search(ci, query)
    match_spans(ci, D003, "Babil")
    assert opened == []


def test_a_search_after_an_update_sees_the_new_index(own_ci):
    assert search(own_ci, "zyxwvut").total == 0
    kazemi = set(ids(search(own_ci, "Kazemi")))
    assert D001 in kazemi
    path = own_ci.corpus_root / D001
    path.write_text(path.read_text(encoding="utf-8") + "\nzyxwvut appended.\n", encoding="utf-8")
    own_ci.update()
    results = search(own_ci, "zyxwvut")
    assert ids(results) == [D001]
    assert sorted(ids(search(own_ci, "Kazemi"))) == sorted(kazemi)  # D001 not found twice
    (own_ci.corpus_root / D001).unlink()
    own_ci.update()
    assert search(own_ci, "zyxwvut").total == 0
    assert set(ids(search(own_ci, "Kazemi"))) == kazemi - {D001}


def test_a_search_sees_a_rebuilt_index(own_ci):
    before = search(own_ci, "Nujaba").total
    own_ci.rebuild("test")
    assert search(own_ci, "Nujaba").total == before
    other = CorpusIndex(own_ci.corpus_root, own_ci.index_dir)  # another handle, same files
    assert search(other, "Nujaba").total == before


def test_concurrent_searches_and_updates(own_ci):
    import threading

    expected = {q: ids(search(own_ci, q)) for q in ("Nujaba", "Babil", "drone AND base")}
    errors: list[BaseException] = []

    def searching():
        try:
            for _ in range(15):
                for query, want in expected.items():
                    assert ids(search(own_ci, query)) == want
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(3)]
    for thread in threads:
        thread.start()
    path = own_ci.corpus_root / D001
    for n in range(3):
        path.write_text(path.read_text(encoding="utf-8") + f"\nextra{n} line.\n", encoding="utf-8")
        own_ci.update()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ids(search(own_ci, "extra2")) == [D001]


def test_totals_agree_with_whoosh_after_changes(own_ci):
    path = own_ci.corpus_root / D003
    path.write_text(path.read_text(encoding="utf-8") + "\nNujaba again.\n", encoding="utf-8")
    own_ci.update()  # D003's old version is now a deleted document in the first segment
    queries = [
        "Nujaba",
        "base",
        "Nujaba AND base",
        "Nujaba OR drone",
        "Nujaba NOT Babil",
        "Nujaba AND NOT Babil",
        "(drone OR base) AND NOT Nujaba",
        "strik*",
        "Nujabba~",
        '"Ain al-Asad"',
        "title:Iraqi",
    ]
    with search_module.searching(own_ci) as (searcher, entry):
        for query in queries:
            q = search_module.query_from_text(query, searcher, entry)
            q = search_module.expand_query(q, searcher.reader(), []).normalize()
            whoosh_total = len(searcher.search(q, limit=1))
            assert search(own_ci, query).total == whoosh_total, query
            assert search(own_ci, query, doc_ids=[D003, D002]).total == len(
                searcher.search(
                    q, limit=1, filter={searcher.document_number(id=D003), searcher.document_number(id=D002)}
                )
            ), query


def test_fuzzy_counts_a_swap_of_neighbours_as_one_edit(ci):
    assert set(ids(search(ci, "Nujbaa~"))) == set(ids(search(ci, "Nujaba")))


# --- the fast paths agree with Whoosh's own evaluation ---------------------------------------

AGREEMENT_QUERIES = [
    '"the truce"',
    '"of the"',
    '"in a US drone strike"',
    '"Ain al-Asad"',
    '"United States"',
    '"the the"',
    '"bases within Iraq"',
    'title:"Nujaba Movement"',
    '"Iraq" AND "of the"',
    '"of the" NOT Babil',
    '"drone strike" OR Baghdad',
    'truce AND "the resistance"',
    '"forces in"~3',
    "Baghdad~",
    "Nujabba~2",
    "truce~",
    "strik*",
    "ba*",
    "Iraq",
]


def test_fast_paths_agree_with_whoosh(tmp_path):
    """Totals, ranking (scores included), and spans equal what Whoosh's own matchers give,
    over several segments and a deleted document."""
    seed_variations(tmp_path / "corpus", 12, folders=3)
    index = CorpusIndex(tmp_path / "corpus", tmp_path / "index")
    index.update()
    changed = min((tmp_path / "corpus" / "set1").iterdir())
    changed.write_text(changed.read_text("utf-8") + "\n\nof the truce, of the the bases.\n", "utf-8")
    index.update()  # a second segment; the file's old version is a deleted document
    checked = 0
    for query in AGREEMENT_QUERIES:
        ours = search(index, query, pagelen=1000)
        with search_module.searching(index) as (searcher, entry):
            q = search_module.query_from_text(query, searcher, entry)
            q = search_module.expand_query(q, searcher.reader(), []).normalize()
            results = searcher.search(q, limit=None)
            expected = [(searcher.stored_fields(hit.docnum)["id"], hit.score) for hit in results]
            spans = search_module.spans_by_doc(q, searcher, [hit.docnum for hit in results])
            expected_spans = [tuple(u.span for u in spans[hit.docnum]) for hit in results]
        assert ours.total == len(expected), query
        assert [(hit.doc_id, hit.score) for hit in ours.hits] == expected, query
        assert [hit.spans for hit in ours.hits] == expected_spans, query
        some = [doc_id for doc_id, _ in expected[::3]] + ["set0/" + D002.replace(".txt", "_001.txt")]
        restricted = search(index, query, pagelen=1000, doc_ids=some)
        assert [(h.doc_id, h.score) for h in restricted.hits] == [
            (doc_id, score) for doc_id, score in expected if doc_id in some
        ], query
        assert restricted.total == sum(1 for doc_id, _ in expected if doc_id in some), query
        checked += bool(expected)
    assert checked >= len(AGREEMENT_QUERIES) - 2


def test_not_ranks_every_remaining_document(tmp_path):
    """`a NOT b` ranks exactly the documents of `a` without `b`, by `a`'s score (plus the
    1.0 Whoosh gives the NOT). Whoosh's own matcher for it skipped some of them."""
    seed_variations(tmp_path / "corpus", 12, folders=3)
    index = CorpusIndex(tmp_path / "corpus", tmp_path / "index")
    index.update()
    for query, positive, negative in [("Iraq NOT truce", "Iraq", "truce"), ("forces NOT Nujaba", "forces", "Nujaba")]:
        ours = search(index, query, pagelen=1000)
        with search_module.searching(index) as (searcher, entry):
            pos = search_module.expand_query(
                search_module.query_from_text(positive, searcher, entry), searcher.reader(), []
            ).normalize()
            neg = search_module.query_from_text(negative, searcher, entry)
            excluded = search_module.docset(neg, searcher.reader())
            results = searcher.search(pos, limit=None, mask=excluded)
            expected = [(searcher.stored_fields(h.docnum)["id"], h.score) for h in results]
        assert ours.total == len(expected) > 0
        assert [h.doc_id for h in ours.hits] == [doc_id for doc_id, _ in expected]
        assert [h.score for h in ours.hits] == pytest.approx([s + 1.0 for _, s in expected])


def test_fuzzy_terms_from_the_lexicon_equal_each_segments_automaton(own_ci):
    path = own_ci.corpus_root / D001
    path.write_text(path.read_text(encoding="utf-8") + "\nNujabaa Bagdad trruce.\n", "utf-8")
    own_ci.update()
    with search_module.searching(own_ci) as (searcher, _):
        reader = searcher.reader()
        for word, dist in [("nujabba", 2), ("baghdad", 1), ("truce", 2), ("zzz", 1), ("ba", 2)]:
            expected: set[str] = set()
            for leaf, _ in reader.leaf_readers():
                expected.update(leaf.terms_within("body", word, dist, prefix=1))
            assert expected <= search_module.terms_within(reader, "body", word, dist, 1)
            swaps = search_module.terms_within(reader, "body", word, dist, 1) - expected
            assert all(sorted(s) == sorted(word) for s in swaps), word


@pytest.mark.parametrize("text", ["a*", "Iraq AND troops", '"United States"', '"Ain al-Asad" OR Babil', "s* AND Iraq"])
def test_block_wise_scoring_ranks_as_whoosh_does(ci, text):
    """Wide Ors (a prefix), Ands and phrases are scored by `_score_map`; the total, the
    ranking and the scores are Whoosh's own (to rounding)."""
    with search_module.searching(ci) as (searcher, entry):
        q = search_module.fast_paths(
            search_module.expand_query(
                search_module.query_from_text(text, searcher, entry), searcher.reader(), []
            ).normalize()
        )
        ours = search_module.mapped_top(q, searcher, None, 10)
        assert ours is not None  # the fast path was taken
        total, ranked = ours
        theirs = searcher.search(q, limit=10)
        assert total == len(theirs) > 0
        assert [d for d, _ in ranked] == [hit.docnum for hit in theirs]
        for (_, score), hit in zip(ranked, theirs):
            assert score == pytest.approx(hit.score, rel=1e-9)


def test_warm_reads_the_term_lists_ahead_of_the_first_fuzzy_search(own_ci):
    search_module.close_searcher(own_ci)
    search_module.warm(own_ci)
    with search_module.searching(own_ci) as (searcher, _):
        held = search_module.LEXICONS.get(searcher.reader())
        assert held is not None and {"body", "title"} <= set(held)
        assert body_term("Nujaba") in held["body"]
