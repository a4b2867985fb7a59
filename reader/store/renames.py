"""The codebook's record of renames and merges, and reading annotations through it.

Why: git hands a merge driver the three versions of one file, in no promised order, so the
driver of a document's file cannot know that the other branch renamed a tag. A coder who renamed
`x` to `y` rewrote the files on their branch; a coder on another branch went on tagging with
`x`. So the codebook keeps a record, one entry per rename (`x` and its descendants) or merge
(`x` exactly) with when and by whom, merged as a set by the codebook's driver, and the store
reads every annotation through it: `x` reads, shows and exports as `y`, and the next write of
its file writes `y`. Whatever the order git merged the files in, the merged project reads
renamed.

Rules of the record (each to keep one reading of every name):
- An entry's old name is no tag of the codebook: tagging with `x` afterwards tags `y`, and
  `set_tag("x")` is refused (use `y`, or rename `y` back). A rename or merge whose target is
  a name the record maps drops the entries from that name: `y` renamed back to `x` makes `x`
  live again (and `y` read as `x`), with no cycle.
- Chains follow: `x -> y` then `y -> z` reads `x` as `z`.
- Two entries from one name to different names (a rename on both sides to different names),
  or a cycle (x merged into y on one side, y into x on the other), is a conflict: the
  codebook's driver refuses it (git marks the codebook conflicted, the message says what to
  do), and a store reading such a record (a person committed it anyway) maps neither name.
- Growth: one entry (about 150 bytes) per rename or merge; undo removes it, and a name made
  live again drops the entries from it. Entries are kept otherwise: any branch not yet merged
  may still carry the old name.

An empty record is not written: a codebook without renames is byte for byte as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from reader.model import FormatError, tag_matches

KINDS = ("rename", "merge")
"""rename: the tag and its descendants (`x/a` -> `y/a`); merge: that exact tag."""


@dataclass(frozen=True, order=True)
class Rename:
    """One entry of the record: `old` became `new` (`kind`), at `at` (UTC), by coder `by`."""

    at: str
    old: str
    new: str
    kind: str = "rename"
    by: str = ""

    def covers(self, tag: str) -> bool:
        return tag == self.old if self.kind == "merge" else tag_matches(tag, self.old)

    def apply(self, tag: str) -> str:
        return self.new if tag == self.old else self.new + tag[len(self.old) :]


def rename_to_json(r: Rename) -> dict[str, Any]:
    return {"at": r.at, "by": r.by, "from": r.old, "kind": r.kind, "to": r.new}


def rename_from_json(obj: Any) -> Rename:
    if not isinstance(obj, dict):
        raise FormatError("a rename must be an object")
    values = {k: obj.get(k) for k in ("at", "by", "from", "kind", "to")}
    for key in ("from", "to", "at"):
        if not isinstance(values[key], str) or not values[key]:
            raise FormatError(f"a rename needs a {key!r} string")
    if values["kind"] not in KINDS:
        raise FormatError(f"a rename's kind must be one of {', '.join(KINDS)}")
    if not isinstance(values["by"], str):
        raise FormatError("a rename's 'by' must be a string")
    return Rename(str(values["at"]), str(values["from"]), str(values["to"]), str(values["kind"]), str(values["by"]))


def renames_from_json(records: Any) -> tuple[Rename, ...]:
    if records is None:
        return ()
    if not isinstance(records, list):
        raise FormatError("renames must be a list")
    return normalised(rename_from_json(r) for r in records)


def normalised(entries: Iterable[Rename]) -> tuple[Rename, ...]:
    """The record as a set, in its one written order (time, then names)."""
    return tuple(sorted(set(entries)))


def merged(base: Iterable[Rename], ours: Iterable[Rename], theirs: Iterable[Rename]) -> tuple[Rename, ...]:
    """Three-way merge of the record as a set: what either side added is kept, what either
    side removed (an undo, a name made live again) is removed."""
    b, o, t = set(base), set(ours), set(theirs)
    return normalised((o | t) - (b - o) - (b - t))


@dataclass
class RenameMap:
    """The record resolved: what each tag name reads as. Empty record: every name as it is."""

    entries: tuple[Rename, ...] = ()
    conflicts: list[str] = field(default_factory=list)  # why names are left unmapped
    _blocked: set[str] = field(default_factory=set)
    _cache: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        targets: dict[str, set[str]] = {}
        for e in self.entries:
            targets.setdefault(e.old, set()).add(e.new)
        for old, news in sorted(targets.items()):
            if len(news) > 1:
                self._blocked.add(old)
                self.conflicts.append(f"tag {old} was renamed to {' and to '.join(sorted(news))}")
        for e in self.entries:
            circle = [] if e.old in self._blocked else self._cycle(e.old)
            if circle:
                self._blocked.update(circle)
                self.conflicts.append(f"tags are renamed in a circle ({' -> '.join(circle)})")

    def __bool__(self) -> bool:
        return bool(self.entries)

    def _step(self, tag: str) -> str | None:
        """The one entry that applies to `tag` (the most specific old name), or None."""
        best: Rename | None = None
        for e in self.entries:
            if not e.covers(tag) or e.old in self._blocked or (best is not None and len(e.old) <= len(best.old)):
                continue
            if tag_matches(tag, e.new) and tag_matches(e.new, e.old):
                continue  # `place` renamed `place/city`: `place/city` is that rename's result
            best = e
        return None if best is None else best.apply(tag)

    def _cycle(self, tag: str) -> list[str]:
        seen = [tag]
        current = tag
        for _ in range(len(self.entries) + 1):
            nxt = self._step(current)
            if nxt is None:
                return []
            if nxt in seen:
                return [*seen, nxt]
            seen.append(nxt)
            current = nxt
        return seen

    def tag(self, name: str) -> str:
        """What `name` reads as."""
        if not self.entries:
            return name
        found = self._cache.get(name)
        if found is not None:
            return found
        current, seen = name, {name}
        while True:
            nxt = self._step(current)
            if nxt is None or nxt in seen:
                break
            seen.add(nxt)
            current = nxt
        self._cache[name] = current
        return current

    def tags(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """An annotation's tags read through the record (in order, each once)."""
        if not self.entries:
            return names
        mapped = tuple(self.tag(t) for t in names)
        return mapped if mapped == names else tuple(dict.fromkeys(mapped))

    def counts(self, counts: dict[str, int]) -> dict[str, int]:
        """Per-tag counts (a summary's) read through the record, summed where names meet."""
        if not self.entries:
            return counts
        out: dict[str, int] = {}
        for t, n in counts.items():
            out[self.tag(t)] = out.get(self.tag(t), 0) + n
        return out

    def latest(self, latest: dict[str, str]) -> dict[str, str]:
        if not self.entries:
            return latest
        out: dict[str, str] = {}
        for t, when in latest.items():
            to = self.tag(t)
            if when > out.get(to, ""):
                out[to] = when
        return out

    def fingerprint(self) -> str:
        """Names this record (a summary made under another record is not used): '' for none."""
        if not self.entries:
            return ""
        import hashlib

        return hashlib.sha256(repr(self.entries).encode()).hexdigest()[:16]


def dropped_by(entries: Iterable[Rename], live: Iterable[str]) -> tuple[Rename, ...]:
    """The entries from names a change makes live again (a rename or merge's targets)."""
    names = set(live)
    return tuple(e for e in entries if e.old in names)
