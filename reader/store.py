"""The annotation store: JSON files that never lose a tag.

Layout (under the annotations folder):

    codebook.json                    the tags: name, colour, description
    docs/<document id>.json          one file per document: its annotations and its attributes
    .lock                            taken (fcntl) around every change; never committed

A document id is the document's path relative to the corpus (`news/2024/a.txt`), so its file
mirrors the corpus (`docs/news/2024/a.txt.json`): easy to find by hand, and a change to one
document's annotations touches one small file, so `git diff` shows exactly what changed and two
people tagging different documents never conflict. Attributes live in the document's file because
they change with it. Files are written with sorted keys, two-space indent, real UTF-8 (no \\u
escapes), records sorted by (start, id) and a trailing newline; a document left with neither
annotations nor attributes has its file removed.

Guarantees:
- Durability: a change is on disk when the call returns (temp file in the same folder, fsync,
  `os.replace`, fsync of the folder). A crash leaves each file old or new, never partial.
- Several processes: every change takes the folder's lock, re-reads from disk the files it
  touches (comparing size, mtime and a hash of their bytes) and applies itself to that latest
  state, so two processes never lose each other's changes. `refresh()` picks up other processes'
  changes for reading.
- A corrupt or unreadable file, or one written by a newer version, is listed in `problems`; the
  rest loads; that document is read-only (changes raise `ReadOnlyError`) and its file is never
  overwritten. Older format versions are migrated in memory and written in the current format
  on the next change.
- A failed write (disk full, read-only folder) raises `StoreWriteError`; the old file stays, the
  temp file is removed and the in-memory state is unchanged.
- Undo/redo: every change (add, add_many, edit, delete, reattach, re-anchoring, attributes, tag
  set/rename/merge/delete) is one step, applied like any change (durable, under the lock). An
  undo whose records were changed since by another process is refused (`UndoConflict`).

No Textual or rich here: the app and the CLI only call this API.
"""

from __future__ import annotations

import errno
import fcntl
import getpass
import hashlib
import json
import os
import stat as stat_mod
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal, Sequence

from reader.model import (
    Annotation,
    DocumentAttributes,
    FormatError,
    Tag,
    TextPositionSelector,
    TextQuoteSelector,
    annotation_from_json,
    annotation_to_json,
    attributes_from_json,
    attributes_to_json,
    new_id,
    normalise_color,
    palette_color,
    tag_from_json,
    tag_matches,
    tag_to_json,
    utc_now,
    validate_tag_name,
)

FORMAT_VERSION = 1
"""The version of the files this code writes. Bump it and add a migration when the shape changes."""

MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""`MIGRATIONS[n]` turns a version-n file object (document or codebook) into version n+1."""

CODEBOOK = "codebook.json"
DOCS = "docs"
LOCK = ".lock"
UNDO_LIMIT = 1_000

_UNSET: Any = object()


# --- errors -------------------------------------------------------------------------------------


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
        super().__init__(
            f"tag {tag!r} is used by {count} annotation(s), {sole} of which have no other tag"
        )


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
        what = f"annotations of {self.doc}" if self.doc else "the codebook"
        return f"{self.path}: {self.reason} ({what} are read-only until the file is fixed)"


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


# --- files --------------------------------------------------------------------------------------

_Stamp = tuple[int, int, str]  # (mtime_ns, size, sha256 of the bytes)


def dumps(obj: Any) -> bytes:
    """The one serialisation of every store file."""
    return (json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems cannot fsync a folder; the rename is still atomic
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _makedirs_durable(folder: Path) -> None:
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            pass
        _fsync_dir(d.parent)


def _write_error(path: Path, exc: OSError) -> StoreWriteError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = f"no permission to write ({exc.strerror})"
    return StoreWriteError(f"could not save {path}: {reason}; nothing was changed")


def _write_temp(path: Path, data: bytes) -> str:
    """Write `data` to a new temp file next to `path` and fsync it; returns the temp's name.
    Raises OSError (the temp file removed)."""
    _makedirs_durable(path.parent)
    try:
        mode = stat_mod.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return tmp


def write_files(writes: Sequence[tuple[Path, bytes | None]]) -> dict[Path, _Stamp | None]:
    """Replace (bytes) or remove (None) several files durably, in two phases.

    1. Every new content goes to a temp file in its folder, fsynced. A failure here (disk
       full) removes the temp files and changes nothing.
    2. Each temp file is renamed over its target (atomic), files to remove are removed, and
       each folder touched is fsynced once. A failure here puts back the files already
       replaced (best effort; each file is always whole, old or new).
    Raises StoreWriteError. Returns the new stamp of each file (None: removed).
    """
    temps: list[tuple[Path, str, bytes]] = []
    current = writes[0][0] if writes else Path()
    try:
        for current, data in writes:
            if data is not None:
                temps.append((current, _write_temp(current, data), data))
    except OSError as exc:
        for _path, tmp, _data in temps:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise _write_error(current, exc) from exc

    previous: dict[Path, bytes | None] = {}
    stamps: dict[Path, _Stamp | None] = {}
    pending = {tmp for _p, tmp, _d in temps}
    try:
        by_path = {path: (tmp, data) for path, tmp, data in temps}
        for current, data in writes:
            try:
                previous[current] = current.read_bytes()
            except FileNotFoundError:
                previous[current] = None
            if data is None:
                try:
                    os.unlink(current)
                except FileNotFoundError:
                    pass
                stamps[current] = None
            else:
                tmp, _data = by_path[current]
                os.replace(tmp, current)
                pending.discard(tmp)
                st = os.stat(current)
                stamps[current] = (st.st_mtime_ns, st.st_size, _sha(data))
        for folder in sorted({path.parent for path, _d in writes}):
            _fsync_dir(folder)
    except OSError as exc:
        for tmp in pending:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        for path, old in previous.items():  # put back what was replaced
            try:
                if old is None:
                    if stamps.get(path) is not None:
                        os.unlink(path)
                else:
                    os.replace(_write_temp(path, old), path)
            except OSError:
                pass
        raise _write_error(current, exc) from exc
    return stamps


def atomic_write(path: Path, data: bytes) -> _Stamp:
    """Replace `path` with `data` durably: temp file, fsync, rename, fsync folder.

    On failure the old file is intact, the temp file removed, and StoreWriteError raised.
    """
    stamp = write_files([(path, data)])[path]
    assert stamp is not None
    return stamp


def doc_path(folder: Path, doc_id: str) -> Path:
    """`docs/<doc id>.json`, the id's `/` kept as subfolders. Rejects ids that could escape."""
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError("a document id must be a non-empty string")
    parts = doc_id.split("/")
    if any(p in ("", ".", "..") for p in parts) or "\0" in doc_id or "\\" in doc_id:
        raise ValueError(f"document id {doc_id!r} is not a relative path of the corpus")
    return folder.joinpath(DOCS, *parts[:-1], parts[-1] + ".json")


def _migrate(obj: Any, path: Path) -> tuple[dict[str, Any], int]:
    if not isinstance(obj, dict):
        raise FormatError("the file is not a JSON object")
    version = obj.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FormatError("no format_version")
    if version > FORMAT_VERSION:
        raise FormatError(
            f"format_version {version} is newer than this version of reader supports "
            f"({FORMAT_VERSION}); upgrade reader to change it"
        )
    original = version
    while version < FORMAT_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise FormatError(f"format_version {version} cannot be migrated")
        obj = step(obj)
        version += 1
        obj["format_version"] = version
    return obj, original


def _read_bytes(path: Path) -> tuple[bytes, _Stamp] | None:
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except FileNotFoundError:
        return None
    return data, (st.st_mtime_ns, st.st_size, _sha(data))


# --- in-memory state ----------------------------------------------------------------------------


@dataclass
class _DocFile:
    doc: str
    path: Path
    annotations: dict[str, Annotation] = field(default_factory=dict)
    attributes: DocumentAttributes | None = None
    stamp: _Stamp | None = None  # None: no file on disk
    problem: str | None = None
    version: int = FORMAT_VERSION

    def attrs(self) -> DocumentAttributes:
        return self.attributes or DocumentAttributes(self.doc)

    def is_empty(self) -> bool:
        return not self.annotations and self.attrs().is_empty()

    def serialise(self) -> bytes:
        return dumps(
            {
                "format_version": FORMAT_VERSION,
                "doc": self.doc,
                "attributes": attributes_to_json(self.attrs()),
                "annotations": [
                    annotation_to_json(a)
                    for a in sorted(self.annotations.values(), key=lambda a: (a.start, a.id))
                ],
            }
        )


