"""W3C Web Annotation (JSON-LD): one AnnotationCollection with the annotations embedded.

Each annotation:
- `id` `urn:uuid:<annotation id>`, `motivation` `tagging`, `created`/`modified`, `creator` (a
  Person with the store's creator name), `generator` reader.
- `body`: one `TextualBody` with `purpose: tagging` per tag (the hierarchical name as written,
  `actor/Nujaba`), and one with `purpose: commenting` holding the note, if any.
- `target`: a `SpecificResource` whose `source` is `urn:reader:doc:<document id, percent-encoded>`
  (a text/plain resource: the corpus file) with a `TextQuoteSelector` (exact text, 32 characters
  of prefix and suffix) and a `TextPositionSelector`.

Offsets are code points (as the model requires) into the document's current text exactly as
decoded: nothing is normalised, CRLF counts as two characters. An annotation that cannot be
placed in the current text (orphan, or its document is gone) keeps its stored quote and
context and has no position selector. A fuzzy placement exports the text now at that span.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, TextIO
from urllib.parse import quote, unquote

from reader import __version__
from reader.export import ExportRow, Selection, Written
from reader.model import CONTEXT_CHARS

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
DOC_PREFIX = "urn:reader:doc:"
_JSON = json.JSONEncoder(ensure_ascii=False)
"""json.dumps(..., ensure_ascii=False) made once (dumps builds an encoder per call otherwise)."""
_NAMESPACE = uuid.UUID("6f1d0c5e-2b8a-4c1e-9a53-7e0f3b2d9c41")


def doc_iri(doc_id: str) -> str:
    return DOC_PREFIX + quote(doc_id, safe="/")


def doc_from_iri(iri: str) -> str | None:
    return unquote(iri[len(DOC_PREFIX) :]) if iri.startswith(DOC_PREFIX) else None


def annotation_json(row: ExportRow) -> dict:
    a = row.annotation
    body: list[dict] = [
        {"type": "TextualBody", "purpose": "tagging", "value": tag, "format": "text/plain"} for tag in a.tags
    ]
    if a.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": a.note, "format": "text/plain"})
    selectors: list[dict] = [
        {
            "type": "TextQuoteSelector",
            "exact": row.quote,
            "prefix": row.context_before[-CONTEXT_CHARS:],
            "suffix": row.context_after[:CONTEXT_CHARS],
        }
    ]
    if row.placed:
        selectors.append({"type": "TextPositionSelector", "start": row.start, "end": row.end})
    if row.position is not None:
        selectors.append(_fragment(row.position, selectors[0]))
    out: dict = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{a.id}",
        "type": "Annotation",
        "motivation": "tagging",
    }
    if a.created:
        out["created"] = a.created
    if a.modified:
        out["modified"] = a.modified
    if a.creator:
        out["creator"] = {"id": coder_iri(a.creator), "type": "Person", "name": a.creator}
    out["generator"] = {"type": "Software", "name": f"reader {__version__}"}
    out["body"] = body
    out["target"] = {
        "type": "SpecificResource",
        "source": {"id": doc_iri(a.doc), "type": "Text", "format": "text/plain"},
        "selector": selectors if len(selectors) > 1 else selectors[0],
    }
    return out


def _fragment(position, quote: dict) -> dict:
    """The page of a PDF (RFC 3778 `page=12`) or the time of a cue (Media Fragments `t=843`),
    refined by the quote: how a reader of the original finds the passage."""
    if position.kind == "page":
        fragment = {"conformsTo": "http://tools.ietf.org/rfc/rfc3778", "value": f"page={position.label}"}
    else:
        h, m, sec = (int(part) for part in position.label.split(":"))
        fragment = {"conformsTo": "http://www.w3.org/TR/media-frags/", "value": f"t={h * 3600 + m * 60 + sec}"}
    return {"type": "FragmentSelector", **fragment, "refinedBy": dict(quote)}


CODER_NAMESPACE = uuid.UUID("5f1c9c8e-7f55-4d0a-9a54-0c6b3f1e2a77")
"""The namespace of coder ids (uuid5 of the coder's name)."""


def coder_iri(name: str) -> str:
    """A stable IRI for a coder: the same name gives the same id in every export, anywhere."""
    return f"urn:uuid:{uuid.uuid5(CODER_NAMESPACE, name)}"


def collection_json(selection: Selection) -> dict:
    collection = _collection_head(selection)
    collection["first"]["items"] = [annotation_json(row) for row in selection.rows]
    return collection


def _collection_head(selection: Selection) -> dict:
    """The collection without its items (they are written one by one after it)."""
    ident = uuid.uuid5(_NAMESPACE, "\n".join(row.id for row in selection.rows))
    collection: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{ident}",
        "type": "AnnotationCollection",
        "label": f"reader export: {selection.filters.describe()}",
        "total": len(selection.rows),
        "first": {"type": "AnnotationPage", "startIndex": 0},
    }
    if selection.left_out:
        collection["label"] += f". {selection.left_out_note()}"
    return collection


def write(selection: Selection, out: TextIO) -> Written:
    """The collection written to `out` one annotation per line: readable, diffable, and json's C
    encoder (indent= is pure Python); each item is encoded and written in turn."""
    head = json.dumps(_collection_head(selection), ensure_ascii=False)
    assert head.endswith("}}")
    out.write(head[:-2] + ', "items": [\n')
    encode = _JSON.encode
    separator = ""
    for row in selection.rows:
        out.write(separator + encode(annotation_json(row)))
        separator = ",\n"
    out.write(("\n" if selection.rows else "") + "]}}\n")
    return Written(len(selection.rows))
