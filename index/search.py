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

import hashlib
import re
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser
from whoosh.searching import Searcher

from index.analysis import body_term, fold, metaphone_codes
from index.decoding import decode
from index.document import Span
from index.indexer import CorpusIndex
from index.schema import DEFAULT_FIELDS, FIELD_BOOSTS, VARIANTS_FIELD

__all__ = [
    "Hit", "QueryError", "SearchResults", "close_searcher", "match_spans", "parse_query", "search",
]

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
    """Close the searcher kept open for `index` (it reopens on the next search)."""
    with _OPEN_LOCK:
        entry = _OPEN.get(index)
    if entry is not None:
        with entry.lock:
            entry.close()


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


def _parse(text: str, searcher: Searcher, entry: _OpenSearcher) -> wq.Query:
    """`parse_query` with the searcher held; the caller has run `_check_syntax`."""
    q = entry.parser(searcher).parse(text)
    if _find(q, lambda node: getattr(node, "error", None) is not None):
        raise QueryError("This query could not be understood; check ranges and field names.")
    q = _drop_variant_multiterms(q)
    q = _restrict_variants(q, text, searcher.reader())
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


def _terms_within(reader, field: str, word: str, maxdist: int, prefix: int) -> set[str]:
    """Terms of `field` within `maxdist` edits of `word` sharing its first `prefix` letters.

    Asked of each segment with Whoosh's automaton, which skips through the sorted term list:
    the whole index's reader (a MultiReader) has no such method and falls back to computing
    a Python edit distance for every term of the merged lexicon (3 s per fuzzy query).
    """
    found: set[str] = set()
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
    return q._btexts(reader)


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
            candidates.sort(key=lambda b: -reader.doc_frequency(field, b))
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
                found.update(base + d for d in leaf.postings(q.fieldname, q.text).all_ids())
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
    return None


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


def _spans_by_doc(q: wq.Query, searcher, docnums: list[int]) -> dict[int, list[Span]]:
    """Matched character spans for each docnum, read from the postings.

    One matcher per query leaf and per segment that holds wanted documents, moved forward
    with `skip_to` from one wanted document to the next; segments without any of them are
    not touched (a prefix expanded to 64 terms would otherwise open 64 matchers on each).
    """
    wanted = sorted(set(docnums))
    found: dict[int, list[Span]] = {d: [] for d in wanted}
    leaves = _positive_leaves(q)
    for sub, offset in searcher.leaf_searchers():
        end = offset + sub.reader().doc_count_all()
        local = [d - offset for d in wanted if offset <= d < end]
        if not local:
            continue
        for leaf in leaves:
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
                    Span(sp.startchar, sp.endchar)
                    for sp in matcher.spans()
                    if sp.startchar is not None
                )
    return {d: _merge(spans) for d, spans in found.items()}


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with overlapping spans (a word found by body and variants) merged."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start < merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


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
) -> SearchResults:
    """One page of ranked hits for `query`; raises QueryError for a query that cannot run.

    `doc_ids` restricts the search to those documents (e.g. a user's selection).
    """
    started = time.perf_counter()
    page, pagelen = max(1, page), max(1, pagelen)
    _check_syntax(query)
    notes: list[str] = []
    with _searching(index) as (searcher, entry):
        q = _parse(query, searcher, entry)
        q = _expand(q, searcher.reader(), notes).normalize()
        allowed = None
        if doc_ids is not None:
            allowed = {
                n for n in (searcher.document_number(id=d) for d in doc_ids) if n is not None
            }
        if allowed is not None and not allowed or q is wq.NullQuery:
            total, top = 0, []
        else:
            total = _total(q, searcher.reader(), allowed)
            if total is not None:
                results = searcher.search(q, limit=page * pagelen, filter=allowed)
            else:  # e.g. a phrase: collect every match once, counting as it goes
                results = _search_counting(searcher, q, page * pagelen, allowed)
                total = len(results)
            top = [(hit.docnum, hit.score, hit.fields()) for hit in results[(page - 1) * pagelen :]]
        spans = _spans_by_doc(q, searcher, [docnum for docnum, _, _ in top])
        hits = tuple(_hit(index, fields, score, spans[d], notes) for d, score, fields in top)
        suggestions = _suggestions(index, q, query, searcher, total)
    return SearchResults(
        query=query,
        total=total,
        page=page,
        pagelen=pagelen,
        hits=hits,
        suggestions=suggestions,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )


def _hit(index: CorpusIndex, fields: dict, score: float, spans: list[Span], notes: list[str]) -> Hit:
    doc_id = fields["id"]
    text = _read_text(index, doc_id, fields.get("sha256"))
    if text is None:
        notes.append(f"{doc_id} changed or vanished since it was indexed; update the index.")
        return Hit(doc_id, fields.get("title", doc_id), score, (), "", ())
    snip, snip_spans = snippet(text, spans)
    return Hit(doc_id, fields.get("title", doc_id), score, tuple(spans), snip, snip_spans)


def _read_text(index: CorpusIndex, doc_id: str, sha256: str | None) -> str | None:
    """The text the index was built from, or None when the file changed since."""
    try:
        file = index.corpus.file(doc_id)
        data = file.path.read_bytes()
    except Exception:  # vanished, unreadable: the hit stays, without a snippet
        return None
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        return None
    try:
        return decode(data)[0]
    except Exception:
        return None


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
        if reader.doc_frequency("body", leaf.text):
            continue
        start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
        if start is None or end is None:
            continue
        word = fold(text[start:end])
        if total and not reader.doc_frequency(VARIANTS_FIELD, metaphone_codes(word)[0]):
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


def _surface(index: CorpusIndex, searcher, stem: str) -> str:
    """A lowercase word of the corpus that indexes as `stem` (the stem itself if unreadable)."""
    matcher = searcher.postings("body", stem)
    if not matcher.is_active():
        return stem
    fields = searcher.stored_fields(matcher.id())
    spans = matcher.spans()
    text = _read_text(index, fields["id"], fields.get("sha256"))
    if text is None or not spans:
        return stem
    return text[spans[0].startchar : spans[0].endchar].lower()


def match_spans(index: CorpusIndex, doc_id: str, query: str) -> tuple[Span, ...]:
    """Where `query`'s words match inside one document (search within the open document)."""
    _check_syntax(query)
    with _searching(index) as (searcher, entry):
        q = _parse(query, searcher, entry)
        q = _expand(q, searcher.reader(), [])
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or q is wq.NullQuery:
            return ()
        return tuple(_spans_by_doc(q, searcher, [docnum])[docnum])
