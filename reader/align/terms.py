"""Words and passages as weighted term sets: what `align`, `diff_words` and
`similar_passages` compare (steps 1 and 2 of reader/align/__init__.py).

A word is its index term (`body_term`, so alignment and search agree on what a word is), stop
words go except acronyms, and same-sounding, similarly spelt names become one term.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from index.analysis import STOP_WORDS, WORD_RE, body_term, fold, metaphone_codes, name_like
from index.document import Document, Span

VARIANT_SIMILARITY = 0.75  # normalised Levenshtein for two same-sounding names to be one word


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    term: str
    folded: str
    name: bool


@lru_cache(maxsize=500_000)
def _word(word: str) -> tuple[str, str] | None:
    """(comparison term, folded spelling) of a word; None for a stop word or a lone letter."""
    folded = fold(word)
    if "." in word:
        folded = folded.replace(".", "")
        term = folded
    else:
        term = ""
    if folded in STOP_WORDS and sum(c.isupper() for c in word) < 2:
        return None  # "us" goes, "US" stays
    if len(folded) < 2 and not folded.isdigit():
        return None
    return (term or body_term(word)), folded


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    """The content words of text[start:end] with their offsets into `text`."""
    end = len(text) if end is None else end
    matches = list(WORD_RE.finditer(text, start, end))
    names = name_like(text, matches)
    out: list[_Token] = []
    for match, is_name in zip(matches, names):
        info = _word(match.group())
        if info is not None:
            out.append(_Token(match.start(), match.end(), info[0], info[1], is_name))
    return out


def _variant_map(tokens: Iterable[_Token]) -> dict[str, str]:
    """Terms of same-sounding, similarly spelt names mapped to one canonical term."""
    by_code: dict[str, dict[str, str]] = defaultdict(dict)
    for t in tokens:
        if t.name and len(t.folded) >= 3 and not t.folded.isdigit():
            code = metaphone_codes(t.folded)[0]
            if code:
                by_code[code].setdefault(t.term, t.folded)
    mapping: dict[str, str] = {}
    for group in by_code.values():
        if len(group) < 2:
            continue
        terms = sorted(group)
        parent = {t: t for t in terms}

        def find(t: str) -> str:
            while parent[t] != t:
                parent[t] = parent[parent[t]]
                t = parent[t]
            return t

        for i, x in enumerate(terms):
            for y in terms[i + 1 :]:
                if Levenshtein.normalized_similarity(group[x], group[y]) >= VARIANT_SIMILARITY:
                    rx, ry = find(x), find(y)
                    if rx != ry:
                        parent[max(rx, ry)] = min(rx, ry)
        for term in terms:
            root = find(term)
            if root != term:
                mapping[term] = root
    return mapping


class _Side:
    """One document's tokens, and term-id sets for any span of it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.starts = [t.start for t in self.tokens]

    def terms(self, span: Span, vocab: _Vocab) -> frozenset[int]:
        lo = bisect.bisect_left(self.starts, span.start)
        hi = bisect.bisect_left(self.starts, span.end)
        return frozenset(vocab.id(self.tokens[k].term) for k in range(lo, hi))


class _Vocab:
    """Canonical term -> id, and the squared IDF weight of each id."""

    def __init__(self, variants: dict[str, str]) -> None:
        self.variants = variants
        self.ids: dict[str, int] = {}
        self.w2: list[float] = []

    def id(self, term: str) -> int:
        term = self.variants.get(term, term)
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.ids)
        return found

    def weigh(self, passages: Iterable[frozenset[int]]) -> None:
        df = [0] * len(self.ids)
        n = 0
        for p in passages:
            n += 1
            for t in p:
                df[t] += 1
        self.w2 = [math.log(1.0 + (n + 1) / (d + 0.5)) ** 2 for d in df]

    def norm(self, p: frozenset[int]) -> float:
        w2 = self.w2
        return math.sqrt(sum(w2[t] for t in p))

    def cosine(self, x: frozenset[int], y: frozenset[int]) -> float:
        nx, ny = self.norm(x), self.norm(y)
        if not nx or not ny:
            return 0.0
        w2 = self.w2
        return sum(w2[t] for t in x & y) / (nx * ny)


def _passages(doc: Document) -> tuple[Span, ...]:
    if doc.paragraphs:
        return doc.paragraphs
    stripped = doc.text.strip()
    if not stripped:
        return ()
    start = doc.text.index(stripped[0])
    return (Span(start, start + len(stripped)),)


def diff_words(a_text: str, a_span: Span, b_text: str, b_span: Span) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Words of each passage whose term the other passage lacks: (only in a, only in b).

    Spans are offsets into `a_text` and `b_text`, one per word, in order. Words are compared as
    terms (stem, accent and case folded), stop words are never reported, and spelling variants
    of names (Thabit / Thabet) count as the same word.
    """
    ta = _tokens(a_text, a_span.start, a_span.end)
    tb = _tokens(b_text, b_span.start, b_span.end)
    variants = _variant_map([*ta, *tb])

    def canon(t: _Token) -> str:
        return variants.get(t.term, t.term)

    terms_a = {canon(t) for t in ta}
    terms_b = {canon(t) for t in tb}
    only_a = tuple(Span(t.start, t.end) for t in ta if canon(t) not in terms_b)
    only_b = tuple(Span(t.start, t.end) for t in tb if canon(t) not in terms_a)
    return only_a, only_b
