"""How the PostgreSQL store reads: catching up from the change log, the first load (summaries
only), and a document's rows in bulk when it is first wanted.

A mixin of `PostgresStore` (reader/store/postgres/__init__.py), which provides the connection,
the lock and the in-memory state of `AnnotationStore` that these methods fill; it was split out
so that each module holds one job (the store's writing and locking stay in __init__.py)."""

from __future__ import annotations

import json
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.store.errors import StoreError, StoreWriteError
from reader.store.postgres import rows
from reader.store.postgres.schema import CHANGE_LOCK
from reader.store.records import DocFile


class ReadingPart:
    """`refresh` and the lazy reads of `PostgresStore` (module docstring)."""

    if TYPE_CHECKING:  # what the store provides (reader/store/postgres/__init__.py, AnnotationStore)
        _conn: Any
        _seq: int
        _loaded: bool
        _offline: bool
        _lock_depth: int
        _versions: dict[str, int]
        _docs: dict[str, DocFile]
        _where: dict[str, str]
        _unread: dict[str, Any]
        _summaries: dict[str, Any]
        _codebook_stamp: Any
        _state: threading.RLock
        _mutex: threading.RLock
        shown_address: str

        def path_of(self, doc_id: str) -> Path: ...
        def _install(self, doc: str, new: DocFile | None) -> None: ...
        def _connected(self, writing: bool = True) -> None: ...
        def _send_queue(self) -> Any: ...
        def _failure(self, what: str, exc: Exception, wrote: bool) -> StoreWriteError: ...
        def _server_errors(self, what: str) -> AbstractContextManager[None]: ...
        def _set_codebook(self, tags: Any, stamp: Any, problem: str | None, renames: Any = ()) -> bool: ...

    def refresh(self) -> list[str]:
        """Catch up with the changes other clients made; the documents whose annotations changed."""
        with self._mutex:
            try:
                self._connected(writing=False)
                self._send_queue()
                with self._conn.transaction():
                    self._conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (CHANGE_LOCK,))
                    return self._catch_up()
            except StoreError:
                raise
            except Exception as exc:
                raise self._failure("read from", exc, wrote=False) from exc

    def _catch_up(self) -> list[str]:
        """Inside a transaction: load what changed since `_seq` (everything, the first time)."""
        if self._seq == 0 and not self._docs and self._codebook_stamp is None:
            return self._load_all()
        log = self._conn.execute(
            "SELECT seq, docs, codebook, annotations FROM changes WHERE seq > %s ORDER BY seq", (self._seq,)
        ).fetchall()
        if not log:
            return []
        touched, whole, ids = set(), set(), set()
        for _seq, docs, _codebook, anns in log:
            touched.update(docs)
            if anns is None:  # logged without its annotations (a copy): reload the documents
                whole.update(docs)
            else:
                ids.update(anns)
        whole.update(d for d in touched if d in self._docs and self._docs[d].problem)
        with self._state:
            whole.update(d for d in touched if d in self._unread)  # never read: read it whole now
        if whole:
            self._load_docs(sorted(whole))
        if touched - whole:
            self._load_changed(sorted(touched - whole), ids)
        if any(codebook for _seq, _docs, codebook, _anns in log):
            self._load_codebook()
        self._seq = log[-1][0]
        return sorted(touched)

    def _load_changed(self, docs: list[str], ids: set[str]) -> None:
        """Bring these documents up to date by re-reading their document rows and the rows of
        the annotations `ids` only (the others are unchanged since this client read them)."""
        found: dict[str, DocFile] = {}
        for doc in docs:
            old = self._docs.get(doc)
            found[doc] = DocFile(doc, self.path_of(doc), dict(old.annotations) if old else {})
        with_row = set()
        for doc, attributes, conflicts in self._conn.execute(
            "SELECT doc, attributes, conflicts FROM documents WHERE doc = ANY(%s)", (docs,)
        ):
            rows.set_document(found[doc], attributes, conflicts)
            with_row.add(doc)
        for ann_id in ids:
            doc = self._where.get(ann_id)
            if doc in found:
                found[doc].annotations.pop(ann_id, None)
                self._versions.pop(ann_id, None)
        for doc, ann_id, version, record in self._conn.execute(
            "SELECT doc, id, version, record::text FROM annotations WHERE id = ANY(%s)", (sorted(ids),)
        ):
            if doc in found:
                rows.add_annotation(found[doc], json.loads(record))
                self._versions[ann_id] = version
        for doc, f in found.items():
            f.stamp = rows.PRESENT if f.annotations or doc in with_row else None
            self._install(doc, None if f.stamp is None else f)

    def _load_all(self) -> list[str]:
        """The first load: every document's summary, none of its rows yet (summaries.py)."""
        from reader.store.postgres.summaries import NO_FILE, summaries

        self._seq = self._conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        docs = sorted(
            r[0]
            for r in self._conn.execute(
                "SELECT doc FROM documents UNION SELECT DISTINCT doc FROM annotations"
            ).fetchall()
        )
        found = summaries(self._conn)
        with self._state:
            for doc in docs:
                self._unread[doc] = (self.path_of(doc), NO_FILE)
                if doc in found:
                    self._summaries[doc] = found[doc]
        self._load_codebook()
        self._loaded = True
        return docs

    def _read_unread(self, docs: list[str] | None = None) -> None:
        """Read the rows of the documents not read yet (those of `docs`, or all), in bulk."""
        with self._state:
            if not self._unread:
                return
        with self._mutex:
            with self._state:
                wanted = sorted(self._unread) if docs is None else [d for d in docs if d in self._unread]
            if not wanted:
                return
            if self._offline:
                raise StoreWriteError(
                    f"the annotations of {', '.join(wanted[:3])}{' ...' if len(wanted) > 3 else ''} were "
                    f"not read from {self.shown_address} before it became unreachable; nothing was saved"
                )
            if self._lock_depth:  # inside a change's transaction
                self._load_docs(wanted)
                return
            with self._server_errors("read from"):
                self._connected(writing=False)
                with self._conn.transaction():
                    self._conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (CHANGE_LOCK,))
                    self._load_docs(wanted)

    def _read_document_of(self, ann_id: str) -> None:
        """Read the document holding `ann_id` if it is not read yet (one look-up, not them all)."""
        with self._mutex:
            if ann_id in self._where or not self._unread:
                return
            if self._lock_depth and not self._offline:
                row = self._conn.execute("SELECT doc FROM annotations WHERE id = %s", (ann_id,)).fetchone()
            else:
                with self._server_errors("read from"):
                    self._connected(writing=False)
                    row = self._conn.execute("SELECT doc FROM annotations WHERE id = %s", (ann_id,)).fetchone()
            if row is not None:
                self._read_unread([row[0]])

    def _load_docs(self, docs: list[str], every: bool = False) -> None:
        """Replace these documents' state by their rows (`every`: they are all the documents)."""
        found = {doc: rows.new_docfile(doc, self.path_of(doc)) for doc in docs}
        which, args = ("", ()) if every else (" WHERE doc = ANY(%s)", (docs,))
        for doc, attributes, conflicts in self._conn.execute(
            "SELECT doc, attributes, conflicts FROM documents" + which, args
        ):
            rows.set_document(found[doc], attributes, conflicts)
        versions: dict[str, int] = {}
        # one JSON text per document, parsed at once: a row each costs far more (its own parse)
        for doc, records in self._conn.execute(
            "SELECT doc, json_agg(json_build_array(id, version, record))::text "
            "FROM annotations" + which + " GROUP BY doc",
            args,
        ):
            for ann_id, version, record in json.loads(records):
                rows.add_annotation(found[doc], record)
                versions[ann_id] = version
        for doc in docs:
            f = found[doc]
            old = self._docs.get(doc)
            if old is not None:
                for ann_id in old.annotations:
                    self._versions.pop(ann_id, None)
            self._install(doc, None if f.stamp is None else f)
        self._versions.update(versions)

    def _load_codebook(self) -> None:
        tags, problem = rows.codebook(self._conn.execute("SELECT record FROM codebook").fetchall())
        renames, bad = rows.renames(self._conn.execute("SELECT record FROM renames").fetchall())
        self._set_codebook(tags, rows.PRESENT, problem or bad, renames)
