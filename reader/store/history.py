"""How every change to the store is made, kept and taken back: applied (every file it touches
written durably, all or nothing, under the folder's lock), recorded for undo, undone and redone.

A mixin of `AnnotationStore`: each operation builds a `Change` (reader/store/changes.py) from a
fresh read under the lock and hands it to `_mutate`. An undo or redo whose records another
process changed since is refused (`UndoConflict`) and dropped, never applied over them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from reader.model import Tag
from reader.store.changes import Change
from reader.store.errors import StoreWriteError, UndoConflict
from reader.store.files import write_files
from reader.store.paths import doc_path
from reader.store.records import FORMAT_VERSION, DocFile, serialise_codebook
from reader.store.renames import Rename, normalised

UNDO_LIMIT = 1_000


class ChangeHistory:
    """Applying changes and the undo/redo stacks of `AnnotationStore`."""

    _undo: list[Change]
    _redo: list[Change]

    if TYPE_CHECKING:  # what the store provides (reader/store/folder.py, AnnotationStore)
        folder: Path
        codebook_path: Path
        _codebook: dict[str, Tag]
        _renames: tuple[Rename, ...]
        _docs: dict[str, DocFile]
        _fresh: set[str] | None
        _mutex: threading.RLock

        def attributes(self, doc_id: str) -> Any: ...
        @contextmanager
        def _locked(self) -> Iterator[None]: ...
        def _fresh_doc(self, doc: str) -> DocFile: ...
        def _fresh_codebook_writable(self) -> None: ...
        def _writable(self, f: DocFile) -> DocFile: ...
        def _install(self, doc: str, new: DocFile | None) -> None: ...
        def _set_codebook(
            self, tags: dict[str, Tag], stamp: Any, problem: str | None, renames: tuple[Rename, ...] = ()
        ) -> bool: ...

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> str | None:
        """Undo the last change of this session; returns its description, None if none left."""
        return self._replay(self._undo, self._redo, inverse=True)

    def redo(self) -> str | None:
        return self._replay(self._redo, self._undo, inverse=False)

    def _mutate(self, build: Callable[[], Change | None]) -> Change | None:
        with self._locked():
            change = build()
            if change is None or change.is_empty():
                return None
            self._apply(change)
        self._undo.append(change)
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()
        return change

    def _replay(self, source: list[Change], target: list[Change], inverse: bool) -> str | None:
        with self._mutex:
            if not source:
                return None
            step = source[-1]
            change = step.inverse() if inverse else step
            with self._locked():
                for doc in change.docs():
                    self._writable(self._fresh_doc(doc))
                if change.touches_codebook():
                    self._fresh_codebook_writable()
                stale = self._stale(change)
                if stale:
                    source.pop()
                    raise UndoConflict(
                        f"cannot {'undo' if inverse else 'redo'} {step.description!r}: {stale} "
                        "changed since (by another program?); the step was dropped"
                    )
                self._apply(change)
            source.pop()
            target.append(step)
            return step.description

    def _stale(self, change: Change) -> str | None:
        """What differs between the current state and the state `change` expects."""
        for doc, ann_id, old, _new in change.anns:
            if self._docs.get(doc) is None and old is None:
                continue
            current = self._docs[doc].annotations.get(ann_id) if doc in self._docs else None
            if current != old:
                return f"annotation {ann_id} in {doc}"
        for doc, old, _new in change.attrs:
            if self.attributes(doc) != old:
                return f"the attributes of {doc}"
        for name, old, _new in change.tags:
            if self._codebook.get(name) != old:
                return f"tag {name}"
        for doc, ann_id, old_record, _new_record in change.conflicts:
            f = self._docs.get(doc)
            current_record = next((c for c in f.conflicts if c.id == ann_id), None) if f is not None else None
            if current_record != old_record:
                return f"the merge conflict of annotation {ann_id} in {doc}"
        for gone, added in change.renames:
            if (gone is not None and gone not in self._renames) or (added is not None and added in self._renames):
                return f"the record of the rename of {(gone or added).old}"  # type: ignore[union-attr]
        return None

    def _staged_renames(self, change: Change) -> tuple[Rename, ...]:
        """The codebook's record of renames after `change`."""
        if not change.renames:
            return self._renames
        entries = set(self._renames)
        for gone, added in change.renames:
            if gone is not None:
                entries.discard(gone)
            if added is not None:
                entries.add(added)
        return normalised(entries)

    def _staged(self, change: Change) -> tuple[dict[str, DocFile], dict[str, Tag] | None]:
        """Copies of the documents `change` touches with it applied, and the codebook after it
        (None: untouched); nothing installed yet. Both backends write from these."""
        staged: dict[str, DocFile] = {}
        for doc, ann_id, _old, new in change.anns:
            f = staged.get(doc) or self._staged_copy(doc)
            staged[doc] = f
            if new is None:
                f.annotations.pop(ann_id, None)
            else:
                f.annotations[ann_id] = new
        for doc, _old, new in change.attrs:
            f = staged.get(doc) or self._staged_copy(doc)
            staged[doc] = f
            f.attributes = new
        for doc, ann_id, _old_record, new_record in change.conflicts:
            f = staged.get(doc) or self._staged_copy(doc)
            staged[doc] = f
            kept = tuple(c for c in f.conflicts if c.id != ann_id)
            f.conflicts = kept if new_record is None else (*kept, new_record)
        codebook = None
        if change.touches_codebook():
            codebook = dict(self._codebook)
            for name, _old, new in change.tags:
                if new is None:
                    codebook.pop(name, None)
                else:
                    codebook[name] = new
        return staged, codebook

    def _apply(self, change: Change) -> None:
        """Write every file `change` touches, then update memory; on a failure, put back the
        files already written and raise StoreWriteError (memory unchanged)."""
        staged, codebook = self._staged(change)
        writes: list[tuple[Path, bytes | None]] = []
        for doc in sorted(staged):
            f = staged[doc]
            writes.append((f.path, None if f.is_empty() else f.serialise()))
        renames = self._staged_renames(change)
        if codebook is not None:
            writes.append((self.codebook_path, serialise_codebook(codebook, renames)))
        try:
            stamps = write_files(writes, self.folder)
        except StoreWriteError:
            if self._fresh is not None:  # memory is unchanged; disk is re-read next time
                self._fresh.clear()
            raise
        for doc, f in staged.items():
            f.stamp = stamps[f.path]
            f.version = FORMAT_VERSION
            self._install(doc, None if f.stamp is None else f)
        if codebook is not None:
            self._set_codebook(codebook, stamps[self.codebook_path], None, renames)

    def _staged_copy(self, doc: str) -> DocFile:
        f = self._fresh_doc(doc) if self._fresh is not None else self._docs.get(doc)
        if f is None:
            f = DocFile(doc, doc_path(self.folder, doc))
        self._writable(f)
        return DocFile(f.doc, f.path, dict(f.annotations), f.attributes, f.stamp, None, f.version, f.conflicts)
