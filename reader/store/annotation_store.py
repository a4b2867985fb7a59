"""`AnnotationStore`: the store's one class, which the app, the CLI and the services call
(the guarantees are the package docstring's, reader/store/__init__.py).

Reading (annotations, attributes, the codebook, counts, recent tags), re-anchoring a document's
annotations in its current text, and the changes to annotations and attributes are here; the
codebook's changes are `CodebookChanges` (codebook.py), resolving a merge's conflicts
`ConflictResolution` (resolving.py), applying, recording and undoing every
change `ChangeHistory` (history.py), files, locking and fresh reads `StoreFolder` (folder.py).
"""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterable

from reader.coders import coder_of
from reader.model import (
    Annotation,
    DocumentAttributes,
    Tag,
    TextPositionSelector,
    TextQuoteSelector,
    new_id,
    palette_color,
    tag_matches,
    utc_now,
    validate_tag_name,
)
from reader.store.changes import Change, check_span, clean_tags, default_creator, short
from reader.store.codebook import CodebookChanges
from reader.store.history import ChangeHistory
from reader.store.conflicts import Conflict
from reader.store.errors import (
    AnnotationNotFound,
    NewAnnotation,
)
from reader.store.files import atomic_write
from reader.store.folder import StoreFolder
from reader.store.paths import doc_path
from reader.store.records import FORMAT_VERSION, serialise_codebook
from reader.store.resolving import ConflictResolution

_BY_DOC_START_ID = attrgetter("doc", "position.start", "id")
"""The order of `annotations()`: (doc, start, id), read in C (a third faster than a lambda)."""


_UNSET: Any = object()


