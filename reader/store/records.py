"""The store's files as data: a document's file, the codebook, format versions and migrations.

Files are written with sorted keys, two-space indent, real UTF-8 (no \\u escapes), records
sorted by (start, id) and a trailing newline. Every file has a `format_version`; older versions
are migrated in memory (`MIGRATIONS`) and written in the current format on the next change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from reader.model import (
    Annotation,
    DocumentAttributes,
    FormatError,
    Tag,
    annotation_from_json,
    annotation_to_json,
    attributes_from_json,
    attributes_to_json,
    json_error_text,
    tag_from_json,
    tag_to_json,
)
from reader.store.conflicts import Conflict, combined, conflict_from_json, conflict_to_json
from reader.store.files import Stamp, dumps
from reader.store.renames import Rename, RenameMap, rename_to_json, renames_from_json

FORMAT_VERSION = 1
"""The version of the files this code writes. Bump it and add a migration when the shape changes."""

CODEBOOK_WITH_RENAMES = 2
"""The format_version of a codebook that carries a record of renames (reader/store/renames.py).

Why: a reader without the record would read such a codebook, ignore `renames` and, at its next
tag change, write the codebook back without it, silently (other branches' old names would then
read unrenamed). Every reader refuses a format_version newer than it knows ("upgrade reader to
change it") and does not write a codebook it refused, so a codebook with a record says 2 and
one without says 1, byte for byte as before. Versions 1 and 2 have the same shape (a version-1
codebook with `renames`, written for a few hours before this, is read the same); document files
stay at FORMAT_VERSION."""

MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""`MIGRATIONS[n]` turns a version-n file object (document or codebook) into version n+1."""


def migrate(obj: Any, path: Path, newest: int = FORMAT_VERSION) -> tuple[dict[str, Any], int]:
    """`obj` in the current shape and its version as read; `newest`: the highest version this
    kind of file may have (the codebook's: CODEBOOK_WITH_RENAMES)."""
    if not isinstance(obj, dict):
        raise FormatError("the file is not a JSON object")
    version = obj.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FormatError("no format_version")
    if version > newest:
        raise FormatError(
            f"format_version {version} is newer than this version of reader supports "
            f"({newest}); upgrade reader to change it"
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


@dataclass
class DocFile:
    doc: str
    path: Path
    annotations: dict[str, Annotation] = field(default_factory=dict)
    attributes: DocumentAttributes | None = None
    stamp: Stamp | None = None  # None: no file on disk
    problem: str | None = None
    version: int = FORMAT_VERSION
    conflicts: tuple[Conflict, ...] = ()  # reader/store/conflicts.py: written only when not empty

    def attrs(self) -> DocumentAttributes:
        return self.attributes or DocumentAttributes(self.doc)

    def is_empty(self) -> bool:
        return not self.annotations and self.attrs().is_empty() and not self.conflicts

    def serialise(self) -> bytes:
        obj: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "doc": self.doc,
            "attributes": attributes_to_json(self.attrs()),
            "annotations": [
                annotation_to_json(a) for a in sorted(self.annotations.values(), key=lambda a: (a.start, a.id))
            ],
        }
        if self.conflicts:
            obj["conflicts"] = [conflict_to_json(c) for c in sorted(self.conflicts, key=lambda c: c.id)]
        return dumps(obj)


def parse_doc(doc: str, path: Path, data: bytes, stamp: Stamp, renames: RenameMap | None = None) -> DocFile:
    """A document's file; `renames`: the codebook's record, which its annotations are read
    through (a tag renamed on another branch reads as its new name: reader/store/renames.py).
    Its merge conflicts are not: they stay as written, so that writing the file back never
    rewrites them and undoing a rename gives their versions their names back."""
    f = DocFile(doc, path, stamp=stamp)
    try:
        obj, f.version = migrate(json.loads(data.decode("utf-8")), path)
        records = obj.get("annotations", [])
        if not isinstance(records, list):
            raise FormatError("annotations must be a list")
        shared = {doc: doc}  # strings the file's annotations repeat, kept once (model.py)
        for rec in records:
            ann = annotation_from_json(rec, shared)
            if ann.doc != doc:
                ann = replace(ann, doc=doc)  # the file's place names the document
            if renames:
                tags = renames.tags(ann.tags)
                if tags is not ann.tags:
                    ann = replace(ann, tags=tags)
            if ann.id in f.annotations:
                raise FormatError(f"annotation id {ann.id} appears twice")
            f.annotations[ann.id] = ann
        f.attributes = attributes_from_json(doc, obj.get("attributes"))
        conflicts = obj.get("conflicts", [])
        if not isinstance(conflicts, list):
            raise FormatError("conflicts must be a list")
        # kept as written: a rename never rewrites a conflict's versions (read through the record
        # only when shown or resolved: reader/store/resolving.py `_conflicts_shown`)
        f.conflicts = combined(conflict_from_json(c, doc) for c in conflicts)
    except UnicodeDecodeError as exc:
        return DocFile(doc, path, stamp=stamp, problem=f"not UTF-8 ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        return DocFile(doc, path, stamp=stamp, problem=json_error_text(exc))
    except FormatError as exc:
        return DocFile(doc, path, stamp=stamp, problem=str(exc))
    return f


def conflicts_read_through(conflicts: tuple[Conflict, ...], renames: RenameMap) -> tuple[Conflict, ...]:
    """Merge conflicts with every version (and the base) read through the codebook's record of
    renames, as the annotations are: a version a branch wrote under a name renamed since shows,
    and is kept when picked, under the surviving name. Only for reading them out (the stored
    records stay as written: `parse_doc`). Versions that now read alike stay
    separate choices (the numbers `reader resolve` takes do not move)."""
    if not renames:
        return conflicts

    def read(a: Annotation | None) -> Annotation | None:
        if a is None:
            return None
        tags = renames.tags(a.tags)
        return a if tags is a.tags else replace(a, tags=tags)

    out = []
    for c in conflicts:
        versions = tuple(read(v) for v in c.versions)
        base = read(c.base)
        out.append(
            c
            if base is c.base and all(v is w for v, w in zip(versions, c.versions))
            else replace(c, base=base, versions=versions)
        )
    return tuple(out)


def serialise_codebook(codebook: dict[str, Tag], renames: tuple[Rename, ...] = ()) -> bytes:
    """The codebook's file; `renames` (reader/store/renames.py) only when there are some, so
    a codebook without any is byte for byte what it was before the record existed."""
    obj: dict[str, Any] = {
        "format_version": CODEBOOK_WITH_RENAMES if renames else FORMAT_VERSION,
        "tags": [tag_to_json(codebook[n]) for n in sorted(codebook)],
    }
    if renames:
        obj["renames"] = [rename_to_json(r) for r in sorted(renames)]
    return dumps(obj)


def parse_codebook(data: bytes, path: Path) -> tuple[dict[str, Tag], str | None]:
    """The codebook's tags by name, or ({}, the reason it cannot be used)."""
    tags, _renames, problem = parse_codebook_record(data, path)
    return tags, problem


def parse_codebook_record(data: bytes, path: Path) -> tuple[dict[str, Tag], tuple[Rename, ...], str | None]:
    """The codebook's tags by name and its record of renames, or ({}, (), the reason it
    cannot be used)."""
    try:
        obj, _version = migrate(json.loads(data.decode("utf-8")), path, CODEBOOK_WITH_RENAMES)
        records = obj.get("tags", [])
        if not isinstance(records, list):
            raise FormatError("tags must be a list")
        tags = {}
        for rec in records:
            tag = tag_from_json(rec)
            tags[tag.name] = tag
        renames = renames_from_json(obj.get("renames"))
    except UnicodeDecodeError as exc:
        return {}, (), f"not UTF-8 ({exc.reason})"
    except json.JSONDecodeError as exc:
        return {}, (), json_error_text(exc)
    except FormatError as exc:
        return {}, (), str(exc)
    return tags, renames, None
