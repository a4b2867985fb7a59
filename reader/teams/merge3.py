"""Three-way merges of the store's files by record id, not by lines (used by merge_driver.py).

A document's file merges annotation by annotation id: what either side added is kept, what one
side edited or deleted is applied, and an annotation both sides changed differently (or one
edited and the other deleted) keeps one version in `annotations` (ours, or the surviving edit)
and every version in `conflicts` (reader/store/conflicts.py): nothing is lost, nothing is taken
silently. An annotation has one conflict record, whose versions merge as a set by content (a
version one side dropped since the base, by resolving, is dropped; any other is kept): a third
branch's edit of an annotation two merged branches already disagree on joins their record as a
third choice, in whichever order the branches are merged, rather than leaving one of them only
as the base of a second record.

Attributes merge field by field; the codebook merges tag by tag. A field or a tag both sides set
differently is a `MergeRefused`: the driver then fails loudly and git marks the file conflicted,
since the store's files have no place to keep two colours of one tag.

The codebook's record of renames (reader/store/renames.py) merges as a set, first; each side's
tags are then read through the merged record before they merge, so a tag one side renamed and
the other edited, or gave a new sub-tag, ends up under its new name. The documents' files merge
as they are: the store reads their annotations through the merged record, so a tag one side
renamed and the other went on using reads renamed whichever file git merged first. Two renames
of one tag to different names, or a circle of merges, is a `MergeRefused` naming them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Hashable, TypeVar

from reader.model import Annotation, DocumentAttributes, Tag
from reader.store.conflicts import Conflict, distinct, version_key
from reader.store.records import DocFile, parse_codebook_record, parse_doc, serialise_codebook
from reader.store.renames import Rename, RenameMap, merged

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class MergeRefused(Exception):
    """The sides cannot be merged without choosing one of them: a person must decide."""


@dataclass
class DocMerge:
    data: bytes
    conflicts: list[Conflict] = field(default_factory=list)  # new ones, made by this merge
    empty: bool = False  # nothing left: the store would have no file


def pick(base: V | None, ours: V | None, theirs: V | None) -> tuple[V | None, bool]:
    """The three-way rule for one record: (the result, whether both sides changed it differently)."""
    if ours == theirs:
        return ours, False
    if ours == base:
        return theirs, False
    if theirs == base:
        return ours, False
    return ours, True


def doc_file(data: bytes, label: str, doc: str | None) -> DocFile:
    """One version of a document's file (empty bytes: no file); MergeRefused if unreadable."""
    if not data.strip():  # git gives an empty file for a side (or a base) without the file
        return DocFile(doc or "", Path(label))
    if doc is None:
        try:
            doc = json.loads(data.decode("utf-8")).get("doc")
        except (ValueError, AttributeError):
            doc = None
        if not isinstance(doc, str):
            raise MergeRefused(f"{label}: not a reader annotation file (no doc field)")
    f = parse_doc(doc, Path(label), data, (0, 0, "", 0))
    if f.problem:
        raise MergeRefused(f"{label}: {f.problem}")
    return f


def document_id(*versions: bytes) -> str:
    for data in versions:
        if data.strip():
            try:
                doc = json.loads(data.decode("utf-8")).get("doc")
            except (ValueError, AttributeError):
                continue
            if isinstance(doc, str):
                return doc
    raise MergeRefused("no side is a reader annotation file (no doc field)")


def merge_document(base: bytes, ours: bytes, theirs: bytes) -> DocMerge:
    doc = document_id(ours, theirs, base)
    b, o, t = (doc_file(d, label, doc) for d, label in ((base, "base"), (ours, "ours"), (theirs, "theirs")))
    merged = DocFile(doc, Path(doc))
    new_conflicts: list[Conflict] = []
    records = [{c.id: c for c in f.conflicts} for f in (b, o, t)]
    kept: list[Conflict] = []
    ids = set(b.annotations) | set(o.annotations) | set(t.annotations) | {i for r in records for i in r}
    for ann_id in sorted(ids):
        ba, oa, ta = b.annotations.get(ann_id), o.annotations.get(ann_id), t.annotations.get(ann_id)
        result, clash = pick(ba, oa, ta)
        if clash:
            result = oa if oa is not None else ta  # an edit outlives a deletion
        if result is not None:
            merged.annotations[ann_id] = result
        record = _merge_record(ann_id, ba, (oa, ta) if clash else (), result, *(r.get(ann_id) for r in records))
        if record is not None:
            kept.append(record)
            if clash:
                new_conflicts.append(record)
    merged.attributes = _merge_attributes(doc, b.attrs(), o.attrs(), t.attrs())
    merged.conflicts = tuple(kept)
    return DocMerge(merged.serialise(), new_conflicts, merged.is_empty())


