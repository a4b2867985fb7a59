"""Search: Whoosh's query language over the index, results as plain frozen dataclasses.

A bare word searches the body and the title, and also the variants field (Double Metaphone
codes of name-like words, see index.analysis) at a low boost: `Thabet` finds `Thabit`, and the
document that spells it `Thabet` ranks first. A word with a field (`title:Iraqi`) searches only
that field. Wildcards and fuzzy terms (`strik*`, `Nujabba~`) are expanded once per query, capped
at `MAX_EXPANSIONS` terms (the most frequent kept, a note says so), and never against the
variants field, where they would compare spellings with phonetic codes. A fuzzy term keeps its
first letter and allows at most two edits, and is looked up segment by segment with Whoosh's
automaton (see `_terms_within`): walking the whole lexicon took 3 s per query at 100 MB.

One Whoosh searcher stays open per CorpusIndex and is reused by every search until the index
changes on disk (`_OpenSearcher`): opening one costs more than a search. Totals are counted
from the postings' document numbers (`_total`) rather than by running the query twice.

Where Whoosh's matchers cost most, the query is evaluated from the postings read a block
at a time, with Whoosh's own scorer objects, so totals, scores and ranking stay Whoosh's (up
to the order of floating-point additions): adjacent-word phrases (`_FastPhrase`: positions
intersected as sets, 550 ms -> 140 ms for `"the way"`); Ands, phrases and Ors of 8+ terms
from a wildcard or fuzzy term (`_mapped_top`, `_score_map`: 780 ms -> 120 ms for `cons*`);
`a NOT b` (`_exclusion_top`, `_FastNot`; Whoosh's own matcher for it left some documents out
of the ranking); and the document sets behind totals (`_term_ids`).
Fuzzy terms are looked up in the field's lexicon held in memory (`_lexicon`, 0.3 s once per
open searcher). With a helper process (`warm(index, helper=True)`, index/search_helper.py)
those block-wise queries and their highlights are split by segment between two processes.

Spans come from the postings' character offsets (`chars=True`), never from re-tokenizing a
document: Whoosh's highlighter re-tokenizes every hit's whole text, measured at 2 s p95. Only
the document text for the ~200-character snippet is read, from the corpus file (the source of
truth; the body is not stored). Everything is copied into dataclasses inside the searcher,
because Whoosh's Results die with it.

Whoosh's parser is lenient: it turns `title:` or an unbalanced quote into some query silently.
`parse_query` rejects the obviously broken cases with a `QueryError` carrying a short message
for the user.
"""

from __future__ import annotations

import heapq
import re
import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import accumulate
from operator import itemgetter
from pickle import loads

from whoosh import query as wq
from whoosh.automata import lev
from whoosh.formats import Characters, Positions
from whoosh.matching import InverseMatcher, ListMatcher, Matcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser
from whoosh.scoring import WeightLengthScorer
from whoosh.searching import Searcher

from index.analysis import WORD_RE, body_term, fold
from index.document import Span
from index.indexer import CorpusIndex
from index.match_units import MatchUnit, Piece, match_units, together_first
from index.schema import DEFAULT_FIELDS, FIELD_BOOSTS, VARIANTS_FIELD
from index.variants import AddedSpelling, VariantPhrase, VariantSet, respell, variants_of

__all__ = [
    "Hit", "MatchUnit", "QueryError", "SearchResults", "close_searcher", "match_spans",
    "matches_in", "parse_query", "search",
]

# From this many documents on, `warm(index, helper=True)` starts a helper process: below it
# searches are fast enough that a second process (its memory, its half second of start-up)
# is not worth it.
HELPER_MIN_DOCS = 3000
MAX_EXPANSIONS = 64
MAX_FUZZY_DISTANCE = 2  # `word~5` is searched as `word~2`: beyond that everything matches
FUZZY_PREFIX = 1  # fuzzy terms and suggestions keep the first letter (most typos are later)
SNIPPET_CHARS = 200
_CHAR_FIELDS = frozenset({"body", VARIANTS_FIELD})  # fields whose offsets are into the text
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_SEARCHABLE = ("body", "title", "source", "date", "id")


