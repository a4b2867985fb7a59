"""Resolving a merge conflict: the annotation becomes the version the user picks.

A git merge keeps, for an annotation both sides changed differently, one version in the
document's annotations and every version in a conflict record (reader/store/conflicts.py).
Resolving picks one: the annotation becomes that version exactly as that coder left it (its
`modified` too, so a later merge with that coder's branch sees nothing new), or is deleted when
the pick is a deletion, and the record goes, in one change: atomic and durable like every
other, one undo step whose undo puts the annotation and the record, every version in it, back.

The choices are numbered from 1 as `reader annotations --conflicts` lists them: the record's
versions, then, when the annotation was edited since the merge (it is none of the versions),
the annotation as it is now, so that an edit made after the merge is a choice too and is never
replaced without being shown. A mixin of `AnnotationStore`; both backends run this code.

A record is kept as written (a rename never rewrites the versions it holds) and read through
the codebook's record of renames only when it leaves the store (`_conflicts_shown`): listed,
compared with what the user saw, picked. The change that removes it carries it as written, so
that undoing the resolution puts the file back byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader.model import Annotation
from reader.store.changes import Change, short
from reader.store.conflicts import Conflict
from reader.store.errors import StoreError
from reader.store.records import conflicts_read_through

if TYPE_CHECKING:
    from reader.store.records import DocFile
    from reader.store.renames import RenameMap


class ConflictNotFound(StoreError, KeyError):
    """No merge conflict is recorded for that annotation (never one, or resolved since)."""

    def __str__(self) -> str:
        return f"annotation {self.args[0]!r} has no merge conflict to resolve"


class NoSuchVersion(StoreError, ValueError):
    """The conflict has no version of that number."""


@dataclass(frozen=True)
class Choice:
    """One version the user can pick, numbered from 1."""

    number: int
    annotation: Annotation | None  # None: that side deleted it
    label: str  # "ours", "theirs", "version 3", "as it is now"


@dataclass(frozen=True)
class Resolution:
    """What resolving one conflict did."""

    doc: str
    id: str
    chosen: Choice
    before: Annotation | None  # the annotation as it was (None: absent)


def choices(conflict: Conflict, current: Annotation | None) -> list[Choice]:
    """The versions of `conflict` to pick from, numbered from 1; `current` (the annotation in
    the store now) is the last choice when it is none of them (edited since the merge)."""
    labels = ["ours", "theirs"]
    out = [Choice(n, v, labels[n - 1] if n <= 2 else f"version {n}") for n, v in enumerate(conflict.versions, start=1)]
    if current is not None and current not in conflict.versions:
        out.append(Choice(len(out) + 1, current, "as it is now (edited since the merge)"))
    return out


class ConflictResolution:
    """`conflict_choices` and `resolve_conflicts` of `AnnotationStore`."""

    if TYPE_CHECKING:  # what the store provides (annotation_store.py, history.py, folder.py)
        _docs: dict[str, DocFile]
        _where: dict[str, str]
        _rename_map: RenameMap

        def conflicts(self, doc_id: str | None = None) -> list[Conflict]: ...
        def _mutate(self, build: Any) -> Change | None: ...
        def _fresh_doc(self, doc: str) -> DocFile: ...
        def _writable(self, f: DocFile) -> DocFile: ...
        def _new_tags(self, names: Iterable[str]) -> tuple: ...

    def conflict(self, ann_id: str) -> Conflict:
        """The merge conflict of annotation `ann_id` (ConflictNotFound: none)."""
        found = next((c for c in self.conflicts() if c.id == ann_id), None)
        if found is None:
            raise ConflictNotFound(ann_id)
        return found

    def conflict_choices(self, conflict: Conflict) -> list[Choice]:
        """What the user picks from for `conflict`, numbered as the listing shows them."""
        f = self._docs.get(conflict.kept.doc)
        return choices(conflict, f.annotations.get(conflict.id) if f is not None else None)

    def resolve_conflict(self, ann_id: str, number: int) -> Resolution:
        """Resolve one conflict by its choice `number` (from 1), as one undo step."""
        return self.resolve_conflicts([(ann_id, number)])[0]

    def resolve_conflicts(self, picks: Iterable[tuple[str, int]], description: str | None = None) -> list[Resolution]:
        """Resolve several conflicts (annotation id, choice number) as one change, one undo
        step. The records are read again under the lock: one that changed since it was read
        here (another process resolved it, a merge added a version) is refused with
        `StoreError`, nothing changed, rather than resolved by a number that now means another
        version. ConflictNotFound, NoSuchVersion: nothing changed."""
        wanted = list(dict.fromkeys(picks))
        if len({ann_id for ann_id, _n in wanted}) != len(wanted):
            raise ValueError("one choice per conflict")
        seen = {c.id: c for c in self.conflicts()}
        for ann_id, number in wanted:
            if ann_id not in seen:
                raise ConflictNotFound(ann_id)
            self._check_number(seen[ann_id], number)
        if not wanted:
            return []
        done: list[Resolution] = []

        def build() -> Change:
            done.clear()
            anns: list = []
            records: list = []
            names: list[str] = []
            for ann_id, number in wanted:
                stored, f = self._fresh_record(ann_id, seen[ann_id].kept.doc)
                record = self._conflicts_shown((stored,))[0] if stored is not None else None
                if record is None or record != seen[ann_id]:
                    raise StoreError(
                        f"the merge conflict of annotation {ann_id} changed since it was read "
                        "(resolved or merged again by another program?); nothing was changed: list it again"
                    )
                current = f.annotations.get(ann_id)
                chosen = self._check_number(record, number, current)
                if chosen.annotation != current:
                    anns.append((f.doc, ann_id, current, chosen.annotation))
                    if chosen.annotation is not None:
                        names.extend(chosen.annotation.tags)
                records.append((f.doc, ann_id, stored, None))  # as written: its undo restores the file
                done.append(Resolution(f.doc, ann_id, chosen, current))
            text = description or (
                f"resolve the conflict of {_what(done[0])} ({done[0].chosen.label})"
                if len(done) == 1
                else f"resolve {len(done)} merge conflicts"
            )
            return Change(text, tuple(anns), tags=self._new_tags(names), conflicts=tuple(records))

        with self._resolving([ann_id for ann_id, _n in wanted]):
            self._mutate(build)
        return list(done)

    @contextmanager
    def _resolving(self, ann_ids: list[str]) -> Iterator[None]:
        """Around a resolution's change (the PostgreSQL store checks row versions here)."""
        yield

    def _check_number(self, record: Conflict, number: int, current: Any = ...) -> Choice:
        if current is ...:
            f = self._docs.get(record.kept.doc)
            current = f.annotations.get(record.id) if f is not None else None
        listed = choices(record, current)
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= len(listed):
            raise NoSuchVersion(
                f"the conflict of annotation {record.id} has versions 1 to {len(listed)}, not {number!r}"
            )
        return listed[number - 1]

    def _conflicts_shown(self, conflicts: Iterable[Conflict]) -> tuple[Conflict, ...]:
        """`conflicts` as the user sees and picks them: every version read through the record
        of renames as it is now (the one place for that rule; the records stay as written)."""
        return conflicts_read_through(tuple(conflicts), self._rename_map)

    def _fresh_record(self, ann_id: str, doc: str) -> tuple[Conflict | None, DocFile]:
        """The record of `ann_id` as stored now (as written), and its document's file (under
        the lock)."""
        f = self._writable(self._fresh_doc(doc))
        record = next((c for c in f.conflicts if c.id == ann_id), None)
        return record, f


def _what(r: Resolution) -> str:
    a = r.chosen.annotation or r.before
    return short(a) if a is not None else f"annotation {r.id}"
