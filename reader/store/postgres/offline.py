"""Changes made while the PostgreSQL server cannot be reached: kept on disk, sent when it is back.

A client that has the project in memory (the app, any long-running process) keeps working when
the server goes away: each change is checked by the store's usual rules against that memory,
appended to a queue file in the user's state folder (`READER_DATA_DIR/offline/`, one file per
server address and role) and fsynced before it is acknowledged, then shown. When the server
answers again (the next change, a refresh, the live connection's return, `reader store send`)
the queue is sent in order, one transaction per change, each row written only over the version
this client had read (`versions`), so a change someone else made meanwhile is never written
over: that queued change is set aside, whole, in `<key>.conflicts.jsonl` beside the queue and
reported as an EditConflict. Nothing queued is ever dropped without being sent or set aside.

Crash safety: a line is `{"sum": sha256, "entry": {...}}`; a torn last line (the process died
while appending: never acknowledged) is ignored, any other damage stops the sending with a
message naming the file. Removing sent entries rewrites the file atomically (temporary file,
fsync, rename, fsync of the folder); an entry sent whose removal a crash prevented is
recognised when sent again (the server already holds exactly its result) and skipped. One
process at a time appends or sends (an flock beside the queue).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from reader.model import DocumentAttributes, annotation_to_json, attributes_to_json, tag_to_json
from reader.store.changes import Change
from reader.store.errors import StoreError, StoreWriteError
from reader.store.renames import RenameMap, rename_from_json, rename_to_json


def queue_folder() -> Path:
    from reader.paths import user_data_dir

    return user_data_dir() / "offline"


def queue_key(address: str) -> str:
    """One queue per server address (an entry names the role that made it)."""
    return hashlib.sha256(address.encode()).hexdigest()[:24]


def entry_of(change: Change, coder: str, versions: dict[str, int | None]) -> dict[str, Any]:
    """The queued form of `change`: every record before and after it, and the version of each
    annotation's row this client had read when it was made (None: none read)."""
    return {
        "coder": coder,
        "description": change.description,
        "anns": [
            [
                doc,
                ann_id,
                None if old is None else annotation_to_json(old),
                None if new is None else annotation_to_json(new),
                versions.get(ann_id),
            ]
            for doc, ann_id, old, new in change.anns
        ],
        "attrs": [[doc, attributes_to_json(old), attributes_to_json(new)] for doc, old, new in change.attrs],
        "tags": [
            [name, None if old is None else tag_to_json(old), None if new is None else tag_to_json(new)]
            for name, old, new in change.tags
        ],
        # the codebook's record of renames (reader/store/renames.py): [removed, added] pairs,
        # so a rename or merge made offline reaches the server with its record
        **(
            {
                "renames": [
                    [None if gone is None else rename_to_json(gone), None if added is None else rename_to_json(added)]
                    for gone, added in change.renames
                ]
            }
            if change.renames
            else {}
        ),
    }


