"""REFI-QDA project (`.qdpx`): a zip with `project.qde` (QDA-XML 1.0) and `sources/`.

What is written, following the Project.xsd and what ATLAS.ti writes, and read right by
QualCoder (names, GUIDs and users: `reader.export.refi_names`):
- `Users`: one User per annotation creator, the most annotations first.
- `CodeBook`: every tag (`reader.export.codebook`: a codebook planned in reader arrives whole,
  tags without passages included) as a tree of `Code`s (`actor/Nujaba` is a Code `Nujaba`
  inside `actor`), each with its colour (`#rrggbb`) and description; every code is codable;
  a leaf name used twice carries its parent path (`negative (tone)`).
- `Sources`: one `TextSource` per document, `name` its title as a safe file name ending in
  `.txt`, `Description` the document id (`reader document: <id>`), source and date; the text is
  shipped as UTF-8 (no BOM) in `sources/<guid>.txt` (lowercase folder) and named by
  `plainTextPath="internal://<guid>.txt"`.
- Each annotation placed in its document's current text is a `PlainTextSelection` (guid: the
  annotation id) with `startPosition`/`endPosition`, its creator, times, its note as
  `Description`, and one `Coding` + `CodeRef` per tag. Orphans (not found in the current text)
  cannot be placed in a shipped text and are listed in the result's `skipped`.

Line endings: the shipped text has every CRLF (and lone CR) turned into LF, and positions are
code points of that shipped text (end exclusive). With no CR left in it, tools that count CRLF
as one character (ATLAS.ti) and those that count two agree. Importing maps positions back onto
the corpus file's own text (see `reader.importer`).

GUIDs are deterministic (uuid5 of the tag name, document id and text hash, annotation id and
tag), so exporting the same annotations twice gives the same project; importing it into an
empty store gives back the same annotations (ids, creators, times), codebook and hierarchy.
"""

from __future__ import annotations

import re
import zipfile
from bisect import bisect_left
from typing import IO, BinaryIO
from xml.etree import ElementTree as ET

from reader import __version__
from reader.export import DocumentText, ExportRow, Selection, Written
from reader.export import refi_names
from reader.export.codebook import Codebook
from reader.export.refi_names import guid
from reader.wording import ellipsize

NS = "urn:QDA-XML:project:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
DOC_MARKER = "reader document: "


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot carry."""
    return _XML_INVALID.sub("", value)


def ship_text(text: str) -> tuple[str, list[int]]:
    """The text as shipped (CRLF and CR -> LF) and the offsets of the removed CRs (of CRLFs)."""
    removed = [m.start() for m in re.finditer("\r\n", text)]
    shipped = text.replace("\r\n", "\n").replace("\r", "\n")
    return shipped, removed


def to_shipped(offset: int, removed: list[int]) -> int:
    """A code-point offset of the original text as an offset of the shipped text."""
    return offset - bisect_left(removed, offset)


def _new(tag: str, **attrs) -> ET.Element:
    """An element. Tags carry no namespace: each part of the project is serialized on its own
    (`_xml`) inside a root written with the default namespace, which is the text ElementTree
    writes for the whole tree in one."""
    return ET.Element(tag, {k: v for k, v in attrs.items() if v is not None})


def _el(parent, tag: str, **attrs) -> ET.Element:
    child = _new(tag, **attrs)
    parent.append(child)
    return child


def _xml(element: ET.Element) -> str:
    return ET.tostring(element, encoding="unicode")


def _time(value: str) -> str | None:
    return value or None


def _attrib(value: str) -> str:
    """An attribute value escaped as ElementTree escapes it (tests/test_export_streaming.py
    compares the two): the selections, 100,000 of them, are written as text, which took a
    third of the export's time through one ElementTree serialization each."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    if "\n" in value:
        value = value.replace("\n", "&#10;")
    if "\t" in value:
        value = value.replace("\t", "&#09;")
    return value


def _attr(name: str, value: str) -> str:
    """` name="value"`, or nothing for an empty value (as `_new` leaves it out)."""
    return f' {name}="{_attrib(value)}"' if value else ""


def _element_text(tag: str, text: str) -> str:
    """`<tag>text</tag>` as ElementTree writes it (`<tag />` when empty)."""
    if not text:
        return f"<{tag} />"
    return f"<{tag}>{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</{tag}>"


def _selection_guid(row: ExportRow) -> str:
    return row.id.upper() if _GUID.match(row.id) else guid("annotation", row.id)


