"""Whoosh analyzers: how text becomes terms, with character offsets into the original text.

Offsets matter more than anything here: search results and highlights carry `chars=True`
offsets straight out of the postings, so the tokenizer always runs on the text exactly as the
corpus decoded it. Lowercasing, accent folding and stemming happen only on the token text inside
filters, never on the document, so `text[startchar:endchar]` is always the word as written.

Two analyzers:

* `body_analyzer()`: words (combining marks kept inside the word, so a decomposed "café" is
  one token), then one memoised step `body_term`: lowercase, accent folding (Whoosh's
  `accent_map` plus removal of combining marks) and English stemming (`strikes` finds
  `strike`). Stop words are kept, so "The National" as a phrase matches what it says. One fused
  cached filter instead of three chained ones: per-token generator layers dominated the build.

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

Both analyzers run the same word expression, so token positions are the same in both fields
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
    RegexTokenizer,
    Tokenizer,
)
from whoosh.analysis.acore import Token
from whoosh.lang import stemmer_for_language
from whoosh.lang.dmetaphone import double_metaphone
from whoosh.support.charset import accent_map

# A word: letters/digits with combining marks allowed inside, dotted abbreviations kept whole
# ("U.S" stays one token, "al-Asad" is two words). Combining marks (U+0300-U+036F) are not
# `\w` in Python, so without them a decomposed "café" would split into "cafe" + nothing.
_MARK = "\u0300-\u036f"
WORD_PATTERN = rf"\w[\w{_MARK}]*(?:\.\w[\w{_MARK}]*)*"
WORD_RE = re.compile(WORD_PATTERN)

# Characters that join the parts of one name: "al-Assad", "Abu‑Mahdi" (hyphen variants).
_JOINERS = frozenset("-\u2010\u2011\u2012\u2013")


def _fold_map() -> dict[int, str | None]:
    """Whoosh's accent_map plus deletion of every combining mark (decomposed accents)."""
    charmap: dict[int, str | None] = dict(accent_map)
    for cp in range(0x0300, 0x0370):
        charmap[cp] = None
    for cp in range(0x1AB0, 0x1B00):
        charmap[cp] = None
    for cp in range(0x1DC0, 0x1E00):
        charmap[cp] = None
    return charmap


FOLD_MAP = _fold_map()


def fold(word: str) -> str:
    """The normalisation the analyzers apply to one word (lowercase and accent fold)."""
    return word.lower().translate(FOLD_MAP)


_STEM = stemmer_for_language("en")


@lru_cache(maxsize=500_000)
def body_term(word: str) -> str:
    """The indexed term of one body word: lowercase, accent folded, English stem. Memoised."""
    return _STEM(fold(word))


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


class NameTokenizer(Tokenizer):
    """Words as `WORD_RE` finds them; in index mode only the name-like ones are yielded.

    Name-like: the word starts with an uppercase letter, or belongs to a hyphen-joined group
    that contains such a word ("al" in "al-Assad"). Positions count every word, so they equal
    the body field's positions. Query mode (and `tokenize=False`) yields every word.
    """

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

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
        matches = list(WORD_RE.finditer(value))
        if mode == "query":
            keep = [True] * len(matches)
        else:
            keep = name_like(value, matches)
        for pos, match in enumerate(matches):
            if not keep[pos]:
                continue
            t.text = match.group(0)
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


def name_like(value: str, matches: list[re.Match]) -> list[bool]:
    """For each word match, whether it is a capitalised word or hyphen-joined to one."""
    keep = [m.group(0)[0].isupper() for m in matches]
    i = 0
    n = len(matches)
    while i < n:
        j = i  # extend the hyphen-joined group matches[i..j]
        while (
            j + 1 < n
            and matches[j].end() + 1 == matches[j + 1].start()
            and value[matches[j].end()] in _JOINERS
        ):
            j += 1
        if j > i and any(keep[i : j + 1]):
            for k in range(i, j + 1):
                keep[k] = True
        i = j + 1
    return keep


def body_analyzer():
    """Words, lowercase, accent folding, English stemming; offsets into the original text."""
    return RegexTokenizer(WORD_PATTERN) | BodyTermFilter()


def plain_analyzer():
    """Words, lowercase, accent folding; no stemming (short metadata such as the source)."""
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(FOLD_MAP)


def variants_analyzer():
    """Name-like words to Double Metaphone codes (see the module docstring for why)."""
    return NameTokenizer() | VariantCodeFilter()
