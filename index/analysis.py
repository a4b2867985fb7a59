"""Whoosh analyzers: how text becomes terms, with character offsets into the original text.

Offsets matter more than anything here: search results and highlights carry `chars=True`
offsets straight out of the postings, so the tokenizer always runs on the text exactly as the
corpus decoded it. Lowercasing, accent folding and stemming happen only on the token text inside
filters, never on the document, so `text[startchar:endchar]` is always the word as written.

Two analyzers:

* `body_analyzer()`: the words of index/words.py (combining marks of every script kept
  inside the word, dotted words whole and in parts, CJK as overlapping bigrams; see there
  why), then one memoised step `body_term`: lowercase, folding (Whoosh's `accent_map`,
  removal of combining accents, Arabic/Persian letter forms and harakat: see `_fold_map`)
  and English stemming (`strikes` finds `strike`). Stop words are kept, so "The National" as a
  phrase matches what it says. One fused cached filter instead of three chained ones:
  per-token generator layers dominated the build.

* `variants_analyzer()`: the variant-tolerant field for transliterated names (`Ain al-Asad` /
  `Ain al-Assad`, `Babil` / `Babel`, `Thabet` / `Thabit`). We chose Double Metaphone (Whoosh's
  `double_metaphone`, used like `DoubleMetaphoneFilter(combine=False)`: codes only) on a
  separate field, over fuzzy terms, because:
    - fuzzy terms (edit distance) are expanded per query by walking the term dictionary
      (measured p50 180 ms against 4 ms for a plain term), only when the user types `~`, and
      edit distance is blind to sound: "Iraq"/"Iran" or "base"/"vase" are one edit apart just
      like "Asad"/"Assad";
    - a phonetic code is computed once per word at index time and matched as a plain term at
      query time (a few ms), and the codes are designed for names spelled by ear, which is
      how transliterations differ (doubled consonants, vowel choice, th/t). "Iraq" (ARK) and
      "Iran" (ARN) stay apart.
  Double Metaphone is coarse (vowels vanish, codes are at most 4 letters), so three guards keep
  false positives down:
    1. At index time only *name-like* words are coded: a word that starts with an uppercase
       letter, or is joined by a hyphen to one ("al" in "al-Assad"). Searching "base" thus
       does not match every "piece" or "pass" in the corpus, only capitalised sound-alikes.
       At query time every word is coded (users type names in lower case).
    2. Stop words and one-letter words get no code.
    3. The search layer gives the variants field a low boost (index.schema.FIELD_BOOSTS), so
       the exact spelling always ranks first and variants only add recall.
  At query time only the primary code is emitted (one term per word, so a word never becomes
  a multi-token query); at index time the primary and the secondary codes are both indexed,
  so a query's primary code meets either code of a document word. Metaphone is pure Python
  and slow, so codes are memoised per word (`functools.lru_cache`): natural text repeats its
  words, and the build target is 2 MB/s.

Both analyzers cut words with the same `index.words.words_of`, so token positions are the same in both fields
(position = index of the word in the text), which keeps phrase queries over variants aligned.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import (
    STOP_WORDS,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    Tokenizer,
)
from whoosh.analysis.acore import Token
from whoosh.lang import stemmer_for_language
from whoosh.lang.dmetaphone import double_metaphone
from whoosh.support.charset import accent_map

from index import words

# The word rule lives in index/words.py (one rule for every script, dotted words, CJK bigrams,
# terminal decoration). WORD_RE finds the raw tokens (a dotted word or a CJK run whole), for
# callers that want words as written (concordance sorting, frequencies, alignment).
WORD_PATTERN = words.WORD_PATTERN
WORD_RE = words.TOKEN_RE

# Characters that join the parts of one name: "al-Assad", "Abu‑Mahdi" (hyphen variants).
_JOINERS = frozenset("-\u2010\u2011\u2012\u2013")


def _fold_map() -> dict[int, str | None]:
    """Whoosh's accent_map, deletion of combining accents, and Arabic/Persian/Hebrew folding.

    Arabic and Persian search engines (Lucene's ArabicNormalizer and PersianNormalizer) drop
    the harakat (short vowels, shadda, sukun, tanwin), the superscript alef and Quranic marks,
    and the tatweel (a stretching stroke), and write one letter for the forms that spelling
    varies between: alef with hamza or madda (أ إ آ ٱ) as alef, alef maksura and Persian yeh
    (ى ی) as yeh, Persian keheh (ک) as kaf, teh marbuta and heh with yeh (ة ۀ) as heh. So كتب
    finds كَتَبَ and الطالب finds الطَّالِبُ. Hebrew points (niqqud) are dropped the same way.
    """
    charmap: dict[int, str | None] = dict(accent_map)
    deleted = [
        (0x0300, 0x0370),
        (0x1AB0, 0x1B00),
        (0x1DC0, 0x1E00),  # combining accents
        (0x0591, 0x05BE),
        (0x05BF, 0x05C0),
        (0x05C1, 0x05C3),
        (0x05C4, 0x05C6),
        (0x05C7, 0x05C8),
        (0x0610, 0x061B),
        (0x064B, 0x0660),
        (0x0670, 0x0671),
        (0x06D6, 0x06DD),
        (0x06DF, 0x06E5),
        (0x06E7, 0x06E9),
        (0x06EA, 0x06EE),
        (0x0640, 0x0641),  # tatweel
    ]
    for low, high in deleted:
        for cp in range(low, high):
            charmap[cp] = None
    alef, yeh, kaf, heh = "\u0627", "\u064a", "\u0643", "\u0647"
    for letters, target in (
        ("\u0622\u0623\u0625\u0671\u0672\u0673", alef),
        ("\u0649\u06cc\u06cd\u06d0", yeh),
        ("\u06a9\u06aa", kaf),
        ("\u0629\u06c0\u06c1\u06c2", heh),
    ):
        for letter in letters:
            charmap[ord(letter)] = target
    return charmap


FOLD_MAP = _fold_map()


def fold(word: str) -> str:
    """The normalisation the analyzers apply to one word (lowercase and accent fold)."""
    return word.lower().translate(FOLD_MAP)


_STEM = stemmer_for_language("en")


# The English stemmer lowercases, then only ever changes ASCII letters (its suffixes, y/Y):
# a lowercase word without one (a number, a CJK bigram, Arabic) comes back as it went in, so
# it skips the stemmer's pure-Python steps (a third of a build's distinct words).
_ASCII_LETTER = re.compile("[A-Za-z]").search


@lru_cache(maxsize=500_000)
def body_term(word: str) -> str:
    """The indexed term of one body word: lowercase, accent folded, English stem. Memoised."""
    folded = fold(word)
    if _ASCII_LETTER(folded) is None and folded.lower() == folded:
        return folded
    return _STEM(folded)


@lru_cache(maxsize=200_000)
def metaphone_codes(word: str) -> tuple[str, str | None]:
    """Double Metaphone (primary, secondary-or-None) of a folded word, memoised."""
    primary, secondary = double_metaphone(word)
    if secondary == primary:
        secondary = None
    return primary or "", secondary or None


@lru_cache(maxsize=500_000)
def variant_codes(word: str, query: bool = False) -> tuple[str, ...]:
    """The variants-field terms of one word: its metaphone codes, none for a stop word.

    Index mode gives the primary and (if different) the secondary code; query mode only the
    primary, so one query word stays one query term.
    """
    folded = fold(word)
    if len(folded) < 2 or folded in STOP_WORDS:
        return ()
    primary, secondary = metaphone_codes(folded)
    if not primary:
        return ()
    if query or not secondary:
        return (primary,)
    return (primary, secondary)


class BodyTermFilter(Filter):
    """Lowercase + accent folding + stemming in one memoised step (see `body_term`)."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            t.text = body_term(t.text)
            yield t


class VariantCodeFilter(Filter):
    """Replace each word by its metaphone codes (see `variant_codes`); stop words vanish."""

    is_morph = True

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            for code in variant_codes(t.text, t.mode == "query"):
                t.text = code
                yield t


class WordTokenizer(Tokenizer):
    """The words of index/words.py (`words_of`) as Whoosh tokens, with their positions and
    character offsets; a query gets the query form (a dotted word as its parts only)."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def _kept(self, value, found, mode) -> list[bool] | None:
        """Which of the words to yield (None: all of them)."""
        return None

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        found = words.words_of(value, query=mode == "query")
        texts, spans, places = found
        keep = self._kept(value, found, mode)
        for i, text in enumerate(texts):
            if keep is not None and not keep[i]:
                continue
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + (i if places is None else places[i])
            if chars:
                start, end = spans[i]
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class NameTokenizer(WordTokenizer):
    """The words of `WordTokenizer`; in index mode only the name-like ones are yielded.

    Name-like: the word starts with an uppercase letter, or belongs to a hyphen-joined group
    that contains such a word ("al" in "al-Assad"). Positions count every word, so they equal
    the body field's positions. Query mode (and `tokenize=False`) yields every word.
    """

    def _kept(self, value, found, mode) -> list[bool] | None:
        if mode == "query":
            return None
        texts, spans, _ = found
        return name_like_words(value, texts, spans)


def name_like(value: str, matches: list[re.Match]) -> list[bool]:
    """For each word match, whether it is a capitalised word or hyphen-joined to one."""
    return name_like_words(value, [m.group(0) for m in matches], [m.span() for m in matches])


def name_like_words(value: str, texts: list[str], spans: list[tuple[int, int]]) -> list[bool]:
    """`name_like` for words given as texts and (start, end) spans into `value`."""
    keep = [word[0].isupper() for word in texts]
    i = 0
    n = len(texts)
    while i < n:
        j = i  # extend the hyphen-joined group [i..j]
        while j + 1 < n and spans[j][1] + 1 == spans[j + 1][0] and value[spans[j][1]] in _JOINERS:
            j += 1
        if j > i and any(keep[i : j + 1]):
            for k in range(i, j + 1):
                keep[k] = True
        i = j + 1
    return keep


def body_analyzer():
    """Words, lowercase, accent folding, English stemming; offsets into the original text."""
    return WordTokenizer() | BodyTermFilter()


def plain_analyzer():
    """Words, lowercase, accent folding; no stemming (short metadata such as the source)."""
    return WordTokenizer() | LowercaseFilter() | CharsetFilter(FOLD_MAP)


def variants_analyzer():
    """Name-like words to Double Metaphone codes (see the module docstring for why)."""
    return NameTokenizer() | VariantCodeFilter()
