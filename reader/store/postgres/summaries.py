"""What the first screen shows of a server store, without reading every annotation.

Opening a client used to read and parse every annotation row (25-33 s at 100,000 under load:
the parse of each record). Now the store starts from summaries the server computes in three
grouped queries (annotations per document and coder, per document and tag with each tag's
latest `modified`, and the documents' attributes and merge conflicts), the same `DocSummary` the JSON folder keeps
for its unread files, so the document list, the counts and the codebook's counts come at once.
A document's rows are read, in bulk, when something asks for its annotations
(`PostgresStore._read_unread`), exactly as the JSON store reads a file lazily.
"""

from __future__ import annotations

from reader.coders import UNKNOWN_CODER
from reader.model import DocumentAttributes, FormatError, attributes_from_json
from reader.store.summary import DocSummary

NO_FILE = (0, 0, 0)
"""The `key` of a server document's summary (the JSON folder's is its file's stat)."""


def summaries(conn) -> dict[str, DocSummary]:
    """Per document with rows: its summary. A document whose attributes cannot be used gets
    none (it is read whole, and its problem shown, when asked for)."""
    coders: dict[str, dict[str, int]] = {}
    tags: dict[str, dict[str, int]] = {}
    latest: dict[str, dict[str, str]] = {}
    attributes: dict[str, DocumentAttributes] = {}
    broken = set()
    for doc, coder, count in conn.execute(
        "SELECT doc, coalesce(nullif(record->>'creator', ''), %s), count(*) FROM annotations GROUP BY 1, 2",
        (UNKNOWN_CODER,),
    ):
        coders.setdefault(doc, {})[coder] = count
    for doc, tag, count, last in conn.execute(
        "SELECT doc, tag, count(*), max(coalesce(record->>'modified', '')) "
        "FROM annotations, jsonb_array_elements_text(record->'tags') AS tag GROUP BY 1, 2"
    ):
        tags.setdefault(doc, {})[tag] = count
        if last:
            latest.setdefault(doc, {})[tag] = last
    conflicts: dict[str, int] = {}
    for doc, attrs, recorded in conn.execute(
        "SELECT doc, attributes, (SELECT count(DISTINCT c->>'id') FROM jsonb_array_elements("
        "CASE WHEN jsonb_typeof(conflicts) = 'array' THEN conflicts ELSE '[]' END) AS c) FROM documents"
    ):
        try:
            attributes[doc] = attributes_from_json(doc, attrs)
        except FormatError:
            broken.add(doc)
        if recorded:
            conflicts[doc] = recorded
    return {
        doc: DocSummary(
            doc,
            NO_FILE,
            coders.get(doc, {}),
            tags.get(doc, {}),
            latest.get(doc, {}),
            attributes.get(doc),
            conflicts.get(doc, 0),
        )
        for doc in (set(coders) | set(attributes)) - broken
    }
