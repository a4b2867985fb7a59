"""Analyzers: offsets into the original text, folding, stemming, and the variant codes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from index.analysis import (
    WORD_RE,
    body_analyzer,
    name_like,
    variant_codes,
    variants_analyzer,
)
from index.schema import build_schema


def body_tokens(text: str) -> list[tuple[str, str]]:
    """(term, original text at the token's offsets) for each body token."""
    return [
        (t.text, text[t.startchar : t.endchar]) for t in body_analyzer()(text, positions=True, chars=True, mode="index")
    ]


def variant_tokens(text: str, mode: str = "index") -> list[tuple[str, str]]:
    return [
        (t.text, text[t.startchar : t.endchar])
        for t in variants_analyzer()(text, positions=True, chars=True, mode=mode)
    ]


def test_offsets_point_at_the_original_words():
    text = "  Ain al-Assad\u00a0base, CAFÉ strikes;\n\tU.S. forces "
    assert body_tokens(text) == [
        ("ain", "Ain"),
        ("al", "al"),
        ("assad", "Assad"),
        ("base", "base"),
        ("cafe", "CAFÉ"),
        ("strike", "strikes"),
        ("u", "U"),  # a dotted word is indexed in parts as well as whole (issue 12, item 7)
        ("u.", "U.S"),
        ("s", "S"),
        ("forc", "forces"),
    ]


def test_decomposed_accents_stay_inside_the_word_and_fold():
    decomposed = "a cafe\u0301 here"  # "café" written as e + combining acute
    assert body_tokens(decomposed) == [("a", "a"), ("cafe", "cafe\u0301"), ("here", "here")]
    assert body_tokens("naïve Zürich") == [("naiv", "naïve"), ("zurich", "Zürich")]


def test_stemming_joins_inflections():
    assert {term for term, _ in body_tokens("strike strikes striking")} == {"strike"}


def test_transliterations_share_a_code():
    for a, b in [("Asad", "Assad"), ("Babil", "Babel"), ("Thabet", "Thabit"), ("Nujaba", "Nujabba")]:
        query_code = variant_codes(a, True)
        assert len(query_code) == 1
        assert query_code[0] in variant_codes(b), (a, b)


def test_different_names_get_different_codes():
    assert not set(variant_codes("Iraq")) & set(variant_codes("Iran"))
    assert not set(variant_codes("Babil")) & set(variant_codes("Babylon"))


def test_stop_words_and_single_letters_get_no_code():
    assert variant_codes("The") == ()
    assert variant_codes("s") == ()
    assert variant_tokens("The U of In") == []


def test_only_name_like_words_are_coded_at_index_time():
    text = "a base in Babil near the al-Assad base and Al-Lami"
    originals = [original for _, original in variant_tokens(text)]
    assert "base" not in originals
    assert {"Babil", "al", "Assad", "Al", "Lami"} <= set(originals)


def test_every_word_is_coded_at_query_time():
    assert [code for code, _ in variant_tokens("thabet babel", mode="query")] == [
        variant_codes("thabet", True)[0],
        variant_codes("babel", True)[0],
    ]


def test_name_like_follows_hyphen_groups_only():
    text = "al-Assad al - Assad x-y"
    keep = name_like(text, list(WORD_RE.finditer(text)))
    assert keep == [True, True, False, True, False, False]


words = st.sampled_from(
    [
        "Ain",
        "al",
        "Assad",
        "café",
        "cafe\u0301",
        "strikes",
        "U.S.",
        "the",
        "Babel",
        "x",
        "2024",
        "Thabit",
        "naïve",
        "ÉTÉ",
        "-",
        "—",
        "’s",
        "...",
        "Al-Lami",
        "ß",
        "foo.tar.gz",
        "e.g.",
        "www.Debian.org",
        "合作项目",
        "来自Debian社区",
        "合",
        "東京に",
        "한국어",
        "كَتَبَ",
        "الطَّالِبُ",
        "\x1b[1mBold\x1b[0m",
        "B\bBo\bol\bld\bd",
        "_\bx",
        "\x07",
        "\x0c",
    ]
)
separators = st.sampled_from([" ", "\n", "-", ", ", "\u00a0", "", "\t\t"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(words, separators), max_size=30))
def test_fast_field_indexing_equals_the_analyzer(parts):
    """The schema's fast `index()` must produce exactly what the analyzers produce."""
    text = "".join(w + s for w, s in parts)
    field = build_schema()["body"]
    assert sorted(field.index(text)) == sorted(TEXT.index(field, text))


def test_body_term_skips_the_stemmer_only_where_it_changes_nothing():
    """`body_term` leaves words without an ASCII letter unstemmed: the stemmer gives them back
    unchanged, on real text of every script in the seeds plus a few hard cases."""
    from index.analysis import _STEM, body_term, fold
    from index.words import words_of

    from conftest import SEEDS

    words = set()
    for path in SEEDS.glob("*.txt"):
        words.update(words_of(path.read_text("utf-8"))[0])
    words.update(["合作项目", "2024", "0x84", "كَتَبَ", "ΑΘΗΝΑ", "Straße", "ǅungla", "ⅫⅢ", "ÉTÉ", "1st", "yy", "Y"])
    skipped = 0
    for word in sorted(words):
        expected = _STEM(fold(word))
        assert body_term(word) == expected, word
        skipped += not any("a" <= c <= "z" or "A" <= c <= "Z" for c in fold(word))
    assert skipped > 20  # the shortcut was really taken


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(words, separators), max_size=30))
def test_the_split_tokens_are_the_regex_matches(parts):
    """`index.words._tokens` (a split and running lengths) finds exactly the tokens and spans
    that `finditer` finds, with and without CJK."""
    from index import words as W

    text = "".join(w + s for w, s in parts)
    for cjk, pattern in ((True, W.TOKEN_RE), (False, W._PLAIN_RE)):
        found = list(pattern.finditer(text))
        assert W._tokens(text, cjk) == ([m.group(0) for m in found], [m.span() for m in found])
