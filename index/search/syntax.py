"""The query language: Whoosh's parser, checked first for what it would silently misread.

Whoosh's parser is lenient: it turns `title:` or an unbalanced quote into some query silently.
`check_syntax` rejects the obviously broken cases with a `QueryError` carrying a short message
for the user. A bare word searches the body and the title, and also the variants field
(Double Metaphone codes of name-like words, see index.analysis) at a low boost: `Thabet` finds
`Thabit`, and the document that spells it `Thabet` ranks first. A word with a field
(`title:Iraqi`) searches only that field.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from whoosh import query as wq
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser
from whoosh.searching import Searcher

from index.analysis import body_term
from index.schema import DEFAULT_FIELDS, FIELD_BOOSTS, VARIANTS_FIELD
from index.search.lexicon import field_lexicon
from index.variants import VariantSet, respell

if TYPE_CHECKING:
    from index.search.session import OpenSearcher


_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_SEARCHABLE = ("body", "title", "source", "date", "id")


class QueryError(ValueError):
    """A query that cannot be run; `str(error)` is a short message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def query_parser(schema) -> MultifieldParser:
    fields = [*DEFAULT_FIELDS, VARIANTS_FIELD]
    parser = MultifieldParser(fields, schema, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(FuzzyTermPlugin())
    return parser


_QUOTED = re.compile(r'"[^"]*"')
_FIELD_PHRASE = re.compile(r'(?<=:)"[^"]*"')  # title:"Data sheet": the phrase is the value
_FIELD = re.compile(r"(?<![\w:])([A-Za-z_]\w*):(?=(\S?))")


def check_syntax(text: str) -> None:
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


def query_from_text(
    text: str,
    searcher: Searcher,
    entry: OpenSearcher,
    found: VariantSet | None = None,
    variants: bool = True,
) -> wq.Query:
    """`parse_query` with the searcher held; the caller has run `check_syntax`.

    The parser marks each bare word or phrase with a variants-field leaf; `respell` turns
    those into the body terms that respell the typed words (index/variants.py), noted in
    `found`; without `variants` the marks are dropped (the exact spellings only)."""
    q = entry.parser(searcher).parse(text)
    if query_contains(q, lambda node: getattr(node, "error", None) is not None):
        raise QueryError("This query could not be understood; check ranges and field names.")
    q = _drop_variant_multiterms(q)
    reader = searcher.reader()
    q = _restrict_variants(q, text, reader) if variants else _without_variants(q)
    q = respell(
        q,
        text,
        reader,
        lambda: field_lexicon(reader, "body"),
        VARIANTS_FIELD,
        FIELD_BOOSTS[VARIANTS_FIELD],
        found if found is not None else VariantSet(),
    )
    if q is wq.NullQuery:
        raise QueryError("Nothing to search for: the query has no words.")
    return q


def query_contains(q: wq.Query, pred) -> bool:
    if pred(q):
        return True
    return any(query_contains(child, pred) for child in q.children())


def _drop_variant_multiterms(q: wq.Query) -> wq.Query:
    """Wildcards, ranges and fuzzy terms make no sense against phonetic codes: drop them."""
    if getattr(q, "fieldname", None) == VARIANTS_FIELD and isinstance(q, (wq.MultiTerm, wq.TermRange)):
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
