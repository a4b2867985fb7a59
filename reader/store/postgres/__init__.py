"""The annotation store on a PostgreSQL server: the same API and behaviour as the JSON folder.

`PostgresStore` is an `AnnotationStore` whose lower half talks to a database instead of a
folder: every rule of a change (what `add`, `edit`, a tag rename, an undo do; what they check)
is the JSON store's own code, run on the same in-memory state, so the two backends cannot drift
apart. What differs is below that state:

- The lock: a change holds `pg_advisory_xact_lock` (exclusive) for its transaction, as the JSON
  store holds `.lock`; loading holds it shared, so it never sees half of a change.
- Fresh reads: under the lock the store first catches up from the change log (`changes`: every
  change since the last sequence number it saw), so the state a change is built on is the
  server's latest, exactly as the JSON store re-reads the files it touches.
- Writes: one transaction per change (the rows, the change's log entry, a NOTIFY carrying its
  sequence number), all or nothing; memory is updated only once it has committed. A row's
  `version` must still be the one this client read, or the change is refused (`StoreWriteError`,
  nothing applied): no client ever writes over a change it has not seen.
- `refresh()` catches up from the change log and returns the documents that changed.

The schema and its migrations: reader/store/postgres/schema.py. Rows to records and back:
reader/store/postgres/rows.py. Addresses and credentials: reader/store/postgres/address.py.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from reader.model import Annotation
from reader.store import AnnotationStore
from reader.store.changes import Change
from reader.store.errors import AnnotationNotFound, StoreError, StoreWriteError
from reader.store.postgres import address as addresses
from reader.store.postgres import offline, rows
from reader.store.postgres.reading import ReadingPart
from reader.store.postgres.schema import CHANGE_LOCK, CHANNEL, SchemaError, require_current
from reader.store.records import DocFile

if TYPE_CHECKING:
    from reader.store.postgres.listener import ChangeListener

__all__ = ["ChangeRefused", "EditConflict", "PostgresStore", "connect", "SchemaError"]


class ChangeRefused(StoreWriteError):
    """The server refused the change (row-level security: another coder's annotation, the
    codebook without being a lead). Nothing was saved."""


class EditConflict(StoreWriteError):
    """The annotation was changed by someone else since this client read it; this change was
    not applied over theirs (the store now holds their version: look again, then redo)."""


def connect(address: str, autocommit: bool = True):
    """A psycopg connection to `address` (credentials from libpq's usual places), or
    StoreError saying plainly why not (the password never appears in it)."""
    import psycopg

    addresses.check(address)
    try:
        return psycopg.connect(address, autocommit=autocommit, application_name="reader", connect_timeout=10)
    except psycopg.Error as exc:
        raise StoreError(f"cannot connect to {addresses.display(address)}: {_reason(exc)}") from exc


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PostgresStore(ReadingPart, AnnotationStore):
    """All annotations, the codebook and document attributes of one project in one database."""

    def __init__(self, address: str, creator: str | None = None, queue_folder: Path | None = None):
        """`creator` None: the coder is the database role this client connects as (each coder
        is a role: row-level security lets a role change only its own annotations).
        `queue_folder`: where changes made while the server is unreachable wait
        (reader/store/postgres/offline.py; default: the user's state folder)."""
        self.address = addresses.check(address)
        self.shown_address = addresses.display(address)
        self._queue = offline.OfflineQueue(queue_folder or offline.queue_folder(), offline.queue_key(self.address))
        self.notices: list[str] = []
        """Things to tell the user that no call returned (changes kept locally, sent, set aside)."""
        self.sent = offline.Sent()
        """Every change this client sent from the queue, and those it set aside."""
        self._offline = False  # the change being made cannot reach the server: it is queued
        self._loaded = False
        try:
            self._conn = connect(address)
        except StoreError as exc:
            waiting = self._queue.count()
            if waiting:
                raise StoreError(f"{exc}; {offline.waiting_count(waiting)} saved locally, waiting for it") from exc
            raise
        try:
            require_current(self._conn, self.shown_address)
            self.role = self._conn.execute("SELECT current_user").fetchone()[0]
        except BaseException:
            self._conn.close()
            raise
        if creator is None:
            creator = self.role
        self._expected: dict[str, int | None] = {}  # annotation id -> the version the user saw
        self._seq = 0  # the last change of the log this client has in memory
        self._versions: dict[str, int] = {}  # annotation id -> its row's version
        self._after_commit: list[Callable[[], None]] = []
        self._conn_lock = threading.RLock()
        super().__init__(Path(f"postgresql:{addresses.database(address) or 'default'}"), creator)

    def close(self) -> None:
        self._conn.close()

    def listen(self, on_event) -> "ChangeListener":
        """Start a thread that calls `on_event(Event)` for every change committed by anyone,
        and when the live connection drops and comes back (reader/store/postgres/listener.py).
        The caller catches up with `refresh()`; `stop()` the listener when done."""
        from reader.store.postgres.listener import ChangeListener

        return ChangeListener(self.address, on_event).start()

    def _connected(self, writing: bool = True) -> None:
        """Before a transaction: a connection the server dropped (restarted, idle timeout, a
        network cut) is replaced, so one drop costs no change. If the server cannot be reached
        the change fails saying nothing was saved."""
        import psycopg

        if not (self._conn.closed or self._conn.broken):
            try:
                self._conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                pass
        try:
            self._conn.close()
        except Exception:
            pass
        try:
            self._conn = connect(self.address)
        except StoreError as exc:
            raise StoreWriteError(f"{exc}{'; nothing was saved' if writing else ''}") from exc

    def waiting(self) -> int:
        """How many changes made while the server was unreachable wait to be sent."""
        return self._queue.count()

    def send_waiting(self) -> offline.Sent:
        """Send the changes kept locally, in order, and catch up. StoreWriteError: the server
        still cannot be reached (they stay queued); EditConflict: some were set aside, because
        someone changed what they change meanwhile (the message says which and where)."""
        with self._mutex:
            self._connected(writing=False)
            report = self._send_queue()
        self.refresh()
        if report.conflicts:
            raise EditConflict(offline.conflict_message(report))
        return report

    def _send_queue(self) -> offline.Sent:
        """With a live connection, under the mutex: send what waits, say so in `notices`."""
        if not self._queue.count():
            return offline.Sent()
        with self._server_errors("send the changes kept locally to"):
            report = offline.send(self, self._queue)
        self.sent.sent += report.sent
        self.sent.conflicts += report.conflicts
        self.sent.set_aside = report.set_aside or self.sent.set_aside
        for ann_id, version in report.produced.items():
            if version is None:
                self._versions.pop(ann_id, None)
            else:
                self._versions[ann_id] = version
            if ann_id in self._expected:  # the user saw their own queued change: expect its row
                self._expected[ann_id] = version
        if report.sent:
            self.notices.append(
                f"sent {offline.waiting_count(report.sent)} saved locally while the server could not be reached"
            )
        if report.conflicts:
            self.notices.append(offline.conflict_message(report))
        return report

    def copy_warning(self, doc: str, sha256: str) -> str | None:
        """Why this coder's copy of `doc` (its text's `sha256`) may not be the team's: it
        differs from the hash the server keeps (registered now if it keeps none). None: the
        same, or the server cannot be asked now (the check is advice, never in the way)."""
        from reader.store.postgres import texts

        with self._mutex:
            try:
                self._connected(writing=False)
                known = texts.check(self._conn, doc, sha256)
            except Exception as exc:
                if not isinstance(exc, StoreError) and not _is_database_error(exc):
                    raise
                return None
        return None if known is None else texts.warning(known, sha256)

    def take_notices(self) -> list[str]:
        taken, self.notices = self.notices, []
        return taken

    @property
    def seq(self) -> int:
        """The sequence number of the last change this client has seen."""
        return self._seq

    # -- reading: reader/store/postgres/reading.py -----------------------------------------------

    def get(self, ann_id: str) -> Annotation:
        self._read_document_of(ann_id)
        return super().get(ann_id)

    # -- the lock and fresh reads ------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One transaction holding the project's change lock, caught up with the log first."""
        with self._mutex:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            self._after_commit = []
            try:
                self._connected()
            except StoreWriteError:
                if not self._loaded:
                    raise
                yield from self._queued()  # the server is away: the change waits on disk
                return
            try:
                self._send_queue()
                with self._conn.transaction():
                    self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
                    self._lock_depth = 1
                    self._fresh = set()
                    self._catch_up()
                    yield
            except StoreError:
                self._after_commit = []
                raise
            except Exception as exc:
                self._after_commit = []
                if not _is_database_error(exc):
                    raise  # an error of the change itself (ValueError...): rolled back
                if _is_refusal(exc):
                    raise ChangeRefused(
                        f"the server refused this change for role {self.role}: {_reason(exc)} "
                        "(a coder adds and changes only their own annotations and adds tags; a "
                        "lead changes the codebook and anyone's annotations); nothing was saved"
                    ) from exc
                raise self._failure("write to", exc, wrote=True) from exc
            finally:
                self._lock_depth = 0
                self._fresh = None
            for install in self._after_commit:
                install()
            self._after_commit = []

    def _queued(self) -> Iterator[None]:
        """The body of `_locked` while the server cannot be reached: the change is checked
        against memory (the state this client last had), queued durably by `_apply`, then shown."""
        self._offline, self._lock_depth, self._fresh = True, 1, set()
        try:
            yield
        except BaseException:
            self._after_commit = []
            raise
        finally:
            self._offline, self._lock_depth, self._fresh = False, 0, None
        for install in self._after_commit:
            install()
        self._after_commit = []

    @contextmanager
    def _server_errors(self, what: str) -> Iterator[None]:
        """The server's errors (psycopg's) as StoreWriteError saying what could not be done."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            raise self._failure(what, exc, wrote=False) from exc

    def _failure(self, what: str, exc: Exception, wrote: bool) -> StoreWriteError:
        tail = "; nothing was saved" if wrote else ""
        return StoreWriteError(f"cannot {what} {self.shown_address}: {_reason(exc)}{tail}")

    def _fresh_doc(self, doc: str) -> DocFile:
        assert self._fresh is not None, "only under the lock"
        self._read_unread([doc])
        f = self._docs.get(doc)
        return f if f is not None else rows.new_docfile(doc, self.path_of(doc))

    def _fresh_all(self) -> None:
        assert self._fresh is not None
        self._read_unread()

    def _fresh_codebook(self) -> None:
        assert self._fresh is not None

    def _fresh_annotation(self, ann_id: str) -> Annotation:
        self._read_document_of(ann_id)
        doc = self._where.get(ann_id)
        if doc is None:
            raise AnnotationNotFound(ann_id)
        current = self._writable(self._docs[doc]).annotations[ann_id]
        if ann_id in self._expected and self._expected[ann_id] != self._versions.get(ann_id):
            raise EditConflict(
                f"{current.creator or 'someone'}'s copy of annotation {ann_id} in {doc} was "
                f"changed on the server since you read it (now: {', '.join(current.tags)}"
                f"{'; note: ' + current.note if current.note else ''}); your change was not "
                "saved: look at it again and redo it"
            )
        return current

    # -- changing one annotation: against the version this client showed -------------------------

    @contextmanager
    def _expecting(self, ann_id: str) -> Iterator[None]:
        """A change to `ann_id` applies only if its row is still the version in memory now
        (what the user saw), else EditConflict: another coder's edit is never written over."""
        with self._mutex:
            try:
                self._read_document_of(ann_id)  # the version the user saw is that document's
            except StoreError:
                pass  # the change itself says why it cannot be made
            self._expected = {ann_id: self._versions.get(ann_id)}
            try:
                yield
            finally:
                self._expected = {}

    def edit(self, ann_id: str, tags=None, note: str | None = None) -> Annotation:
        with self._expecting(ann_id):
            return super().edit(ann_id, tags=tags, note=note)

    def delete(self, ann_id: str) -> Annotation:
        with self._expecting(ann_id):
            return super().delete(ann_id)

    def reattach(self, ann_id: str, text: str, sha256: str, start: int, end: int) -> Annotation:
        with self._expecting(ann_id):
            return super().reattach(ann_id, text, sha256, start, end)

    # -- writing ---------------------------------------------------------------------------------

    def _apply(self, change: Change) -> None:
        """Write the change's rows and its log entry in the lock's transaction; memory follows
        once the transaction has committed (`_locked`)."""
        staged, codebook = self._staged(change)
        if self._offline and change.conflicts:
            raise StoreWriteError(
                f"{self.shown_address} cannot be reached: a merge conflict is resolved on the "
                "server only (its record is the server's); nothing was saved"
            )
        if self._offline:
            read = {ann_id: self._versions.get(ann_id) for _doc, ann_id, _old, _new in change.anns}
            entry = offline.entry_of(change, self.creator, read)
            entry["role"] = self.role
            self._queue.append(entry)  # durable before anything is shown
            self._after_commit.append(self._installer(staged, codebook, {}, self._seq, self._staged_renames(change)))
            return
        versions = self._write_rows(change, staged)
        seq = self._conn.execute(
            "INSERT INTO changes (coder, description, docs, codebook, annotations) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING seq",
            (
                self.creator,
                change.description,
                sorted(staged),
                codebook is not None,
                sorted({ann_id for _doc, ann_id, _old, _new in change.anns}),
            ),
        ).fetchone()[0]
        self._conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq)))
        self._after_commit.append(self._installer(staged, codebook, versions, seq, self._staged_renames(change)))

    def _installer(self, staged, codebook, versions: dict[str, int | None], seq: int, renames=()) -> Callable[[], None]:
        """What puts a written (or queued) change into memory once it is durable."""

        def install() -> None:
            for doc, f in staged.items():
                f.stamp = None if f.is_empty() else rows.PRESENT
                self._install(doc, None if f.stamp is None else f)
            for ann_id, version in versions.items():
                if version is None:
                    self._versions.pop(ann_id, None)
                else:
                    self._versions[ann_id] = version
            if codebook is not None:
                self._set_codebook(codebook, rows.PRESENT, None, renames)
            self._seq = seq

        return install

    def _write_rows(self, change: Change, staged: dict[str, DocFile]) -> dict[str, int | None]:
        """The change's rows; each update or delete names the version this client read."""
        versions: dict[str, int | None] = {}
        for doc, ann_id, _old, new in change.anns:
            version = self._versions.get(ann_id)
            if new is None:
                done = self._conn.execute("DELETE FROM annotations WHERE id = %s AND version = %s", (ann_id, version))
                versions[ann_id] = None
            elif version is None:
                done = self._conn.execute(
                    "INSERT INTO annotations (id, doc, creator, record) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (id) DO NOTHING",
                    (ann_id, doc, new.creator, rows.json_value(rows.annotation_record(new))),
                )
                versions[ann_id] = 1
            else:
                done = self._conn.execute(
                    "UPDATE annotations SET doc = %s, creator = %s, record = %s, version = version + 1 "
                    "WHERE id = %s AND version = %s",
                    (doc, new.creator, rows.json_value(rows.annotation_record(new)), ann_id, version),
                )
                versions[ann_id] = version + 1
            if done.rowcount != 1:
                raise self._not_written(ann_id, doc, version)
        for doc, f in sorted(staged.items()):
            if f.is_empty():
                self._conn.execute("DELETE FROM documents WHERE doc = %s", (doc,))
            else:
                attributes, conflicts = rows.document_values(f)
                self._conn.execute(
                    "INSERT INTO documents (doc, attributes, conflicts) VALUES (%s, %s, %s) "
                    "ON CONFLICT (doc) DO UPDATE SET attributes = EXCLUDED.attributes, "
                    "conflicts = EXCLUDED.conflicts, version = documents.version + 1",
                    (doc, rows.json_value(attributes), rows.json_value(conflicts)),
                )
        for name, _old, new in change.tags:
            if new is None:
                done = self._conn.execute("DELETE FROM codebook WHERE name = %s", (name,))
                if done.rowcount != 1:
                    raise ChangeRefused(
                        f"the server refused to change tag {name} in the codebook: only a lead "
                        f"may change or remove existing tags (role {self.role} is not one); "
                        "nothing was saved"
                    )
            else:
                self._conn.execute(
                    "INSERT INTO codebook (name, record) VALUES (%s, %s) ON CONFLICT (name) DO "
                    "UPDATE SET record = EXCLUDED.record, version = codebook.version + 1",
                    (name, rows.json_value(rows.tag_record(new))),
                )
        for gone, added in change.renames:
            for entry, sql in ((gone, "DELETE FROM renames WHERE entry = %s"), (added, None)):
                if entry is None:
                    continue
                ((key, value),) = rows.rename_rows([entry])
                if sql:
                    self._conn.execute(sql, (key,))
                else:
                    self._conn.execute(
                        "INSERT INTO renames (entry, record) VALUES (%s, %s) ON CONFLICT DO NOTHING", (key, value)
                    )
        return versions

    def _not_written(self, ann_id: str, doc: str, version: int | None) -> StoreWriteError:
        """Why an annotation's row was not written: refused by row-level security, or changed
        by someone else in between (a client that bypassed the change log)."""
        row = self._conn.execute("SELECT creator, version FROM annotations WHERE id = %s", (ann_id,)).fetchone()
        if row is not None and row[1] == version:
            return ChangeRefused(
                f"the server refused to change annotation {ann_id} in {doc}: it is {row[0]}'s, "
                f"and role {self.role} may change only its own annotations (a lead may change "
                "anyone's); nothing was saved"
            )
        return EditConflict(
            f"annotation {ann_id} in {doc} was changed on the server by someone "
            "else since this client read it; nothing was saved"
        )

    def save(self) -> int:
        """Nothing to rewrite: rows are always in the current shape (the schema migrates)."""
        return 0


def _is_refusal(exc: Exception) -> bool:
    import psycopg

    return isinstance(exc, psycopg.errors.InsufficientPrivilege)


def _is_database_error(exc: Exception) -> bool:
    import psycopg

    return isinstance(exc, psycopg.Error)
