"""The Whoosh schema, and the version number that says when an old index must be rebuilt.

The body is indexed with positions and character offsets (`chars=True`) but never stored: the
corpus files are the source of truth, snippets are cut from the file read again, and storing
the text measured 30% more disk and slower hit loading.

The variants field has no postings: it is only the query parser's mark of a bare word or
phrase, which index/variants.py replaces with the body terms that respell it (chosen among the
words the corpus contains). Its phonetic postings were once the variants themselves and cost
about 40% of a build's analysis; nothing reads them since variants come from the lexicon.

Bump `SCHEMA_VERSION` whenever a field or an analyzer changes: an index whose manifest says
otherwise is rebuilt from scratch on the next update (the index is disposable).
"""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from index.analysis import body_analyzer, plain_analyzer, variants_analyzer
from index.postings import PreAnalyzed, body_items, split_words

# 2: issue 12's words (marks of every script, dotted parts, CJK bigrams, terminal decoration,
# Arabic and Persian folding). 3: the variants field without postings.
SCHEMA_VERSION = 3

# Fields a bare word in a query searches, and their boosts. The variants field is low enough
# that the exact spelling always ranks above a phonetic variant (tests/test_search.py proves it).
DEFAULT_FIELDS = ("body", "title")
VARIANTS_FIELD = "variants"
FIELD_BOOSTS = {"body": 1.0, "title": 1.5, VARIANTS_FIELD: 0.25}


class _FastTextField(TEXT):
    """A TEXT field whose `index()` skips Whoosh's per-token generator pipeline.

    Whoosh pushes every token through one generator per filter and a Token object; for the
    body field that dominated a build. `index()` here computes the same terms,
    positions and characters with index/postings.py (tests/test_analysis.py proves them equal
    to the analyzer's, bytes included) and encodes them with the field's `Characters` format.
    A `PreAnalyzed` value (postings computed earlier, e.g. in a worker process, by
    `index.postings.analyze`) is yielded as it is. The analyzer still serves queries.
    """

    def _items(self, value: str) -> list:
        raise NotImplementedError

    def index(self, value, **kwargs):
        if isinstance(value, PreAnalyzed):
            return iter(value.items)
        return iter(self._items(value))


class BodyField(_FastTextField):
    def _items(self, value):
        words, spans, positions = split_words(value)
        return body_items(words, spans, self.format.field_boost, positions)


def build_schema() -> Schema:
    """A fresh schema instance (Whoosh schemas are mutable; never share one)."""
    body = body_analyzer()
    return Schema(
        id=ID(unique=True, stored=True),
        title=TEXT(analyzer=body, stored=True, multitoken_query="phrase"),
        source=TEXT(analyzer=plain_analyzer(), stored=True, multitoken_query="phrase"),
        date=ID(stored=True),
        body=BodyField(
            analyzer=body,
            phrase=True,
            chars=True,
            stored=False,
            multitoken_query="phrase",
        ),
        variants=TEXT(  # the parser's mark only: never given a value (see the module's note)
            analyzer=variants_analyzer(),
            phrase=True,
            stored=False,
            multitoken_query="phrase",
        ),
        sha256=STORED(),
    )
