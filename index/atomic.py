"""The one atomic file write outside the annotation store: a reader sees the old file or the
new one, never part of one, and a failure leaves no temp file behind.

The new content goes to a uniquely named temp file in the target's folder (a rename is only
atomic within one file system), is flushed and, with `durable`, fsynced, then renamed over the
target. The temp file is created with mode 0o666 less the umask, as `open` would create the
target itself (mkstemp's 0o600 would make exports unreadable to the user's group). Used for
exports, the index manifest, the extraction cache, the dialogs' state and the merge driver's
result; the annotation store (reader/store/files.py) adds a journal and folder fsyncs on top.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

__all__ = ["atomic_file", "write_atomic"]


def write_atomic(path: Path | str, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` atomically (`durable`: on disk before the rename, at the cost
    of an fsync; a cache that can be rebuilt skips it). Raises OSError."""
    with atomic_file(path, durable=durable) as out:
        out.write(data)


@contextmanager
def atomic_file(path: Path | str, *, durable: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write the new content of `path` into, bit by bit (an export streamed
    as it is made); renamed over `path` when the block ends, removed if it raises."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    tmp = folder / f".{path.name[:100]}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