def _parse_doc(doc: str, path: Path, data: bytes, stamp: _Stamp) -> _DocFile:
    f = _DocFile(doc, path, stamp=stamp)
    try:
        obj, f.version = _migrate(json.loads(data.decode("utf-8")), path)
        records = obj.get("annotations", [])
        if not isinstance(records, list):
            raise FormatError("annotations must be a list")
        for rec in records:
            ann = annotation_from_json(rec)
            if ann.doc != doc:
                ann = replace(ann, doc=doc)  # the file's place names the document
            if ann.id in f.annotations:
                raise FormatError(f"annotation id {ann.id} appears twice")
            f.annotations[ann.id] = ann
        f.attributes = attributes_from_json(doc, obj.get("attributes"))
    except UnicodeDecodeError as exc:
        return _DocFile(doc, path, stamp=stamp, problem=f"not UTF-8 ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        return _DocFile(doc, path, stamp=stamp, problem=f"not valid JSON ({exc.msg}, line {exc.lineno})")
    except FormatError as exc:
        return _DocFile(doc, path, stamp=stamp, problem=str(exc))
    return f


@dataclass(frozen=True)
class _Change:
    """One undo step: records before and after. `None` means absent."""

    description: str
    anns: tuple[tuple[str, str, Annotation | None, Annotation | None], ...] = ()  # doc, id, old, new
    attrs: tuple[tuple[str, DocumentAttributes, DocumentAttributes], ...] = ()  # doc, old, new
    tags: tuple[tuple[str, Tag | None, Tag | None], ...] = ()  # name, old, new

    def inverse(self) -> "_Change":
        return _Change(
            self.description,
            tuple((d, i, new, old) for d, i, old, new in self.anns),
            tuple((d, new, old) for d, old, new in self.attrs),
            tuple((n, new, old) for n, old, new in self.tags),
        )

    def is_empty(self) -> bool:
        return not (self.anns or self.attrs or self.tags)

    def docs(self) -> set[str]:
        return {d for d, *_ in self.anns} | {d for d, *_ in self.attrs}


# --- the store ----------------------------------------------------------------------------------


class AnnotationStore:
    """All annotations, the codebook and document attributes under one folder."""

    def __init__(self, folder: Path | str, creator: str | None = None):
        self.folder = Path(folder)
        self.creator = creator if creator is not None else _default_creator()
        self._docs: dict[str, _DocFile] = {}
        self._where: dict[str, str] = {}  # annotation id -> doc id
        self._codebook: dict[str, Tag] = {}
        self._codebook_stamp: _Stamp | None = None
        self._codebook_problem: str | None = None
        self._undo: list[_Change] = []
        self._redo: list[_Change] = []
        self._mutex = threading.RLock()
        self._lock_depth = 0
        self._fresh: set[str] | None = None  # files re-read inside the current lock
        self._swept = False  # stale temp files (a killed writer's) removed under the lock
        self.refresh()

    # -- reading ---------------------------------------------------------------------------------

    @property
    def codebook_path(self) -> Path:
        return self.folder / CODEBOOK

    def path_of(self, doc_id: str) -> Path:
        return doc_path(self.folder, doc_id)

    @property
    def problems(self) -> list[StoreProblem]:
        """Files that could not be used, with the reason; their data is read-only."""
        found = [StoreProblem(f.path, f.problem, f.doc) for f in self._docs.values() if f.problem]
        found.sort(key=lambda p: str(p.path))
        if self._codebook_problem:
            found.insert(0, StoreProblem(self.codebook_path, self._codebook_problem, None))
        return found

    def read_only_reason(self, doc_id: str) -> str | None:
        f = self._docs.get(doc_id)
        return f"{f.path}: {f.problem}" if f and f.problem else None

    def documents(self) -> list[str]:
        """Ids of the documents with annotations, attributes or a problem file."""
        return sorted(self._docs)

    def get(self, ann_id: str) -> Annotation:
        doc = self._where.get(ann_id)
        if doc is None:
            raise AnnotationNotFound(ann_id)
        return self._docs[doc].annotations[ann_id]

    def annotations(self, doc_id: str | None = None, tag: str | None = None) -> list[Annotation]:
        """Sorted by (doc, start, id). `tag` also matches its descendants (`actor`: `actor/x`)."""
        files = [self._docs[doc_id]] if doc_id in self._docs else [] if doc_id else self._docs.values()
        out = [
            a
            for f in files
            for a in f.annotations.values()
            if tag is None or any(tag_matches(t, tag) for t in a.tags)
        ]
        out.sort(key=lambda a: (a.doc, a.start, a.id))
        return out

    def attributes(self, doc_id: str) -> DocumentAttributes:
        f = self._docs.get(doc_id)
        return f.attrs() if f else DocumentAttributes(doc_id)

    def tags(self) -> list[Tag]:
        """The codebook plus any tag annotations carry that it lacks (palette colour), by name."""
        tags = dict(self._codebook)
        for f in self._docs.values():
            for a in f.annotations.values():
                for t in a.tags:
                    if t not in tags:
                        tags[t] = Tag(t, palette_color(t))
        return [tags[n] for n in sorted(tags)]

    def tag(self, name: str) -> Tag | None:
        return next((t for t in self.tags() if t.name == name), None)

    def tag_counts(self) -> dict[str, int]:
        """Annotations carrying each tag exactly (every codebook tag present, maybe with 0)."""
        counts = {name: 0 for name in self._codebook}
        for f in self._docs.values():
            for a in f.annotations.values():
                for t in a.tags:
                    counts[t] = counts.get(t, 0) + 1
        return dict(sorted(counts.items()))

    def recent_tags(self, n: int = 9) -> list[str]:
        """Tags most recently applied (by annotations' modified time), newest first."""
        latest: dict[str, str] = {}
        for f in self._docs.values():
            for a in f.annotations.values():
                for t in a.tags:
                    if a.modified > latest.get(t, ""):
                        latest[t] = a.modified
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
                        position=TextPositionSelector(r.span.start, r.span.end),
                        quote=TextQuoteSelector.from_text(text, r.span.start, r.span.end),
                    )
                    updates.append((a.id, new))
            if updates:
                seen = {r.annotation.id: r.annotation for r in results}

                def build() -> _Change:
                    f = self._fresh_doc(doc_id)
                    return _Change(
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

    def refresh(self) -> list[str]:
        """Re-read every file changed on disk since it was read (other processes' changes).

        Returns the ids of the documents whose annotations changed.
        """
        with self._mutex:
            changed = []
            on_disk = set(self._scan())
            for doc in sorted(on_disk | set(self._docs)):
                before = self._docs.get(doc)
                if self._reload_doc(doc, verify=False) is not before:
                    changed.append(doc)
            self._reload_codebook(verify=False)
            return changed

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

    def add_many(self, items: Iterable[NewAnnotation], description: str | None = None) -> list[Annotation]:
        """Create many annotations as one change (one write per document, one undo step)."""
        now = utc_now()
        created = [self._new_annotation(item, now) for item in items]
        if not created:
            return []
        if description is None:
            description = (
                f"add {', '.join(created[0].tags)} to {created[0].doc}"
                if len(created) == 1
                else f"add {len(created)} annotations"
            )

        def build() -> _Change:
            for doc in {a.doc for a in created}:
                self._writable(self._fresh_doc(doc))
            return _Change(
                description,
                tuple((a.doc, a.id, None, a) for a in created),
                tags=self._new_tags(t for a in created for t in a.tags),
            )

        self._mutate(build)
        return created

    def edit(self, ann_id: str, tags: Iterable[str] | None = None, note: str | None = None) -> Annotation:
        """Replace an annotation's tags and/or note (None: unchanged)."""
        new_tags = _clean_tags(tags) if tags is not None else None
        if note is not None and not isinstance(note, str):
            raise TypeError("note must be a string")
        result: list[Annotation] = []

        def build() -> _Change | None:
            old = self._fresh_annotation(ann_id)
            new = replace(
                old,
                tags=new_tags if new_tags is not None else old.tags,
                note=note if note is not None else old.note,
            )
            if new == old:
                result.append(old)
                return None
            new = replace(new, modified=utc_now())
            result.append(new)
            what = "tags" if new.tags != old.tags else "note"
            return _Change(
                f"edit {what} of {_short(old)}",
                ((old.doc, ann_id, old, new),),
                tags=self._new_tags(new.tags),
            )

        self._mutate(build)
        return result[0]

    def delete(self, ann_id: str) -> Annotation:
        result: list[Annotation] = []

        def build() -> _Change:
            old = self._fresh_annotation(ann_id)
            result.append(old)
            return _Change(f"delete {_short(old)}", ((old.doc, ann_id, old, None),))

        self._mutate(build)
        return result[0]

    def reattach(self, ann_id: str, text: str, sha256: str, start: int, end: int) -> Annotation:
        """Place an annotation (an orphan, a fuzzy match) at [start, end) of the current text."""
        _check_span(text, start, end)
        result: list[Annotation] = []

        def build() -> _Change:
            old = self._fresh_annotation(ann_id)
            new = replace(
                old,
                doc_sha256=sha256,
                position=TextPositionSelector(start, end),
                quote=TextQuoteSelector.from_text(text, start, end),
                modified=utc_now(),
            )
            result.append(new)
            return _Change(f"reattach {_short(old)}", ((old.doc, ann_id, old, new),))

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

        def build() -> _Change | None:
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
            return _Change(f"set attributes of {doc_id}", attrs=((doc_id, old, new),))

        self._mutate(build)
        return result[0]

    # -- codebook --------------------------------------------------------------------------------

    def set_tag(self, name: str, color: str | None = None, description: str | None = None) -> Tag:
        """Create or update a codebook tag."""
        validate_tag_name(name)
        color = normalise_color(color) if color is not None else None
        result: list[Tag] = []

        def build() -> _Change | None:
            self._fresh_codebook_writable()
            old = self._codebook.get(name)
            new = Tag(
                name,
                color or (old.color if old else palette_color(name)),
                description if description is not None else (old.description if old else ""),
            )
            result.append(new)
            if new == old:
                return None
            return _Change(f"{'update' if old else 'create'} tag {name}", tags=((name, old, new),))

        self._mutate(build)
        return result[0]

    def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag and its descendants (`old/x` -> `new/x`) everywhere. Returns how many
        annotations changed. Documents whose file is unreadable are skipped (read-only)."""
        validate_tag_name(new)
        if old == new:
            return 0

        def mapping(t: str) -> str:
            return new + t[len(old) :] if tag_matches(t, old) else t

        return self._retag(
            f"rename tag {old} to {new}",
            lambda t: tag_matches(t, old),
            mapping,
            check=lambda names: _refuse_existing(names, old, new),
        )

    def merge_tags(self, sources: Iterable[str], target: str) -> int:
        """Replace each of `sources` (exact names) by `target` on every annotation and remove
        them from the codebook. Returns how many annotations changed."""
        validate_tag_name(target)
        srcs = {s for s in sources if s != target}
        if not srcs:
            return 0
        return self._retag(
            f"merge {', '.join(sorted(srcs))} into {target}",
            lambda t: t in srcs,
            lambda t: target if t in srcs else t,
        )

    def delete_tag(
        self, name: str, on_use: Literal["refuse", "remove", "delete_annotations"] = "refuse"
    ) -> int:
        """Delete a tag and its descendants from the codebook.

        on_use: 'refuse' raises TagInUse (with counts) if annotations carry it; 'remove' takes
        the tag off them (an annotation left with no tag is deleted: see TagInUse.sole);
        'delete_annotations' deletes every annotation carrying it. Returns annotations changed.
        """
        if on_use not in ("refuse", "remove", "delete_annotations"):
            raise ValueError(f"on_use must be refuse, remove or delete_annotations, not {on_use!r}")
        doomed = lambda t: tag_matches(t, name)  # noqa: E731
        result = [0]

        def build() -> _Change | None:
            self._fresh_all()
            self._fresh_codebook_writable()
            using = [a for a in self._all_annotations() if any(doomed(t) for t in a.tags)]
            sole = sum(1 for a in using if all(doomed(t) for t in a.tags))
            if using and on_use == "refuse":
                raise TagInUse(name, len(using), sole)
            now = utc_now()
            anns = []
            for a in using:
                self._writable(self._docs[a.doc])
                kept = tuple(t for t in a.tags if not doomed(t))
                after = None if on_use == "delete_annotations" or not kept else replace(a, tags=kept, modified=now)
                anns.append((a.doc, a.id, a, after))
            tags = tuple((n, t, None) for n, t in self._codebook.items() if doomed(n))
            result[0] = len(anns)
            change = _Change(f"delete tag {name}", tuple(anns), tags=tags)
            return None if change.is_empty() else change

        self._mutate(build)
        return result[0]

    # -- undo ------------------------------------------------------------------------------------

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
                    f.stamp = atomic_write(f.path, data)
                    f.version = FORMAT_VERSION
                    written += 1
            if self._codebook_problem is None and self._codebook_stamp is not None:
                data = self._serialise_codebook(self._codebook)
                if data != self._disk_bytes(self.codebook_path):
                    self._codebook_stamp = atomic_write(self.codebook_path, data)
                    written += 1
        return written

    # -- internals: loading ----------------------------------------------------------------------

    def _scan(self) -> Iterator[str]:
        root = self.folder / DOCS
        if not root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel = Path(dirpath).relative_to(root)
            for name in sorted(filenames):
                if name.endswith(".json"):  # temp files end in .tmp
                    yield (rel / name[: -len(".json")]).as_posix().removeprefix("./")

    def _reload_doc(self, doc: str, verify: bool) -> _DocFile | None:
        """Bring one document's state in line with its file. `verify` hashes the bytes even
        when size and mtime agree (used under the lock, where a stale read would lose data)."""
        try:
            path = doc_path(self.folder, doc)
        except ValueError:
            return None
        old = self._docs.get(doc)
        if old is not None and not verify and old.stamp is not None:
            try:
                st = os.stat(path)
                if (st.st_mtime_ns, st.st_size) == old.stamp[:2]:
                    return old
            except FileNotFoundError:
                pass
        try:
            read = _read_bytes(path)
        except OSError as exc:
            new = _DocFile(doc, path, problem=f"cannot be read ({exc.strerror})", stamp=(0, 0, ""))
            self._install(doc, new)
            return new
        if read is None:
            if old is None or old.stamp is None:
                return old
            self._install(doc, None)
            return None
        data, stamp = read
        if old is not None and old.stamp is not None and old.stamp[2] == stamp[2]:
            old.stamp = stamp
            return old
        new = _parse_doc(doc, path, data, stamp)
        self._install(doc, new)
        return new

    def _install(self, doc: str, new: _DocFile | None) -> None:
        old = self._docs.pop(doc, None)
        if old is not None:
            for i in old.annotations:
                if self._where.get(i) == doc:
                    del self._where[i]
        if new is not None:
            self._docs[doc] = new
            for i in new.annotations:
                self._where[i] = doc

    def _reload_codebook(self, verify: bool) -> None:
        path = self.codebook_path
        if not verify and self._codebook_stamp is not None:
            try:
                st = os.stat(path)
                if (st.st_mtime_ns, st.st_size) == self._codebook_stamp[:2]:
                    return
            except FileNotFoundError:
                pass
        try:
            read = _read_bytes(path)
        except OSError as exc:
            self._codebook, self._codebook_problem = {}, f"cannot be read ({exc.strerror})"
            self._codebook_stamp = (0, 0, "")
            return
        if read is None:
            self._codebook, self._codebook_stamp, self._codebook_problem = {}, None, None
            return
        data, stamp = read
        if self._codebook_stamp is not None and self._codebook_stamp[2] == stamp[2]:
            self._codebook_stamp = stamp
            return
        self._codebook_stamp = stamp
        try:
            obj, _version = _migrate(json.loads(data.decode("utf-8")), path)
            records = obj.get("tags", [])
            if not isinstance(records, list):
                raise FormatError("tags must be a list")
            tags = {}
            for rec in records:
                tag = tag_from_json(rec)
                tags[tag.name] = tag
        except UnicodeDecodeError as exc:
            self._codebook, self._codebook_problem = {}, f"not UTF-8 ({exc.reason})"
        except json.JSONDecodeError as exc:
            self._codebook, self._codebook_problem = {}, f"not valid JSON ({exc.msg}, line {exc.lineno})"
        except FormatError as exc:
            self._codebook, self._codebook_problem = {}, str(exc)
        else:
            self._codebook, self._codebook_problem = tags, None

    @staticmethod
    def _disk_bytes(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    # -- internals: changing ---------------------------------------------------------------------

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
                _makedirs_durable(self.folder)
                fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise StoreWriteError(
                    f"cannot write to the annotations folder {self.folder}: "
                    f"{exc.strerror or exc}; nothing was changed"
                ) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._lock_depth = 1
                self._fresh = set()
                if not self._swept:
                    self._remove_stale_temp_files()
                    self._swept = True
                yield
            finally:
                self._lock_depth = 0
                self._fresh = None
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _remove_stale_temp_files(self) -> None:
        """Temp files left by a writer killed mid-write. Every write happens under the lock,
        so while we hold it no temp file is in use."""
        for dirpath, _dirnames, filenames in os.walk(self.folder):
            for name in filenames:
                if name.startswith(".") and name.endswith(".tmp"):
                    try:
                        os.unlink(os.path.join(dirpath, name))
                    except OSError:
                        pass

    def _fresh_doc(self, doc: str) -> _DocFile:
        """The document's latest on-disk state (read at most once per lock)."""
        assert self._fresh is not None, "only under the lock"
        if doc not in self._fresh:
            self._reload_doc(doc, verify=True)
            self._fresh.add(doc)
        f = self._docs.get(doc)
        if f is None:
            f = _DocFile(doc, doc_path(self.folder, doc))
        return f

    def _fresh_all(self) -> None:
        assert self._fresh is not None
        for doc in sorted(set(self._scan()) | set(self._docs)):
            self._fresh_doc(doc)
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

    def _writable(self, f: _DocFile) -> _DocFile:
        if f.problem:
            raise ReadOnlyError(f"{f.path}: {f.problem}; the annotations of {f.doc} are read-only")
        return f

    def _all_annotations(self) -> list[Annotation]:
        return [a for f in self._docs.values() for a in f.annotations.values()]

    def _new_tags(self, names: Iterable[str]) -> tuple[tuple[str, Tag | None, Tag | None], ...]:
        """Codebook entries for tags not in it yet (skipped if the codebook is unreadable: a
        broken codebook must not stop anyone tagging)."""
        self._fresh_codebook()
        if self._codebook_problem:
            return ()
        out, seen = [], set()
        for name in names:
            if name not in self._codebook and name not in seen:
                seen.add(name)
                out.append((name, None, Tag(name, palette_color(name))))
        return tuple(out)

    def _new_annotation(self, item: NewAnnotation, now: str) -> Annotation:
        doc_path(self.folder, item.doc)
        _check_span(item.text, item.start, item.end)
        if not isinstance(item.sha256, str) or not item.sha256:
            raise ValueError("the document's sha256 is required")
        if not isinstance(item.note, str):
            raise TypeError("note must be a string")
        return Annotation(
            id=new_id(),
            doc=item.doc,
            doc_sha256=item.sha256,
            position=TextPositionSelector(item.start, item.end),
            quote=TextQuoteSelector.from_text(item.text, item.start, item.end),
            tags=_clean_tags(item.tags),
            note=item.note,
            creator=self.creator,
            created=now,
            modified=now,
        )

    def _retag(self, description: str, hit, mapping, check=None) -> int:
        result = [0]

        def build() -> _Change | None:
            self._fresh_all()
            self._fresh_codebook_writable()
            if check is not None:
                check(set(self._codebook) | {t for a in self._all_annotations() for t in a.tags})
            now = utc_now()
            anns = []
            for a in self._all_annotations():
                if any(hit(t) for t in a.tags):
                    self._writable(self._docs[a.doc])
                    new_tags = tuple(dict.fromkeys(mapping(t) for t in a.tags))
                    anns.append((a.doc, a.id, a, replace(a, tags=new_tags, modified=now)))
            tags = []
            targets: dict[str, Tag] = {}
            for name, tag in self._codebook.items():
                if hit(name):
                    tags.append((name, tag, None))
                    to = mapping(name)
                    targets.setdefault(to, replace(tag, name=to))
            for to, tag in targets.items():
                existing = self._codebook.get(to)
                if existing is None:
                    tags.append((to, None, tag))
            for a in anns:
                for t in a[3].tags:
                    if t not in self._codebook and t not in targets:
                        targets[t] = Tag(t, palette_color(t))
                        tags.append((t, None, targets[t]))
            result[0] = len(anns)
            change = _Change(description, tuple(anns), tags=tuple(tags))
            return None if change.is_empty() else change

        self._mutate(build)
        return result[0]

    def _mutate(self, build: Callable[[], _Change | None]) -> _Change | None:
        with self._locked():
            change = build()
            if change is None or change.is_empty():
                return None
            self._apply(change)
        self._undo.append(change)
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()
        return change

    def _replay(self, source: list[_Change], target: list[_Change], inverse: bool) -> str | None:
        with self._mutex:
            if not source:
                return None
            step = source[-1]
            change = step.inverse() if inverse else step
            with self._locked():
                for doc in change.docs():
                    self._writable(self._fresh_doc(doc))
                if change.tags:
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

    def _stale(self, change: _Change) -> str | None:
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
        return None

    def _apply(self, change: _Change) -> None:
        """Write every file `change` touches, then update memory; on a failure, put back the
        files already written and raise StoreWriteError (memory unchanged)."""
        staged: dict[str, _DocFile] = {}
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
        codebook = None
        if change.tags:
            codebook = dict(self._codebook)
            for name, _old, new in change.tags:
                if new is None:
                    codebook.pop(name, None)
                else:
                    codebook[name] = new

        writes: list[tuple[Path, bytes | None]] = []
        for doc in sorted(staged):
            f = staged[doc]
            writes.append((f.path, None if f.is_empty() else f.serialise()))
        if codebook is not None:
            writes.append((self.codebook_path, self._serialise_codebook(codebook)))
        try:
            stamps = write_files(writes)
        except StoreWriteError:
            if self._fresh is not None:  # memory is unchanged; disk is re-read next time
                self._fresh.clear()
            raise
        for doc, f in staged.items():
            f.stamp = stamps[f.path]
            f.version = FORMAT_VERSION
            self._install(doc, None if f.stamp is None else f)
        if codebook is not None:
            self._codebook, self._codebook_stamp = codebook, stamps[self.codebook_path]

    def _staged_copy(self, doc: str) -> _DocFile:
        f = self._fresh_doc(doc) if self._fresh is not None else self._docs.get(doc)
        if f is None:
            f = _DocFile(doc, doc_path(self.folder, doc))
        self._writable(f)
        return _DocFile(f.doc, f.path, dict(f.annotations), f.attributes, f.stamp, None, f.version)

    @staticmethod
    def _serialise_codebook(codebook: dict[str, Tag]) -> bytes:
        return dumps(
            {
                "format_version": FORMAT_VERSION,
                "tags": [tag_to_json(codebook[n]) for n in sorted(codebook)],
            }
        )


# --- helpers ------------------------------------------------------------------------------------


def _default_creator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return ""


def _clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = (tags,)
    cleaned = tuple(dict.fromkeys(validate_tag_name(t) for t in tags))
    if not cleaned:
        raise ValueError("an annotation needs at least one tag")
    return cleaned


def _check_span(text: str, start: int, end: int) -> None:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise TypeError("start and end must be integers")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}:{end} is not within the document (0:{len(text)}) or is empty")


def _short(a: Annotation) -> str:
    quote = a.quote.exact if len(a.quote.exact) <= 30 else a.quote.exact[:29] + "…"
    return f"“{quote}” ({', '.join(a.tags)})"


def _refuse_existing(names: set[str], old: str, new: str) -> None:
    if not any(tag_matches(n, old) for n in names):
        raise ValueError(f"there is no tag {old!r}")
    clash = sorted(n for n in names if tag_matches(n, new) and not tag_matches(n, old))
    if clash:
        raise ValueError(f"tag {clash[0]!r} already exists; merge the tags instead")
