"""Durable file writes for the store: temp file, fsync, rename; several files all or nothing.

A change to one file is atomic by itself (a rename). A change to several files (a tag rename
touching many documents and the codebook, a new tag, an import) is made all or nothing by an
intent journal (`reader/store/journal.py`): every new content is written to a temp file and
fsynced, then the journal naming every rename and removal is written and fsynced, then the
renames are done, then the journal is removed. A writer killed before the journal is complete
changed nothing (its temp files are swept); one killed after is completed by the next writer or
reader that opens the folder (`journal.recover`).

Writes never go through a symbolic link to a folder placed inside the annotations folder (they
would land wherever it points); such a write is refused.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import stat as stat_mod
from pathlib import Path
from typing import Any, Sequence

from reader.store import journal
from reader.store.crashpoints import point
from reader.store.errors import StoreWriteError

Stamp = tuple[int, int, str, int]  # (mtime_ns, size, sha256 of the bytes, inode)


def unchanged(st: os.stat_result, stamp: Stamp) -> bool:
    """The file stat'd as `st` is the one read as `stamp`, by its size, time and inode: a file
    another program replaced within the same clock tick with one of the same size is a new file
    (its inode differs), so it is read again and no summary is made of the old copy."""
    return (st.st_mtime_ns, st.st_size, st.st_ino) == (stamp[0], stamp[1], stamp[3])


TEMP_PREFIX = ".~"
TEMP_SUFFIX = ".tmp"
"""Temp files are `.~<12 hex digits>.tmp` whatever the target's name: a target name may use
every one of a folder entry's 255 bytes."""


def dumps(obj: Any) -> bytes:
    """The one serialisation of every store file."""
    return (json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_temp_name(name: str) -> bool:
    """A temp file of ours (also the older `.<target>.<random>.tmp` names)."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems cannot fsync a folder; the rename is still atomic
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def makedirs_durable(folder: Path) -> None:
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
        fsync_dir(d.parent)


def check_no_links(root: Path, path: Path) -> None:
    """Refuse a write to `path` when a folder between `root` and it is a symbolic link.
    (`root` itself may be a link: that is where the user keeps the annotations.)"""
    try:
        rel = path.parent.relative_to(root)
    except ValueError:
        return
    current = root
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            raise StoreWriteError(
                f"could not save {path}: {current} is a symbolic link; the store only writes "
                "inside its own folder; nothing was changed"
            )


def write_error(path: Path, exc: OSError) -> StoreWriteError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = f"no permission to write ({exc.strerror})"
    elif exc.errno == errno.ENAMETOOLONG:
        reason = "the file name is too long for this file system"
    return StoreWriteError(f"could not save {path}: {reason}; nothing was changed")


def _unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _write_temp(path: Path, data: bytes) -> str:
    """Write `data` to a new temp file next to `path` and fsync it; returns the temp's name.
    Raises OSError (the temp file removed)."""
    makedirs_durable(path.parent)
    try:
        mode = stat_mod.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o644
    tmp = str(path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}{TEMP_SUFFIX}")
    point("before temp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            point("after temp write")
            os.fsync(fd)
            point("after temp fsync")
        finally:
            os.close(fd)
    except OSError:
        _unlink_quietly(tmp)
        raise
    return tmp


def write_files(writes: Sequence[tuple[Path, bytes | None]], root: Path) -> dict[Path, Stamp | None]:
    """Replace (bytes) or remove (None) several files under `root` durably, all or nothing.

    1. Every new content goes to a temp file in its folder, fsynced. A failure here (disk
       full) removes the temp files and changes nothing.
    2. With more than one file: the journal of the renames and removals to come is written
       and fsynced. From here on a crash is completed on the next open.
    3. Each temp file is renamed over its target (atomic), files to remove are removed, each
       folder touched is fsynced once, and the journal is removed. A failure (not a crash)
       here puts back the files already replaced (each file is always whole, old or new).
    Raises StoreWriteError. Returns the new stamp of each file (None: removed).
    """
    for path, _data in writes:
        check_no_links(root, path)
    temps: dict[Path, str] = {}
    current = writes[0][0] if writes else root
    try:
        for current, data in writes:
            if data is not None:
                temps[current] = _write_temp(current, data)
    except OSError as exc:
        for tmp in temps.values():
            _unlink_quietly(tmp)
        raise write_error(current, exc) from exc

    journaled = len(writes) > 1
    if journaled:
        steps = [journal.Step(path, temps.get(path), None if data is None else sha(data)) for path, data in writes]
        try:
            for folder in sorted({path.parent for path, _d in writes}):
                fsync_dir(folder)  # the temp files' names are durable before the journal
            journal.write(root, steps)
        except OSError as exc:
            for tmp in temps.values():
                _unlink_quietly(tmp)
            journal.discard(root)
            raise write_error(journal.path(root), exc) from exc

    previous: dict[Path, bytes | None] = {}
    done: set[Path] = set()
    stamps: dict[Path, Stamp | None] = {}
    try:
        for current, data in writes:
            try:
                previous[current] = current.read_bytes()
            except FileNotFoundError:
                previous[current] = None
            if data is None:
                point("before remove")
                try:
                    os.unlink(current)
                except FileNotFoundError:
                    pass
                point("after remove")
                stamps[current] = None
            else:
                point("before rename")
                os.replace(temps[current], current)
                point("after rename")
                st = os.stat(current)
                stamps[current] = (st.st_mtime_ns, st.st_size, sha(data), st.st_ino)
            done.add(current)
        for folder in sorted({path.parent for path, _d in writes}):
            point("before folder fsync")
            fsync_dir(folder)
            point("after folder fsync")
        if journaled:
            journal.clear(root)
    except OSError as exc:
        for path, tmp in temps.items():
            if path not in done:
                _unlink_quietly(tmp)
        _put_back({path: previous[path] for path in done})
        if journaled:
            journal.discard(root)
        raise write_error(current, exc) from exc
    return stamps


def _put_back(previous: dict[Path, bytes | None]) -> None:
    """After a failed change: the files it had already replaced or removed, as they were
    (best effort; every temp file made here is removed whatever happens)."""
    for path, old in previous.items():
        try:
            if old is None:
                _unlink_quietly(path)
                continue
            tmp = _write_temp(path, old)
            try:
                os.replace(tmp, path)
            except OSError:
                _unlink_quietly(tmp)
        except OSError:
            pass


def atomic_write(path: Path, data: bytes, root: Path) -> Stamp:
    """Replace `path` with `data` durably: temp file, fsync, rename, fsync folder.

    On failure the old file is intact, the temp file removed, and StoreWriteError raised.
    """
    stamp = write_files([(path, data)], root)[path]
    assert stamp is not None
    return stamp


def read_bytes(path: Path) -> tuple[bytes, Stamp] | None:
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except FileNotFoundError:
        return None
    return data, (st.st_mtime_ns, st.st_size, sha(data), st.st_ino)
