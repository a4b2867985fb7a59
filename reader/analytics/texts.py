"""Reading a document's text cheaply, without the paragraph/sentence analysis of `Corpus.load`."""

from __future__ import annotations

from index.corpus import Corpus, UnreadableDocument


def read_text(corpus: Corpus, doc_id: str) -> tuple[str, str] | None:
    """(text, sha256 of the bytes) of a document as on disk now, or None if it is unreadable."""
    try:
        return corpus.read_text(doc_id)
    except (UnreadableDocument, OSError):
        return None


def text_of(corpus: Corpus, doc_id: str) -> str | None:
    """A document's text as on disk now (as `read_text` has it, without hashing the bytes),
    or None if it is unreadable."""
    try:
        return corpus.text(doc_id)
    except (UnreadableDocument, OSError):
        return None


def as_corpus(source) -> Corpus:
    """A `Corpus` from a Corpus or a CorpusIndex (anything with a `.corpus`)."""
    return source if isinstance(source, Corpus) else source.corpus
