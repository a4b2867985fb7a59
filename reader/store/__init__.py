"""The annotation store: JSON files that never lose a tag.

Layout (under the annotations folder):

    codebook.json                    the tags: name, colour, description
    docs/<document id>.json          one file per document: its annotations and its attributes
    .lock                            taken (fcntl) around every change; never committed
    .journal                         only while a change to several files is being made

A document id is the document's path relative to the corpus (`news/2024/a.txt`), so its file
mirrors the corpus (`docs/news/2024/a.txt.json`; the few names that need escapes are in
reader/store/paths.py): easy to find by hand, and a change to one document's annotations touches
one small file, so `git diff` shows exactly what changed and two people tagging different
documents never conflict. Attributes live in the document's file because they change with it.
A document left with neither annotations nor attributes has its file removed.

Guarantees:
- Durability: a change is on disk when the call returns (temp file in the same folder, fsync,
  `os.replace`, fsync of the folder). A crash leaves each file old or new, never partial.
- All or nothing: a change to several files (a tag rename, merge or deletion, a tag new to the
  codebook, an import, their undo and redo) goes through an intent journal; a writer killed
  anywhere leaves, after the next open, either none of the change or all of it
  (reader/store/journal.py).
- Several processes: every change takes the folder's lock, re-reads from disk the files it
  touches (comparing size, mtime and a hash of their bytes) and applies itself to that latest
  state, so two processes never lose each other's changes. `refresh()` picks up other processes'
  changes for reading, under the shared lock.
- Threads: reads are safe while another thread writes (reader/store/folder.py).
- A corrupt or unreadable file, or one written by a newer version, is listed in `problems`; the
  rest loads; that document is read-only (changes raise `ReadOnlyError`) and its file is never
  overwritten. Older format versions are migrated in memory and written in the current format
  on the next change.
- A failed write (disk full, read-only folder) raises `StoreWriteError`; the old files stay, the
  temp files are removed and the in-memory state is unchanged.
- Undo/redo: every change (add, add_many, edit, delete, reattach, re-anchoring, attributes, tag
  set/rename/merge/delete, resolving a merge conflict) is one step, applied like any change
  (durable, under the lock). An undo whose records were changed since by another process is
  refused (`UndoConflict`).

No Textual or rich here: the app and the CLI only call this API.
"""

from __future__ import annotations

from reader.store.annotation_store import AnnotationStore
from reader.store.errors import (
    AnnotationNotFound,
    NewAnnotation,
    ReadOnlyError,
    StoreError,
    StoreProblem,
    StoreWriteError,
    TagInUse,
    UndoConflict,
)
from reader.store.files import atomic_write, dumps, write_files
from reader.store.folder import CODEBOOK, LOCK
from reader.store.paths import DOCS, doc_path
from reader.store.records import FORMAT_VERSION, MIGRATIONS

__all__ = [
    "AnnotationNotFound",
    "AnnotationStore",
    "CODEBOOK",
    "DOCS",
    "FORMAT_VERSION",
    "LOCK",
    "MIGRATIONS",
    "NewAnnotation",
    "ReadOnlyError",
    "StoreError",
    "StoreProblem",
    "StoreWriteError",
    "TagInUse",
    "UndoConflict",
    "atomic_write",
    "doc_path",
    "dumps",
    "write_files",
]
