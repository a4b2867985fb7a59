"""Frequencies: the most frequent terms (whole corpus, or passages under a tag), tag counts, and a
timeline of documents by date.

Whole-corpus terms come from the index's term statistics, never from re-reading the texts
(index/term_counts.py, which also says how they are made exact and fast). The body field holds
stems (`forces` -> `forc`): each term is shown as a lowercase word of the corpus with that stem,
and passages' words are grouped by the same stem, so both lists read alike. Stop words
(`STOPWORDS`, or the caller's), one-letter terms and terms with no letter (numbers) are left out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from index.analysis import WORD_RE, body_term, fold
from index.document import DocumentMeta
from index.indexer import CorpusIndex
from index.term_counts import most_frequent_terms
from reader.analytics.matrix import attribute_value
from reader.store import AnnotationStore

__all__ = [
    "STOPWORDS",
    "TagCount",
    "TermCount",
    "TimelineEntry",
    "corpus_terms",
    "passage_terms",
    "tag_counts",
    "term_frequencies",
    "text_terms",
    "timeline",
]

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's however i
    i'd i'll i'm i've if in into is isn't it it's its itself just let's may me might more most
    must mustn't my myself no nor not now of off on once only or other ought our ours ourselves
    out over own per said same say says shall shan't she she'd she'll she's should shouldn't since
    so some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through thus to too under until up upon us very
    was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
    whether which while who who's whom whose why why's will with within without won't would
    wouldn't yet you you'd you'll you're you've your yours yourself yourselves""".split()
)
"""English stop words (the usual function words and contractions)."""

_HAS_LETTER = re.compile(r"[^\W\d_]")


class TermCount(NamedTuple):
    term: str  # a word as written in the corpus (lowercase)
    count: int  # type: ignore[assignment]  # the JSON's name; shadows tuple.count, never called


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int  # annotations carrying exactly this tag
    documents: int  # documents with at least one of them


@dataclass(frozen=True)
class TimelineEntry:
    date: str  # YYYY-MM-DD, YYYY-MM or YYYY depending on the granularity
    doc_ids: tuple[str, ...]


def _stop_terms(stopwords: Iterable[str]) -> frozenset[str]:
    words = {fold(w) for w in stopwords}
    return frozenset(words | {body_term(w) for w in words} | {body_term(w.replace("'", "")) for w in words})


def _keep(term: str, stops: frozenset[str]) -> bool:
    return len(term) > 1 and term not in stops and _HAS_LETTER.search(term) is not None


# --- passages and plain texts ------------------------------------------------------------------


def text_terms(texts: Iterable[str], limit: int = 50, stopwords: Iterable[str] = STOPWORDS) -> list[TermCount]:
    """The `limit` most frequent words of some texts, grouped by stem, stop words left out.

    Each stem is shown as its most frequent lowercase spelling. Ties: alphabetical.
    """
    stops = _stop_terms(stopwords)
    stems: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for word in WORD_RE.findall(text):
            folded = fold(word)
            stem = body_term(word)
            if folded in stops or not _keep(stem, stops):
                continue
            stems[stem] += 1
            spellings[stem][word.lower()] += 1
    ranked = sorted(stems.items(), key=lambda kv: (-kv[1], _most_common(spellings[kv[0]])))
    return [TermCount(_most_common(spellings[stem]), n) for stem, n in ranked[:limit]]


def _most_common(counter: Counter[str]) -> str:
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def passage_terms(
    store: AnnotationStore, tag: str, limit: int = 50, stopwords: Iterable[str] = STOPWORDS
) -> list[TermCount]:
    """Most frequent words of the passages under `tag` (and the tags below it), from their quotes."""
    return text_terms((a.quote.exact for a in store.annotations(tag=tag)), limit, stopwords)


# --- the whole corpus, from the index ---------------------------------------------------------


def corpus_terms(index: CorpusIndex, limit: int = 50, stopwords: Iterable[str] = STOPWORDS) -> list[TermCount]:
    """The `limit` most frequent terms of the whole corpus, from the index statistics
    (index/term_counts.py)."""
    stops = _stop_terms(stopwords)
    return [
        TermCount(word, count) for word, count in most_frequent_terms(index, lambda term: _keep(term, stops), limit)
    ]


def term_frequencies(
    index: CorpusIndex,
    store: AnnotationStore | None = None,
    tag: str | None = None,
    limit: int = 50,
    stopwords: Iterable[str] = STOPWORDS,
) -> list[TermCount]:
    """Most frequent terms of the corpus (`tag=None`) or of the passages under `tag`."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if tag is None:
        return corpus_terms(index, limit, stopwords)
    if store is None:
        raise ValueError("term frequencies under a tag need the annotation store")
    return passage_terms(store, tag, limit, stopwords)


# --- tags and dates ---------------------------------------------------------------------------


def tag_counts(store: AnnotationStore) -> list[TagCount]:
    """Every tag used (or in the codebook) with its passages and documents, most used first."""
    passages: Counter[str] = Counter()
    documents: dict[str, set[str]] = defaultdict(set)
    for a in store.annotations():
        for t in dict.fromkeys(a.tags):
            passages[t] += 1
            documents[t].add(a.doc)
    for t in store.tag_counts():  # codebook tags nobody uses yet appear with 0
        passages.setdefault(t, 0)
    return sorted(
        (TagCount(t, n, len(documents.get(t, ()))) for t, n in passages.items()),
        key=lambda c: (-c.count, c.tag),
    )


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
GRANULARITIES = ("day", "month", "year")


def _date_key(value: str | None, granularity: str) -> str | None:
    m = _DATE.match(value.strip()) if value else None
    if not m:
        return None
    year, month, day = m.groups()
    if granularity == "year":
        return year
    if granularity == "month":
        return f"{year}-{month}" if month else None
    return f"{year}-{month}-{day}" if month and day else None


def timeline(
    documents_meta: Mapping[str, DocumentMeta], store: AnnotationStore, granularity: str = "day"
) -> list[TimelineEntry]:
    """Documents grouped by date (the store's override, else the document's own), oldest first.

    Documents without a date (or whose date is too vague for the granularity) are left out; see
    `undated`.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}; expected day, month or year")
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(documents_meta):
        key = _date_key(attribute_value(store, documents_meta, doc_id, "date"), granularity)
        if key is not None:
            groups[key].append(doc_id)
    return [TimelineEntry(date, tuple(ids)) for date, ids in sorted(groups.items())]


def undated(documents_meta: Mapping[str, DocumentMeta], store: AnnotationStore, granularity: str = "day") -> list[str]:
    """The documents a timeline of that granularity leaves out."""
    dated = {d for entry in timeline(documents_meta, store, granularity) for d in entry.doc_ids}
    return sorted(d for d in documents_meta if d not in dated)
