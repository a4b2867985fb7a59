"""What a search tells the user about spellings: "did you mean", and the variants it added."""

from __future__ import annotations

from whoosh import query as wq

from index.analysis import WORD_RE, body_term, fold
from index.indexer import CorpusIndex
from index.search.expansion import FUZZY_PREFIX
from index.search.lexicon import field_lexicon, terms_within
from index.search.snippets import read_document_text
from index.search.spans import positive_leaves
from index.variants import AddedSpelling, VariantSet, variants_of


def added_spellings(index: CorpusIndex, searcher, found: VariantSet, hits) -> tuple:
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
            spelling = written.get(term) or surface_form(index, searcher, term, lower=False)
            out.append(AddedSpelling(typed[0], spelling, count))
    out.sort(key=lambda a: (-a.occurrences, a.spelling))
    return tuple(out)


def spelling_suggestions(index: CorpusIndex, q: wq.Query, text: str, searcher, total: int) -> tuple[str, ...]:
    """Corrected query strings for searched words that are not in the body at all.

    Offered when nothing was found, and also when a missing word found hits only by sound
    (`Nujabba` finds `Nujaba` through the variants field), so the user still learns the
    spelling the corpus uses. A missing word in an OR that other words satisfied gets none.
    The body holds stems ("withdraw"), so each suggestion is shown as a word the corpus
    actually contains ("withdrawal"), read at one posting's offsets.
    """
    reader = searcher.reader()
    fixes: list[tuple[int, int, list[str]]] = []
    for leaf in positive_leaves(q):
        if not isinstance(leaf, wq.Term) or leaf.fieldname != "body":
            continue
        start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
        if start is None or end is None:  # not typed: e.g. one of a prefix's 64 words
            continue
        if reader.doc_frequency("body", leaf.text):
            continue
        word = fold(text[start:end])
        if total and not variants_of(reader, lambda: field_lexicon(reader, "body"), leaf.text):
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
            surface = surface_form(index, searcher, stem)
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
    found per segment (see `terms_within`) instead of by a walk of the whole lexicon.
    Words one edit away are looked for first; two edits (a slower search) only without any."""
    found: set[str] = set()
    for distance in range(1, maxdist + 1):
        found = terms_within(reader, "body", word, distance, FUZZY_PREFIX)
        found.discard(word)
        if found:
            break
    ranked = sorted(found, key=lambda term: (-(reader.frequency("body", term) or 1), term))
    return ranked[:limit]


def surface_form(index: CorpusIndex, searcher, stem: str, lower: bool = True) -> str:
    """A word of the corpus that indexes as `stem`, lowercased unless not `lower` (the stem
    itself if unreadable)."""
    matcher = searcher.postings("body", stem)
    if not matcher.is_active():
        return stem
    fields = searcher.stored_fields(matcher.id())
    spans = matcher.spans()
    text = read_document_text(index, fields["id"], fields.get("sha256"))
    if text is None or not spans:
        return stem
    word = text[spans[0].startchar : spans[0].endchar]
    return word.lower() if lower else word
