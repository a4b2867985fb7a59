"""EPUB: the chapters in spine (reading) order, Dublin Core as metadata.

No library beyond lxml: EPUB is a zip whose container.xml names an OPF package that lists the
chapters (manifest) and their order (spine); each chapter is XHTML, read by the HTML extractor.
ebooklib is the usual library but is AGPL-licensed, which an MIT project cannot ship, and
reading the package is some thirty lines. A book with DRM (Adobe ADEPT, Apple FairPlay,
Readium LCP: META-INF/encryption.xml listing its chapters, or rights.xml/license.lcpl)
is reported as such, not read as noise; font obfuscation alone is not DRM and is ignored.
"""

from __future__ import annotations

import posixpath

from index.formats import html
from index.formats.containers import open_zip
from index.formats.dates import iso_date
from index.formats.model import ExtractionError, assemble

VERSION = 1
FORMAT = "EPUB"

_CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
_OPF = "http://www.idpf.org/2007/opf"
_DC = "http://purl.org/dc/elements/1.1/"
_FONT_OBFUSCATION = ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")


def extract(data: bytes):
    from lxml import etree

    archive = open_zip(data, "EPUB")
    names = set(archive.namelist())
    if "META-INF/container.xml" not in names:
        raise ExtractionError("not an EPUB (no META-INF/container.xml)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    container = etree.fromstring(archive.read("META-INF/container.xml"), parser)
    rootfile = container.find(f".//{{{_CONTAINER}}}rootfile")
    opf_path = rootfile.get("full-path") if rootfile is not None else None
    if not opf_path or opf_path not in names:
        raise ExtractionError("corrupt EPUB (its package file is missing)")
    encrypted = _encrypted(archive, names, parser)
    opf = etree.fromstring(archive.read(opf_path), parser)
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): posixpath.normpath(posixpath.join(base, item.get("href") or ""))
        for item in opf.iter(f"{{{_OPF}}}item")
    }
    chapters = [manifest.get(ref.get("idref")) for ref in opf.iter(f"{{{_OPF}}}itemref")]
    chapters = [c for c in chapters if c]
    if encrypted & set(chapters) or {"META-INF/rights.xml", "META-INF/license.lcpl"} & names:
        raise ExtractionError("DRM-protected e-book (encrypted chapters cannot be read)")
    blocks = []
    for chapter in chapters:
        if chapter in names:
            blocks.extend(html.blocks(html.parse(archive.read(chapter))))
    meta = {name: _dc(opf, name) for name in ("title", "creator", "date", "publisher")}
    return assemble(
        blocks,
        title=meta["title"],
        author=meta["creator"],
        date=iso_date(meta["date"]),
        source=meta["publisher"],
        extra={"chapters": len(chapters)},
    )


def _dc(opf, name: str) -> str | None:
    for element in opf.iter(f"{{{_DC}}}{name}"):
        value = " ".join("".join(element.itertext()).split())
        if value:
            return value
    return None


def _encrypted(archive, names: set[str], parser) -> set[str]:
    """Members listed in META-INF/encryption.xml, except fonts merely obfuscated."""
    if "META-INF/encryption.xml" not in names:
        return set()
    from lxml import etree

    tree = etree.fromstring(archive.read("META-INF/encryption.xml"), parser)
    found = set()
    for data in tree.iter("{http://www.w3.org/2001/04/xmlenc#}EncryptedData"):
        method = data.find("{http://www.w3.org/2001/04/xmlenc#}EncryptionMethod")
        if method is not None and method.get("Algorithm") in _FONT_OBFUSCATION:
            continue
        ref = data.find(".//{http://www.w3.org/2001/04/xmlenc#}CipherReference")
        if ref is not None and ref.get("URI"):
            found.add(posixpath.normpath(ref.get("URI")))
    return found
