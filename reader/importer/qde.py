"""Parsing a REFI-QDA project (`.qdpx` archive or bare `.qde`) into a `ParsedFile`: codes with
their colours and descriptions, text sources with their shipped text (LF line endings) and
hash, plain-text selections with their codings, notes and identity (no Textual, no rich).

Identity and merging of one-selection-per-code projects: `reader.importer.refi`.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from reader.export.refi_names import code_segment, is_implicit_tag_guid
from reader.importer import refi
from reader.importer.parsed import (
    ImportFileError,
    ParsedAnnotation,
    ParsedCode,
    ParsedFile,
    ParsedSource,
    clean_tag,
    lf,
)
from reader.model import CONTEXT_CHARS, normalise_color

MAX_SOURCE_BYTES = 64 * 1024 * 1024


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el, name: str):
    return [c for c in el if _local(c.tag) == name]


def _child_text(el, name: str) -> str:
    found = _children(el, name)
    return (found[0].text or "") if found else ""


def _segment(name: str) -> str:
    """A code's name as one tag segment (a `/` in it would split the hierarchy)."""
    return re.sub(r"\s+", " ", (name or "").replace("/", "∕")).strip() or "unnamed"


def _color(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{3}", v):
        v = "#" + "".join(ch * 2 for ch in v[1:])
    try:
        return normalise_color(v)
    except ValueError:
        return None


def parse_qde(data: bytes, read_source, parsed: ParsedFile) -> None:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ImportFileError(f"the project file is not valid XML ({exc})") from exc
    if _local(root.tag) != "Project":
        raise ImportFileError("not a REFI-QDA project (the root element is not <Project>)")
    guid_to_tag: dict[str, str] = {}
    own = refi.is_own_project(root.get("origin"))
    users = refi.users_by_guid(u for users_el in _children(root, "Users") for u in _children(users_el, "User"))

    def walk(code_el, parent: str) -> None:
        segment = code_segment(_segment(code_el.get("name", "")), parent)
        name = f"{parent}/{segment}" if parent else segment
        tag = clean_tag(name)
        if tag is None:
            parsed.problems.append(f"code {code_el.get('name')!r}: not usable as a tag name")
            return
        code_guid = (code_el.get("guid") or "").upper().strip("{}")
        guid_to_tag[code_guid] = tag
        parsed.codes.append(
            ParsedCode(
                tag,
                _color(code_el.get("color")),
                _child_text(code_el, "Description"),
                implicit=is_implicit_tag_guid(code_guid, tag),
            )
        )
        for child in _children(code_el, "Code"):
            walk(child, tag)

    for book in _children(root, "CodeBook"):
        for codes in _children(book, "Codes"):
            for code in _children(codes, "Code"):
                walk(code, "")

    notes: dict[str, str] = {}
    for notes_el in _children(root, "Notes"):
        for note in _children(notes_el, "Note"):
            notes[(note.get("guid") or "").upper().strip("{}")] = _child_text(note, "PlainTextContent")

    def codings(el) -> tuple[str, ...]:
        tags = []
        for coding in _children(el, "Coding"):
            for ref in _children(coding, "CodeRef"):
                target = (ref.get("targetGUID") or "").upper().strip("{}")
                if target in guid_to_tag:
                    tags.append(guid_to_tag[target])
                else:
                    parsed.problems.append(f"a coding refers to an unknown code {target}")
        return tuple(dict.fromkeys(tags))

    def note_of(el) -> str:
        parts = [_child_text(el, "Description")]
        for ref in _children(el, "NoteRef"):
            parts.append(notes.get((ref.get("targetGUID") or "").upper().strip("{}"), ""))
        return "\n\n".join(p for p in parts if p.strip())

    for sources in _children(root, "Sources"):
        for src in sources:
            kind = _local(src.tag)
            name = src.get("name") or src.get("guid") or "?"
            if kind != "TextSource":
                parsed.problems.append(f"source “{name}”: {kind} is not supported (text sources only)")
                continue
            description = _child_text(src, "Description")
            hint = None
            for line in description.splitlines():
                if line.startswith("reader document: "):
                    hint = line[len("reader document: ") :].strip()
            source = ParsedSource(name=name, doc_hint=hint)
            content = _children(src, "PlainTextContent")
            path = src.get("plainTextPath")
            raw = None
            if content:
                raw = (content[0].text or "").encode("utf-8")
            elif path:
                raw = read_source(path)
                if raw is None:
                    parsed.problems.append(f"source “{name}”: its text {path} is not in the file")
            else:
                parsed.problems.append(f"source “{name}”: no plain text (rich text only is not supported)")
            if raw is not None:
                source.raw_sha256 = hashlib.sha256(raw).hexdigest()
                try:
                    source.text = lf(raw.decode("utf-8-sig"))
                except UnicodeDecodeError:
                    source.text = None
                    parsed.problems.append(f"source “{name}”: its text is not UTF-8")
            whole = codings(src)
            if whole:
                parsed.problems.append(f"source “{name}”: codes on the whole document are not imported")
            for sel in _children(src, "PlainTextSelection"):
                tags = codings(sel)
                try:
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    parsed.problems.append(f"source “{name}”: a selection without valid positions")
                    continue
                if not tags:
                    parsed.problems.append(f"source “{name}” {start}:{end}: a selection with no code is not imported")
                    continue
                exact = prefix = suffix = ""
                if source.text is not None and 0 <= start < end <= len(source.text):
                    t = source.text
                    exact = t[start:end]
                    prefix, suffix = t[max(0, start - CONTEXT_CHARS) : start], t[end : end + CONTEXT_CHARS]
                elif source.text is not None:
                    parsed.problems.append(f"source “{name}”: selection {start}:{end} is outside its text")
                    continue
                who = refi.identity(sel, users)
                source.annotations.append(
                    ParsedAnnotation(
                        start,
                        end,
                        exact,
                        prefix,
                        suffix,
                        tags,
                        note_of(sel),
                        who.id,
                        who.creator,
                        who.created,
                        who.modified,
                    )
                )
            if not own:
                source.annotations, folded = refi.merge_same_span(source.annotations)
                parsed.merged += folded
            parsed.sources.append(source)


def parse_qdpx(path: Path) -> ParsedFile:
    parsed = ParsedFile("qdpx")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(f"{path}: not a readable .qdpx archive ({exc})") from exc
    with zf:
        names = zf.namelist()
        qde = [n for n in names if n.lower().endswith(".qde")]
        if len(qde) != 1:
            raise ImportFileError(f"{path}: expected one .qde project file in the archive, found {len(qde)}")
        by_lower = {n.lower(): n for n in names}

        def read_source(ref: str) -> bytes | None:
            if not ref.startswith("internal://"):
                return None
            wanted = "sources/" + ref[len("internal://") :]
            name = by_lower.get(wanted.lower())
            if name is None:
                return None
            info = zf.getinfo(name)
            if info.file_size > MAX_SOURCE_BYTES:
                parsed.problems.append(f"{name}: larger than {MAX_SOURCE_BYTES // 2**20} MB, skipped")
                return None
            return zf.read(name)

        parse_qde(zf.read(qde[0]), read_source, parsed)
    return parsed