def _line(entry: dict[str, Any]) -> bytes:
    body = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(body.encode()).hexdigest()
    return (json.dumps({"sum": digest, "entry": entry}, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class OfflineQueue:
    """The queue file of one server address and role."""

    folder: Path
    key: str

    @property
    def path(self) -> Path:
        return self.folder / f"{self.key}.jsonl"

    @property
    def conflicts_path(self) -> Path:
        return self.folder / f"{self.key}.conflicts.jsonl"

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / f"{self.key}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, entry: dict[str, Any]) -> int:
        """Add `entry` durably; the number of changes now waiting. StoreWriteError: not kept."""
        try:
            with self.exclusive():
                new = not self.path.exists()
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, _line(entry))
                    os.fsync(fd)
                finally:
                    os.close(fd)
                if new:
                    _fsync_folder(self.folder)
                return len(self._read())
        except OSError as exc:
            raise StoreWriteError(
                f"the server cannot be reached and the change could not be kept locally "
                f"({self.path}: {exc.strerror or exc}); nothing was saved"
            ) from exc

    def count(self) -> int:
        """How many changes wait (a damaged queue counts what can be read of it: none is sent)."""
        if not self.path.exists():
            return 0
        try:
            return len(self._read())
        except StoreError:
            return 1

    def entries(self) -> list[dict[str, Any]]:
        return self._read()

    def _read(self) -> list[dict[str, Any]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        lines = data.split(b"\n")
        torn_tail = lines[-1]  # b"" when the file ends with a newline
        found = []
        for number, raw in enumerate(lines[:-1], 1):
            try:
                wrapped = json.loads(raw)
                entry = wrapped["entry"]
                body = json.dumps(entry, sort_keys=True, ensure_ascii=False)
                if hashlib.sha256(body.encode()).hexdigest() != wrapped["sum"]:
                    raise ValueError("checksum mismatch")
            except (ValueError, KeyError, TypeError) as exc:
                raise StoreError(
                    f"the queue of changes waiting for the server, {self.path}, is damaged at "
                    f"line {number} ({exc}); nothing was sent: keep the file and report it"
                ) from exc
            found.append(entry)
        del torn_tail  # a change whose append never returned: never acknowledged
        return found

    def replace(self, entries: list[dict[str, Any]]) -> None:
        """Keep only `entries` (atomically)."""
        if not entries:
            self.path.unlink(missing_ok=True)
        else:
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as out:
                out.write(b"".join(_line(e) for e in entries))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        _fsync_folder(self.folder)

    def set_aside(self, entry: dict[str, Any], reason: str) -> None:
        fd = os.open(self.conflicts_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, _line({**entry, "conflict": reason}))
            os.fsync(fd)
        finally:
            os.close(fd)


class QueuedConflict(Exception):
    """A queued change that the server's rows no longer match (someone changed them)."""


@dataclass
class Sent:
    """What sending the queue did."""

    sent: int = 0
    conflicts: list[str] = field(default_factory=list)
    set_aside: Path | None = None
    produced: dict[str, int | None] = field(default_factory=dict)  # annotation id -> its row's version now


def waiting_count(count: int) -> str:
    return f"{count} change{'s' if count != 1 else ''}"


def conflict_message(report: Sent) -> str:
    return (
        f"{waiting_count(len(report.conflicts))} made while the server could not be reached "
        f"conflicted with changes made there meanwhile and {'were' if len(report.conflicts) != 1 else 'was'} "
        f"not applied over them: {'; '.join(report.conflicts)}. They are kept in {report.set_aside}; "
        "look at the annotations again and redo what is still wanted"
    )


DEFAULT_ATTRIBUTES = attributes_to_json(DocumentAttributes(""))


def write_entry(conn, entry: dict[str, Any], produced: dict[str, int | None]) -> tuple[bool, list[str]]:
    """Inside a transaction holding the change lock: write `entry`'s rows over the versions it
    was made against (or those earlier entries produced, `produced`, updated here). Returns
    (written, the annotation ids it touched); (False, ...) when the server already holds exactly
    its result (sent before a crash). QueuedConflict when another change came in between."""
    from psycopg.types.json import Jsonb

    entry = _renamed_on_the_server(conn, entry)
    current = {}
    ids = [ann_id for _doc, ann_id, *_ in entry["anns"]]
    for ann_id, version, record in conn.execute(
        "SELECT id, version, record FROM annotations WHERE id = ANY(%s) FOR UPDATE", (ids,)
    ):
        current[ann_id] = (version, record)
    if (
        entry["anns"]
        and all((current.get(ann_id) or (None, None))[1] == new for _doc, ann_id, _old, new, _v in entry["anns"])
        and not entry["attrs"]
    ):
        return False, ids
    for doc, ann_id, old, new, version in entry["anns"]:
        expected = produced.get(ann_id, version)
        row = current.get(ann_id)
        if old is None:
            if row is not None:
                raise QueuedConflict(f"annotation {ann_id} in {doc} already exists on the server")
        elif row is None:
            raise QueuedConflict(f"annotation {ann_id} in {doc} was deleted on the server meanwhile")
        elif row[0] != expected:
            raise QueuedConflict(f"annotation {ann_id} in {doc} was changed on the server meanwhile")
        if new is None:
            _one(conn.execute("DELETE FROM annotations WHERE id = %s", (ann_id,)), ann_id, doc)
            produced[ann_id] = None
            current.pop(ann_id, None)
        elif row is None:
            conn.execute(
                "INSERT INTO annotations (id, doc, creator, record) VALUES (%s, %s, %s, %s)",
                (ann_id, doc, new.get("creator") or "", Jsonb(new)),
            )
            produced[ann_id] = 1
            current[ann_id] = (1, new)
        else:
            done = conn.execute(
                "UPDATE annotations SET doc = %s, creator = %s, record = %s, version = version + 1 WHERE id = %s",
                (doc, new.get("creator") or "", Jsonb(new), ann_id),
            )
            _one(done, ann_id, doc)
            produced[ann_id] = row[0] + 1
            current[ann_id] = (row[0] + 1, new)
    docs = sorted({doc for doc, *_ in entry["anns"]} | {doc for doc, *_ in entry["attrs"]})
    for doc in docs:
        conn.execute(
            "INSERT INTO documents (doc, attributes) VALUES (%s, %s) ON CONFLICT (doc) DO NOTHING",
            (doc, Jsonb(DEFAULT_ATTRIBUTES)),
        )
    for doc, old, new in entry["attrs"]:
        (now,) = conn.execute("SELECT attributes FROM documents WHERE doc = %s FOR UPDATE", (doc,)).fetchone()
        if (now or DEFAULT_ATTRIBUTES) != old:  # the column's default '{}' is the default attributes
            raise QueuedConflict(f"the attributes of {doc} were changed on the server meanwhile")
        conn.execute("UPDATE documents SET attributes = %s, version = version + 1 WHERE doc = %s", (Jsonb(new), doc))
    _write_renames(conn, entry)
    for name, old, new in entry["tags"]:
        row = conn.execute("SELECT record FROM codebook WHERE name = %s FOR UPDATE", (name,)).fetchone()
        if old is None:
            if row is None and new is not None:
                conn.execute("INSERT INTO codebook (name, record) VALUES (%s, %s)", (name, Jsonb(new)))
            continue  # someone created the same tag meanwhile: theirs stands, nothing of ours is lost
        if row is None or row[0] != old:
            raise QueuedConflict(f"tag {name} was changed in the codebook meanwhile")
        if new is None:
            done = conn.execute("DELETE FROM codebook WHERE name = %s", (name,))
        else:
            done = conn.execute(
                "UPDATE codebook SET record = %s, version = version + 1 WHERE name = %s", (Jsonb(new), name)
            )
        if done.rowcount != 1:
            raise QueuedConflict(f"the server refused to change tag {name} (only a lead changes existing tags)")
    conn.execute(
        "DELETE FROM documents d WHERE doc = ANY(%s) AND attributes = %s AND conflicts = '[]' "
        "AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.doc = d.doc)",
        (docs, Jsonb(DEFAULT_ATTRIBUTES)),
    )
    return True, ids


def _record_after(conn, entry: dict[str, Any]) -> RenameMap:
    """The server's record of renames as it is once `entry`'s own renames are applied."""
    from reader.store.postgres import rows

    found, bad = rows.renames(conn.execute("SELECT record FROM renames").fetchall())
    if bad:
        raise QueuedConflict(bad)
    entries = set(found)
    for gone, added in entry.get("renames", []):
        if gone is not None:
            entries.discard(rename_from_json(gone))
        if added is not None:
            entries.add(rename_from_json(added))
    return RenameMap(tuple(sorted(entries)))


def _renamed_on_the_server(conn, entry: dict[str, Any]) -> dict[str, Any]:
    """`entry` with its new annotations' tags and new codebook tags read through the server's
    record: a tag renamed there while this change waited (`actor` -> `party`) arrives under its
    new name, as a git merge reads it (the old name never comes back as a tag)."""
    record = _record_after(conn, entry)
    if not record:
        return entry
    anns: list[list[Any]] = []
    for doc, ann_id, old, new, version in entry["anns"]:
        if new is not None:
            read = list(record.tags(tuple(new["tags"])))
            if read != new["tags"]:
                new = {**new, "tags": read}
        anns.append([doc, ann_id, old, new, version])
    tags: list[list[Any]] = []
    for name, old, new in entry["tags"]:
        if old is None and new is not None and record.tag(name) != name:
            to = record.tag(name)
            name, new = to, {**new, "name": to}
        tags.append([name, old, new])
    return {**entry, "anns": anns, "tags": tags}


def _write_renames(conn, entry: dict[str, Any]) -> None:
    """The entry's changes to the record; one the server already holds (or no longer holds) is
    as wanted. Row-level security refuses a coder who is not a lead (the change is set aside)."""
    from reader.store.postgres import rows

    for gone, added in entry.get("renames", []):
        if gone is not None:
            ((key, _value),) = rows.rename_rows([rename_from_json(gone)])
            conn.execute("DELETE FROM renames WHERE entry = %s", (key,))
        if added is not None:
            ((key, value),) = rows.rename_rows([rename_from_json(added)])
            conn.execute("INSERT INTO renames (entry, record) VALUES (%s, %s) ON CONFLICT DO NOTHING", (key, value))


def _one(done, ann_id: str, doc: str) -> None:
    if done.rowcount != 1:  # row-level security hid the row from this role
        raise QueuedConflict(f"the server refused to change annotation {ann_id} in {doc} (another coder's)")


def send(store, queue: OfflineQueue) -> Sent:
    """Send `queue` to `store`'s server in order (the caller holds the store's mutex and has a
    live connection); the sent entries leave the queue, the conflicting ones are set aside."""
    import psycopg

    from reader.store.postgres.schema import CHANGE_LOCK, CHANNEL

    report = Sent()
    with queue.exclusive():
        entries = queue.entries()
        produced = report.produced
        conn = store._conn
        while entries:
            entry = entries[0]
            try:
                if entry.get("role") not in (None, store.role):
                    raise QueuedConflict(f"it was made as role {entry['role']}, not {store.role}")
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
                    written, ids = write_entry(conn, entry, produced)
                    if written:
                        docs = sorted({d for d, *_ in entry["anns"]} | {d for d, *_ in entry["attrs"]})
                        (seq,) = conn.execute(
                            "INSERT INTO changes (coder, description, docs, codebook, annotations) "
                            "VALUES (%s, %s, %s, %s, %s) RETURNING seq",
                            (
                                entry["coder"],
                                entry["description"],
                                docs,
                                bool(entry["tags"] or entry.get("renames")),
                                sorted(set(ids)),
                            ),
                        ).fetchone()
                        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq)))
                report.sent += 1
            except psycopg.errors.InsufficientPrivilege as exc:
                reason = f"the server refused it: {str(exc).strip().splitlines()[0]}"
                queue.set_aside(entry, reason)
                report.conflicts.append(f"{entry['description']!r}: {reason}")
                report.set_aside = queue.conflicts_path
            except QueuedConflict as exc:
                queue.set_aside(entry, str(exc))
                report.conflicts.append(f"{entry['description']!r}: {exc}")
                report.set_aside = queue.conflicts_path
            entries = entries[1:]
            queue.replace(entries)
    return report


def waiting_note(store) -> str:
    """What a person is told after a change when changes are waiting for the server ("" if none;
    any store: the JSON folder never has any)."""
    count = getattr(store, "waiting", lambda: 0)()
    if not count:
        return ""
    return f"saved locally, {waiting_count(count)} waiting for the server"


def with_waiting(done: str, store) -> str:
    """`done` (what a change did, said to the user), and that it waits for the server if it does."""
    note = waiting_note(store)
    return f"{done} · {note}" if note else done
