"""The store's errors and the plain records it hands out besides annotations.

Every error the store raises on purpose derives from `StoreError`; its message is for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


class StoreError(Exception):
    """Base of every error the store raises on purpose; the message is for the user."""


class ReadOnlyError(StoreError):
    """The document's (or the codebook's) file could not be read; it is never overwritten."""


class StoreWriteError(StoreError):
    """Writing failed (disk full, no permission...). Nothing changed, on disk or in memory."""


class TagInUse(StoreError):
    """`delete_tag(..., on_use='refuse')` on a tag annotations carry."""

    def __init__(self, tag: str, count: int, sole: int):
        self.tag, self.count, self.sole = tag, count, sole
        super().__init__(f"tag {tag!r} is used by {count} annotation(s), {sole} of which have no other tag")


class AnnotationNotFound(StoreError, KeyError):
    def __str__(self) -> str:
        return f"no annotation with id {self.args[0]!r}"


class UndoConflict(StoreError):
    """The records an undo/redo would restore were changed since (by another process)."""


@dataclass(frozen=True)
class StoreProblem:
    """A file the store could not use: which, why, and what it means for the user."""

    path: Path
    reason: str
    doc: str | None  # None: the codebook

    def __str__(self) -> str:
        what = f"the annotations of {self.doc} are" if self.doc else "the codebook is"
        return f"{self.path}: {self.reason} ({what} read-only until the file is fixed)"


@dataclass(frozen=True)
class NewAnnotation:
    """One annotation to create with `add_many` (auto-coding)."""

    doc: str
    text: str
    sha256: str
    start: int
    end: int
    tags: Sequence[str]
    note: str = ""
    # what an import carries over from the file (None: a new id, this store's user, now)
    id: str | None = None
    creator: str | None = None
    created: str | None = None
    modified: str | None = None