class _Member:
    """A zip member written as it is made: text pieces, encoded and compressed by 256 KiB."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._pieces: list[str] = []
        self._size = 0

    def write(self, piece: str) -> None:
        self._pieces.append(piece)
        self._size += len(piece)
        if self._size >= 1 << 18:
            self.flush()

    def flush(self) -> None:
        self._stream.write("".join(self._pieces).encode("utf-8"))
        self._pieces, self._size = [], 0


def write(selection: Selection, out: BinaryIO) -> Written:
    """The project written to `out` (a binary stream that can seek: the zip's directory).

    Streamed: `project.qde` is written part by part (the users, the codebook, then one
    TextSource at a time) into its zip member, then each text, read back from the selection's
    spool, into its own; nothing of the size of the project or the corpus is held."""
    rows = selection.rows
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    latest = max((r.annotation.modified for r in rows if r.annotation.modified), default=None)
    people = refi_names.users(r.creator for r in rows)
    users = {creator: user_guid for creator, user_guid, _name in people}
    main_user = people[0][1]
    root = ET.Element(
        f"{{{NS}}}Project",
        {
            f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION,
            "name": "reader export",
            "origin": f"reader {__version__}",
            "creatingUserGUID": main_user,
        },
    )
    if latest:
        root.set("creationDateTime", latest)
    empty_root = _xml(root)  # <Project xmlns="..." xmlns:xsi="..." ... />: its start tag
    assert empty_root.endswith(" />"), empty_root
    users_el = ET.Element("Users")
    for _creator, user_guid, name in people:
        _el(users_el, "User", guid=user_guid, name=xml_text(name))

    book = selection.codebook or Codebook(selection.tags, frozenset())
    codes = {name: refi_names.tag_guid(name, name in book.implicit) for name in book.tags}

    skipped = []
    by_doc: dict[str, list[ExportRow]] = {}
    for row in rows:
        if row.placed and row.doc in selection.texts:
            by_doc.setdefault(row.doc, []).append(row)
        else:
            skipped.append(f"{row.id} in {row.doc}: {row.status_label}, not in the current text")

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        files: list[tuple[str, str]] = []  # (name in the zip, document id)
        with zf.open(_info("project.qde"), "w") as stream:
            xml = _Member(stream)
            xml.write('<?xml version="1.0" encoding="utf-8"?>\n')
            xml.write(empty_root[: -len(" />")] + ">")
            xml.write(_xml(users_el))
            if codes:
                xml.write(_xml(_codebook(book, codes)))
            if by_doc:
                xml.write("<Sources>")
                source_names = refi_names.source_names({doc: selection.texts[doc].title or doc for doc in by_doc})
                for doc in sorted(by_doc):
                    dt = selection.texts[doc]
                    source_guid = guid("source", doc, dt.sha256)
                    files.append((f"sources/{source_guid}.txt", doc))
                    _write_source(xml, dt, by_doc[doc], source_guid, source_names[doc], main_user, users, codes)
                xml.write("</Sources>")
            if selection.left_out:  # the project's own description says it is incomplete
                description = ET.Element("Description")
                description.text = xml_text(selection.left_out_note())
                xml.write(_xml(description))
            xml.write("</Project>")
            xml.flush()
        for name, doc in files:
            _add(zf, name, ship_text(selection.texts[doc].text)[0].encode("utf-8"))
    return Written(len(rows) - len(skipped), tuple(skipped))


def _codebook(book: Codebook, codes: dict[str, str]) -> ET.Element:
    """The CodeBook: every tag a Code inside its parent's."""
    names = refi_names.code_names(book.tags)
    codebook_el = ET.Element("CodeBook")
    codes_el = _el(codebook_el, "Codes")
    elements: dict[str, ET.Element] = {}
    for name in sorted(book.tags, key=lambda n: n.split("/")):
        tag = book.tags[name]
        parent_name = name.rpartition("/")[0]
        parent = elements.get(parent_name, codes_el) if parent_name else codes_el
        color = tag.color if _COLOR.match(tag.color or "") else None
        el = _el(parent, "Code", guid=codes[name], name=xml_text(names[name]), isCodable="true", color=color)
        if tag.description:
            _el(el, "Description").text = xml_text(tag.description)
        elements[name] = el
    return codebook_el


def _write_source(
    xml: _Member,
    dt: DocumentText,
    rows: list[ExportRow],
    source_guid: str,
    name: str,
    main_user: str,
    users: dict[str, str],
    codes: dict[str, str],
) -> None:
    """One document's TextSource, then a PlainTextSelection per annotation placed in it,
    each written when made (a document can hold thousands)."""
    shipped, removed = ship_text(dt.text)
    src = ET.Element(
        "TextSource",
        {
            "guid": source_guid,
            "name": xml_text(name),
            "plainTextPath": f"internal://{source_guid}.txt",
            "creatingUser": main_user,
        },
    )
    description = [DOC_MARKER + dt.doc] + [v for v in (dt.source, dt.date) if v]
    _el(src, "Description").text = xml_text("\n".join(description))
    head = _xml(src)  # never empty: it has its Description
    xml.write(head[: -len("</TextSource>")])
    for row in rows:
        a = row.annotation
        assert row.start is not None and row.end is not None  # orphans were left out
        start, end = to_shipped(row.start, removed), to_shipped(row.end, removed)
        label = re.sub(r"\s+", " ", shipped[start:end]).strip()
        user = users[a.creator]
        created = _attr("creationDateTime", a.created)
        parts = [
            f'<PlainTextSelection guid="{_selection_guid(row)}" name="{_attrib(xml_text(ellipsize(label, 60)))}"'
            f' startPosition="{start}" endPosition="{end}" creatingUser="{user}"{created}'
            f' modifyingUser="{user}"{_attr("modifiedDateTime", a.modified)}>'
        ]
        if a.note:
            parts.append(_element_text("Description", xml_text(a.note)))
        for tag_name in a.tags:
            parts.append(
                f'<Coding guid="{guid("coding", a.id, tag_name)}" creatingUser="{user}"{created}>'
                f'<CodeRef targetGUID="{codes[tag_name]}" /></Coding>'
            )
        parts.append("</PlainTextSelection>")
        xml.write("".join(parts))
    xml.write("</TextSource>")


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info._compresslevel = 1  # type: ignore[attr-defined]  # speed over size (writestr's compresslevel)
    return info


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    zf.writestr(_info(name), data, compresslevel=1)  # speed over size
