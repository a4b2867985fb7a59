"""OpenDocument text (.odt): headings and paragraphs in order, meta.xml as metadata.

Library: odfpy (Apache-2.0/LGPL; the OASIS-format library LibreOffice's own test suite has used)
to walk the body: text:h and text:p (list items and table cells included) in document order,
text:s/text:tab/text:line-break as the spaces they stand for.
"""

from __future__ import annotations

import io

from index.formats.containers import open_zip
from index.formats.model import Block, ExtractionError, assemble

VERSION = 1
FORMAT = "OpenDocument text (.odt)"

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def extract(data: bytes):
    archive = open_zip(data, "OpenDocument file")
    names = set(archive.namelist())
    if "content.xml" not in names:
        raise ExtractionError("not an OpenDocument file (no content.xml)")
    manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
    if b"encryption-data" in manifest:
        raise ExtractionError("encrypted OpenDocument file (password-protected)")
    from odf import opendocument

    document = opendocument.load(io.BytesIO(data))
    blocks: list[Block] = []
    _walk(document.text, blocks)
    return assemble(blocks, **_metadata(document))


def _walk(node, blocks: list[Block]) -> None:
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname in ((_TEXT_NS, "p"), (_TEXT_NS, "h")):
            blocks.append(Block(_text(child)))
        elif qname is not None:
            _walk(child, blocks)


def _text(node) -> str:
    parts: list[str] = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
            continue
        qname = getattr(child, "qname", None)
        if qname == (_TEXT_NS, "s"):
            parts.append(" " * int(child.getAttribute("c") or 1))
        elif qname in ((_TEXT_NS, "tab"), (_TEXT_NS, "line-break")):
            parts.append(" ")
        elif qname in ((_TEXT_NS, "note"),):  # footnotes are not running text
            continue
        else:
            parts.append(_text(child))
    return "".join(parts)


def _metadata(document) -> dict:
    from odf import dc, meta

    from index.formats.dates import iso_date

    def first(element) -> str | None:
        found = document.meta.getElementsByType(element)
        value = "".join(str(n) for n in found[0].childNodes).strip() if found else ""
        return value or None

    return {
        "title": first(dc.Title),
        "author": first(dc.Creator) or first(meta.InitialCreator),
        "date": iso_date(first(meta.CreationDate) or first(dc.Date)),
    }