class AnnotationStore(ConflictResolution, ChangeHistory, CodebookChanges, StoreFolder):
    """All annotations, the codebook and document attributes under one folder."""

    def __init__(self, folder: Path | str, creator: str | None = None, summary: Path | None = None):
        """`summary`: where to keep the summaries of the files (reader/store/summary.py), a
        cache that lets a first screen show counts without reading every file."""
        super().__init__(folder, summary)
        self.creator = creator if creator is not None else default_creator()
        self._undo: list[Change] = []
        self._redo: list[Change] = []
        self.refresh()

    # -- reading ---------------------------------------------------------------------------------

    def path_of(self, doc_id: str) -> Path:
        return doc_path(self.folder, doc_id)

    def read_only_reason(self, doc_id: str) -> str | None:
        self._read_unread([doc_id])
        with self._state:
            f = self._docs.get(doc_id)
        return f"{f.path}: {f.problem}" if f and f.problem else None

    def documents(self) -> list[str]:
        """Ids of the documents with annotations, attributes or a problem file."""
        with self._state:
            return sorted(set(self._docs) | set(self._unread))

    def get(self, ann_id: str) -> Annotation:
        with self._state:
            doc = self._where.get(ann_id)
        if doc is None:
            self._read_unread()
        with self._state:
            doc = self._where.get(ann_id)
            if doc is None:
                raise AnnotationNotFound(ann_id)
            return self._docs[doc].annotations[ann_id]

    def annotations(self, doc_id: str | None = None, tag: str | None = None) -> list[Annotation]:
        """Sorted by (doc, start, id). `tag` also matches its descendants (`actor`: `actor/x`)."""
        self._read_unread([doc_id] if doc_id else None)
        with self._state:
            files = [self._docs[doc_id]] if doc_id in self._docs else [] if doc_id else self._docs.values()
            out = [
                a
                for f in files
                for a in f.annotations.values()
                if tag is None or any(tag_matches(t, tag) for t in a.tags)
            ]
        out.sort(key=_BY_DOC_START_ID)
        return out

    def conflicts(self, doc_id: str | None = None) -> list[Conflict]:
        """Annotations a git merge found changed differently on two sides, by (doc, id)
        (reader/store/conflicts.py), their versions read through the record of renames as it
        is now (reader/store/resolving.py `_conflicts_shown`)."""
        return sorted(self._conflicts_shown(self._conflicts_as_written(doc_id)), key=lambda c: (c.kept.doc, c.id))

    def _conflicts_as_written(self, doc_id: str | None = None) -> list[Conflict]:
        """The conflict records as stored, not read through renames (a copy of the store)."""
        self._read_unread([doc_id] if doc_id else None)
        with self._state:
            files = [self._docs[doc_id]] if doc_id in self._docs else [] if doc_id else list(self._docs.values())
            return sorted((c for f in files for c in f.conflicts), key=lambda c: (c.kept.doc, c.id))

    def attributes(self, doc_id: str) -> DocumentAttributes:
        with self._state:
            kept = self._summaries.get(doc_id)
        if kept is not None:  # an unread file, summarised
            return kept.attributes or DocumentAttributes(doc_id)
        self._read_unread([doc_id])
        with self._state:
            f = self._docs.get(doc_id)
        return f.attrs() if f else DocumentAttributes(doc_id)

    def overrides(self) -> dict[str, DocumentAttributes]:
        """The attributes of every document that has any, by id: `attributes` for a whole list
        at once (the document list at start-up, 10,000 documents: each call took a lock three
        times), from the summaries of files not read yet."""
        self._read_unread(self._unsummarised())
        with self._state:
            found = {f.doc: f.attrs() for f in self._docs.values() if f.attributes is not None}
            found.update((s.doc, s.attributes) for s in self._summaries.values() if s.attributes is not None)
        return {doc: attrs for doc, attrs in found.items() if not attrs.is_empty()}

    def counts(self, coders: Iterable[str] | None = None) -> dict[str, int]:
        """Annotations per document (of `coders` only, when given), documents with none left
        out: the document list's column, from the summaries of files not read yet."""
        wanted = None if coders is None else frozenset(coders)
        self._read_unread(self._unsummarised())
        with self._state:
            files = list(self._docs.values())
            kept = list(self._summaries.values())
        counts = {
            f.doc: sum(1 for a in f.annotations.values() if wanted is None or coder_of(a) in wanted) for f in files
        }
        for s in kept:
            counts[s.doc] = s.count if wanted is None else sum(n for coder, n in s.coders.items() if coder in wanted)
        return {doc: n for doc, n in counts.items() if n}

    def conflict_counts(self) -> dict[str, int]:
        """Merge conflicts per document, documents with none left out (the document list's
        ⚠ column), from the summaries of files not read yet."""
        self._read_unread(self._unsummarised())
        with self._state:
            counts = {f.doc: len(f.conflicts) for f in self._docs.values() if f.conflicts}
            counts.update((s.doc, s.conflicts) for s in self._summaries.values() if s.conflicts)
        return counts

    def counts_ready(self) -> bool:
        """`counts` and `conflict_counts` can answer without reading a file."""
        return not self._unsummarised()

    def _unsummarised(self) -> list[str]:
        with self._state:
            return [doc for doc in self._unread if doc not in self._summaries]

    def _carried(self) -> tuple[list[Annotation], list[tuple[dict[str, int], dict[str, str]]]]:
        """Every annotation read, and the tags and latest uses of the files not read yet, from
        their summaries (after reading the unread files that have none)."""
        while True:  # again if a refresh meanwhile kept a summary still without its tags
            self._complete_summaries()
            self._read_unread(self._unsummarised())
            with self._state:
                kept = list(self._summaries.values())
                uses = [(s.tags, s.latest) for s in kept if s.tags is not None and s.latest is not None]
                if len(uses) == len(kept):
                    return [a for f in self._docs.values() for a in f.annotations.values()], uses

    def tags(self) -> list[Tag]:
        """The codebook plus any tag annotations carry that it lacks (palette colour), by name."""
        annotations, kept = self._carried()
        with self._state:
            tags = dict(self._codebook)
        carried = {t for a in annotations for t in a.tags} | {t for tags, _ in kept for t in tags}
        for t in carried - set(tags):
            tags[t] = Tag(t, palette_color(t))
        return [tags[n] for n in sorted(tags)]

    def codebook(self) -> list[Tag]:
        """The codebook's own tags by name: without the tags only annotations carry (`tags`)."""
        with self._state:
            return [self._codebook[n] for n in sorted(self._codebook)]

    def tag(self, name: str) -> Tag | None:
        return next((t for t in self.tags() if t.name == name), None)

    def tag_counts(self) -> dict[str, int]:
        """Annotations carrying each tag exactly (every codebook tag present, maybe with 0)."""
        annotations, kept = self._carried()
        with self._state:
            counts = {name: 0 for name in self._codebook}
        for a in annotations:
            for t in a.tags:
                counts[t] = counts.get(t, 0) + 1
        for tags, _ in kept:
            for t, n in tags.items():
                counts[t] = counts.get(t, 0) + n
        return dict(sorted(counts.items()))

    def recent_tags(self, n: int = 9) -> list[str]:
        """Tags most recently applied (by annotations' modified time), newest first."""
        annotations, kept = self._carried()
        latest: dict[str, str] = {}
        for a in annotations:
            for t in a.tags:
                if a.modified > latest.get(t, ""):
                    latest[t] = a.modified
        for _, uses in kept:
            for t, when in uses.items():
                if when > latest.get(t, ""):
                    latest[t] = when
        return sorted(latest, key=lambda t: (latest[t], t), reverse=True)[:n]

    def resolve(self, doc_id: str, text: str, sha256: str, update: bool = False):
        """Re-anchor a document's annotations in its current text: a list of `Anchored`.

        Nothing is written unless `update`: then annotations found exactly (in place with a new
        hash, or moved) get their position, quote context and hash updated as one undo step.
        Fuzzy ones are left for the user to confirm with `reattach`.
        """
        from reader.anchoring import anchor

        results = [anchor(a, text) for a in self.annotations(doc_id)]
        if update:
            updates = []
            for r in results:
                a = r.annotation
                if r.status == "moved" or (r.status == "anchored" and a.doc_sha256 != sha256):
                    new = replace(
                        a,
                        doc_sha256=sha256,
                        position=TextPositionSelector(r.span.start, r.span.end),  # type: ignore[union-attr]
                        quote=TextQuoteSelector.from_text(text, r.span.start, r.span.end),  # type: ignore[union-attr]
                    )
                    updates.append((a.id, new))
            if updates:
                seen = {r.annotation.id: r.annotation for r in results}

                def build() -> Change:
                    f = self._fresh_doc(doc_id)
                    return Change(
                        f"re-anchor {len(updates)} annotation(s) in {doc_id}",
                        tuple(
                            (doc_id, i, f.annotations[i], new)
                            for i, new in updates
                            if f.annotations.get(i) == seen[i]  # unchanged by anyone since
                        ),
                    )

                self._mutate(build)
                by_id = {a.id: a for a in self.annotations(doc_id)}
                results = [replace(r, annotation=by_id.get(r.annotation.id, r.annotation)) for r in results]
        return results

    # -- changing annotations --------------------------------------------------------------------

    def add(
        self,
        doc_id: str,
        text: str,
        sha256: str,
        start: int,
        end: int,
        tags: Iterable[str],
        note: str = "",
    ) -> Annotation:
        """Tag text[start:end] of a document; the tags are created in the codebook if new."""
        return self.add_many([NewAnnotation(doc_id, text, sha256, start, end, tuple(tags), note)])[0]

    def add_many(
        self,
        items: Iterable[NewAnnotation],
        description: str | None = None,
        codebook: Iterable[Tag] = (),
    ) -> list[Annotation]:
        """Create many annotations as one change (one write per document, one undo step).
        `codebook`: tags to create with their colour and description if the codebook lacks
        them (an import's codes), in the same change, so a crash keeps all or none of it."""
        wanted = [replace(t, name=validate_tag_name(t.name)) for t in codebook]
        now = utc_now()
        created = [self._new_annotation(item, now) for item in items]
        if not created and not wanted:
            return []
        if description is None:
            description = (
                f"add {', '.join(created[0].tags)} to {created[0].doc}"
                if len(created) == 1
                else f"add {len(created)} annotations"
            )

        def build() -> Change:
            for doc in {a.doc for a in created}:
                self._writable(self._fresh_doc(doc))
            if wanted:
                self._fresh_codebook_writable()
            renamed = self._rename_map  # a tag renamed (here or on a merged branch) is its new name
            for i, a in enumerate(created):
                tags = renamed.tags(a.tags)
                if tags is not a.tags:
                    created[i] = replace(a, tags=tags)
            given = tuple(
                (
                    renamed.tag(t.name),
                    None,
                    t if renamed.tag(t.name) == t.name else replace(t, name=renamed.tag(t.name)),
                )
                for t in wanted
                if renamed.tag(t.name) not in self._codebook
            )
            named = {name for name, _old, _new in given}
            return Change(
                description,
                tuple((a.doc, a.id, None, a) for a in created),
                tags=given
                + tuple(entry for entry in self._new_tags(t for a in created for t in a.tags) if entry[0] not in named),
            )

        self._mutate(build)
        return created

    def edit(self, ann_id: str, tags: Iterable[str] | None = None, note: str | None = None) -> Annotation:
        """Replace an annotation's tags and/or note (None: unchanged)."""
        new_tags = clean_tags(tags) if tags is not None else None
        if note is not None and not isinstance(note, str):
            raise TypeError("note must be a string")
        result: list[Annotation] = []

        def build() -> Change | None:
            old = self._fresh_annotation(ann_id)
            new = replace(
                old,
                tags=self._rename_map.tags(new_tags) if new_tags is not None else old.tags,
                note=note if note is not None else old.note,
            )
            if new == old:
                result.append(old)
                return None
            new = replace(new, modified=utc_now())
            result.append(new)
            what = "tags" if new.tags != old.tags else "note"
            return Change(
                f"edit {what} of {short(old)}",
                ((old.doc, ann_id, old, new),),
                tags=self._new_tags(new.tags),
            )

        self._mutate(build)
        return result[0]

    def delete(self, ann_id: str) -> Annotation:
        result: list[Annotation] = []

        def build() -> Change:
            old = self._fresh_annotation(ann_id)
            result.append(old)
            return Change(f"delete {short(old)}", ((old.doc, ann_id, old, None),))

        self._mutate(build)
        return result[0]

    def reattach(self, ann_id: str, text: str, sha256: str, start: int, end: int) -> Annotation:
        """Place an annotation (an orphan, a fuzzy match) at [start, end) of the current text."""
        check_span(text, start, end)
        result: list[Annotation] = []

        def build() -> Change:
            old = self._fresh_annotation(ann_id)
            new = replace(
                old,
                doc_sha256=sha256,
                position=TextPositionSelector(start, end),
                quote=TextQuoteSelector.from_text(text, start, end),
                modified=utc_now(),
            )
            result.append(new)
            return Change(f"reattach {short(old)}", ((old.doc, ann_id, old, new),))

        self._mutate(build)
        return result[0]

    # -- attributes ------------------------------------------------------------------------------

    def set_attributes(
        self,
        doc_id: str,
        /,
        title: str | None = _UNSET,
        date: str | None = _UNSET,
        source: str | None = _UNSET,
        **attrs: str | None,
    ) -> DocumentAttributes:
        """Override title/date/source (None clears an override) and set free attributes
        (`outlet="Newsweek"`; None removes one). Options not given are unchanged."""
        doc_path(self.folder, doc_id)
        for key, value in attrs.items():
            if value is not None and not isinstance(value, str):
                raise TypeError(f"attribute {key!r} must be a string or None")
        result: list[DocumentAttributes] = []

        def build() -> Change | None:
            f = self._writable(self._fresh_doc(doc_id))
            old = f.attrs()
            extra = dict(old.attributes)
            for key, value in attrs.items():
                if value is None:
                    extra.pop(key, None)
                else:
                    extra[key] = value
            new = DocumentAttributes(
                doc_id,
                title=old.title if title is _UNSET else title,
                date=old.date if date is _UNSET else date,
                source=old.source if source is _UNSET else source,
                attributes=dict(sorted(extra.items())),
            )
            result.append(new)
            if new == old:
                return None
            return Change(f"set attributes of {doc_id}", attrs=((doc_id, old, new),))

        self._mutate(build)
        return result[0]

    # -- maintenance -----------------------------------------------------------------------------

    def save(self) -> int:
        """Rewrite every readable file in the current format (migrates older files). Files
        whose bytes would not change are not touched. Returns how many files were written."""
        written = 0
        with self._locked():
            self._fresh_all()
            for f in list(self._docs.values()):
                if f.problem or f.stamp is None:
                    continue
                data = f.serialise()
                if data != self._disk_bytes(f.path):
                    f.stamp = atomic_write(f.path, data, self.folder)
                    f.version = FORMAT_VERSION
                    written += 1
            if self._codebook_problem is None and self._codebook_stamp is not None:
                data = serialise_codebook(self._codebook, self._renames)
                if data != self._disk_bytes(self.codebook_path):
                    self._codebook_stamp = atomic_write(self.codebook_path, data, self.folder)
                    written += 1
        return written

    def _new_annotation(self, item: NewAnnotation, now: str) -> Annotation:
        doc_path(self.folder, item.doc)
        check_span(item.text, item.start, item.end)
        if not isinstance(item.sha256, str) or not item.sha256:
            raise ValueError("the document's sha256 is required")
        if not isinstance(item.note, str):
            raise TypeError("note must be a string")
        if item.id is not None:  # an imported id: it may be in a file not read yet
            self._read_unread()
        with self._state:
            taken = item.id is not None and item.id in self._where
        if taken:
            raise ValueError(f"annotation id {item.id} is already in the store")
        return Annotation(
            id=item.id or new_id(),
            doc=item.doc,
            doc_sha256=item.sha256,
            position=TextPositionSelector(item.start, item.end),
            quote=TextQuoteSelector.from_text(item.text, item.start, item.end),
            tags=clean_tags(item.tags),
            note=item.note,
            creator=self.creator if item.creator is None else item.creator,
            created=item.created or now,
            modified=item.modified or item.created or now,
        )
