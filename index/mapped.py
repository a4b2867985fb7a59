"""Read Whoosh's segment files through their memory map instead of a copy in memory.

Whoosh maps each compound segment file (`CompoundStorage`, mmap) and hands every sub-file out
as a `BufferFile` over a memoryview of the map, but `BufferFile` wraps the view in a
`BytesIO`, and `BytesIO(memoryview)` copies it. Opening a searcher on the 100 MB benchmark
index therefore copied all its postings and term files into the heap: 265 MB of private
memory per searcher (measured with tracemalloc and /proc/PID/smaps_rollup), in the app and
again in the search helper process.

`MappedFile` is a `BufferFile` whose file object reads straight from the view: every read
returns the same bytes `BytesIO` would, and the pages stay shared in the page cache. `install`
points Whoosh's compound storage at it; it is called when this package is imported
(index/__init__.py), before any index is opened. whoosh-reloaded is pinned to 2.7.5.
"""

from __future__ import annotations

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

__all__ = ["MappedFile", "install"]


class _ViewReader:
    """The part of a binary file object that `StructFile` uses, over a memoryview."""

    __slots__ = ("_view", "_pos", "closed")

    def __init__(self, view) -> None:
        self._view = view
        self._pos = 0
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        view, start = self._view, self._pos
        stop = len(view) if size is None or size < 0 else min(start + size, len(view))
        end = stop
        for i in range(start, stop):  # lines are short where Whoosh reads them (pickles)
            if view[i] == 10:
                end = i + 1
                break
        self._pos = end
        return bytes(view[start:end])

    def peek(self, size: int = 0) -> bytes:
        """What the next reads will return, without moving (pickle's C unpickler uses this
        to read a whole pickle in one call instead of one call per opcode). At most 4 KB:
        the unpickler asks for 128 KB, and the pickles Whoosh reads here are a few dozen
        bytes (it peeks again if one is longer)."""
        start = self._pos
        return bytes(self._view[start : start + min(max(size, 1), 4096)])

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self._pos
        elif whence == 2:
            offset += len(self._view)
        if offset < 0:
            raise ValueError("negative seek position")
        self._pos = offset
        return offset

    def tell(self) -> int:
        return self._pos

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def __iter__(self):  # lines, as BytesIO gives them (Whoosh's ChecksumFile iterates)
        data = bytes(self._view[self._pos :])
        self._pos = len(self._view)
        return iter(data.splitlines(keepends=True))


class MappedFile(BufferFile):
    """`BufferFile` without the copy: reads come from the memoryview it was given."""

    def __init__(self, buf, name=None, onclose=None) -> None:
        self._buf = buf
        self._name = name
        self.file = _ViewReader(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


def install() -> None:
    """Make Whoosh's compound storage hand out `MappedFile`s (idempotent)."""
    compound.BufferFile = MappedFile
