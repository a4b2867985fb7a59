"""Matching a parsed file's sources to corpus documents (by hash, text, similar text, name,
or a W3C quote) and placing their annotations in the document's text (no Textual, no rich).
The order and the rules are the package docstring's (reader/importer/__init__.py).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from reader.importer.parsed import ParsedAnnotation, ParsedSource, lf
from reader.importer.report import ImportReport
from reader.model import Annotation, TextPositionSelector, TextQuoteSelector

SIMILARITY = 95.0


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", lf(text))


def _collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", _norm(text)).strip()


class CorpusView:
    """The corpus's documents read once: raw-bytes hash, decoded text (lazily)."""

    def __init__(self, corpus) -> None:
        from index.corpus import UnreadableDocument

        self.corpus = corpus
        self.docs: dict[str, tuple[str, str]] = {}  # id -> (text, document hash)
        files, _skipped = corpus.scan()
        for f in files:
            try:  # the one way to a document's text: PDFs and others are extracted
                self.docs[f.id] = corpus.read_text(f)
            except UnreadableDocument:
                continue
        self.by_sha = {sha: d for d, (_t, sha) in self.docs.items()}
        self._by_norm: dict[str, str] | None = None

    def by_norm(self) -> dict[str, str]:
        if self._by_norm is None:
            self._by_norm = {_norm(t): d for d, (t, _s) in sorted(self.docs.items(), reverse=True)}
        return self._by_norm

    def by_name(self, *names: str | None) -> str | None:
        for name in names:
            if not name:
                continue
            if name in self.docs:
                return name
            for doc in sorted(self.docs):
                p = PurePosixPath(doc)
                if name in (p.name, p.stem):
                    return doc
        return None

    def similar(self, text: str) -> str | None:
        from rapidfuzz import fuzz

        target = _collapsed(text)
        best = (0.0, None)
        for doc, (t, _s) in sorted(self.docs.items()):
            if abs(len(t) - len(text)) > 0.05 * max(len(t), len(text), 1):
                continue
            score = fuzz.ratio(target, _collapsed(t), score_cutoff=SIMILARITY)
            if score > best[0]:
                best = (score, doc)
        return best[1]

    def containing(self, a: ParsedAnnotation) -> str | None:
        for needle in (a.prefix + a.exact + a.suffix, a.exact):
            found = [d for d, (t, _s) in sorted(self.docs.items()) if needle in t]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return None
        return None


def match_source(source: ParsedSource, view: CorpusView) -> tuple[str | None, str]:
    if source.text is not None:
        if source.raw_sha256 in view.by_sha:
            return view.by_sha[source.raw_sha256], "sha256"
        doc = view.by_norm().get(_norm(source.text))
        if doc is not None:
            return doc, "text"
        doc = view.similar(source.text)
        if doc is not None:
            return doc, "similar"
    doc = view.by_name(source.doc_hint, source.name)
    if doc is not None:
        return doc, "name"
    if source.text is None:
        docs = {view.containing(a) for a in source.annotations}
        if len(docs) == 1 and None not in docs:
            return docs.pop(), "quote"
    return None, "unmatched"


def _from_lf(offset: int, crs: list[int]) -> int:
    """An offset of the LF text as an offset of the text with CRLFs (`crs`: LF-text offsets of
    the LFs that were CRLFs)."""
    from bisect import bisect_left

    return offset + bisect_left(crs, offset)


def place(source: ParsedSource, method: str, text: str, report: ImportReport):
    """(start, end, tags, note, approximate) of each placeable annotation in `text`."""
    from reader.anchoring import anchor

    exact_map = None
    if method in ("sha256", "text") and source.text is not None and lf(text) == source.text:
        # positions in the LF text: put back the CRs of the corpus file's CRLFs
        crs, shift = [], 0
        for m in re.finditer("\r\n", text):
            crs.append(m.start() - shift)
            shift += 1
        exact_map = crs
    for a in source.annotations:
        if exact_map is not None and a.start is not None and a.end is not None:
            s, e = _from_lf(a.start, exact_map), _from_lf(a.end, exact_map)
            if text[s:e] == a.exact or lf(text[s:e]) == a.exact:
                yield s, e, a, False
                continue
        start = a.start if a.start is not None else 0
        end = a.end if a.end is not None else start + len(a.exact)
        probe = Annotation(
            "import",
            "",
            "",
            TextPositionSelector(start, max(end, start + 1)),
            TextQuoteSelector(a.exact, a.prefix, a.suffix),
            a.tags,
        )
        placed = anchor(probe, text)
        if placed.span is None:
            quote = re.sub(r"\s+", " ", a.exact)[:40]
            report.unplaced.append(f"“{quote}” ({', '.join(a.tags)}) from “{source.name}”")
            continue
        yield placed.span.start, placed.span.end, a, placed.status == "fuzzy"
