"""Word (.docx): the body's paragraphs and tables in document order, core properties as metadata.

Library: python-docx (MIT; the maintained reader/writer of Office Open XML, on lxml). It
gives paragraphs and tables as Word has them, so a Word paragraph is one paragraph here;
docx2python also reads headers and footnotes but flattens structure into nested lists and
is less used. Headers, footers and comments are not part of the text (as in QualCoder).

The core properties (title, author, created) are read from the package's core-properties
part directly, not through python-docx: LibreOffice names that part's relationship with a
misspelt type (".../officedocument/2006/relationships/metadata/core-properties"), which
python-docx does not recognise, so it made up its defaults ("Word Document") and lost the
real title and author of every document LibreOffice wrote.
"""

from __future__ import annotations

from index.formats.containers import open_zip
from index.formats.model import Block, ExtractionError, assemble

VERSION = 2  # 2: core properties from the part itself (LibreOffice's documents)
FORMAT = "Word (.docx)"


def extract(data: bytes):
    import io

    import docx
    from docx.document import Document as _Doc  # noqa: F401  (the type python-docx returns)

    archive = open_zip(data, "Word document")
    names = set(archive.namelist())
    if "EncryptedPackage" in names or "word/document.xml" not in names:
        raise ExtractionError("not a Word document (no word/document.xml; encrypted or another format)")
    document = docx.Document(io.BytesIO(data))
    return assemble(_blocks(document), **_core_properties(archive, names))


_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _core_properties(archive, names: set[str]) -> dict:
    """Title, author and creation date from the core-properties part the package names
    (any relationship type ending in "/metadata/core-properties"), else docProps/core.xml."""
    from lxml import etree

    from index.formats.dates import iso_date

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    part = "docProps/core.xml"
    if "_rels/.rels" in names:
        rels = etree.fromstring(archive.read("_rels/.rels"), parser)
        for rel in rels.iter(f"{_RELS}Relationship") if rels is not None else ():
            if (rel.get("Type") or "").lower().endswith("/metadata/core-properties") and rel.get("Target"):
                part = rel.get("Target").lstrip("/")
                break
    if part not in names:
        return {}
    core = etree.fromstring(archive.read(part), parser)
    if core is None:
        return {}

    def first(tag: str) -> str | None:
        element = core.find(tag)
        value = " ".join("".join(element.itertext()).split()) if element is not None else ""
        return value or None

    return {
        "title": first(f"{_DC}title"),
        "author": first(f"{_DC}creator"),
        "date": iso_date(first(f"{_DCTERMS}created")),
    }


def _blocks(document) -> list[Block]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(Block(item.text))
        elif isinstance(item, Table):
            for row in item.rows:
                seen: list = []
                for cell in row.cells:  # a merged cell repeats: keep it once
                    if not seen or cell._tc is not seen[-1]._tc:
                        seen.append(cell)
                blocks.append(Block(" | ".join(c.text for c in seen if c.text.strip())))
    return blocks
