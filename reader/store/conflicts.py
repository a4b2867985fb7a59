"""Annotations that coders changed differently, kept in the document's file until resolved.

A git merge of coders' work (reader/teams/merge_driver.py) meets annotations that both sides
changed differently, or that one side edited and the other deleted. Neither side may win
silently, and the JSON may never hold text conflict markers, so the merged file keeps one version
in `annotations` (ours, or the surviving one when the other side deleted it: no annotation is
ever lost) and records every version in the file's `conflicts` list, one record per annotation:

    "conflicts": [{"id": ..., "base": {...} | null, "ours": {...} | null, "theirs": {...} | null,
                   "versions": [{...} | null, ...]}]

Each version is an annotation in the same JSON form as `annotations` (null: that side had
deleted it; a null base: it did not exist in the common ancestor). `versions` is every version
the user can choose from, in the order they were met: a third branch merged into an earlier
merge's conflict adds its version to the same record (merge3.py merges the lists as sets by
content), so no branch's version is left only as some record's base. `ours` and `theirs` are
the first two versions, and `versions` is written only when there are more than two, so files
with two-sided conflicts are byte for byte what earlier versions wrote and earlier versions read
the first two choices. Records of one id that earlier versions wrote separately are read as one.
The field is written only when the list is not empty.
`reader annotations --conflicts` lists them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Iterable

from reader.model import Annotation, FormatError, annotation_from_json, annotation_to_json

SIDES = ("base", "ours", "theirs")


@dataclass(frozen=True)
class Conflict:
    id: str
    base: Annotation | None
    versions: tuple[Annotation | None, ...]  # the choices, two or more, distinct; None: deleted

    @classmethod
    def of(cls, ann_id: str, base: Annotation | None, *versions: Annotation | None) -> Conflict:
        """A record of `versions`, duplicates (by content) dropped, first occurrence kept."""
        return cls(ann_id, base, distinct(versions))

    @property
    def ours(self) -> Annotation | None:
        return self.versions[0] if self.versions else None

    @property
    def theirs(self) -> Annotation | None:
        return self.versions[1] if len(self.versions) > 1 else None

    @property
    def kept(self) -> Annotation:
        """A version that is not a deletion (every record has one): names the document."""
        return next(v for v in self.versions if v is not None)

    def version(self, side: str) -> Annotation | None:
        if side not in SIDES:
            raise ValueError(f"a side is one of {', '.join(SIDES)}")
        return getattr(self, side)


def version_key(ann: Annotation | None) -> str:
    """A version's identity when merging records as sets: its content."""
    return "null" if ann is None else json.dumps(annotation_to_json(ann), sort_keys=True, ensure_ascii=False)


def distinct(versions: Iterable[Annotation | None]) -> tuple[Annotation | None, ...]:
    seen: dict[str, Annotation | None] = {}
    for v in versions:
        seen.setdefault(version_key(v), v)
    return tuple(seen.values())


def conflict_to_json(c: Conflict, all_versions: bool = False) -> dict[str, Any]:
    """The record as written (`versions` only beyond two), or with `all_versions` always."""

    def js(v: Annotation | None) -> dict[str, Any] | None:
        return None if v is None else annotation_to_json(v)

    obj: dict[str, Any] = {"id": c.id, **{s: js(c.version(s)) for s in SIDES}}
    if all_versions or len(c.versions) > 2:
        obj["versions"] = [js(v) for v in c.versions]
    return obj


def conflict_from_json(obj: Any, doc: str) -> Conflict:
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        raise FormatError("a conflict must be an object with an id")

    def read(rec: Any, what: str) -> Annotation | None:
        if rec is None:
            return None
        ann = annotation_from_json(rec)
        if ann.id != obj["id"]:
            raise FormatError(f"conflict {obj['id']}: its {what} version has id {ann.id}")
        return ann if ann.doc == doc else replace(ann, doc=doc)

    listed = obj.get("versions")
    if listed is not None and not isinstance(listed, list):
        raise FormatError(f"conflict {obj['id']}: versions must be a list")
    sides = [read(obj.get(s), s) for s in ("ours", "theirs")]
    versions = distinct([*sides, *(read(v, "listed") for v in listed or [])])
    if all(v is None for v in versions):
        raise FormatError(f"conflict {obj['id']}: neither side has a version")
    return Conflict(obj["id"], read(obj.get("base"), "base"), versions)


def combined(conflicts: Iterable[Conflict]) -> tuple[Conflict, ...]:
    """One record per annotation id: records of one id (as earlier versions of the merge driver
    wrote for an annotation three branches changed) become one with all their versions."""
    by_id: dict[str, Conflict] = {}
    for c in conflicts:
        was = by_id.get(c.id)
        by_id[c.id] = c if was is None else Conflict.of(c.id, was.base, *was.versions, *c.versions)
    return tuple(by_id.values())
