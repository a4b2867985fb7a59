"""Annotations that two coders changed differently, kept in the document's file until resolved.

A git merge of two coders' work (reader/teams/merge_driver.py) meets annotations that both sides
changed differently, or that one side edited and the other deleted. Neither side may win
silently, and the JSON may never hold text conflict markers, so the merged file keeps one version
in `annotations` (ours, or the surviving one when the other side deleted it: no annotation is
ever lost) and records every version in the file's `conflicts` list:

    "conflicts": [{"id": ..., "base": {...} | null, "ours": {...} | null, "theirs": {...} | null}]

Each version is an annotation in the same JSON form as `annotations` (null: that side had
deleted it, or it did not exist in the common ancestor). The field is written only when the list
is not empty, so files without conflicts are byte for byte what earlier versions wrote.
`reader annotations --conflicts` lists them; `reader annotations --resolve ID --keep ours|theirs`
settles one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reader.model import Annotation, FormatError, annotation_from_json, annotation_to_json

SIDES = ("base", "ours", "theirs")


@dataclass(frozen=True)
class Conflict:
    id: str
    base: Annotation | None
    ours: Annotation | None
    theirs: Annotation | None

    def version(self, side: str) -> Annotation | None:
        if side not in SIDES:
            raise ValueError(f"a side is one of {', '.join(SIDES)}")
        return getattr(self, side)


def conflict_to_json(c: Conflict) -> dict[str, Any]:
    versions = {s: c.version(s) for s in SIDES}
    return {"id": c.id, **{s: None if v is None else annotation_to_json(v) for s, v in versions.items()}}


def conflict_from_json(obj: Any, doc: str) -> Conflict:
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        raise FormatError("a conflict must be an object with an id")
    versions: dict[str, Annotation | None] = {}
    for side in SIDES:
        rec = obj.get(side)
        if rec is None:
            versions[side] = None
            continue
        ann = annotation_from_json(rec)
        if ann.id != obj["id"]:
            raise FormatError(f"conflict {obj['id']}: its {side} version has id {ann.id}")
        versions[side] = ann if ann.doc == doc else _with_doc(ann, doc)
    if versions["ours"] is None and versions["theirs"] is None:
        raise FormatError(f"conflict {obj['id']}: neither side has a version")
    return Conflict(obj["id"], versions["base"], versions["ours"], versions["theirs"])


def _with_doc(ann: Annotation, doc: str) -> Annotation:
    from dataclasses import replace

    return replace(ann, doc=doc)
