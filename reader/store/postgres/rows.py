"""Rows of the PostgreSQL store to the store's records and back.

The records are the JSON backend's own objects (`annotation_to_json`, `tag_to_json`,
`attributes_to_json`, `conflict_to_json`), so a document read from the server serialises to
the very bytes the JSON backend writes (`reader store copy --to DIR`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reader.model import (
    FormatError,
    Tag,
    annotation_from_json,
    annotation_to_json,
    attributes_from_json,
    attributes_to_json,
    tag_from_json,
    tag_to_json,
)
from reader.store.conflicts import combined, conflict_from_json, conflict_to_json
from reader.store.records import DocFile

PRESENT = (0, 0, "postgresql", 0)
"""The `stamp` of a document or codebook that has rows (the JSON backend's file stamp)."""

annotation_record = annotation_to_json
tag_record = tag_to_json


def json_value(obj: Any):
    from psycopg.types.json import Jsonb

    return Jsonb(obj)


def new_docfile(doc: str, path: Path) -> DocFile:
    return DocFile(doc, path)


def set_document(f: DocFile, attributes: Any, conflicts: Any) -> None:
    """The document's row; its conflicts as written (read through the record of renames only
    when shown or resolved, as the JSON store's: reader/store/records.py `parse_doc`)."""
    f.stamp = PRESENT
    try:
        f.attributes = attributes_from_json(f.doc, attributes)
        if not isinstance(conflicts, list):
            raise FormatError("conflicts must be a list")
        f.conflicts = combined(conflict_from_json(c, f.doc) for c in conflicts)
    except FormatError as exc:
        f.problem = f"its row in documents cannot be used: {exc}"


def add_annotation(f: DocFile, record: Any) -> None:
    f.stamp = PRESENT
    if f.problem:
        return
    try:
        a = annotation_from_json(record)
    except (FormatError, TypeError, KeyError) as exc:
        f.problem = f"an annotation row cannot be used: {exc}"
        return
    f.annotations[a.id] = a


def document_values(f: DocFile) -> tuple[dict[str, Any], list[Any]]:
    return (attributes_to_json(f.attrs()), [conflict_to_json(c) for c in sorted(f.conflicts, key=lambda c: c.id)])


def rename_rows(entries) -> list[tuple[str, Any]]:
    """The record of renames as rows: (the entry's JSON text as its key, the entry)."""
    import json

    from reader.store.renames import rename_to_json

    return [(json.dumps(rename_to_json(e), sort_keys=True), json_value(rename_to_json(e))) for e in entries]


def renames(records: list[tuple[Any]]):
    from reader.store.renames import renames_from_json

    try:
        return renames_from_json([r for (r,) in records]), None
    except FormatError as exc:
        return (), f"a renames row cannot be used: {exc}"


def codebook(records: list[tuple[Any]]) -> tuple[dict[str, Tag], str | None]:
    tags: dict[str, Tag] = {}
    try:
        for (record,) in records:
            tag = tag_from_json(record)
            tags[tag.name] = tag
    except (FormatError, TypeError, KeyError) as exc:
        return {}, f"a codebook row cannot be used: {exc}"
    return tags, None
