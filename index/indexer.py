"""The on-disk Whoosh index of a corpus, kept up to date incrementally through a manifest.

Layout of `index_dir` (a cache folder that belongs to us alone):

    lock            an flock held for the whole of an update, so two processes indexing
                    the same corpus take turns: the second waits (and says so), then finds
                    the work done; a lock kept by leftovers of a dead build is taken over
                    (index/locking.py)
    manifest.json   schema version, corpus root, and per document: size, mtime_ns, sha256 and
                    metadata; per skipped file: size, mtime_ns and the reason. Written
                    atomically (temp file + os.replace) after the index commit.
    whoosh/         the Whoosh index proper; deleted and rebuilt whenever it is in doubt

Why a manifest: opening an unchanged corpus must cost only a scan (stat calls) and a compare,
never a read of the files or of the index. A file whose size or mtime changed is read and
hashed; if its sha256 is unchanged only the manifest is updated (a `touch`), otherwise only that
document is replaced (`update_document` on the unique id). Removed files are deleted by term.

The index is disposable: missing, built by another `SCHEMA_VERSION`, disagreeing with the
manifest, unreadable (garbage files, truncated TOC) or failing while being written, it is
rebuilt from scratch and `IndexReport.rebuilt_reason` says why (index/checking.py holds the
checks made before an update). No traceback reaches the user for a damaged cache. Whoosh's
own write lock is an fcntl lock too, so a writer that died leaves nothing that blocks the
next one.

A first build of a big corpus is committed in batches of growing size, each with the
manifest of what it holds: the app searches what is indexed while the rest is read, and a
build that is stopped keeps what it finished.

Large batches (a full build) run in two worker processes (spawned, not forked) that each read, analyse and
write a segment of their own, committed together by this process (index/parallel.py explains
why that beats Whoosh's own two-process writer; index/batching.py decides the batches and
when workers pay); small updates run here, in one process, with
the same light read (`Corpus.read_for_index`: no paragraphs or sentences), the same one-pass
analysis (index/postings.py) and the same writer (index/writing.py). Nothing here ever
optimizes the index: a full merge took 80 s on 100 MB.
"""

from __future__ import annotations

import functools
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex

from index import batching
from index.checking import FIRST_BUILD, Rebuild, check_whoosh, describe, parse_manifest, stamp
from index.corpus import Corpus, CorpusFile
from index.document import Document, DocumentMeta, IndexReport, Skipped
from index.formats.cache import EXTRACTED_DIR  # text extracted from PDF, DOCX, ...
from index.locking import index_lock
from index.manifest import (
    MANIFEST_NAME,
    _Entry,
    _Manifest,
    _SkipEntry,
    read_manifest_quietly,
    whoosh_files,
    write_manifest,
)
from index.parallel import ParallelBuild
from index.preparing import _prepare
from index.schema import build_schema
from index.writing import _LazyWriter

__all__ = ["CorpusIndex", "Committed", "Notice", "Progress", "FIRST_BUILD", "MANIFEST_NAME"]

Progress = Callable[[int, int, str], None]
Planned = Callable[[dict[str, int]], None]  # document id -> size in bytes, of all to be read
# notice(message): something the user should know now (waiting for a lock, a lock taken over).
Notice = Callable[[str], None]
# committed(done, total): a batch of a first build is committed and searchable.
Committed = Callable[[int, int], None]

LOCK_NAME = "lock"
WHOOSH_DIR = "whoosh"


class _ProgressFailed(Exception):
    """The progress callback raised: the update is abandoned (nothing committed), not retried."""