class QueryError(ValueError):
    """A query that cannot be run; `str(error)` is a short message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Hit:
    doc_id: str
    title: str
    score: float
    spans: tuple[Span, ...]  # matched text, offsets into the document text
    snippet: str  # ~200 characters of plain text around the best match
    snippet_spans: tuple[Span, ...]  # matched text, offsets into `snippet`
    units: tuple[MatchUnit, ...] = ()  # `spans` with what each matched (exact or a variant)


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    page: int
    pagelen: int
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...]  # corrected query strings ("did you mean")
    seconds: float
    notes: tuple[str, ...]  # things the user should know (capped expansions, stale files)
    added: tuple[AddedSpelling, ...] = ()  # variant spellings searched besides the typed ones

    @property
    def pages(self) -> int:
        return -(-self.total // self.pagelen) if self.pagelen else 0


# --- one open searcher per index -----------------------------------------------------------


class _OpenSearcher:
    """The Whoosh searcher kept open for one CorpusIndex, reopened when the index changes.

    Opening a searcher costs ~180 ms on 100 MB (every segment's term files are read), more
    than a whole search, so it is opened once and reused. Before each use the index's latest
    generation (a directory listing) is compared with the searcher's; when the index has been
    committed since, the searcher is replaced by a fresh one. Whoosh's own `refresh()` is not
    used: with `reuse=` it keeps readers of segments whose deletions changed (a changed
    document would then be found twice) and re-adds merged-away segments.

    A Whoosh searcher is not safe for concurrent use (its files are shared handles), so the
    whole of a search runs under `lock`; searches of one index therefore take turns. A writer
    in another thread or process may commit meanwhile: the open searcher keeps reading the
    files it opened (POSIX keeps deleted files alive) and the next search sees the new state.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ix = None
        self._searcher: Searcher | None = None
        self._parser: MultifieldParser | None = None
        self.helper = None  # a SegmentHelper once `warm(index, helper=True)` started one

    def current(self, index: CorpusIndex) -> Searcher:
        """The open searcher, up to date with the index on disk (call with `lock` held)."""
        ix = index.whoosh()
        searcher = self._searcher
        if searcher is not None and not self._fresh(searcher, ix):
            self.close()
            searcher = None
        if searcher is None:
            searcher = ix.searcher()
            self._searcher, self._parser = searcher, None
        self._ix = ix
        return searcher

    def parser(self, searcher: Searcher) -> MultifieldParser:
        if self._parser is None:
            self._parser = _parser(searcher.schema)
        return self._parser

    def _fresh(self, searcher: Searcher, ix) -> bool:
        try:
            if ix.latest_generation() != searcher.reader().generation():
                return False
            if ix is self._ix:
                return True
            # The CorpusIndex reopened its Whoosh index (every update() does): same files?
            return _segment_state(ix._segments()) == _segment_state(
                reader.segment() for reader, _ in searcher.reader().leaf_readers()
            )
        except Exception:  # index files replaced or gone: open anew
            return False

    def close(self) -> None:
        searcher, self._searcher, self._parser = self._searcher, None, None
        if searcher is not None:
            try:
                searcher.close()
            except Exception:
                pass


def _segment_state(segments) -> set[tuple[str, int]]:
    return {(seg.segment_id(), seg.deleted_count()) for seg in segments if seg is not None}


_OPEN: weakref.WeakKeyDictionary[CorpusIndex, _OpenSearcher] = weakref.WeakKeyDictionary()
_OPEN_LOCK = threading.Lock()


@contextmanager
def _searching(index: CorpusIndex) -> Iterator[tuple[Searcher, _OpenSearcher]]:
    """The index's shared searcher, held exclusively for the duration of the block."""
    with _OPEN_LOCK:
        entry = _OPEN.get(index)
        if entry is None:
            entry = _OPEN[index] = _OpenSearcher()
            weakref.finalize(index, entry.close)
    with entry.lock:
        yield entry.current(index), entry


def close_searcher(index: CorpusIndex) -> None:
    """Close the searcher kept open for `index` (it reopens on the next search) and stop
    its helper process, if any."""
    with _OPEN_LOCK:
        entry = _OPEN.get(index)
    if entry is not None:
        with entry.lock:
            entry.close()
            helper, entry.helper = entry.helper, None
            if helper is not None:
                helper.close()


def warm(index: CorpusIndex, helper: bool = False) -> None:
    """Open the searcher and read the term lists that fuzzy terms and "did you mean" walk
    (`_lexicon`: 0.3 to 0.5 s at 100 MB), so that no search the user types pays for them.
    With `helper`, and an index of HELPER_MIN_DOCS documents or more, also start a helper
    process that scores half of the segments of the slow queries (index/search_helper.py;
    used once it has started). The app calls this in its indexing worker once the index is
    up to date."""
    with _searching(index) as (searcher, entry):
        big = searcher.doc_count_all() >= HELPER_MIN_DOCS
        if helper and big and (entry.helper is None or not entry.helper.alive):
            from index.search_helper import SegmentHelper

            entry.helper = SegmentHelper(index.whoosh_dir)
            weakref.finalize(index, entry.helper.close)
        reader = searcher.reader()
        for field in DEFAULT_FIELDS:
            if field in reader.schema:
                _lexicon(reader, field)


# --- parsing -------------------------------------------------------------------------------


def _parser(schema) -> MultifieldParser:
    fields = [*DEFAULT_FIELDS, VARIANTS_FIELD]
    parser = MultifieldParser(fields, schema, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(FuzzyTermPlugin())
    return parser


_QUOTED = re.compile(r'"[^"]*"')
_FIELD_PHRASE = re.compile(r'(?<=:)"[^"]*"')  # title:"Data sheet": the phrase is the value
_FIELD = re.compile(r"(?<![\w:])([A-Za-z_]\w*):(?=(\S?))")


def _check_syntax(text: str) -> None:
    """Reject what Whoosh would silently misread; the messages are shown to the user."""
    if not text.strip():
        raise QueryError("Empty query: type a word to search for.")
    if text.count('"') % 2:
        raise QueryError('Unbalanced quotes: a phrase opened with " is not closed.')
    unquoted = _QUOTED.sub(" _ ", _FIELD_PHRASE.sub("_", text))
    depth = 0
    for char in unquoted:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("Unbalanced parentheses: a ) has no matching (.")
    if depth:
        raise QueryError("Unbalanced parentheses: a ( is not closed.")
    for match in _FIELD.finditer(unquoted):
        name, following = match.group(1), match.group(2)
        if name not in _SEARCHABLE:
            if following == "/":
                continue  # "http://..." is text, not a field
            raise QueryError(f"Unknown field '{name}:'. Fields: {', '.join(_SEARCHABLE)}.")
        if following in ("", ")"):
            raise QueryError(f"'{name}:' needs something to search for, e.g. {name}:word.")
    words = unquoted.replace("(", " ( ").replace(")", " ) ").split()
    for i, word in enumerate(words):
        if word not in _OPERATORS:
            continue
        before = words[i - 1] if i else "("
        after = words[i + 1] if i + 1 < len(words) else ")"
        if after in _OPERATORS - {"NOT"} or after == ")":
            raise QueryError(f"'{word}' needs a term after it.")
        if word != "NOT" and (before in _OPERATORS or before == "("):
            raise QueryError(f"'{word}' needs a term before it.")


def parse_query(index: CorpusIndex, text: str) -> wq.Query:
    """The Whoosh query for a user's text, or QueryError with a message for the user."""
    _check_syntax(text)
    with _searching(index) as (searcher, entry):
        return _parse(text, searcher, entry)


def _parse(
    text: str, searcher: Searcher, entry: _OpenSearcher, found: VariantSet | None = None,
    variants: bool = True,
) -> wq.Query:
    """`parse_query` with the searcher held; the caller has run `_check_syntax`.

    The parser marks each bare word or phrase with a variants-field leaf; `respell` turns
    those into the body terms that respell the typed words (index/variants.py), noted in
    `found`; without `variants` the marks are dropped (the exact spellings only)."""
    q = entry.parser(searcher).parse(text)
    if _find(q, lambda node: getattr(node, "error", None) is not None):
        raise QueryError("This query could not be understood; check ranges and field names.")
    q = _drop_variant_multiterms(q)
    reader = searcher.reader()
    q = _restrict_variants(q, text, reader) if variants else _without_variants(q)
    q = respell(q, text, reader, lambda: _lexicon(reader, "body"), VARIANTS_FIELD,
                FIELD_BOOSTS[VARIANTS_FIELD], found if found is not None else VariantSet())
    if q is wq.NullQuery:
        raise QueryError("Nothing to search for: the query has no words.")
    return q


def _find(q: wq.Query, pred) -> bool:
    if pred(q):
        return True
    return any(_find(child, pred) for child in q.children())


def _drop_variant_multiterms(q: wq.Query) -> wq.Query:
    """Wildcards, ranges and fuzzy terms make no sense against phonetic codes: drop them."""
    if getattr(q, "fieldname", None) == VARIANTS_FIELD and isinstance(
        q, (wq.MultiTerm, wq.TermRange)
    ):
        return wq.NullQuery
    return q.apply(_drop_variant_multiterms).normalize()


def _without_variants(q: wq.Query) -> wq.Query:
    if getattr(q, "fieldname", None) == VARIANTS_FIELD:
        return wq.NullQuery
    return q.apply(_without_variants).normalize()


def _typed_words(q: wq.Query, text: str) -> list[str]:
    start, end = getattr(q, "startchar", None), getattr(q, "endchar", None)
    if start is None or end is None:
        return []
    return re.findall(r"\w[\w'’-]*", text[start:end])


def _restrict_variants(q: wq.Query, text: str, reader) -> wq.Query:
    """Match by sound only for words the user means as names.

    A phonetic code is coarse: `drone` and `Tehran` share one. So a typed word reaches the
    variants field only when it is capitalised as typed (`Babil`, `Thabet`), or when the corpus
    does not contain it at all (a spelling it doesn't use: `Asad`, `Nujabba`). Lowercase common
    words (`drone`, `base`) match exactly what they say.
    """
    if getattr(q, "fieldname", None) == VARIANTS_FIELD and isinstance(q, (wq.Term, wq.Phrase)):
        words = _typed_words(q, text)
        if not words:
            return q
        for word in words:
            if word[0].isupper() or not reader.doc_frequency("body", body_term(word)):
                return q
        return wq.NullQuery
    return q.apply(lambda child: _restrict_variants(child, text, reader)).normalize()


def _display(q: wq.Query) -> str:
    """A multi-term query as the user typed it (near enough) for a note."""
    if isinstance(q, wq.Prefix):
        return f"{q.text}*"
    if isinstance(q, wq.FuzzyTerm):
        return f"{q.text}~"
    return getattr(q, "text", None) or str(q)


_LEXICONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LEXICONS_LOCK = threading.Lock()


def _lexicon(reader, field: str) -> list[str]:
    """Every term of `field` in the index, sorted, read once per open reader (0.3 s for body
    and title at 100 MB) and kept with it: fuzzy lookups then step through memory."""
    with _LEXICONS_LOCK:
        fields = _LEXICONS.get(reader)
        if fields is None:
            fields = _LEXICONS[reader] = {}
        terms = fields.get(field)
        if terms is None:
            fieldobj = reader.schema[field]
            found: set[bytes] = set()
            for leaf, _ in reader.leaf_readers():
                if leaf.doc_count_all() and field in leaf.indexed_field_names():
                    found.update(leaf.lexicon(field))
            terms = fields[field] = sorted(fieldobj.from_bytes(b) for b in found)
        return terms


def _automaton_terms(dfa, terms: list[str]) -> Iterator[str]:
    """The terms a DFA accepts, jumping through the sorted list as Whoosh's
    `Automata.find_matches` jumps through a segment's term file."""
    if not terms:
        return
    i = 0
    match = dfa.next_valid_string(terms[0])
    while match:
        i = bisect_left(terms, match, i)
        if i >= len(terms):
            return
        term = terms[i]
        if match == term:
            yield term
            term += "\0"
        match = dfa.next_valid_string(term)


def _terms_within(reader, field: str, word: str, maxdist: int, prefix: int) -> set[str]:
    """Terms of `field` within `maxdist` edits of `word` sharing its first `prefix` letters.

    Found with Whoosh's Levenshtein automaton walked over the field's whole lexicon held in
    memory (`_lexicon`): asked of each segment on disk it cost ~70 ms per field at 100 MB
    (a hash-table seek per step), and the whole index's reader (a MultiReader) has no such
    method and falls back to a Python edit distance for every term (3 s per fuzzy query).
    """
    try:
        terms = _lexicon(reader, field)
    except Exception:  # a reader that cannot list its terms: ask each segment
        terms = None
    found: set[str] = set()
    if terms is not None:
        dfa = lev.levenshtein_automaton(word, maxdist, prefix).to_dfa()
        found.update(_automaton_terms(dfa, terms))
    else:
        for leaf, _ in reader.leaf_readers():
            if leaf.doc_count_all() == 0 or field not in leaf.indexed_field_names():
                continue
            found.update(leaf.terms_within(field, word, maxdist, prefix=prefix))
    # The automaton counts a swap of two neighbours ("teh") as two edits; Whoosh's own
    # Damerau-Levenshtein (and a typist) count one. Look the swaps up directly.
    for i in range(max(prefix, 0), len(word) - 1):
        if word[i] != word[i + 1]:
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if swapped not in found and (field, swapped) in reader:
                found.add(swapped)
    return found


def _candidates(q: wq.MultiTerm, reader, notes: list[str]) -> Iterable:
    if isinstance(q, wq.FuzzyTerm):
        maxdist = min(int(q.maxdist), MAX_FUZZY_DISTANCE)
        prefix = max(int(q.prefixlength), FUZZY_PREFIX)
        if q.maxdist > MAX_FUZZY_DISTANCE:
            notes.append(f"'{_display(q)}': fuzzy matching allows at most {MAX_FUZZY_DISTANCE} "
                         "changes; searched with that.")
        words = _terms_within(reader, q.fieldname, q.text, maxdist, prefix)
        return sorted(words)
    if type(q) is wq.Prefix:
        with _LEXICONS_LOCK:
            terms = _LEXICONS.get(reader, {}).get(q.fieldname)
        if terms is not None:  # held in memory (after `warm`): a slice, no walk of the files
            start = bisect_left(terms, q.text)
            end = bisect_left(terms, q.text + "\U0010ffff", start)
            return (terms[i].encode("utf-8") for i in range(start, end))
    return q._btexts(reader)


def _frequency_of(reader, field: str):
    """A sort key putting the most frequent terms of `field` first.

    Counted in the big segments only (those holding at least a tenth of the documents):
    the small ones an incremental update leaves behind cannot change which words are
    frequent, and asking each of them costs a hash lookup per candidate (a prefix may
    have a thousand).
    """
    big = _big_leaves(reader, field)

    def key(btext) -> int:
        return -sum(leaf.doc_frequency(field, btext) for leaf in big)

    return key


def _big_leaves(reader, field: str) -> list:
    """The segments holding at least a tenth of the documents (all, if none does)."""
    leaves = [leaf for leaf, _ in reader.leaf_readers() if leaf.doc_count_all()]
    total = sum(leaf.doc_count_all() for leaf in leaves)
    big = [leaf for leaf in leaves if leaf.doc_count_all() * 10 >= total] or leaves
    return [leaf for leaf in big if field in leaf.indexed_field_names()]


def _expand(q: wq.Query, reader, notes: list[str]) -> wq.Query:
    """Replace each wildcard/fuzzy/range term by an Or of at most MAX_EXPANSIONS real terms.

    A fuzzy term keeps its first letter (`FUZZY_PREFIX`) and at most `MAX_FUZZY_DISTANCE`
    edits, whatever the query says.
    """
    if isinstance(q, wq.MultiTerm):
        field = q.fieldname
        candidates = []
        for i, btext in enumerate(_candidates(q, reader, notes)):
            if i >= MAX_EXPANSIONS * 16:
                break
            candidates.append(btext)
        if len(candidates) > MAX_EXPANSIONS:
            candidates.sort(key=_frequency_of(reader, field))
            shown = _display(q)
            notes.append(
                f"'{shown}' matches more than {MAX_EXPANSIONS} words; "
                f"searched the {MAX_EXPANSIONS} most frequent."
            )
            candidates = candidates[:MAX_EXPANSIONS]
        if not candidates:
            return wq.NullQuery
        fieldobj = reader.schema[field]
        texts = [fieldobj.from_bytes(b) if isinstance(b, bytes) else b for b in candidates]
        terms = [wq.Term(field, t, boost=q.boost) for t in texts]
        return terms[0] if len(terms) == 1 else wq.Or(terms)
    return q.apply(lambda child: _expand(child, reader, notes))


def _total(q: wq.Query, reader, allowed: set[int] | None) -> int | None:
    """How many documents match, from the postings' document numbers (None: can't tell).

    Whoosh's top-N collection skips blocks that cannot reach the top, so it does not know
    the total; `len(results)` then runs the whole query again through its matcher tree
    (125 ms for a word in 8,500 of 10,000 documents). Reading each term's document numbers
    per segment and combining them as sets costs a tenth of that. Phrases and other
    queries return None and are counted by Whoosh.
    """
    try:
        docs = _docset(q, reader)
    except Exception:
        return None
    if docs is None:
        return None
    return len(docs & allowed) if allowed is not None else len(docs)


def _search_counting(searcher: Searcher, q: wq.Query, limit: int, allowed: set[int] | None):
    """Top `limit` hits whose `len()` is exact without a second run of the query.

    Whoosh's optimisations skip postings blocks (block quality) and drop branches of an OR
    that cannot reach the top (`replace`); both leave the total unknown, so `len(results)`
    would run the query again: twice the cost of a phrase. Without them one pass scores
    every match and counts it.
    """
    collector = searcher.collector(limit=limit, filter=allowed, optimize=False)
    leaf = collector
    while hasattr(leaf, "child"):
        leaf = leaf.child
    leaf.replace = 0
    searcher.search_with_collector(q, collector)
    return collector.results()


def _docset(q: wq.Query, reader) -> set[int] | None:
    if isinstance(q, wq.Term):
        found: set[int] = set()
        for leaf, base in reader.leaf_readers():
            if (q.fieldname, q.text) in leaf:
                ids = _term_ids(leaf, q.fieldname, q.text)
                found.update(ids if base == 0 else [base + d for d in ids])
        return found
    if type(q) is wq.Or and not getattr(q, "minmatch", 0):
        union: set[int] = set()
        for child in q.children():
            part = _docset(child, reader)
            if part is None:
                return None
            union |= part
        return union
    if type(q) is wq.And:
        positive = [c for c in q.children() if not isinstance(c, wq.Not)]
        negative = [c.query for c in q.children() if isinstance(c, wq.Not)]
        if not positive:
            return None
        sets = [_docset(c, reader) for c in positive]
        if any(part is None for part in sets):
            return None
        sets.sort(key=len)
        result = set(sets[0]).intersection(*sets[1:])
        for child in negative:
            part = _docset(child, reader)
            if part is None:
                return None
            result -= part
        return result
    if type(q) is wq.AndNot:
        a, b = _docset(q.a, reader), _docset(q.b, reader)
        return None if a is None or b is None else a - b
    if type(q) is wq.AndMaybe:
        return _docset(q.a, reader)
    if isinstance(q, _FastPhrase):
        return q.docset(reader)
    return None


# --- phrases -------------------------------------------------------------------------------


class _Posting:
    """What a Whoosh scorer reads of a matcher: the current document and its term weight."""

    __slots__ = ("_docnum", "_weight")

    def __init__(self, docnum: int, weight: float) -> None:
        self._docnum, self._weight = docnum, weight

    def id(self) -> int:
        return self._docnum

    def weight(self) -> float:
        return self._weight


class _ScoredDocs(Matcher):
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

    def copy(self) -> _ScoredDocs:
        m = _ScoredDocs(self._ids, self._scores)
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


def _term_postings(
    leaf, field: str, btext: bytes, wanted: list[int] | None, values: bool = True
) -> dict:
    """{docnum: (weight, value)} of one term in one segment, for the `wanted` documents
    (sorted; None: all). Read block by block: a block whose document range holds none of
    the wanted documents is not even decompressed, and nothing is decoded per posting.
    With `values=False` the values (positions and characters) are left out (value is None):
    scoring needs only the weights. A W3 block pickles ids, weights and values together, so
    they are decompressed all the same; only their copying is saved."""
    matcher = leaf.postings(field, btext)
    deleted = None
    if isinstance(matcher, FilterMatcher):
        deleted, matcher = leaf.deleted_docs_set, matcher.child
    found: dict = {}
    wanted_set = None if wanted is None else set(wanted)
    if not all(hasattr(matcher, a) for a in ("_read_ids", "_read_values", "_next_block")):
        while matcher.is_active():  # another codec: one posting at a time
            docnum = matcher.id()
            if wanted_set is None or docnum in wanted_set:
                found[docnum] = (matcher.weight(), matcher.value() if values else None)
            matcher.next()
    else:
        j, count = 0, 0 if wanted is None else len(wanted)
        while matcher.is_active():
            last = matcher.block_max_id()
            if wanted is not None:
                if j >= count:
                    break
                if wanted[j] > last:  # no wanted document in this block
                    matcher._next_block()
                    continue
            matcher._read_ids()
            matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            if values:
                matcher._read_values()
                data = matcher._values
            else:
                data = (None,) * len(ids)
            if wanted_set is None:
                found.update(zip(ids, zip(weights, data)))
            else:
                for k, docnum in enumerate(ids):
                    if docnum in wanted_set:
                        found[docnum] = (weights[k], data[k])
                j = bisect_left(wanted, last + 1, j)
            matcher._next_block()
    if deleted:
        for docnum in deleted:
            found.pop(docnum, None)
    return found


def _term_ids(leaf, field: str, text) -> list[int]:
    """The documents of one term in one segment, read a postings block at a time (the
    matcher's `all_ids` costs a few Python calls per posting)."""
    matcher = leaf.postings(field, text)
    deleted = None
    if isinstance(matcher, FilterMatcher):
        deleted, matcher = leaf.deleted_docs_set, matcher.child
    if not all(hasattr(matcher, a) for a in ("_read_ids", "_next_block")):
        return list(leaf.postings(field, text).all_ids())
    ids: list[int] = []
    while matcher.is_active():
        matcher._read_ids()
        ids.extend(matcher._ids)
        matcher._next_block()
    if deleted:
        ids = [d for d in ids if d not in deleted]
    return ids


def _char_pieces(value: bytes, group=0, variant_of=()) -> list[Piece]:
    """A `Characters` posting value's matches (Whoosh's `decode_characters`) as pieces."""
    pieces = []
    position = endchar = 0
    for dpos, dstart, dlen in _decoded(value):
        position += dpos
        startchar = endchar + dstart
        endchar = startchar + dlen
        pieces.append(Piece(startchar, endchar, position, position, group, variant_of))
    return pieces


def _decoded(value: bytes) -> list:
    """A posting value's pickled list (what Whoosh's `Positions`/`Characters` decode)."""
    if not value.endswith(b"."):
        value += b"."
    return loads(value[4:])


_FIRST = itemgetter(0)


class _FastPhrase(wq.Phrase):
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
    def of(cls, q: wq.Phrase) -> _FastPhrase:
        fast = cls(q.fieldname, list(q.words), slop=q.slop, boost=q.boost,
                   char_ranges=q.char_ranges)
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

    def _found(
        self, leaf, only: list[int] | None = None
    ) -> tuple[dict[int, set[int]], dict[bytes, dict]]:
        """({local docnum: start positions of the phrase}, {word: its postings read}), kept
        for the segment once found for all its documents; with `only` and nothing kept
        (the segment was scored in the helper process), found in those documents alone."""
        key = id(leaf)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is leaf:
            return cached[1], cached[2]
        if only is not None:
            return self._find(leaf, only)
        starts, postings = self._find(leaf)
        self._cache[key] = (leaf, starts, postings)
        return starts, postings

    def _btexts(self, schema) -> list[bytes] | None:
        field = schema[self.fieldname]
        try:
            return [field.to_bytes(word) for word in self.words]
        except ValueError:
            return None

    def _find(
        self, leaf, only: list[int] | None = None
    ) -> tuple[dict[int, set[int]], dict[bytes, dict]]:
        """({local docnum: start positions}, {word: postings read}) in one segment, for
        every document or `only` those (sorted)."""
        field = self.fieldname
        btexts = self._btexts(leaf.schema)
        if btexts is None or any((field, b) not in leaf for b in btexts):
            return {}, {}
        distinct = sorted(set(btexts), key=lambda b: leaf.doc_frequency(field, b))
        postings: dict[bytes, dict] = {}
        wanted: list[int] | None = only
        for btext in distinct:
            found = _term_postings(leaf, field, btext, wanted)
            postings[btext] = found
            wanted = sorted(found)
            if not wanted:
                return {}, postings
        rank = {b: i for i, b in enumerate(distinct)}
        order = sorted(range(len(btexts)), key=lambda i: rank[btexts[i]])
        chars = isinstance(leaf.schema[field].format, Characters)
        starts: dict[int, set[int]] = {}
        steps = [(i, postings[btexts[i]]) for i in order]
        first_i, first = steps[0]
        shift = (-first_i).__add__
        for docnum in wanted:
            # Positions as sets built in C (accumulate over the pickled deltas); only the
            # few candidate starts are looped over in Python.
            codes = _decoded(first[docnum][1])
            pos = accumulate(map(_FIRST, codes) if chars else codes)
            common = set(map(shift, pos)) if first_i else set(pos)
            for i, found in steps[1:]:
                codes = _decoded(found[docnum][1])
                present = set(accumulate(map(_FIRST, codes) if chars else codes))
                common = {start for start in common if start + i in present}
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
            per_word.append([scorer.score(_Posting(d, values[d][0])) for d in ids])
        scores = _tree_sum(per_word)
        if self.boost != 1.0:
            scores = [s * self.boost for s in scores]
        return _ScoredDocs(ids, scores)

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
        last = len(btexts) - 1
        out: dict[int, list[Piece]] = {}
        for docnum in docnums:
            found = starts.get(docnum)
            if not found:
                continue
            table: dict[bytes, dict[int, tuple[int, int]]] = {}
            for btext in set(btexts):
                where: dict[int, tuple[int, int]] = {}
                position = endchar = 0
                for dpos, dstart, dlen in _decoded(postings[btext][docnum][1]):
                    position += dpos
                    startchar = endchar + dstart
                    endchar = startchar + dlen
                    where[position] = (startchar, endchar)
                table[btext] = where
            pieces = []
            for start in sorted(found):
                chain = [table[b][start + i] for i, b in enumerate(btexts)]
                pieces.append(Piece(min(c[0] for c in chain), max(c[1] for c in chain),
                                    start, start + last, group, variant_of))
            out[docnum] = pieces
        return out


def _tree_sum(parts: list[list[float]]) -> list[float]:
    """Element-wise sums added in the order of Whoosh's `make_binary_tree` of matchers."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    left, right = _tree_sum(parts[:half]), _tree_sum(parts[half:])
    return [a + b for a, b in zip(left, right)]


class _FastNot(wq.Not):
    """A `Not` whose excluded documents are read once as a set (`_docset`) instead of
    being walked by the negated query's matcher tree in step with the positive part
    (`kernel NOT driver` spent most of its 70 ms there). Same matcher class, score (1.0)
    and size estimate as Whoosh's, so the And around it builds the same tree and scores."""

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        try:
            excluded = _docset(self.query, reader) if searcher.is_atomic() else None
        except Exception:
            excluded = None
        if excluded is None:
            return super().matcher(searcher, context)
        # Whoosh's top-N pruning asks the And's parts for their best possible score, and
        # Whoosh's Not answers with its query's: answer the same, or the pruning changes.
        quality = self.query.matcher(searcher, searcher.boolean_context()).max_quality()
        ids = sorted(excluded)
        return _Excluding(
            ListMatcher(ids, weights=[1.0] * len(ids)) if ids else NullMatcher(),
            reader.doc_count_all(),
            missing=reader.is_deleted,
            quality=quality,
        )


class _Excluding(InverseMatcher):
    """Whoosh's InverseMatcher over a known list of excluded documents. It is never
    replaced during pruning (the exclusions must hold) and reports the negated query's
    quality, as Whoosh's does (see `_FastNot`)."""

    def __init__(self, child, limit, missing=None, weight=1.0, id=0, quality=0.0) -> None:
        self._quality = quality
        super().__init__(child, limit, missing=missing, weight=weight, id=id)

    def copy(self) -> _Excluding:
        return _Excluding(self.child.copy(), self.limit, missing=self.missing,
                          weight=self._weight, id=self._id, quality=self._quality)

    def _replacement(self, newchild) -> _Excluding:
        return _Excluding(newchild, self.limit, missing=self.missing, weight=self._weight,
                          id=self._id, quality=self._quality)

    def replace(self, minquality=0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def max_quality(self) -> float:
        return self._quality


def _fast_paths(q: wq.Query) -> wq.Query:
    """`q` with adjacent-words phrases as `_FastPhrase` and exclusions as `_FastNot`."""
    if type(q) in (wq.Phrase, VariantPhrase):
        return _FastPhrase.of(q) if q.slop == 1 and len(q.words) > 1 else q
    if isinstance(q, wq.Phrase):
        return q
    if type(q) is wq.Not:
        return _FastNot(_fast_paths(q.query), boost=q.boost)
    return q.apply(_fast_paths)


# --- wide ORs (expanded wildcards and fuzzy terms) ----------------------------------------

_LENGTHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LENGTHS_LOCK = threading.Lock()
_WIDE_OR = 8  # an Or of at least this many clauses is scored by `_mapped_top`


def _field_lengths(leaf, field: str) -> list[int]:
    """Every document's length in `field` for one segment, as Whoosh's scorer reads it."""
    with _LENGTHS_LOCK:
        fields = _LENGTHS.get(leaf)
        if fields is None:
            fields = _LENGTHS[leaf] = {}
        lengths = fields.get(field)
        if lengths is None:
            lengths = fields[field] = [
                leaf.doc_field_length(d, field, 1) for d in range(leaf.doc_count_all())
            ]
        return lengths


def _term_scores(sub, term: wq.Term, weighting) -> list[tuple[int, float]]:
    """[(local docnum, score)] of one term in one segment, scored as Whoosh's matcher would
    (the term's boost included), from its postings read a block at a time."""
    field = term.fieldname
    if field not in sub.schema:
        return []
    fieldobj = sub.schema[field]
    try:
        btext = fieldobj.to_bytes(term.text)
    except ValueError:
        return []
    leaf = sub.reader()
    if (field, btext) not in leaf:
        return []
    scorer = weighting.scorer(sub, field, btext)
    postings = _term_postings(leaf, field, btext, None, values=False)
    if type(scorer).score is WeightLengthScorer.score and getattr(scorer, "dfl", None) is not None:
        lengths = _field_lengths(leaf, field)
        score = scorer._score
        values = [(d, score(w, lengths[d])) for d, (w, _) in postings.items()]
    else:
        values = [(d, scorer.score(_Posting(d, w))) for d, (w, _) in postings.items()]
    if term.boost != 1.0:
        values = [(d, s * term.boost) for d, s in values]
    return values


def _mappable(q: wq.Query) -> bool:
    """Whether `_score_map` can score `q`: terms and adjacent-word phrases under Ands and
    plain Ors."""
    if type(q) in (wq.Term, _FastPhrase):
        return True
    if type(q) is wq.And or (type(q) is wq.Or and not q.minmatch and not q.scale):
        return all(_mappable(c) for c in q.subqueries)
    return False


def _score_map(q: wq.Query, sub, context) -> dict[int, float]:
    """{local docnum: score} of a `_mappable` query in one segment, as Whoosh scores it.

    Whoosh's matcher trees step posting by posting through Python objects (a union or an
    intersection matcher per pair of clauses, a block-quality check per step); for an And
    of common words or an Or of many terms that walk was most of a search (140 ms for
    `supported AND being`, 780 ms for `cons*`). Here each term's postings are read a block at
    a time and scored with Whoosh's scorer objects; an Or adds its clauses' scores, an And
    adds them over the documents every clause matches, and a boost multiplies, as Whoosh's
    union, intersection and wrapping matchers do. Only the order of floating-point additions
    may differ (tests/test_search.py compares rankings and scores).
    """
    kind = type(q)
    if kind is wq.Term:
        return dict(_term_scores(sub, q, context.weighting))
    if kind is _FastPhrase:
        matcher = q.matcher(sub, context)
        if isinstance(matcher, _ScoredDocs):
            return dict(zip(matcher._ids, matcher._scores))
        return {d: matcher.score() for d in _matcher_ids(matcher)}
    parts = [_score_map(c, sub, context) for c in q.subqueries]
    if kind is wq.Or:
        scores: dict[int, float] = {}
        get = scores.get
        for part in parts:
            for d, s in part.items():
                scores[d] = get(d, 0.0) + s
    else:  # And
        smallest = min(parts, key=len)
        common = set(smallest).intersection(*(p for p in parts if p is not smallest))
        scores = {d: sum(p[d] for p in parts) for d in common}
    if q.boost != 1.0:
        scores = {d: s * q.boost for d, s in scores.items()}
    return scores


def _matcher_ids(matcher) -> Iterator[int]:
    while matcher.is_active():
        yield matcher.id()
        matcher.next()


def _mapped_top(
    q: wq.Query, searcher, allowed: set[int] | None, limit: int, helper=None
):
    """(total, [(docnum, score)] best first) through `_score_map`, for the queries where it
    beats Whoosh's matchers (an And, a phrase, an Or of `_WIDE_OR` or more clauses), else
    None. Ties are ranked by document number, as Whoosh's collector ranks them.

    With a ready `helper` (index/search_helper.py) about half of the documents' segments are
    scored in that process while this one scores the rest."""
    ready = helper is not None and helper.ready()
    if not _block_wise(q, split=ready):
        return None
    context = searcher.context(weighting=searcher.weighting)
    if context.needs_current:
        return None
    leaves = list(searcher.leaf_searchers())
    theirs: list = []
    if ready and len(leaves) > 1:
        mine, theirs = _split(leaves)
        request = _request(
            q, searcher, theirs, limit=limit,
            allowed=frozenset(allowed) if allowed is not None else None,
        )
        if helper.ask(request):
            leaves = mine
        else:
            theirs = []
    own = _score_segments(q, searcher, leaves, allowed, limit, context)
    if not theirs:
        return own
    answer = helper.answer()
    if answer is None:  # the helper could not: score its segments here
        answer = _score_segments(q, searcher, theirs, allowed, limit, context)
    from index.search_helper import merge_top

    return merge_top([own, answer], limit)


def _block_wise(q: wq.Query, split: bool = False) -> bool:
    """Whether `_mapped_top` scores `q`: an Or of `_WIDE_OR`+ clauses, a phrase, an And, or,
    when the work is `split` with a helper process, any Or of 3+ clauses."""
    if not _mappable(q):
        return False
    if type(q) is wq.Or and len(q.subqueries) >= (3 if split else _WIDE_OR):
        return True
    return _find(q, lambda n: type(n) in (_FastPhrase, wq.And))


def _split(leaves: list) -> tuple[list, list]:
    """The segments in two groups of about equal document counts (the helper takes the
    second). Segment order is kept in each group; only totals and scores are merged."""
    groups: tuple[list, list] = ([], [])
    counts = [0, 0]
    for leaf in sorted(leaves, key=lambda item: -item[0].doc_count_all()):
        side = 0 if counts[0] <= counts[1] else 1
        groups[side].append(leaf)
        counts[side] += leaf[0].doc_count_all()
    return sorted(groups[0], key=_BASE), sorted(groups[1], key=_BASE)


_BASE = itemgetter(1)


def _request(q: wq.Query, searcher, segments, **fields):
    """A helper request about `segments` ((leaf searcher, base) pairs) of this searcher."""
    from index.search_helper import Request

    return Request(
        generation=searcher.reader().generation(),
        query=q,
        segments=tuple((sub.reader().segment().segment_id(), base) for sub, base in segments),
        **fields,
    )


def _score_segments(
    q: wq.Query, searcher, leaves, allowed: set[int] | frozenset[int] | None, limit: int,
    context=None,
) -> tuple[int, list[tuple[int, float]]]:
    """(total, best `limit` (docnum, score)) of a `_mappable` query over some segments."""
    if context is None:
        context = searcher.context(weighting=searcher.weighting)
    scores: dict[int, float] = {}
    for sub, base in leaves:
        for d, s in _score_map(q, sub, context).items():
            scores[base + d] = s
    if allowed is not None:
        scores = {d: s for d, s in scores.items() if d in allowed}
    total = len(scores)
    ranked = heapq.nsmallest(limit, ((-s, d) for d, s in scores.items() if s > 0))
    return total, [(d, -s) for s, d in ranked]


def _exclusion_top(q: wq.Query, searcher, allowed: set[int] | None, limit: int):
    """(total, [(docnum, score)] best first) for `a NOT b`, else None.

    Whoosh scores `And([a, Not(b)])` as a's score plus 1.0 (its InverseMatcher's weight)
    but walks every document that lacks b, one by one, in step with a. Here b's documents
    are read once as a set and a is searched with them masked out; the 1.0 is added after.
    A few more than `limit` are fetched so that scores which the + 1.0 rounds to a tie are
    ordered as Whoosh orders ties (by document number).
    """
    if type(q) is not wq.And or q.boost != 1.0 or len(q.subqueries) != 2:
        return None
    positive = [c for c in q.subqueries if not isinstance(c, wq.Not)]
    negative = [c for c in q.subqueries if isinstance(c, wq.Not)]
    if len(positive) != 1 or len(negative) != 1:
        return None
    reader = searcher.reader()
    try:
        excluded = _docset(negative[0].query, reader)
        found = _docset(positive[0], reader)
    except Exception:
        return None
    if excluded is None or found is None:
        return None
    found -= excluded
    total = len(found & allowed) if allowed is not None else len(found)
    results = searcher.search(positive[0], limit=limit + 10, filter=allowed, mask=excluded)
    ranked = sorted(((hit.score + 1.0, hit.docnum) for hit in results), key=lambda x: (-x[0], x[1]))
    return total, [(docnum, score) for score, docnum in ranked[:limit]]

# --- spans and snippets --------------------------------------------------------------------


def _positive_leaves(q: wq.Query) -> list[wq.Query]:
    """Term and Phrase queries that can contribute highlights (not under a NOT)."""
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return _positive_leaves(q.a)
    if isinstance(q, (wq.Term, wq.Phrase)):
        return [q] if q.field() in _CHAR_FIELDS else []
    leaves: list[wq.Query] = []
    for child in q.children():
        leaves.extend(_positive_leaves(child))
    return leaves


def _grouped_leaves(q: wq.Query, group: tuple = ()) -> list[tuple[wq.Query, tuple]]:
    """`_positive_leaves` with the query word each belongs to: the path of And clauses above
    it (an Or's clauses, e.g. a word's fields and variants, stay one word). Match units
    join the pieces of different words only (index/match_units.py)."""
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return _grouped_leaves(q.a, group)
    if isinstance(q, (wq.Term, wq.Phrase)):
        return [(q, group)] if q.field() in _CHAR_FIELDS else []
    split = type(q) is wq.And
    found: list[tuple[wq.Query, tuple]] = []
    for i, child in enumerate(q.children()):
        found.extend(_grouped_leaves(child, group + (i,) if split else group))
    return found


def _spans_by_doc(
    q: wq.Query, searcher, docnums: list[int], segments=None
) -> dict[int, list[MatchUnit]]:
    """Match units (index/match_units.py) for each docnum, read from the postings.

    One matcher per query leaf and per segment that holds wanted documents, moved forward
    with `skip_to` from one wanted document to the next; segments without any of them are
    not touched (a prefix expanded to 64 terms would otherwise open 64 matchers on each).
    `segments`: (leaf searcher, base) pairs to look in (default: all); the spans of
    documents in no given segment stay empty.
    """
    wanted = sorted(set(docnums))
    found: dict[int, list[Piece]] = {d: [] for d in wanted}
    leaves = _grouped_leaves(q)
    for sub, offset in segments if segments is not None else searcher.leaf_searchers():
        end = offset + sub.reader().doc_count_all()
        local = [d - offset for d in wanted if offset <= d < end]
        if not local:
            continue
        for leaf, group in leaves:
            variant_of = getattr(leaf, "variant_of", ())
            if isinstance(leaf, _FastPhrase):
                pieces_of = leaf.char_pieces(sub.reader(), local, group, variant_of)
                for docnum, pieces in pieces_of.items():
                    found[docnum + offset].extend(pieces)
                continue
            if type(leaf) is wq.Term and type(sub.schema[leaf.fieldname].format) is Characters:
                reader = sub.reader()
                try:
                    btext = sub.schema[leaf.fieldname].to_bytes(leaf.text)
                except ValueError:
                    continue
                if (leaf.fieldname, btext) in reader:
                    postings = _term_postings(reader, leaf.fieldname, btext, local)
                    for docnum, (_, value) in postings.items():
                        found[docnum + offset].extend(_char_pieces(value, group, variant_of))
                continue
            matcher = leaf.matcher(sub)
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() != docnum:
                    continue
                found[docnum + offset].extend(
                    Piece(sp.startchar, sp.endchar,
                          -1 if sp.start is None else sp.start,
                          -1 if sp.end is None else sp.end, group, variant_of)
                    for sp in matcher.spans()
                    if sp.startchar is not None
                )
    return {d: match_units(pieces) for d, pieces in found.items()}


def _shown_spans(q: wq.Query, searcher, docnums: list[int], helper) -> dict[int, list[MatchUnit]]:
    """`_spans_by_doc` for the hits shown; for a query `_mapped_top` scores (a prefix's 64
    words, a phrase) the documents in the helper's segments are done there meanwhile."""
    leaves = list(searcher.leaf_searchers())
    if (helper is None or len(leaves) < 2 or len(docnums) < 2 or not helper.ready()
            or not _block_wise(q, split=True)):
        return _spans_by_doc(q, searcher, docnums)
    mine, theirs = _split(leaves)
    bounds = [(base, base + sub.reader().doc_count_all()) for sub, base in theirs]
    far = [d for d in docnums if any(lo <= d < hi for lo, hi in bounds)]
    if not far or len(far) == len(docnums):
        return _spans_by_doc(q, searcher, docnums)
    asked = helper.ask(_request(q, searcher, theirs, limit=0, allowed=None, spans_of=tuple(far)))
    if not asked:
        return _spans_by_doc(q, searcher, docnums)
    far_set = set(far)
    near = [d for d in docnums if d not in far_set]
    found = _spans_by_doc(q, searcher, near, mine)
    answer = helper.spans()
    found.update(answer if answer is not None else _spans_by_doc(q, searcher, far, theirs))
    return found


def snippet(text: str, spans: list[Span], width: int = SNIPPET_CHARS) -> tuple[str, tuple[Span, ...]]:
    """About `width` characters around the densest cluster of spans, whitespace collapsed.

    Returns the snippet and the spans inside it as offsets into the snippet. An ellipsis
    marks each end that cuts the text.
    """
    start = 0
    if spans:
        best, best_count, j = 0, 0, 0
        for i, span in enumerate(spans):  # the window starting at spans[i] covering most spans
            j = max(j, i)
            while j + 1 < len(spans) and spans[j + 1].end - span.start <= width:
                j += 1
            if j - i + 1 > best_count:
                best, best_count = i, j - i + 1
        first, last = spans[best], spans[best + best_count - 1]
        slack = max(0, width - (last.end - first.start))
        start = max(0, first.start - slack // 3)
        if start > 0:  # begin at a word boundary, never after the first match
            space = text.rfind(" ", start - 20 if start >= 20 else 0, start)
            start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):  # end at a word boundary
        space = text.rfind(" ", end - 30, end)
        end = space if space > start else end
    pieces: list[str] = ["…"] if start > 0 else []
    length = len(pieces)
    where: dict[int, int] = {}
    pending_space = False
    for i in range(start, end):
        char = text[i]
        if char.isspace():
            pending_space = length > 0
            continue
        if pending_space:
            pieces.append(" ")
            length += 1
            pending_space = False
        where[i] = length
        pieces.append(char)
        length += 1
    if end < len(text):
        pieces.append("…")
    inside = []
    for span in spans:
        s, e = max(span.start, start), min(span.end, end)
        if s < e and s in where and (e - 1) in where:
            inside.append(Span(where[s], where[e - 1] + 1))
    return "".join(pieces), tuple(inside)


# --- search --------------------------------------------------------------------------------


def search(
    index: CorpusIndex,
    query: str,
    page: int = 1,
    pagelen: int = 20,
    doc_ids: Iterable[str] | None = None,
    variants: bool = True,
) -> SearchResults:
    """One page of ranked hits for `query`; raises QueryError for a query that cannot run.

    `doc_ids` restricts the search to those documents (e.g. a user's selection); without
    `variants` only the spellings typed are searched (no index/variants.py respellings).
    """
    started = time.perf_counter()
    page, pagelen = max(1, page), max(1, pagelen)
    _check_syntax(query)
    notes: list[str] = []
    found = VariantSet()
    with _searching(index) as (searcher, entry):
        q = together_first(_parse(query, searcher, entry, found, variants), query)
        q = _fast_paths(_expand(q, searcher.reader(), notes).normalize())
        allowed = None
        if doc_ids is not None:
            allowed = {
                n for n in (searcher.document_number(id=d) for d in doc_ids) if n is not None
            }
        if allowed is not None and not allowed or q is wq.NullQuery:
            total, top = 0, []
        else:
            wide = _mapped_top(q, searcher, allowed, page * pagelen, entry.helper)
            if wide is None:
                wide = _exclusion_top(q, searcher, allowed, page * pagelen)
            if wide is not None:
                total, ranked = wide
            else:
                total = _total(q, searcher.reader(), allowed)
                if total is not None:
                    results = searcher.search(q, limit=page * pagelen, filter=allowed)
                else:  # e.g. a phrase: collect every match once, counting as it goes
                    results = _search_counting(searcher, q, page * pagelen, allowed)
                    total = len(results)
                ranked = [(hit.docnum, hit.score) for hit in results]
            top = [
                (docnum, score, searcher.stored_fields(docnum))
                for docnum, score in ranked[(page - 1) * pagelen :]
            ]
        spans = _shown_spans(q, searcher, [docnum for docnum, _, _ in top], entry.helper)
        hits = tuple(_hit(index, fields, score, spans[d], notes) for d, score, fields in top)
        suggestions = _suggestions(index, q, query, searcher, total)
        added = _added_spellings(index, searcher, found, hits) if total else ()
    return SearchResults(
        query=query,
        total=total,
        page=page,
        pagelen=pagelen,
        hits=hits,
        suggestions=suggestions,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
        added=added,
    )


def _added_spellings(index: CorpusIndex, searcher, found: VariantSet, hits) -> tuple:
    """The variant spellings a search added, as the corpus writes them (read from the hits
    shown when one of them has it, else from one posting), most frequent first."""
    reader = searcher.reader()
    written: dict[str, str] = {}
    for hit in hits:
        for unit in hit.units:
            if not unit.exact:
                for word in WORD_RE.findall(unit.text):
                    written.setdefault(body_term(word), word)
    out = []
    for term, typed in found.added.items():
        if not found.is_variant(term):
            continue
        count = int(reader.frequency("body", term) or 0)
        if count:
            spelling = written.get(term) or _surface(index, searcher, term, lower=False)
            out.append(AddedSpelling(typed[0], spelling, count))
    out.sort(key=lambda a: (-a.occurrences, a.spelling))
    return tuple(out)


def _hit(
    index: CorpusIndex, fields: dict, score: float, units: list[MatchUnit], notes: list[str]
) -> Hit:
    doc_id = fields["id"]
    title = fields.get("title", doc_id)
    text = _read_text(index, doc_id, fields.get("sha256"))
    if text is None:
        notes.append(f"{doc_id} changed or vanished since it was indexed; update the index.")
        return Hit(doc_id, title, score, (), "", ())
    spans = [unit.span for unit in units]
    snip, snip_spans = snippet(text, spans)
    units = [replace(unit, text=text[unit.start : unit.end]) for unit in units]
    return Hit(doc_id, title, score, tuple(spans), snip, snip_spans, tuple(units))


def _read_text(index: CorpusIndex, doc_id: str, sha256: str | None) -> str | None:
    """The text the index was built from, or None when the file changed since."""
    try:
        text, now = index.corpus.read_text(doc_id)
    except Exception:  # vanished, unreadable: the hit stays, without a snippet
        return None
    if sha256 and now != sha256:
        return None
    return text


def _suggestions(
    index: CorpusIndex, q: wq.Query, text: str, searcher, total: int
) -> tuple[str, ...]:
    """Corrected query strings for searched words that are not in the body at all.

    Offered when nothing was found, and also when a missing word found hits only by sound
    (`Nujabba` finds `Nujaba` through the variants field), so the user still learns the
    spelling the corpus uses. A missing word in an OR that other words satisfied gets none.
    The body holds stems ("withdraw"), so each suggestion is shown as a word the corpus
    actually contains ("withdrawal"), read at one posting's offsets.
    """
    reader = searcher.reader()
    fixes: list[tuple[int, int, list[str]]] = []
    for leaf in _positive_leaves(q):
        if not isinstance(leaf, wq.Term) or leaf.fieldname != "body":
            continue
        start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
        if start is None or end is None:  # not typed: e.g. one of a prefix's 64 words
            continue
        if reader.doc_frequency("body", leaf.text):
            continue
        word = fold(text[start:end])
        if total and not variants_of(reader, lambda: _lexicon(reader, "body"), leaf.text):
            continue
        maxdist = 1 if len(word) <= 4 else 2
        candidates: list[str] = []
        # The body holds stems, so a misspelt word is compared both as typed and as its stem
        # (`goverment` stems to `gover`, one edit from `govern`).
        stems = _suggest(reader, word, maxdist)
        stemmed = body_term(word)
        if stemmed != word:
            stems += [s for s in _suggest(reader, stemmed, maxdist) if s not in stems]
        for stem in stems[:3]:
            surface = _surface(index, searcher, stem)
            if surface != word and surface not in candidates:
                candidates.append(surface)
        if candidates:
            fixes.append((start, end, candidates))
    if not fixes:
        return ()
    out = []
    for rank in range(max(len(c) for _, _, c in fixes)):
        fixed = text
        for start, end, candidates in sorted(fixes, reverse=True):
            fixed = fixed[:start] + candidates[min(rank, len(candidates) - 1)] + fixed[end:]
        if fixed not in out:
            out.append(fixed)
    return tuple(out)


def _suggest(reader, word: str, maxdist: int, limit: int = 3) -> list[str]:
    """Body terms near `word`, most frequent first (as Whoosh's ReaderCorrector ranks them),
    found per segment (see `_terms_within`) instead of by a walk of the whole lexicon.
    Words one edit away are looked for first; two edits (a slower search) only without any."""
    found: set[str] = set()
    for distance in range(1, maxdist + 1):
        found = _terms_within(reader, "body", word, distance, FUZZY_PREFIX)
        found.discard(word)
        if found:
            break
    ranked = sorted(found, key=lambda term: (-(reader.frequency("body", term) or 1), term))
    return ranked[:limit]


def _surface(index: CorpusIndex, searcher, stem: str, lower: bool = True) -> str:
    """A word of the corpus that indexes as `stem`, lowercased unless not `lower` (the stem
    itself if unreadable)."""
    matcher = searcher.postings("body", stem)
    if not matcher.is_active():
        return stem
    fields = searcher.stored_fields(matcher.id())
    spans = matcher.spans()
    text = _read_text(index, fields["id"], fields.get("sha256"))
    if text is None or not spans:
        return stem
    word = text[spans[0].startchar : spans[0].endchar]
    return word.lower() if lower else word


def match_spans(
    index: CorpusIndex, doc_id: str, query: str, variants: bool = True
) -> tuple[Span, ...]:
    """Where `query` matches inside one document (search within the open document)."""
    return tuple(unit.span for unit in matches_in(index, doc_id, query, variants))


def matches_in(
    index: CorpusIndex, doc_id: str, query: str, variants: bool = True
) -> tuple[MatchUnit, ...]:
    """`query`'s match units in one document, each saying whether it is a variant."""
    _check_syntax(query)
    with _searching(index) as (searcher, entry):
        q = _parse(query, searcher, entry, variants=variants)
        q = _fast_paths(_expand(q, searcher.reader(), []))
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or q is wq.NullQuery:
            return ()
        return tuple(_spans_by_doc(q, searcher, [docnum])[docnum])
