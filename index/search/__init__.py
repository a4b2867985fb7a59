"""Search: Whoosh's query language over the index, results as plain frozen dataclasses.

A package of modules with one job each, in the order a query goes through them:

- syntax: the query checked (`QueryError` with a message for the user) and parsed, the
  variants field kept for words meant as names;
- session: the one Whoosh searcher kept open per CorpusIndex, `warm`, `close_searcher`;
- lexicon, expansion: a field's terms in memory; wildcards and fuzzy terms expanded once per
  query, capped at `MAX_EXPANSIONS` terms;
- blocks: postings read a block at a time (what every fast path below stands on);
- phrase, negation, blockwise, docsets: the fast paths, which keep Whoosh's totals, scores and
  ranking (tests/test_search.py compares them with stock Whoosh): adjacent-word phrases,
  `a NOT b`, Ands and wide Ors scored block by block, totals from document sets;
- helper: the second process that scores half of the segments of the slow queries
  (its loop is index/search_helper.py);
- spans, snippets, suggestions: what the hits shown carry (match units from the postings'
  character offsets, a snippet from the corpus file, "did you mean" and the spellings added);
- results, run: the dataclasses returned, and `search`, `count_hits`, `parse_query`, `matches_in`.
- verify_top: the best hits of a query with phrases, positions checked only as far as the
  ranking needs (the app counts the total after the hits are shown).

Everything is copied into dataclasses inside the searcher, because Whoosh's Results die with it.
"""

# ruff: noqa: F401 - the private names below are re-exported for tests, benchmarks and
# reader/analytics, which imported them from the single module this package replaced; new
# code imports an internal from the module that defines it.

from __future__ import annotations

from index.match_units import MatchUnit
from index.search.blockwise import mapped_top
from index.search.docsets import docset
from index.search.expansion import expand_query
from index.search.lexicon import LEXICONS, field_lexicon, terms_within
from index.search.phrase import FastPhrase
from index.search.results import Hit, SearchResults
from index.search.run import count_hits, fast_paths, match_spans, matches_in, parse_query, search
from index.search.session import searching, close_searcher, warm
from index.search.snippets import SNIPPET_CHARS, snippet
from index.search.spans import spans_by_doc
from index.search.suggestions import surface_form
from index.search.syntax import QueryError, query_from_text

__all__ = [
    "SNIPPET_CHARS",
    "Hit",
    "MatchUnit",
    "QueryError",
    "SearchResults",
    "close_searcher",
    "count_hits",
    "match_spans",
    "matches_in",
    "parse_query",
    "search",
    "snippet",
    "warm",
]
