"""One corpus file read and prepared for the index: what it needs (skip, touch, index) and
its Whoosh fields, analysed in the process that read it (a worker's, for a large batch).
"""

from __future__ import annotations

from index.corpus import Corpus, CorpusFile, UnreadableDocument
from index.document import DocumentMeta
from index.manifest import _Entry
from index.postings import analyze


def _prepare(corpus: Corpus, item: tuple[CorpusFile, _Entry | None]):
    """Read one file and decide what it needs: `(outcome, fields or None)`.

    Runs in a worker process for large batches (a module function, so that it pickles for a
    spawned worker): the outcome is plain data for the manifest and report (`("skip",
    reason)`, `("touch", entry)` or `("index", entry)`); the fields, with the body and
    variants already analysed, go to the writer of the process that read the file.
    `CorpusIndex._record` applies the outcome in the parent.
    """
    file, previous = item
    try:
        text, sha256, _encoding, meta = corpus.read_for_index(file)
    except UnreadableDocument as exc:
        return ("skip", exc.reason), None
    entry = _Entry(
        size=file.size,
        mtime_ns=file.mtime_ns,
        sha256=sha256,
        title=meta.title,
        source=meta.source,
        date=meta.date,
        word_count=meta.word_count,
    )
    if previous is not None and previous.sha256 == sha256 and previous.meta == entry.meta:
        return ("touch", entry), None  # touched, not changed: only the manifest changes
    return ("index", entry), _fields(file.id, text, sha256, meta)


def _fields(doc_id: str, text: str, sha256: str, meta: DocumentMeta) -> dict:
    """The Whoosh fields of a document; the body is indexed, not stored.

    It is analysed here in one pass (index/postings.py) and handed to the writer as
    `PreAnalyzed` postings, so the worker that read the text does the analysis.
    """
    fields = {
        "id": doc_id,
        "title": meta.title or doc_id,
        "body": analyze(text),
        "sha256": sha256,
    }
    if meta.source:
        fields["source"] = meta.source
    if meta.date:
        fields["date"] = meta.date
    return fields
