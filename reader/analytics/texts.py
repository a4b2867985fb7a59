"""Reading a document's text cheaply, without the paragraph/sentence analysis of `Corpus.load`."""

from __future__ import annotations

import hashlib

from index.corpus import Corpus, UnreadableDocument
from index.decoding import DecodeError, decode


def read_text(corpus: Corpus, doc_id: str) -> tuple[str, str] | None:
    """(text, sha256 of the bytes) of a document as on disk now, or None if it is unreadable."""
    try:
        data = corpus.file(doc_id).path.read_bytes()
        text, _ = decode(data)
    except (UnreadableDocument, OSError, DecodeError):
        return None
    return text, hashlib.sha256(data).hexdigest()


def as_corpus(source) -> Corpus:
    """A `Corpus` from a Corpus or a CorpusIndex (anything with a `.corpus`)."""
    return source if isinstance(source, Corpus) else source.corpus
