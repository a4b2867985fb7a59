"""Gathering a study from a project: the store's annotations placed in the corpus's texts.

The one place the command line (and later the app's worklist) turns `--coder`, `--tag` and
`--doc` into a `Study`: coders are the annotations' creators (an annotation with no creator,
from before coders existed, belongs to `unknown`), documents are read once each, and an
annotation whose text is gone (an orphan) is counted and left out, never guessed at.

With a places cache (reader/agreement/places_cache.py; `reader agree` passes one beside the
index) a document whose annotation file and text are unchanged since the last run is taken
from the cache: neither file is read. Then `problems` holds only the problems of the files
read (and the folder's): an unchanged file was read without one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.corpus import Corpus, UnreadableDocument
from reader.agreement.places_cache import DocPlaces, PlacesCache
from reader.agreement.coefficients import counted
from reader.agreement.study import CodedSpan, Study, place_annotations
from reader.analytics.texts import text_of
from reader.coders import coder_of
from reader.store.summary import file_key


@dataclass(frozen=True)
class StudyInput:
    study: Study
    documents: tuple[str, ...]
    orphans: int
    unreadable: tuple[str, ...]


@dataclass
class Collected:
    """Every coder's placed annotations of the documents looked at, before choosing coders."""

    places: dict[str, DocPlaces]  # by document: those whose text could be read
    texts: dict[str, str]  # the texts read (every one unless a cache served some)
    coders: set[str]  # every coder with an annotation in a document looked at
    unreadable: dict[str, set[str]]  # a document that cannot be read -> its coders
    problems: list  # StoreProblem of the files read, and the folder's own


class StudyError(ValueError):
    """The study cannot be measured as asked (a usage problem, said in one sentence)."""


def gather(
    store,
    corpus: Corpus,
    coders: Sequence[str] = (),
    tags: Sequence[str] = (),
    docs: Sequence[str] = (),
    unit: str = "char",
    absent_as_missing: bool = False,
    replicates: int = 1000,
    seed: int | None = None,
    cache: Path | None = None,
) -> StudyInput:
    collected = collect(store, corpus, coders, docs, cache=cache, texts=unit != "char")
    return study_of(collected, coders, tags, docs, unit, absent_as_missing, replicates, seed)


def collect(
    store, corpus: Corpus, coders: Sequence[str] = (), docs: Sequence[str] = (), *, cache=None, texts=True
) -> Collected:
    """Each document's annotations placed in its text now. `coders`: a document only others
    coded is not read; `docs`: only these (each read, coded or not). `cache`: the path of a
    places cache (used for an annotations folder only); `texts`: keep every text (else only
    the lengths are sure to be there)."""
    from reader.store import AnnotationStore

    kept = PlacesCache(cache, store.folder, corpus.root) if cache and type(store) is AnnotationStore else None
    requested = set(coders)
    out = Collected({}, {}, set(), {}, [])
    problems: dict = {}
    wanted = list(dict.fromkeys(docs)) if docs else store.documents() if kept is not None else []
    keys: dict[str, tuple[int, ...] | None] = {}
    hits: dict[str, DocPlaces] = {}
    if kept is not None:
        found = store.file_keys()
        for doc in wanted:
            keys[doc] = key = _key(store, corpus, doc, found)
            hit = kept.get(doc, key) if key is not None else None
            if hit is not None:
                hits[doc] = hit
    if kept is None or (len(wanted) - len(hits)) * 4 > len(wanted):
        # most files to read: every annotation at once (one query of a database; one pass
        # over the folder), then by document
        by_doc: dict[str, list] = {}
        for a in store.annotations():
            by_doc.setdefault(a.doc, []).append(a)
        if kept is None:
            wanted = list(dict.fromkeys(docs)) if docs else sorted(by_doc)
        for p in store.problems:  # every file was read
            problems.setdefault((str(p.path), p.reason), p)

        def annotations_of(doc: str) -> list:
            return by_doc.get(doc, [])

        def problems_of(doc: str) -> list:
            return [p for p in problems.values() if p.doc == doc]
    else:
        annotations_of, problems_of = store.annotations, store.problems_of
    for doc in wanted:
        key = keys.get(doc)
        hit = hits.get(doc)
        if hit is not None and texts:
            read = text_of(corpus, doc)
            if read is None or len(read) != hit.length:
                hit = None
            else:
                out.texts[doc] = read
        if hit is None:
            anns = annotations_of(doc)
            own = problems_of(doc)
            for p in own:
                problems.setdefault((str(p.path), p.reason), p)
            counts = counted(coder_of(a) for a in anns)
            out.coders.update(counts)
            compared = requested & counts.keys() if requested else counts.keys()
            if not docs and not compared:
                continue  # none of the coders compared coded it: its text is not needed
            text = text_of(corpus, doc)
            if text is None:
                out.unreadable[doc] = set(counts)
                continue
            spans, orphans = place_annotations(anns, text)
            hit = DocPlaces(key or (), len(text), dict(counts), dict(orphans), tuple(spans))
            out.texts[doc] = text
            if kept is not None and key is not None and not any(p.doc == doc for p in own):
                kept.put(doc, hit)
        out.coders.update(hit.coders)
        out.places[doc] = hit
    for p in store.folder_problems():  # the codebook's, a recovery's
        problems.setdefault((str(p.path), p.reason), p)
    if kept is not None:
        kept.save()
    out.problems = sorted(problems.values(), key=lambda p: str(p.path))
    return out


