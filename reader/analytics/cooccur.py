"""Co-occurrence: pairs of tags coded on overlapping passages, or in the same paragraph.

What a count counts:

- `overlap`: pairs of passages whose spans overlap (share at least one character), one carrying
  tag A and the other tag B. One passage carrying both tags counts as a pair with itself. Each
  pair of passages counts once per pair of tags.
- `paragraph`: paragraphs (as `index.structure.paragraphs` cuts them) that some passage with A and
  some passage with B both overlap. A passage running over two paragraphs is in both.

Each `Cooccurrence` keeps its `occurrences` (document, span, the passages involved: the shared
span for `overlap`, the paragraph for `paragraph`) so a view can list them and open the document
there, and `passages`, the distinct annotations involved.

Overlap uses the stored positions and reads nothing. Paragraph mode reads the text of each
document that has passages with two different tags (only those), re-anchoring its annotations
in memory when the text changed since they were made (nothing is written); it streams: see
`iter_cooccurrence`.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from index.structure import paragraphs
from reader.analytics.texts import as_corpus, read_text
from reader.model import Annotation
from reader.store import AnnotationStore

__all__ = [
    "Cooccurrence",
    "CooccurrenceProgress",
    "Occurrence",
    "cooccurrence",
    "final_cooccurrence",
    "iter_cooccurrence",
]

Mode = Literal["overlap", "paragraph"]
MODES = ("overlap", "paragraph")


@dataclass(frozen=True)
class Occurrence:
    """Where two tags meet: `doc_id`, [start, end) and the ids of the passages involved."""

    doc_id: str
    start: int
    end: int
    annotation_ids: tuple[str, ...]


@dataclass(frozen=True)
class Cooccurrence:
    tag_a: str  # tag_a < tag_b
    tag_b: str
    count: int
    passages: tuple[Annotation, ...]  # distinct annotations involved, by (doc, start, id)
    occurrences: tuple[Occurrence, ...]  # by (doc, start)


@dataclass(frozen=True)
class CooccurrenceProgress:
    """A partial (or, when `done == total`, the final) result of a streamed computation."""

    done: int  # documents looked at
    total: int
    pairs: tuple[Cooccurrence, ...]
    unreadable: tuple[str, ...] = ()  # documents whose text could not be read (paragraph mode)

    @property
    def finished(self) -> bool:
        return self.done >= self.total


class _Tally:
    def __init__(self) -> None:
        self.found: dict[tuple[str, str], list[tuple[Occurrence, tuple[Annotation, ...]]]] = defaultdict(list)

    def add(self, a: str, b: str, occurrence: Occurrence, anns: tuple[Annotation, ...]) -> None:
        key = (a, b) if a < b else (b, a)
        self.found[key].append((occurrence, anns))

    def result(self) -> tuple[Cooccurrence, ...]:
        out = []
        for (a, b), items in self.found.items():
            items.sort(key=lambda item: (item[0].doc_id, item[0].start, item[0].end, item[0].annotation_ids))
            passages = {x.id: x for _, anns in items for x in anns}
            out.append(
                Cooccurrence(
                    tag_a=a,
                    tag_b=b,
                    count=len(items),
                    passages=tuple(sorted(passages.values(), key=lambda x: (x.doc, x.start, x.id))),
                    occurrences=tuple(occ for occ, _ in items),
                )
            )
        out.sort(key=lambda c: (-c.count, c.tag_a, c.tag_b))
        return tuple(out)


def _tag_pairs(tags_x: tuple[str, ...], tags_y: tuple[str, ...]) -> set[tuple[str, str]]:
    """Unordered pairs of different tags, one from each side."""
    return {(min(s, t), max(s, t)) for s in tags_x for t in tags_y if s != t}


def _overlaps(doc: str, anns: list[Annotation], tally: _Tally) -> None:
    anns = sorted(anns, key=lambda a: (a.start, a.end, a.id))
    for i, a in enumerate(anns):
        for x, y in sorted(_tag_pairs(a.tags, a.tags)):
            tally.add(x, y, Occurrence(doc, a.start, a.end, (a.id,)), (a,))
        for b in anns[i + 1 :]:
            if b.start >= a.end:
                break
            shared = Occurrence(doc, b.start, min(a.end, b.end), tuple(sorted((a.id, b.id))))
            for x, y in sorted(_tag_pairs(a.tags, b.tags)):
                tally.add(x, y, shared, (a, b))


def _paragraph_pairs(doc: str, spans: list[tuple[Annotation, int, int]], paras, tally: _Tally) -> None:
    spans.sort(key=lambda item: (item[1], item[2], item[0].id))
    first = 0
    for para in paras:
        while first < len(spans) and spans[first][2] <= para.start:
            first += 1  # ends before this paragraph (and before every later one: skip for good)
        inside: list[Annotation] = []
        for ann, start, end in spans[first:]:
            if start >= para.end:
                break
            if end > para.start:
                inside.append(ann)
        if not inside:
            continue
        tags: dict[str, list[Annotation]] = defaultdict(list)
        for ann in inside:
            for t in dict.fromkeys(ann.tags):
                tags[t].append(ann)
        for x, y in combinations(sorted(tags), 2):
            involved = {ann.id: ann for ann in tags[x] + tags[y]}
            ids = tuple(sorted(involved))
            tally.add(x, y, Occurrence(doc, para.start, para.end, ids), tuple(involved.values()))


def iter_cooccurrence(
    store: AnnotationStore, corpus=None, mode: Mode = "overlap", every: int = 200
) -> Iterator[CooccurrenceProgress]:
    """Partial results every `every` documents, the last one complete (`finished`).

    `corpus` (a Corpus or CorpusIndex) is needed for `paragraph` mode only.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected overlap or paragraph")
    if mode == "paragraph" and corpus is None:
        raise ValueError("paragraph mode needs the corpus to read paragraphs")
    by_doc: dict[str, list[Annotation]] = defaultdict(list)
    for a in store.annotations():
        by_doc[a.doc].append(a)
    # A document whose passages carry fewer than two distinct tags has no pair to offer.
    docs = [d for d, anns in by_doc.items() if len({t for a in anns for t in a.tags}) > 1]
    tally = _Tally()
    unreadable: list[str] = []
    source = as_corpus(corpus) if mode == "paragraph" else None
    for n, doc in enumerate(docs, 1):
        anns = by_doc[doc]
        if mode == "overlap":
            _overlaps(doc, anns, tally)
        else:
            assert source is not None  # the paragraph mode reads the texts
            found = read_text(source, doc)
            if found is None:
                unreadable.append(doc)
            else:
                text, sha = found
                if all(a.doc_sha256 == sha for a in anns):
                    spans = [(a, a.start, a.end) for a in anns]
                else:  # the text changed: place the passages again (in memory only)
                    spans = [
                        (r.annotation, r.span.start, r.span.end)
                        for r in store.resolve(doc, text, sha)
                        if r.span is not None
                    ]
                _paragraph_pairs(doc, spans, paragraphs(text), tally)
        if n % every == 0 and n < len(docs):
            yield CooccurrenceProgress(n, len(docs), tally.result(), tuple(unreadable))
    yield CooccurrenceProgress(len(docs), len(docs), tally.result(), tuple(unreadable))


def final_cooccurrence(store: AnnotationStore, corpus=None, mode: Mode = "overlap") -> CooccurrenceProgress:
    """The finished count (every pair, and the documents that could not be read)."""
    final = deque(iter_cooccurrence(store, corpus, mode, every=1 << 30), maxlen=1)  # the last
    assert final
    return final[0]


def cooccurrence(store: AnnotationStore, corpus=None, mode: Mode = "overlap") -> list[Cooccurrence]:
    """Every pair of tags that co-occur, most frequent first (then by tag names)."""
    return list(final_cooccurrence(store, corpus, mode).pairs)
