"""Names and GUIDs in a REFI-QDA project that other tools (QualCoder first) read right, and
that our own import reads back exactly. Both directions live here, so export and import agree.

- Code names: a `Code` holds one segment of a tag (`tone/negative` is `negative` inside `tone`).
  QualCoder keeps code names unique across the whole codebook: given `tone/negative` and
  `evaluation/negative` it drops the second code and keeps its codings with no code. So a leaf
  name that occurs more than once (ignoring case) is written with its parent path:
  `negative (tone)`, `negative (evaluation)` (a deeper parent reads `x (a › b)`). Import strips
  such a suffix when it names the code's own parent.
- GUIDs: deterministic (uuid5), so the same export twice is the same project. A tag that is not
  in the codebook itself (an implicit parent such as `event` of `event/truce`, or a tag only
  annotations carry) gets its GUID from another name space, so importing our own project does
  not turn it into a codebook entry; other tools see an ordinary code.
- Users: one per annotation creator, the one with the most annotations first (QualCoder takes
  the first user as its coder). Annotations without a creator belong to a placeholder user
  `reader` whose GUID import reads back as "no creator".
- Source names: a document's title made safe as a file name (QualCoder copies the text to
  `documents/<name>.txt`: a `/` there fails), at most 120 characters, unique, ending in `.txt`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from typing import Iterable

NAMESPACE = uuid.UUID("0c4d3b8e-5f7a-4e21-b6d9-2a1c8e7f4b30")
_NAMESPACE_BYTES = NAMESPACE.bytes
PLACEHOLDER_USER = "reader"
_PATH_SEP = " › "
_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]+')
_MAX_NAME = 120


def guid(*parts: str) -> str:
    """uuid5 of the parts joined by U+001F in NAMESPACE, upper case: the same string as
    `str(uuid.uuid5(NAMESPACE, name)).upper()` (tests/test_export_bulk.py compares them), made
    from the SHA-1 digest directly, a third of uuid5's time: a project of 100,000 annotations
    has a GUID per coding."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex().upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def tag_guid(name: str, implicit: bool = False) -> str:
    return guid("implicit tag" if implicit else "tag", name)


def user_guid(creator: str) -> str:
    return guid("user", creator)


def is_implicit_tag_guid(value: str, name: str) -> bool:
    return value.upper().strip("{}") == tag_guid(name, implicit=True)


def creator_of_user(user_guid_value: str, name: str) -> str:
    """The annotation creator a `User` stands for ("" for our placeholder user)."""
    return "" if user_guid_value.upper().strip("{}") == user_guid("") else name


def code_names(tags: Iterable[str]) -> dict[str, str]:
    """Tag name -> the `name` of its `Code`: the last segment, with the parent path where the
    segment is not unique (see the module docstring)."""
    tags = list(tags)
    leaves = {t: t.rpartition("/")[2] for t in tags}
    counts = Counter(leaf.casefold() for leaf in leaves.values())
    names: dict[str, str] = {}
    taken: set[str] = set()
    for tag in sorted(tags, key=lambda t: (counts[leaves[t].casefold()] > 1, t)):
        leaf = leaves[tag]
        parent = tag.rpartition("/")[0]
        name = leaf
        if counts[leaf.casefold()] > 1 and parent:
            name = f"{leaf} ({parent.replace('/', _PATH_SEP)})"
        n = 2
        while name.casefold() in taken:
            name = f"{leaf} ({parent.replace('/', _PATH_SEP)} {n})" if parent else f"{leaf} ({n})"
            n += 1
        taken.add(name.casefold())
        names[tag] = name
    return names


def code_segment(name: str, parent_tag: str) -> str:
    """The tag segment a `Code` named `name` inside `parent_tag` stands for (undoes `code_names`)."""
    if parent_tag:
        suffix = f" ({parent_tag.replace('/', _PATH_SEP)})"
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def users(creators: Iterable[str]) -> list[tuple[str, str, str]]:
    """(creator, User guid, User name) for each creator, the most annotations first."""
    counts = Counter(creators)
    if not counts:
        counts[""] = 0
    ordered = sorted(counts, key=lambda c: (c == "", -counts[c], c))
    return [(c, user_guid(c), c or PLACEHOLDER_USER) for c in ordered]


def source_names(titles: dict[str, str]) -> dict[str, str]:
    """Document id -> a safe, unique source name ending in `.txt`, from its title."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for doc in sorted(titles):
        base = _UNSAFE.sub("_", re.sub(r"\s+", " ", titles[doc] or doc)).strip(" ._") or "document"
        base = base.removesuffix(".txt").removesuffix(".TXT")
        if len(base) > _MAX_NAME:
            base = base[: _MAX_NAME - 1].rstrip() + "…"
        name, n = f"{base}.txt", 2
        while name.casefold() in taken:
            name, n = f"{base} ({n}).txt", n + 1
        taken.add(name.casefold())
        out[doc] = name
    return out
