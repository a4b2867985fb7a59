"""What the conflicts screen shows of a merge's conflicts, without Textual: each conflict with
its numbered versions, the fields those versions disagree on, and where each would be placed
in the document's current text.

The store keeps the conflicts (reader/store/conflicts.py) and resolves them
(reader/store/resolving.py); `Library.conflicts` builds these rows through this module
(`conflict_rows` gathers the store's conflicts, their titles and each version placed in its
document's text as read now; `rows_of` makes the rows of those), so the screen
(reader/screens/conflicts.py) only lays them out and wires keys, and every rule here is
tested headless. The numbers are the store's (`conflict_choices`), the ones `reader annotations
--conflicts` prints and `reader resolve --version N` takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.model import Annotation

if TYPE_CHECKING:
    from index.indexer import CorpusIndex
    from reader.store import AnnotationStore
    from reader.store.conflicts import Conflict
    from reader.store.resolving import Choice

__all__ = ["FIELDS", "ConflictRow", "VersionRow", "conflict_rows", "differing", "rows_of"]

FIELDS = ("tags", "quote", "note", "coder", "modified")
"""The fields a version shows, in order; `place` (start:end) is compared with the quote."""


@dataclass(frozen=True)
class VersionRow:
    """One version to pick: its number, label and fields (None annotation: a deletion)."""

    number: int
    label: str
    annotation: Annotation | None
    placed: str | None = None  # anchored, moved, fuzzy, orphan in the current text (None: unknown)

    def field(self, name: str) -> str:
        a = self.annotation
        if a is None:
            return ""
        if name == "tags":
            return ", ".join(a.tags)
        if name == "quote":
            return a.quote.exact
        if name == "note":
            return a.note
        if name == "coder":
            return a.creator or ""
        if name == "modified":
            return a.modified
        raise ValueError(name)


@dataclass(frozen=True)
class ConflictRow:
    """One conflict as the screen lists it."""

    doc: str
    title: str
    id: str
    versions: tuple[VersionRow, ...]
    differs: frozenset[str]  # of FIELDS, plus "deleted" when some version is a deletion

    @property
    def summary(self) -> str:
        """One line for the list: the document, the quote and what differs."""
        kept = next((v.annotation for v in self.versions if v.annotation is not None), None)
        quote = " ".join(kept.quote.exact.split()) if kept is not None else ""
        what = ", ".join(f for f in (*FIELDS, "deleted") if f in self.differs) or "content"
        return f"{self.title} · “{quote}” · {len(self.versions)} versions · {what} differ"


def differing(versions: tuple[VersionRow, ...]) -> frozenset[str]:
    """The fields whose values are not the same in every version that is not a deletion (the
    quote also when the place differs), and "deleted" when one version is a deletion."""
    present = [v for v in versions if v.annotation is not None]
    out = {name for name in FIELDS if len({v.field(name) for v in present}) > 1}
    places = {(v.annotation.start, v.annotation.end) for v in present if v.annotation is not None}
    if len(places) > 1:
        out.add("quote")
    if len(present) < len(versions):
        out.add("deleted")
    return frozenset(out)


def rows_of(
    conflicts: list[Conflict],
    choices: dict[str, list[Choice]],
    titles: dict[str, str],
    placed: dict[tuple[str, int], str],
) -> list[ConflictRow]:
    """The screen's rows: `choices` by annotation id (the store's numbering), `titles` by
    document (its id when absent), `placed` by (annotation id, version number)."""
    out = []
    for c in conflicts:
        versions = tuple(
            VersionRow(ch.number, ch.label, ch.annotation, placed.get((c.id, ch.number))) for ch in choices[c.id]
        )
        doc = c.kept.doc
        out.append(ConflictRow(doc, titles.get(doc) or doc, c.id, versions, differing(versions)))
    return out


def conflict_rows(store: AnnotationStore, index: CorpusIndex) -> list[ConflictRow]:
    """Every merge conflict of `store` with its numbered versions, what they disagree on, and
    where each version would be placed in its document's current text (read from `index`'s
    corpus; unknown when the document cannot be read)."""
    from index.corpus import CorpusError, UnreadableDocument
    from reader.anchoring import anchor

    found = store.conflicts()
    choices = {c.id: store.conflict_choices(c) for c in found}
    indexed = index.documents() if found else {}
    titles: dict[str, str] = {}
    placed: dict[tuple[str, int], str] = {}
    for doc in sorted({c.kept.doc for c in found}):
        meta = indexed.get(doc)
        titles[doc] = store.attributes(doc).title or (meta.title if meta is not None else doc)
        try:
            text = index.load(doc).text
        except (UnreadableDocument, CorpusError, OSError):
            continue  # placed unknown: the screen says so
        for c in found:
            if c.kept.doc == doc:
                for ch in choices[c.id]:
                    if ch.annotation is not None:
                        placed[(c.id, ch.number)] = anchor(ch.annotation, text).status
    return rows_of(found, choices, titles, placed)