def _key(store, corpus: Corpus, doc: str, found: dict) -> tuple[int, ...] | None:
    """The keys of `doc`'s annotation file (as the store's last look found it) and of its
    text, as they are now (None: one is missing)."""
    key = found.get(doc)
    try:
        if key is None:
            key = file_key(os.stat(store.path_of(doc)))
        parts = doc.split("/")
        if doc.startswith("/") or ".." in parts or "" in parts:
            raise UnreadableDocument(doc, "not a plain path")
        try:  # the plain path of a plain id; Corpus.file knows the others (escaped names)
            st = os.stat(os.path.join(corpus.root, *parts))
            size, mtime_ns = st.st_size, st.st_mtime_ns
        except OSError:
            file = corpus.file(doc)
            size, mtime_ns = file.size, file.mtime_ns
    except (OSError, UnreadableDocument):
        return None
    return (*key, size, mtime_ns)


def study_of(
    collected: Collected,
    coders: Sequence[str] = (),
    tags: Sequence[str] = (),
    docs: Sequence[str] = (),
    unit: str = "char",
    absent_as_missing: bool = False,
    replicates: int = 1000,
    seed: int | None = None,
) -> StudyInput:
    """The study of the chosen coders (default: every coder present) over the documents they
    coded (or those named); raises StudyError with fewer than two coders."""
    present = sorted(collected.coders)
    chosen = tuple(dict.fromkeys(coders)) if coders else tuple(present)
    if len(chosen) < 2:
        found = ", ".join(present) or "none"
        raise StudyError(f"agreement needs two coders or more (coders found: {found})")
    # a coder named with --coder who has no annotation stays in: they coded nothing
    wanted = set(chosen)
    lengths: dict[str, int] = {}
    spans: list[CodedSpan] = []
    orphans = 0
    for doc, places in collected.places.items():
        if not docs and not any(places.coders.get(c) for c in chosen):
            continue
        lengths[doc] = places.length
        spans.extend(s for s in places.spans if s.coder in wanted)
        orphans += sum(n for c, n in places.orphans.items() if c in wanted)
    texts = {doc: collected.texts[doc] for doc in lengths if doc in collected.texts}
    unreadable = [d for d, who in collected.unreadable.items() if docs or who & wanted]
    study = Study(
        spans,
        texts,
        chosen,
        unit=unit,
        tags=tuple(tags),
        absent_as_missing=absent_as_missing,
        replicates=replicates,
        lengths=lengths,
        **({} if seed is None else {"seed": seed}),
    )
    return StudyInput(study, tuple(sorted(lengths)), orphans, tuple(sorted(unreadable)))
