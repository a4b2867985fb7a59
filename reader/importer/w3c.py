"""Parsing W3C Web Annotation JSON(-LD) into a `ParsedFile`: one source per target document,
each annotation's quote, position, tags, note, creator and times (no Textual, no rich)."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from reader.importer.parsed import (
    ImportFileError,
    ParsedAnnotation,
    ParsedFile,
    ParsedSource,
    clean_tag,
)


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _w3c_items(doc) -> list:
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        raise ImportFileError("not W3C Web Annotation JSON (expected an object or a list)")
    kind = doc.get("type")
    kinds = set(_as_list(kind))
    if kinds & {"AnnotationCollection", "AnnotationPage"}:
        first = doc.get("first", doc)
        if isinstance(first, str):
            raise ImportFileError("the collection's pages are not embedded (first is a link)")
        items = list(_as_list(first.get("items")))
        page = first
        while isinstance(page.get("next"), dict):  # embedded further pages
            page = page["next"]
            items += _as_list(page.get("items"))
        return items
    if "Annotation" in kinds:
        return [doc]
    raise ImportFileError("not W3C Web Annotation JSON (no Annotation or AnnotationCollection)")


def _w3c_creator(value) -> str | None:
    """A W3C `creator` (a Person object with a name or nickname, a plain name, or a list of
    those: the first) as the coder's name, so agreement can be computed across tools."""
    for item in _as_list(value):
        if isinstance(item, str) and item.strip() and not item.startswith(("urn:", "http")):
            return item.strip()
        if isinstance(item, dict):
            for key in ("name", "nickname"):
                name = item.get(key)
                if isinstance(name, str) and name.strip():
                    return name.strip()
    return None


def _w3c_time(value) -> str | None:
    """A W3C created/modified time in the store's one format, else None (the store decides)."""
    from datetime import datetime, timezone

    from reader.model import TIME_FORMAT

    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


def parse_w3c(path: Path) -> ParsedFile:
    from reader.export.w3c import doc_from_iri

    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"{path}: not readable JSON ({exc})") from exc
    parsed = ParsedFile("w3c")
    sources: dict[str, ParsedSource] = {}
    for i, item in enumerate(_w3c_items(doc)):
        if not isinstance(item, dict):
            parsed.problems.append(f"item {i}: not an annotation object")
            continue
        label = item.get("id") or f"item {i}"
        tags, notes = [], []
        if isinstance(item.get("bodyValue"), str):
            notes.append(item["bodyValue"])
        motivations = set(_as_list(item.get("motivation")))
        for body in _as_list(item.get("body")):
            if not isinstance(body, dict):
                continue
            value = body.get("value")
            if not isinstance(value, str):
                continue
            purposes = set(_as_list(body.get("purpose"))) or motivations
            if "tagging" in purposes:
                tag = clean_tag(value)
                if tag is None:
                    parsed.problems.append(f"{label}: tag {value!r} is not usable")
                else:
                    tags.append(tag)
            else:
                notes.append(value)
        if not tags:
            parsed.problems.append(f"{label}: no tag (tagging body); not imported")
            continue
        placed = False
        for target in _as_list(item.get("target")):
            if not isinstance(target, dict):
                continue
            source = target.get("source")
            iri = source.get("id") if isinstance(source, dict) else source
            if not isinstance(iri, str):
                continue
            start = end = None
            exact = prefix = suffix = None
            for sel in _as_list(target.get("selector")):
                if not isinstance(sel, dict):
                    continue
                if sel.get("type") == "TextPositionSelector":
                    s, e = sel.get("start"), sel.get("end")
                    if isinstance(s, int) and isinstance(e, int) and 0 <= s < e:
                        start, end = s, e
                elif sel.get("type") == "TextQuoteSelector" and isinstance(sel.get("exact"), str):
                    exact, prefix, suffix = sel["exact"], sel.get("prefix") or "", sel.get("suffix") or ""
            if not exact:
                continue
            hint = doc_from_iri(iri) or PurePosixPath(iri.rstrip("/")).name or None
            src = sources.setdefault(iri, ParsedSource(name=iri, doc_hint=hint))
            src.annotations.append(
                ParsedAnnotation(
                    start,
                    end,
                    exact,
                    prefix,  # type: ignore[arg-type]
                    suffix,  # type: ignore[arg-type]
                    tuple(dict.fromkeys(tags)),
                    "\n\n".join(notes),
                    creator=_w3c_creator(item.get("creator")),
                    created=_w3c_time(item.get("created")),
                    modified=_w3c_time(item.get("modified")),
                )
            )
            placed = True
            break
        if not placed:
            parsed.problems.append(f"{label}: no text quote selector on its target; not imported")
    parsed.sources = list(sources.values())
    return parsed
