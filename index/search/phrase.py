"""Adjacent-word phrases (`"the way"`) found from the positions in the postings.

Positions are intersected as sets instead of running Whoosh's span matcher (550 ms -> 140 ms
for `"the way"` on 100 MB); totals, ranking and spans all reuse what was found.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate
from operator import itemgetter

from whoosh import query as wq
from whoosh.formats import Characters, Positions
from whoosh.matching import Matcher, NullMatcher

from index.match_units import Piece
from index.search.blocks import Posting, term_postings
from index.search.phrase_arrays import phrase_starts
from index.whoosh_internals import posting_codes


class ScoredDocs(Matcher):
    """A matcher over documents whose scores are already known (a verified phrase's)."""

    def __init__(self, ids: list[int], scores: list[float]) -> None:
        self._ids, self._scores, self._i = ids, scores, 0

    def is_active(self) -> bool:
        return self._i < len(self._ids)

    def id(self) -> int:
        return self._ids[self._i]

    def next(self) -> None:
        self._i += 1

    def skip_to(self, id: int) -> None:
        if self._i < len(self._ids) and self._ids[self._i] < id:
            self._i = bisect_left(self._ids, id, self._i)

    def reset(self) -> None:
        self._i = 0

    def copy(self) -> ScoredDocs:
        m = ScoredDocs(self._ids, self._scores)
        m._i = self._i
        return m

    def all_ids(self) -> Iterator[int]:
        return iter(self._ids[self._i :])

    def weight(self) -> float:
        return self._scores[self._i]

    def score(self) -> float:
        return self._scores[self._i]

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return max(self._scores[self._i :], default=0.0)

    def block_quality(self) -> float:
        return self.max_quality()

    def supports(self, astype: str) -> bool:
        return False

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def scores_by_doc(self) -> dict[int, float]:
        """{docnum: score} of every document, from the start."""
        return dict(zip(self._ids, self._scores))


_FIRST = itemgetter(0)


class FastPhrase(wq.Phrase):
    """A `Phrase` (adjacent words, slop 1) that finds its documents without Whoosh's span
    matcher, which builds Span objects for every position of every word in every document
    that has all the words (`"the way"` took 550 ms on 100 MB).

    Per segment, the words' postings are read block by block, rarest word first, only for
    documents that still have every word so far; each surviving document's positions are
    decoded straight from the posting values and intersected as sets. The result is cached
    on the query: the total, the ranking and the spans all use it. Scores are Whoosh's
    (the sum of the words' BM25 scores in the tree order of its intersection matcher, times
    the boost), computed by the same scorer objects for the matched documents only.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cache: dict[int, tuple] = {}

    @classmethod
    def of(cls, q: wq.Phrase) -> FastPhrase:
        fast = cls(q.fieldname, list(q.words), slop=q.slop, boost=q.boost, char_ranges=q.char_ranges)
        for attr in ("startchar", "endchar", "variant_of"):
            if hasattr(q, attr):
                setattr(fast, attr, getattr(q, attr))
        return fast

    def normalize(self):
        return self

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_cache"] = {}  # readers of this process: meaningless in another
        return state

    def _found(self, leaf, only: list[int] | None = None) -> tuple[dict[int, set[int]], dict[bytes, dict]]:
        """({local docnum: start positions of the phrase}, {word: its postings read}), kept
        for the segment once found for all its documents; with `only` and nothing kept
        (the segment was scored in the helper process), found in those documents alone."""
        key = id(leaf)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is leaf:
            return cached[1], cached[2]
        if only is not None:
            return self.query_contains(leaf, only)
        starts, postings = self.query_contains(leaf)
        self._cache[key] = (leaf, starts, postings)
        return starts, postings

    def _btexts(self, schema) -> list[bytes] | None:
        field = schema[self.fieldname]
        try:
            return [field.to_bytes(word) for word in self.words]
        except ValueError:
            return None

    def query_contains(self, leaf, only: list[int] | None = None) -> tuple[dict[int, set[int]], dict[bytes, dict]]:
        """({local docnum: start positions}, {word: postings read}) in one segment, for
        every document or `only` those (sorted)."""
        field = self.fieldname
        btexts = self._btexts(leaf.schema)
        if btexts is None or any((field, b) not in leaf for b in btexts):
            return {}, {}
        distinct = sorted(set(btexts), key=lambda b: leaf.doc_frequency(field, b))
        chars = isinstance(leaf.schema[field].format, Characters)
        from_arrays = phrase_starts(leaf, field, btexts, distinct, only, chars)
        if from_arrays is not None:
            return from_arrays
        postings: dict[bytes, dict] = {}
        wanted: list[int] | None = only
        for btext in distinct:
            found = term_postings(leaf, field, btext, wanted)
            postings[btext] = found
            wanted = sorted(found)
            if not wanted:
                return {}, postings
        rank = {b: i for i, b in enumerate(distinct)}
        order = sorted(range(len(btexts)), key=lambda i: rank[btexts[i]])
        starts: dict[int, set[int]] = {}
        steps = [(i, postings[btexts[i]]) for i in order]
        first_i, first = steps[0]
        shift = (-first_i).__add__
        assert wanted is not None  # the documents of the rarest word at least (never None here)
        for docnum in wanted:
            # The rarest word's positions as a set built in C (accumulate over the pickled
            # deltas), then each other word's positions are streamed through
            # `set.intersection` against the few positions the phrase still needs there:
            # a common word's hundreds of positions per document are never hashed into a set
            # of their own (a third of `"the way"`'s verification), and only the few
            # candidate starts are looped over in Python.
            codes = posting_codes(first[docnum][1])
            pos = accumulate(map(_FIRST, codes) if chars else codes)
            common = set(map(shift, pos)) if first_i else set(pos)
            for i, found in steps[1:]:
                codes = posting_codes(found[docnum][1])
                needed = {start + i for start in common} if i else common
                present = needed.intersection(accumulate(map(_FIRST, codes) if chars else codes))
                common = {p - i for p in present} if i else present
                if not common:
                    break
            if common:
                starts[docnum] = common
        return starts, postings

    def matcher(self, searcher, context=None):
        if self.fieldname not in searcher.schema or not searcher.is_atomic():
            return super().matcher(searcher, context)
        if type(searcher.schema[self.fieldname].format) not in (Positions, Characters):
            return super().matcher(searcher, context)
        leaf = searcher.reader()
        starts, postings = self._found(leaf)
        if not starts:
            return NullMatcher()
        ids = sorted(starts)
        weighting = context.weighting if context is not None else searcher.weighting
        per_word = []
        for btext in self._btexts(leaf.schema):
            scorer = weighting.scorer(searcher, self.fieldname, btext)
            values = postings[btext]
            per_word.append([scorer.score(Posting(d, values[d][0])) for d in ids])
        scores = _tree_sum(per_word)
        if self.boost != 1.0:
            scores = [s * self.boost for s in scores]
        return ScoredDocs(ids, scores)

    def docset(self, reader) -> set[int]:
        found: set[int] = set()
        for leaf, base in reader.leaf_readers():
            if self.fieldname not in leaf.schema:
                continue
            found.update(base + d for d in self._found(leaf)[0])
        return found

    def char_pieces(self, leaf, docnums: list[int], group=0, variant_of=()) -> dict[int, list[Piece]]:
        """Each match's characters, from the first word's start to the last word's end
        (Whoosh's `Span.to`: the least start and the greatest end of the chain)."""
        if not isinstance(leaf.schema[self.fieldname].format, Characters):
            return {}
        starts, postings = self._found(leaf, only=sorted(set(docnums)))
        btexts = self._btexts(leaf.schema)
        if btexts is None:  # not a phrase of words this field can hold: no match was found
            return {}
        last = len(btexts) - 1
        shown = sorted(d for d in set(docnums) if starts.get(d))
        values = {b: _with_values(leaf, self.fieldname, b, postings.get(b, {}), shown) for b in set(btexts)}
        out: dict[int, list[Piece]] = {}
        for docnum in docnums:
            found = starts.get(docnum)
            if not found:
                continue
            table: dict[bytes, dict[int, tuple[int, int]]] = {}
            for btext in set(btexts):
                where: dict[int, tuple[int, int]] = {}
                position = endchar = 0
                for dpos, dstart, dlen in posting_codes(values[btext][docnum][1]):
                    position += dpos
                    startchar = endchar + dstart
                    endchar = startchar + dlen
                    where[position] = (startchar, endchar)
                table[btext] = where
            pieces = []
            for start in sorted(found):
                chain = [table[b][start + i] for i, b in enumerate(btexts)]
                pieces.append(
                    Piece(min(c[0] for c in chain), max(c[1] for c in chain), start, start + last, group, variant_of)
                )
            out[docnum] = pieces
        return out


def _with_values(leaf, field: str, btext: bytes, postings: dict, docnums: list[int]) -> dict:
    """`postings` ({docnum: (weight, value)}) with the values of `docnums` (sorted): read
    again for those documents when the phrase was found from position arrays, which leave
    the values unread (index/search/phrase_arrays.py)."""
    if all(postings.get(d, (0, None))[1] is not None for d in docnums):
        return postings
    return term_postings(leaf, field, btext, docnums)


def _tree_sum(parts: list[list[float]]) -> list[float]:
    """Element-wise sums added in the order of Whoosh's `make_binary_tree` of matchers."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    left, right = _tree_sum(parts[:half]), _tree_sum(parts[half:])
    return [a + b for a, b in zip(left, right)]