class CorpusIndex:
    """A corpus folder and its index folder. Call `update()` to bring the index up to date."""

    def __init__(self, corpus_root: Path | str, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir).expanduser()
        # raises CorpusError for a bad root; PDFs' and others' extracted text is kept beside the index
        self.corpus = Corpus(corpus_root, extract_cache=self.index_dir / EXTRACTED_DIR)
        self.corpus_root = self.corpus.root
        self.last_report: IndexReport | None = None
        self._manifest: _Manifest | None = None
        # (inode, size, mtime_ns) of manifest.json when `_manifest` was read or written: the
        # next update of this process parses it again only if another process replaced it
        self._manifest_stamp: tuple[int, int, int] | None = None
        self._ix: FileIndex | None = None
        self._updating: IndexReport | None = None  # the report of the update under way

    def __repr__(self) -> str:
        return f"CorpusIndex({str(self.corpus_root)!r}, {str(self.index_dir)!r})"

    @property
    def whoosh_dir(self) -> Path:
        return self.index_dir / WHOOSH_DIR

    # --- public API ------------------------------------------------------------------------

    def update(
        self,
        progress: Progress | None = None,
        committed: Committed | None = None,
        notice: Notice | None = None,
        planned: Planned | None = None,
    ) -> IndexReport:
        """Bring the index up to date with the corpus; returns what was done.

        `progress(done, total, doc_id)` is called once per document read, and once before the
        first one with (0, total, "") so that a progress bar knows its total from the start
        (a multi-process build hears of its first documents only when a chunk is done);
        `committed(done, total)` when part of a first build has been committed and can be
        searched; `notice(message)` when the user should know something now (waiting for
        another update's lock, a dead build's lock taken over); notices are also in the report;
        `planned(sizes)` before anything is read, with the documents to read and their sizes
        in bytes (a bar that weighs a 400-page PDF as more than a note).

        Holds the index folder's exclusive lock throughout: a concurrent update in another
        process waits here, then finds nothing left to do.
        """
        started = time.perf_counter()
        self.index_dir.mkdir(parents=True, exist_ok=True)
        report = self._updating = IndexReport()
        try:
            with self._locked(report, notice):
                try:
                    manifest = self._open_existing()
                except Rebuild as why:
                    report.rebuilt_reason = str(why)
                    manifest = self._reset()
                try:
                    self._apply(manifest, report, progress, committed, planned)
                except _ProgressFailed as failed:  # the caller's callback (a cancel): no commit
                    raise failed.__cause__ or failed from None
                except Exception as exc:  # a damaged index found while writing: start over once
                    if report.rebuilt_reason is not None:
                        raise
                    report = self._updating = IndexReport(
                        rebuilt_reason=self.damage_reason(exc), notices=report.notices
                    )
                    manifest = self._reset()
                    self._apply(manifest, report, progress, committed, planned)
        finally:
            self._updating = None
        report.seconds = time.perf_counter() - started
        self.last_report = report
        return report

    def rebuild(
        self,
        reason: str,
        progress: Progress | None = None,
        committed: Committed | None = None,
        notice: Notice | None = None,
        planned: Planned | None = None,
    ) -> IndexReport:
        """Discard the index and build it again (used when a search finds it damaged)."""
        started = time.perf_counter()
        self.index_dir.mkdir(parents=True, exist_ok=True)
        report = self._updating = IndexReport(rebuilt_reason=reason)
        try:
            with self._locked(report, notice):
                self._apply(self._reset(), report, progress, committed, planned)
        finally:
            self._updating = None
        report.seconds = time.perf_counter() - started
        self.last_report = report
        return report

    def updating_reason(self) -> str | None:
        """Why the update under way rebuilds the index from scratch (None: it does not, or
        no update is running); for a front end that says what it is waiting for."""
        report = self._updating
        return report.rebuilt_reason if report is not None else None

    @staticmethod
    def damage_reason(exc: BaseException) -> str:
        """The rebuild reason for an index that raised `exc` while being read or written."""
        return f"index damaged ({describe(exc)})"

    def documents(self) -> dict[str, DocumentMeta]:
        """Metadata of every indexed document, by id, from the manifest (no index access)."""
        manifest = self._manifest or self._read_manifest_quietly()
        if manifest is None:
            return {}
        return manifest.documents.metas()

    def sha256(self, doc_id: str) -> str | None:
        """The content hash the index holds for a document (to detect a stale index)."""
        manifest = self._manifest or self._read_manifest_quietly()
        entry = manifest.documents.get(doc_id) if manifest else None
        return entry.sha256 if entry else None

    def indexed(self) -> dict[str, tuple[str, DocumentMeta]]:
        """(sha256, metadata) of every indexed document, by id, from one read of the manifest:
        for a reader of many documents (an export) that takes the metadata from here for each
        file whose hash it matches, instead of extracting it again."""
        manifest = self._manifest or self._read_manifest_quietly()
        if manifest is None:
            return {}
        return {doc_id: (entry.sha256, entry.meta) for doc_id, entry in manifest.documents.items()}

    def load(self, doc_id: str) -> Document:
        """The document as it is on disk now; raises index.corpus.UnreadableDocument."""
        return self.corpus.load(doc_id)

    def whoosh(self) -> FileIndex:
        """The Whoosh index, updating first if this corpus has never been indexed here."""
        if self._ix is None:
            try:
                self._ix = whoosh_index.open_dir(str(self.whoosh_dir))
            except Exception:  # missing or damaged: update() rebuilds it and keeps it open
                self.update()
        assert self._ix is not None
        return self._ix

    def made_before_arrays(self) -> bool:
        """Whether this index was written before phrases had position arrays, so that a
        rebuild would make them faster (index/position_arrays.py)."""
        from index.position_arrays import made_before_arrays

        with self.whoosh().reader() as reader:
            return made_before_arrays(reader)

    # --- checking what exists --------------------------------------------------------------

    def _open_existing(self) -> _Manifest:
        """The manifest of a usable index, or Rebuild with the reason it is not usable
        (the checks: index/checking.py)."""
        path = self.index_dir / MANIFEST_NAME
        try:
            found = stamp(path)
        except FileNotFoundError:
            raise Rebuild(FIRST_BUILD if not self.whoosh_dir.exists() else "manifest missing") from None
        except OSError as exc:
            raise Rebuild(f"manifest unreadable ({describe(exc)})") from None
        if self._manifest is not None and found == self._manifest_stamp:
            manifest = self._manifest  # the one this process read or wrote last: not parsed again
        else:
            manifest = parse_manifest(path)
            self._manifest_stamp = found
        if manifest.corpus_root != str(self.corpus_root):
            raise Rebuild(f"index was built for another corpus ({manifest.corpus_root})")
        self._ix = check_whoosh(self.whoosh_dir, manifest)
        return manifest

    def _reset(self) -> _Manifest:
        """Delete the Whoosh files and create an empty index."""
        self._ix = None
        shutil.rmtree(self.whoosh_dir, ignore_errors=True)
        self.whoosh_dir.mkdir(parents=True)
        self._ix = whoosh_index.create_in(str(self.whoosh_dir), build_schema())
        manifest = _Manifest.empty(self.corpus_root)
        (self.index_dir / MANIFEST_NAME).unlink(missing_ok=True)
        return manifest

    # --- updating --------------------------------------------------------------------------

    def _apply(
        self,
        old: _Manifest,
        report: IndexReport,
        progress: Progress | None,
        committed: Committed | None = None,
        planned: Planned | None = None,
    ) -> None:
        """Compare the corpus with `old`, write the differences, then save the new manifest.

        A first build of a big corpus is written in batches of growing size (index/batching.py),
        each committed with the manifest of what it holds: what is indexed can be searched
        while the rest is being read (`committed` is told), and a build that is stopped keeps
        what it finished, so the next update resumes. Later updates are one commit: a
        changed document must never be absent from the index between two commits.
        """
        files, skipped = self.corpus.scan()
        report.skipped.extend(skipped)
        new = _Manifest.empty(self.corpus_root)
        work: list[tuple[CorpusFile, str]] = []
        for file in files:
            stat = old.documents.stat(file.id)  # the entry is carried over unparsed when unchanged
            if stat is not None and stat == (file.size, file.mtime_ns):
                new.documents.carry(old.documents, file.id)
                report.unchanged += 1
                continue
            skip = old.skipped.get(file.id)
            if skip is not None and (skip.size, skip.mtime_ns) == (file.size, file.mtime_ns):
                new.skipped[file.id] = skip
                report.skipped.append(Skipped(file.id, skip.reason))
            else:
                work.append((file, "changed" if stat is not None else "added"))
        if len(old.documents) > report.unchanged + sum(kind == "changed" for _, kind in work):  # some are gone
            present = {f.id for f in files}
            report.removed.extend(sorted(i for i in old.documents if i not in present))

        first_build = not old.documents and not old.skipped
        batches = batching.batches(work) if first_build else [work]
        if work and (progress is not None or planned is not None):  # before anything is read
            try:
                if planned is not None:
                    planned({file.id: file.size for file, _ in work})
                if progress is not None:
                    progress(0, len(work), "")
            except Exception as exc:
                raise _ProgressFailed from exc
        done = 0
        for number, batch in enumerate(batches):
            self._write_batch(
                batch, old, new, report, progress, done, len(work), removed=report.removed if number == 0 else []
            )
            done += len(batch)
            if number + 1 < len(batches):  # searchable now; resumable if stopped later
                # A copy: documents() may read it from another thread while `new` grows.
                self._write_manifest(_Manifest(new.corpus_root, new.documents.copy(), dict(new.skipped)))
                if committed is not None:
                    try:
                        committed(done, len(work))
                    except Exception as exc:  # the caller's: not a damaged index
                        raise _ProgressFailed from exc
        for ids in (report.added, report.changed, report.removed):
            ids.sort()
        report.skipped.sort(key=lambda s: s.id)
        # Each piece of work changes an entry, a removal drops one (no need to compare all).
        if work or report.removed or new.skipped != old.skipped:
            self._write_manifest(new)  # an unchanged corpus costs no write and no fsync
        else:
            self._manifest = old

    def _write_batch(
        self,
        work: list[tuple[CorpusFile, str]],
        old: _Manifest,
        new: _Manifest,
        report: IndexReport,
        progress: Progress | None,
        done: int,
        total: int,
        removed: list[str],
    ) -> None:
        """Index `work` (and delete `removed`) in one commit; nothing of it is committed if
        anything raises."""
        writer = _LazyWriter(self._ix)
        build = None
        try:
            for doc_id in removed:
                writer.get().delete_by_term("id", doc_id)
            items = [(file, old.documents.get(file.id)) for file, _ in work]
            prepare = functools.partial(_prepare, self.corpus)
            if batching.wants_multiprocess(work):
                build = ParallelBuild(self._ix, items, [f.size for f, _ in work], prepare, procs=batching.workers())
                outcomes = build.run()
            else:
                outcomes = ((i, prepare(item)) for i, item in enumerate(items))
            for count, (i, prepared) in enumerate(outcomes, done + 1):
                file, previous = items[i]
                self._record(file, previous, prepared, new, writer, report)
                if progress is not None:
                    try:
                        progress(count, total, file.id)
                    except Exception as exc:
                        raise _ProgressFailed from exc
            writer.commit(build.segments if build is not None else ())
        except BaseException:
            if build is not None:
                build.abandon()
            writer.cancel()
            raise

    def _record(
        self,
        file: CorpusFile,
        previous: _Entry | None,
        prepared,
        new: _Manifest,
        writer: _LazyWriter,
        report: IndexReport,
    ) -> None:
        """Apply one prepared outcome: manifest, report, and the writes of this process."""
        (kind, value), fields = prepared
        if kind == "skip":
            new.skipped[file.id] = _SkipEntry(file.size, file.mtime_ns, value)
            report.skipped.append(Skipped(file.id, value))
            if previous is not None:  # it was indexed before: it must leave the index
                writer.get().delete_by_term("id", file.id)
                report.removed.append(file.id)
            return
        new.documents[file.id] = value
        if kind == "touch":
            report.unchanged += 1
            return
        if previous is None:
            report.added.append(file.id)
        else:  # the old version lives in an existing segment: delete it there
            writer.get().delete_by_term("id", file.id)
            report.changed.append(file.id)
        if fields is not None:  # prepared here; a worker has already written its own
            writer.get().add_document(**fields)
        report.bytes_indexed += file.size

    def _write_manifest(self, manifest: _Manifest) -> None:
        manifest.index_files = whoosh_files(self.whoosh_dir)
        write_manifest(self.index_dir, manifest)
        self._manifest = manifest
        self._manifest_stamp = stamp(self.index_dir / MANIFEST_NAME)

    def _read_manifest_quietly(self) -> _Manifest | None:
        return read_manifest_quietly(self.index_dir)

    def _locked(self, report: IndexReport | None = None, notice: Notice | None = None):
        """The index lock; its notices go to `notice` now and into the report."""

        def say(message: str) -> None:
            if report is not None:
                report.notices.append(message)
            if notice is not None:
                notice(message)

        return index_lock(self.index_dir / LOCK_NAME, say)
