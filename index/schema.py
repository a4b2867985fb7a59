"""The Whoosh schema, and the version number that says when an old index must be rebuilt.

The body is indexed with positions and character offsets (`chars=True`) but never stored: the
corpus files are the source of truth, snippets are cut from the file read again, and storing
the text measured 30% more disk and slower hit loading. The variants field carries characters
too, so a hit found only through a variant spelling can still be highlighted.

Bump `SCHEMA_VERSION` whenever a field or an analyzer changes: an index whose manifest says
otherwise is rebuilt from scratch on the next update (the index is disposable).
"""

from __future__ import annotations

from collections import defaultdict

from whoosh.fields import ID, STORED, TEXT, Schema

from index.analysis import (
    WORD_RE,
    body_analyzer,
    body_term,
    name_like,
    plain_analyzer,
    variant_codes,
    variants_analyzer,
)

SCHEMA_VERSION = 1

# Fields a bare word in a query searches, and their boosts. The variants field is low enough
# that the exact spelling always ranks above a phonetic variant (tests/test_search.py proves it).
DEFAULT_FIELDS = ("body", "title")
VARIANTS_FIELD = "variants"
FIELD_BOOSTS = {"body": 1.0, "title": 1.5, VARIANTS_FIELD: 0.25}


class _FastTextField(TEXT):
    """A TEXT field whose `index()` skips Whoosh's per-token generator pipeline.

    Whoosh pushes every token through one generator per filter and a Token object; for the
    body and variants fields that dominated a build. `index()` here runs the same word
    expression and the same memoised per-word functions as the field's analyzer, so the terms,
    positions and characters are identical (tests/test_analysis.py proves it), and encodes
    them with the field's own format. The analyzer still serves queries and phrases.
    """

    def _terms(self, value: str):  # yields (term, pos, startchar, endchar)
        raise NotImplementedError

    def index(self, value, **kwargs):
        seen: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for term, pos, start, end in self._terms(value):
            seen[term].append((pos, start, end))
        encode = self.format.encode
        boost = self.format.field_boost
        for term, poslist in seen.items():
            yield term.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)


class BodyField(_FastTextField):
    def _terms(self, value):
        for pos, match in enumerate(WORD_RE.finditer(value)):
            yield body_term(match.group()), pos, match.start(), match.end()


class VariantsField(_FastTextField):
    def _terms(self, value):
        matches = list(WORD_RE.finditer(value))
        for pos, keep in enumerate(name_like(value, matches)):
            if keep:
                match = matches[pos]
                for code in variant_codes(match.group()):
                    yield code, pos, match.start(), match.end()


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
        variants=VariantsField(
            analyzer=variants_analyzer(),
            phrase=True,
            chars=True,
            stored=False,
            multitoken_query="phrase",
        ),
        sha256=STORED(),
    )
