"""Word (.docx): the body's paragraphs and tables in document order, core properties as metadata.

Library: python-docx (MIT; the maintained reader/writer of Office Open XML, on lxml). It
gives paragraphs and tables as Word has them, so a Word paragraph is one paragraph here;
docx2python also reads headers and footnotes but flattens structure into nested lists and
is less used. Headers, footers and comments are not part of the text (as in QualCoder).
"""

from __future__ import annotations

from index.formats.containers import open_zip
from index.formats.model import Block, ExtractionError, assemble

VERSION = 1
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
    props = document.core_properties
    from index.formats.dates import iso_date

    return assemble(
        _blocks(document),
        title=(props.title or "").strip() or None,
        author=(props.author or "").strip() or None,
        date=iso_date(props.created.isoformat()) if props.created else None,
    )


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
