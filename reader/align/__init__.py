"""Side-by-side reading, headless: align two documents passage by passage, diff a pair's words,
and find similar passages elsewhere in the corpus. No Textual import: the UI calls these from a
thread worker (`align` takes a `cancelled` callback and raises `Cancelled`).

How `align(a, b)` pairs passages, and why:

1. Words. Each word becomes its index term (lowercase, accent folded, English stem, the same
   `body_term` the search index uses; dotted initialisms lose their dots, so `U.S.` = `US`).
   Stop words go, except all-caps acronyms (`US`). Name-like words (capitalised, or hyphen-joined
   to one: `al` in `al-Assad`) that share a Double Metaphone code *and* are spelt alike
   (normalised Levenshtein similarity >= 0.75) become one term: Thabit/Thabet, Asad/Assad,
   Babel/Babil, Iraq/Iraqi count as the same word; Babel/Babylon and Iraq/Iran do not. Sound
   alone is too coarse (vowels vanish) and spelling alone is blind to transliteration, so both
   must agree.
2. Similarity. A passage is the set of its terms; two passages score the cosine of their
   IDF-weighted term sets (IDF over the paragraphs of both documents), computed sparsely from an
   inverted index, so only passages sharing a word are ever compared. Sets rather than counts:
   a rewrite repeats words, a translation does not, and repetition is not agreement. A pair must
   share two terms (or be near-identical) so a heading sharing one word with a paragraph is not
   a pair.
3. In-order pass. The best monotone chain of candidate pairs (score >= `PAIR_THRESHOLD`) by a
   sparse dynamic programme (a Fenwick tree of prefix maxima over candidate cells: O(K log n)
   for K candidates rather than O(n*m) cells, which keeps 50 KB documents well under 0.5 s).
   A pair's gain is (score - threshold) times the number of passages it covers / 2, so a 1:2 or
   2:1 merge (one paragraph of A told in two of B) wins only when the merged text is more like
   its counterpart than either half alone; skipping a passage costs nothing, which is what
   leaves boilerplate and added sections unpaired.
4. Out-of-order pass. Passages left unpaired on both sides are paired greedily by score above a
   stricter `OUT_OF_ORDER_THRESHOLD` (reordered paragraphs, a background paragraph placed
   elsewhere by another outlet). These pairs have `in_order=False`.
5. Sentences. Where paragraphs do not correspond (both sides still have unpaired paragraphs),
   the sentences of those paragraphs are aligned the same way (kind "sentence"). A paragraph with
   no paired sentence stays one unpaired paragraph.

Pairs come in reading order of A; a passage only in B is placed after the in-order pair that
precedes it in B. Scores are cosines in [0, 1].

Modules: terms (steps 1 and 2, and `diff_words`), pairing (steps 3 to 5: `align`), similar
(`similar_passages`, its candidate documents found by index/similar.py).
"""

from __future__ import annotations

from reader.align.pairing import Alignment, Cancelled, Pair, align
from reader.align.similar import SimilarPassage, similar_passages
from reader.align.terms import diff_words

__all__ = [
    "Alignment",
    "Cancelled",
    "Pair",
    "SimilarPassage",
    "align",
    "diff_words",
    "similar_passages",
]