def _merge_record(
    ann_id: str,
    base_version: Annotation | None,
    clashing: tuple[Annotation | None, ...],
    result: Annotation | None,
    base: Conflict | None,
    ours: Conflict | None,
    theirs: Conflict | None,
) -> Conflict | None:
    """One annotation's conflict record after the merge, or None: the sides' records' versions
    as a three-way set (a version in the base's record that a side no longer lists was settled
    there), plus the two versions that clash now. A record left with one choice gains the merged
    annotation, so that there is something to choose between; with none, or only the merged
    annotation itself, there is no conflict left. The two clashing now come first (`ours` and
    `theirs`, as in a two-sided conflict), then the records' others in the order met."""
    listed = [{version_key(v): v for v in c.versions} if c else {} for c in (base, ours, theirs)]
    settled = {k for k in listed[0] if k not in listed[1] or k not in listed[2]}
    versions = [v for side in listed[1:] for k, v in side.items() if k not in settled]
    versions = list(distinct([*clashing, *versions]))
    if len(versions) == 1 and version_key(versions[0]) != version_key(result):
        versions.append(result)
    if len(versions) < 2:
        return None
    first = ours or theirs
    return Conflict(ann_id, first.base if first else base_version, tuple(versions))


def _merge_fields(label: str, base: dict[K, V], ours: dict[K, V], theirs: dict[K, V]) -> dict[K, V]:
    out: dict[K, V] = {}
    for key in sorted(set(base) | set(ours) | set(theirs), key=str):
        value, clash = pick(base.get(key), ours.get(key), theirs.get(key))
        if clash:
            raise MergeRefused(
                f"{label} {key!s}: changed differently on both sides "
                f"(ours: {ours.get(key)!r}, theirs: {theirs.get(key)!r})"
            )
        if value is not None:
            out[key] = value
    return out


def _merge_attributes(
    doc: str, b: DocumentAttributes, o: DocumentAttributes, t: DocumentAttributes
) -> DocumentAttributes:
    def flat(a: DocumentAttributes) -> dict[str, str]:
        fixed = {f"{k}": v for k, v in (("title", a.title), ("date", a.date), ("source", a.source)) if v is not None}
        return {**fixed, **{f"attributes.{k}": v for k, v in a.attributes.items()}}

    merged = _merge_fields(f"{doc}: attribute", flat(b), flat(o), flat(t))
    return DocumentAttributes(
        doc,
        merged.get("title"),
        merged.get("date"),
        merged.get("source"),
        {k.split(".", 1)[1]: v for k, v in merged.items() if k.startswith("attributes.")},
    )


def codebook_tags(data: bytes, label: str) -> dict[str, Tag]:
    """One version of the codebook (empty bytes: no file); MergeRefused if unreadable."""
    return codebook_record(data, label)[0]


def codebook_record(data: bytes, label: str) -> tuple[dict[str, Tag], tuple[Rename, ...]]:
    """One version of the codebook and its record of renames; MergeRefused if unreadable."""
    if not data.strip():
        return {}, ()
    tags, renames, problem = parse_codebook_record(data, Path(label))
    if problem:
        raise MergeRefused(f"{label}: {problem}")
    return tags, renames


def renamed_tags(tags: dict[str, Tag], renames: RenameMap) -> dict[str, Tag]:
    """A side's codebook read through the merged record: a renamed tag under its new name
    (a side's own tag of that name wins over one renamed into it)."""
    out = {n: t for n, t in tags.items() if renames.tag(n) == n}
    for name, tag in sorted(tags.items()):
        to = renames.tag(name)
        if to != name and to not in out:
            out[to] = replace(tag, name=to)
    return out


def merge_codebook(base: bytes, ours: bytes, theirs: bytes) -> bytes:
    sides = [codebook_record(data, label) for data, label in ((base, "base"), (ours, "ours"), (theirs, "theirs"))]
    record = merged(*(renames for _tags, renames in sides))
    resolved = RenameMap(record)
    if resolved.conflicts:
        raise MergeRefused(
            f"{'; '.join(resolved.conflicts)} (on different sides): keep one name, e.g. git add "
            "your side of codebook.json, commit, then merge the other tag into it (the app's "
            "codebook, c)"
        )
    b, o, t = (renamed_tags(tags, resolved) for tags, _renames in sides)
    return serialise_codebook(_merge_fields("tag", b, o, t), record)


def is_codebook(*versions: bytes) -> bool:
    for data in versions:
        if data.strip():
            try:
                obj = json.loads(data.decode("utf-8"))
            except ValueError:
                continue
            return isinstance(obj, dict) and "tags" in obj and "doc" not in obj
    return False
