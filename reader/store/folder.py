"""The annotations folder held in memory and kept in step with the disk; the folder's lock.

`StoreFolder` is the lower half of `AnnotationStore`: it loads the files, re-reads the ones other
processes changed, and owns the two kinds of locking:

- Between processes, `.lock` (fcntl): every change holds it exclusively; `refresh` holds it
  shared while it reads, so it never sees half of another process's change to several files.
  The first time a lock is taken, the journal a killed writer left is completed
  (reader/store/journal.py), stale temp files are swept and files written under the earlier
  path scheme are moved to their own names (reader/store/paths.py).
- Between threads of this process: `_mutex` orders writers (and refresh); `_state` guards the
  in-memory dictionaries. Readers hold `_state` only while they copy out what they need, and
  writers take it only to install new contents, so a UI thread reading while a worker thread
  writes (undo, auto-code, import) neither fails nor waits for the writer's fsyncs.

Files are read when needed (issue 19: 100,000 annotations are 100 MB of JSON, seconds to read
and check). Opening the store lists the files (`_unread`: path and file key) without reading
them; a document's file is read the first time something asks for that document, and the
questions about every annotation (all annotations, problems, an id) read the rest first
(`_read_unread`). The counts and attributes a first screen shows come from the summaries of
reader/store/summary.py for files unchanged since they were summarised. A change still
re-reads from disk, under the lock, every file it touches (`_fresh_doc`), read before or not:
reading later changes what is in memory when, never what is written.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from index import collector
from reader.model import Annotation, Tag
from reader.store import journal, summary, tidying
from reader.store.crashpoints import point
from reader.store.errors import AnnotationNotFound, ReadOnlyError, StoreProblem, StoreWriteError
from reader.store.files import (
    makedirs_durable,
    read_bytes,
    unchanged,
)
from reader.store.paths import Found, doc_path, scan
from reader.store.records import DocFile, parse_codebook_record, parse_doc
from reader.store.renames import Rename, RenameMap
from reader.store.summary import DocSummary, FileKey, file_key

CODEBOOK = "codebook.json"
LOCK = ".lock"
READ_STEP = 200
"""Unread files read per hold of the shared lock (a reader in another thread gets in between)."""


class StoreFolder:
    """The files of one annotations folder, in memory."""

    def __init__(self, folder: Path | str, summary_path: Path | None = None):
        self.folder = Path(folder)
        self._docs: dict[str, DocFile] = {}
        self._unread: dict[str, tuple[str, FileKey | None]] = {}  # found (its file), not read yet
        self._summaries: dict[str, DocSummary] = {}  # of unread files, still matching them
        self._summary_path = summary_path
        self._cached: dict[str, DocSummary] | None = None  # the summary file, read once
        self._reading = threading.RLock()  # one thread reads unread files at a time
        self._where: dict[str, str] = {}  # annotation id -> doc id
        self._codebook: dict[str, Tag] = {}
        self._codebook_stamp = None
        self._codebook_problem: str | None = None
        self._renames: tuple[Rename, ...] = ()  # the codebook's record (reader/store/renames.py)
        self._rename_map = RenameMap()  # the record resolved: what every file is read through
        self._mutex = threading.RLock()
        self._state = threading.RLock()
        self._lock_depth = 0
        self._fresh: set[str] | None = None  # files re-read inside the current lock
        self._opened = False  # swept and migrated under the lock
        # what the latest scan found to tidy at the first lock: misplaced files, temp files
        self._untidy: tuple[list[Found], list[Path]] | None = None
        self.recovered: list[str] = []  # what completing a killed writer's change did
        self._recovery_problem: str | None = None

    @property
    def codebook_path(self) -> Path:
        return self.folder / CODEBOOK

    @property
    def problems(self) -> list[StoreProblem]:
        """Files that could not be used, with the reason; their data is read-only (every
        file is read first)."""
        self._read_unread()
        return self._problems(None)

    def folder_problems(self) -> list[StoreProblem]:
        """The problems of the folder itself (the codebook, a crash's recovery), without
        reading any document's file."""
        return [p for p in self._problems(None) if p.doc is None]

    def file_keys(self) -> dict[str, FileKey]:
        """The (mtime_ns, size, inode) of each document's file not read yet, as the last
        refresh found it: the key of a cache of what a file holds (reader/store/summary.py)."""
        with self._state:
            return {doc: key for doc, (_path, key) in self._unread.items() if key is not None}

    def problems_of(self, doc_id: str) -> list[StoreProblem]:
        """The problems of one document's file and those of the whole folder (the codebook,
        a crash's recovery), without reading the other documents' files."""
        self._read_unread([doc_id])
        return self._problems(doc_id)

    def _problems(self, doc_id: str | None) -> list[StoreProblem]:
        with self._state:
            found = [
                StoreProblem(f.path, f.problem, f.doc)
                for f in self._docs.values()
                if f.problem and doc_id in (None, f.doc)
            ]
            found.sort(key=lambda p: str(p.path))
            if self._codebook_problem:
                found.insert(0, StoreProblem(self.codebook_path, self._codebook_problem, None))
            if self._recovery_problem:
                found.insert(0, StoreProblem(journal.path(self.folder), self._recovery_problem, None))
        return found

    def refresh(self) -> list[str]:
        """Re-read every file changed on disk since it was read (other processes' changes).

        Returns the ids of the documents whose annotations changed. The first one (the
        store's opening) makes an entry, and perhaps a summary, per file, which live on: the
        cycle collector is paused for it (index/collector.py; a fifth of opening 100,000).
        """
        with self._mutex, self._shared_lock(), collector.paused(live_on=True):
            changed = []
            self._reload_codebook(verify=False)  # first: the files are read through its record
            found = self._scan()
            if self._cached is None:
                self._cached = summary.load(self._summary_path, self.folder, self._rename_map.fingerprint())
            for doc in sorted(set(found) | set(self._docs) | set(self._unread)):
                with self._state:
                    read = doc in self._docs
                if not read:
                    if self._note_unread(doc, found.get(doc)):
                        changed.append(doc)
                    continue
                before = self._docs.get(doc)
                where = found[doc].path if doc in found else None
                if self._reload_doc(doc, verify=False, path=where) is not before:
                    changed.append(doc)
            return changed

    # -- loading ---------------------------------------------------------------------------------

    def _note_unread(self, doc: str, found: Found | None) -> bool:
        """Keep a file not read yet as unread (with a summary when one still matches it);
        True when it is new, changed or gone since the last look."""
        old = self._unread.get(doc)
        if found is None:
            with self._state:
                self._unread.pop(doc, None)
                self._summaries.pop(doc, None)
            return old is not None
        try:
            key: FileKey | None = file_key(os.stat(found.where))
        except OSError:
            key = None  # read (and its problem said) when needed
        if old == (found.where, key):
            return False
        cached = self._summaries.get(doc) or (self._cached or {}).get(doc)
        with self._state:
            self._unread[doc] = (found.where, key)
            if cached is not None and key is not None and cached.key == key:
                self._summaries[doc] = cached
            else:
                self._summaries.pop(doc, None)
        return True

    def _read_unread(self, docs: list[str] | None = None) -> None:
        """Read the files found but not read yet: those of `docs`, or every one. A file a
        writer read meanwhile (under the lock, fresher) is left as the writer read it."""
        with self._state:
            if not self._unread:
                return
            wanted = list(self._unread) if docs is None else [d for d in docs if d in self._unread]
        # the annotations parsed have no cycles and live on: the collector's passes over them
        # were a third of reading 100,000 (index/collector.py)
        with collector.paused(live_on=True):
            while wanted:  # again for a file a refresh found changed while it was being read
                for start in range(0, len(wanted), READ_STEP):
                    with self._reading, self._shared_lock():
                        for doc in wanted[start : start + READ_STEP]:
                            with self._state:
                                entry = self._unread.get(doc)
                            if entry is None:
                                continue
                            new = self._parse(doc, Path(entry[0]))
                            with self._state:
                                if self._unread.get(doc) is entry:
                                    self._install(doc, new)
                with self._state:
                    wanted = [d for d in wanted if d in self._unread]

    def _parse(self, doc: str, path: Path) -> DocFile | None:
        """A document's file read from disk (None: it is gone)."""
        try:
            read = read_bytes(path)
        except OSError as exc:
            return DocFile(doc, path, problem=f"cannot be read ({exc.strerror})", stamp=(0, 0, "", 0))
        return None if read is None else parse_doc(doc, path, *read, self._rename_map)

    def load_all(self) -> None:
        """Read every file not read yet, then keep their summaries for the next open (the app
        does this in a worker after its first frame)."""
        self._read_unread()
        self.save_summary()

    def save_summary(self) -> None:
        """Write the summaries of the files as they are now (reader/store/summary.py); only
        with a summary path, and only when they differ from the file's."""
        if self._summary_path is None:
            return
        self._complete_summaries()  # what is compared and written has its tags
        with self._state:
            files = list(self._docs.values())
            kept = dict(self._summaries)
        kept.update(summary.of_files(files))
        if kept != self._cached:
            summary.save(self._summary_path, self.folder, kept, self._rename_map.fingerprint())
            self._cached = kept

    def _complete_summaries(self) -> None:
        """Give the summaries kept their tags, from the second file (reader/store/summary.py),
        read when first needed; one it has none for is dropped: its file is read instead."""
        with self._state:
            if not (summary.incomplete(self._summaries) or summary.incomplete(self._cached)):
                return
        uses = summary.load_tags(self._summary_path, self.folder, self._rename_map.fingerprint())
        with self._state:
            self._summaries = summary.complete(self._summaries, uses)
            if self._cached is not None:
                self._cached = summary.complete(self._cached, uses)

    def _path_of(self, doc: str) -> Path:
        f = self._docs.get(doc)
        if f is not None:
            return f.path
        unread = self._unread.get(doc)
        return Path(unread[0]) if unread is not None else doc_path(self.folder, doc)

    def _reload_doc(self, doc: str, verify: bool, path: Path | None = None) -> DocFile | None:
        """Bring one document's state in line with its file. `verify` hashes the bytes even
        when size and mtime agree (used under the lock, where a stale read would lose data)."""
        try:
            path = path or self._path_of(doc)
        except ValueError:
            return None
        old = self._docs.get(doc)
        if old is not None and not verify and old.stamp is not None and old.path == path:
            try:
                st = os.stat(path)
                if unchanged(st, old.stamp):
                    return old
            except FileNotFoundError:
                pass
        try:
            read = read_bytes(path)
        except OSError as exc:
            new = DocFile(doc, path, problem=f"cannot be read ({exc.strerror})", stamp=(0, 0, "", 0))
            self._install(doc, new)
            return new
        if read is None:
            if old is None or old.stamp is None:
                if doc in self._unread:  # an unread file removed since it was found
                    self._install(doc, None)
                return old
            self._install(doc, None)
            return None
        data, stamp = read
        if old is not None and old.stamp is not None and old.stamp[2] == stamp[2] and old.path == path:
            old.stamp = stamp
            return old
        new = parse_doc(doc, path, data, stamp, self._rename_map)
        self._install(doc, new)
        return new

    def _install(self, doc: str, new: DocFile | None) -> None:
        with self._state:
            self._unread.pop(doc, None)
            self._summaries.pop(doc, None)
            old = self._docs.pop(doc, None)
            if old is not None:
                for i in old.annotations:
                    if self._where.get(i) == doc:
                        del self._where[i]
            if new is not None:
                self._docs[doc] = new
                for i in new.annotations:
                    self._where[i] = doc

    def _set_codebook(self, tags: dict[str, Tag], stamp, problem: str | None, renames: tuple[Rename, ...] = ()) -> bool:
        """Install the codebook and its record; True when the record changed (the files read
        so far were read through the old one)."""
        with self._state:
            self._codebook, self._codebook_stamp, self._codebook_problem = tags, stamp, problem
            if renames == self._renames:
                return False
            self._renames, self._rename_map = renames, RenameMap(renames)
            return True

    def _reread_through_record(self) -> None:
        """After another process (a git merge, a pull) changed the record: every file read
        is read again when needed, and no summary made under the old record is used."""
        with self._state:
            for doc, f in list(self._docs.items()):
                if f.stamp is not None and f.stamp[2]:
                    self._install(doc, None)
                    self._unread[doc] = (str(f.path), None)
            self._summaries.clear()
            if self._fresh is not None:  # under the lock: read again, through the new record
                self._fresh.intersection_update({"\0codebook"})
        self._cached = None

    def _reload_codebook(self, verify: bool) -> None:
        path = self.codebook_path
        if not verify and self._codebook_stamp is not None:
            try:
                st = os.stat(path)
                if unchanged(st, self._codebook_stamp):
                    return
            except FileNotFoundError:
                pass
        try:
            read = read_bytes(path)
        except OSError as exc:
            self._set_codebook({}, (0, 0, "", 0), f"cannot be read ({exc.strerror})", self._renames)
            return
        if read is None:
            if self._set_codebook({}, None, None):
                self._reread_through_record()
            return
        data, stamp = read
        if self._codebook_stamp is not None and self._codebook_stamp[2] == stamp[2]:
            self._codebook_stamp = stamp
            return
        tags, renames, problem = parse_codebook_record(data, path)
        if self._set_codebook(tags, stamp, problem, renames if problem is None else self._renames):
            self._reread_through_record()

    @staticmethod
    def _disk_bytes(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    # -- locking ---------------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The folder's lock (between processes) and this store's mutex (between threads)."""
        with self._mutex:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            try:
                makedirs_durable(self.folder)
                fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise StoreWriteError(
                    f"cannot write to the annotations folder {self.folder}: {exc.strerror or exc}; nothing was changed"
                ) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._lock_depth = 1
                self._fresh = set()
                self._after_lock()
                self._fresh_codebook()  # first: every file a change reads is read through its record
                yield
            finally:
                self._lock_depth = 0
                self._fresh = None
                point("before unlock")
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
                point("after unlock")

    @contextmanager
    def _shared_lock(self) -> Iterator[None]:
        """Held while reading: no other process is halfway through a change meanwhile. A journal
        found under it is a killed writer's: its change is completed first (when writable)."""
        if self._lock_depth:  # this store holds the lock exclusively already
            yield
            return
        for attempt in (1, 2):
            try:
                fd = os.open(self.folder / LOCK, os.O_RDONLY)
            except OSError:  # no lock file yet (nothing written), or not readable: read as is
                fd = None
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_SH)
            if attempt == 1 and journal.exists(self.folder):
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                try:
                    with self._locked():
                        pass  # taking the lock completes the change
                except StoreWriteError as exc:
                    self._recovery_problem = (
                        f"a change interrupted by a crash could not be completed ({exc}); files may hold part of it"
                    )
                continue
            try:
                yield
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
            return

    def _after_lock(self) -> None:
        """Under a fresh exclusive lock: complete a killed writer's change; once per store,
        sweep stale temp files and move files named by the earlier scheme, those the latest
        scan found (opening the store scans the folder: the first change does not walk 10,000
        files twice more), or a new scan's after completing a killed writer's change."""
        try:
            done = journal.recover(self.folder)
        except OSError as exc:
            raise StoreWriteError(
                f"cannot complete a change interrupted by a crash in {self.folder}: "
                f"{exc.strerror or exc}; nothing was changed"
            ) from exc
        if done is not None:
            self._recovery_problem = None
            self.recovered.append(
                "discarded a change interrupted before it started"
                if done.discarded
                else f"completed a change interrupted by a crash ({done.completed} file(s))"
            )
            self.recovered.extend(done.doubts)
        if not self._opened:
            if self._untidy is None or done is not None:  # no scan yet, or one before a crash
                self._scan()
            assert self._untidy is not None
            misplaced, temps = self._untidy
            tidying.remove_stale_temp_files(self.folder, temps)
            for doc, target in tidying.move_misplaced(self.folder, misplaced):
                self._install(doc, None)
                self._reload_doc(doc, verify=True, path=target)
            self._opened = True

    def _scan(self) -> dict[str, Found]:
        """The document files on disk by id (paths.scan), noting what the first lock tidies."""
        temps: list[Path] = []
        found = {f.doc: f for f in scan(self.folder, temps)}
        self._untidy = ([f for f in found.values() if f.misplaced], temps)
        return found

    # -- reading under the lock --------------------------------------------------------------------

    def _fresh_doc(self, doc: str) -> DocFile:
        """The document's latest on-disk state (read at most once per lock)."""
        assert self._fresh is not None, "only under the lock"
        if doc not in self._fresh:
            self._reload_doc(doc, verify=True)
            self._fresh.add(doc)
        f = self._docs.get(doc)
        if f is None:
            f = DocFile(doc, doc_path(self.folder, doc))
        return f

    def _fresh_all(self) -> None:
        assert self._fresh is not None
        found = self._scan()
        for doc in sorted(set(found) | set(self._docs) | set(self._unread)):
            if doc not in self._fresh:
                self._reload_doc(doc, verify=True, path=found[doc].path if doc in found else None)
                self._fresh.add(doc)
        self._fresh_codebook()

    def _fresh_codebook(self) -> None:
        assert self._fresh is not None
        if "\0codebook" not in self._fresh:
            self._reload_codebook(verify=True)
            self._fresh.add("\0codebook")

    def _fresh_codebook_writable(self) -> None:
        self._fresh_codebook()
        if self._codebook_problem:
            raise ReadOnlyError(f"{self.codebook_path}: {self._codebook_problem}; the codebook is read-only")

    def _fresh_annotation(self, ann_id: str) -> Annotation:
        doc = self._where.get(ann_id)
        if doc is not None:
            f = self._writable(self._fresh_doc(doc))  # its file broke since: read-only
            if ann_id in f.annotations:
                return f.annotations[ann_id]
        self._fresh_all()  # added, or moved between files, by another process
        doc = self._where.get(ann_id)
        if doc is None:
            raise AnnotationNotFound(ann_id)
        return self._writable(self._docs[doc]).annotations[ann_id]

    def _writable(self, f: DocFile) -> DocFile:
        if f.problem:
            raise ReadOnlyError(f"{f.path}: {f.problem}; the annotations of {f.doc} are read-only")
        return f

    def _all_annotations(self) -> list[Annotation]:
        self._read_unread()
        with self._state:
            return [a for f in self._docs.values() for a in f.annotations.values()]
