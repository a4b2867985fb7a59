"""Document ids for file names that are not valid UTF-8, and back.

POSIX file names are bytes. Python hands a name that is not valid UTF-8 to us with each bad
byte as a lone surrogate (U+DC80-U+DCFF, the `surrogateescape` error handler), and such a
string cannot be encoded: Whoosh, JSON writers and terminals all fail on it ("surrogates not
allowed"). So a document id never carries one: each such byte is written `%HH` (two
uppercase hex digits), as a `file:` URI writes it (RFC 3986 percent-encoding): printable,
safe for every encoder and for the annotation store (which refuses backslashes in ids), and
read as what it is. `path_part` turns an id back into the bytes of the name, so the id
round-trips to the file (`reader tag 'bad%FFname.txt' ...` opens `bad<0xff>name.txt`).

A valid UTF-8 name may itself contain the three characters `%FF`; such a name keeps its
literal id and wins: the corpus scan skips a non-UTF-8 name whose escaped id is taken by a
real one (with a reason), and `Corpus.file` tries the literal name first, so both agree.
"""

from __future__ import annotations

import re

__all__ = ["escaped_id", "is_escaped", "path_part"]

_SURROGATE = re.compile("[\udc80-\udcff]")
_ESCAPE = re.compile("%([89A-F][0-9A-F])")


def escaped_id(name: str) -> str:
    """`name` (as decoded with surrogateescape) with every undecodable byte as `%HH`."""
    if not _SURROGATE.search(name):
        return name
    return _SURROGATE.sub(lambda m: f"%{ord(m.group(0)) - 0xDC00:02X}", name)


def is_escaped(name: str) -> bool:
    """Whether `name` (a decoded file name) needed escaping to become an id."""
    return _SURROGATE.search(name) is not None


def path_part(id_text: str) -> str | None:
    """The surrogateescape'd name an escaped id stands for, or None if `id_text` has no escape."""
    if "%" not in id_text:
        return None
    unescaped = _ESCAPE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), id_text)
    return unescaped if unescaped != id_text else None
