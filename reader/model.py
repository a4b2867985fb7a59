"""The annotation model: plain dataclasses and their JSON form (no I/O, no UI).

Field names follow the W3C Web Annotation model so that export is a mapping, not a translation:
an annotation's target is selected both by a `TextPositionSelector` (code-point offsets, end
exclusive) and by a `TextQuoteSelector` (the exact text with up to 32 characters of context
either side). Offsets are Python string indices into the document's text as decoded, never
normalised.

Times are UTC ISO 8601 with microseconds, always in the same shape:
`YYYY-MM-DDTHH:MM:SS.ffffffZ` (see `utc_now`), so they sort as strings.

The JSON functions produce dicts whose key order does not matter: the store serialises with
`sort_keys=True`, so the bytes on disk are stable.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from sys import intern as _intern
from typing import Any

from reader.safe_text import UNSAFE

CONTEXT_CHARS = 32
"""How many characters of prefix and suffix a quote selector keeps (as the Hypothesis client)."""

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
_COLOR_RE = re.compile(r"^#[0-9a-f]{6}$")

PALETTE = (
    "#e6194b",
    "#3cb44b",
    "#ffe119",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#46f0f0",
    "#f032e6",
    "#bcf60c",
    "#fabebe",
    "#008080",
    "#e6beff",
    "#9a6324",
    "#fffac8",
    "#800000",
    "#aaffc3",
)
"""Colours given to tags created without one; picked from a hash of the name (deterministic)."""


def utc_now() -> str:
    """The current time in the one format every stored time uses."""
    return datetime.now(timezone.utc).strftime(TIME_FORMAT)


def new_id() -> str:
    return str(uuid.uuid4())


def palette_color(name: str) -> str:
    """A colour for a tag name, the same on every machine and run."""
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def validate_tag_name(name: str) -> str:
    """Return `name` if it is a valid hierarchical tag name, else raise ValueError.

    Segments are separated by `/`; none may be empty or have surrounding whitespace.
    """
    if not isinstance(name, str) or not name:
        raise ValueError("a tag name must be a non-empty string")
    for segment in name.split("/"):
        if not segment:
            raise ValueError(f"tag {name!r}: empty segment (leading, trailing or double '/')")
        if segment != segment.strip():
            raise ValueError(f"tag {name!r}: a segment has leading or trailing whitespace")
    if UNSAFE.search(name):  # ESC, BEL, newline, tab, C1, bidi controls: never in a tag name
        raise ValueError(f"tag {name!r}: control characters are not allowed")
    return name


def normalise_color(color: str) -> str:
    c = color.strip().lower()
    if not _COLOR_RE.match(c):
        raise ValueError(f"colour {color!r} is not of the form #rrggbb")
    return c


def recent_tags_of(annotations: Iterable[Annotation], n: int = 9) -> list[str]:
    """The tags of `annotations` most recently applied (by modified time), newest first: the
    store's recent tags, and those of one coder's view (blind coding hides the others')."""
    latest: dict[str, str] = {}
    for a in annotations:
        for t in a.tags:
            if a.modified > latest.get(t, ""):
                latest[t] = a.modified
    return sorted(latest, key=lambda t: (latest[t], t), reverse=True)[:n]


def tag_matches(tag: str, query: str) -> bool:
    """True when `tag` is `query` or one of its descendants (`actor` matches `actor/Nujaba`)."""
    return tag == query or tag.startswith(query + "/")


@dataclass(frozen=True, slots=True)
class TextPositionSelector:
    """W3C TextPositionSelector: [start, end) in code points."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TextQuoteSelector:
    """W3C TextQuoteSelector: the exact text, with up to 32 characters of context either side."""

    exact: str
    prefix: str = ""
    suffix: str = ""

    @classmethod
    def from_text(cls, text: str, start: int, end: int) -> "TextQuoteSelector":
        return cls(
            exact=text[start:end],
            prefix=text[max(0, start - CONTEXT_CHARS) : start],
            suffix=text[end : end + CONTEXT_CHARS],
        )


@dataclass(frozen=True, slots=True)
class Annotation:
    id: str
    doc: str
    doc_sha256: str
    position: TextPositionSelector
    quote: TextQuoteSelector
    tags: tuple[str, ...]
    note: str = ""
    creator: str = ""
    created: str = ""
    modified: str = ""

    @property
    def start(self) -> int:
        return self.position.start

    @property
    def end(self) -> int:
        return self.position.end

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.position.start, self.position.end, self.id)


@dataclass(frozen=True)
class Tag:
    """A codebook entry. `name` is hierarchical: `actor/Nujaba`, `event/strike`."""

    name: str
    color: str
    description: str = ""

    @property
    def parent(self) -> str | None:
        return self.name.rsplit("/", 1)[0] if "/" in self.name else None


@dataclass(frozen=True)
class DocumentAttributes:
    """Per-document overrides of title/date/source (None: use the document's own) and free
    key-value attributes such as `outlet=Newsweek`."""

    doc: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return self.title is None and self.date is None and self.source is None and not self.attributes

    def __hash__(self) -> int:  # dict field: hash what is hashable
        return hash((self.doc, self.title, self.date, self.source, tuple(sorted(self.attributes.items()))))


# --- JSON ---------------------------------------------------------------------------------------


class FormatError(ValueError):
    """A JSON object does not have the shape this version writes."""


def json_error_text(exc: json.JSONDecodeError) -> str:
    """Why a file is not JSON, as a sentence: "not valid JSON: invalid control character at line
    37, column 9" (the decoder's own `msg` ends in "at" for some errors, and names no place)."""
    what = exc.msg[:1].lower() + exc.msg[1:]
    at = "" if what.endswith(" at") else " at"
    return f"not valid JSON: {what}{at} line {exc.lineno}, column {exc.colno}"


def _req(obj: dict, key: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(obj, dict):
        raise FormatError(f"expected an object, got {type(obj).__name__}")
    if key not in obj:
        raise FormatError(f"missing field {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FormatError(f"field {key!r} has the wrong type ({type(value).__name__})")
    return value


def annotation_to_json(a: Annotation) -> dict[str, Any]:
    return {
        "id": a.id,
        "doc": a.doc,
        "doc_sha256": a.doc_sha256,
        "position": {"type": "TextPositionSelector", "start": a.position.start, "end": a.position.end},
        "quote": {
            "type": "TextQuoteSelector",
            "exact": a.quote.exact,
            "prefix": a.quote.prefix,
            "suffix": a.quote.suffix,
        },
        "tags": list(a.tags),
        "note": a.note,
        "creator": a.creator,
        "created": a.created,
        "modified": a.modified,
    }


def annotation_from_json(obj: dict[str, Any], shared: dict[str, str] | None = None) -> Annotation:
    """An annotation from its JSON form; FormatError says what is wrong with a bad one.

    Opening a store parses every annotation, so the common case (every field present with its
    type) is checked in one go; anything else takes `_checked_annotation`, which names the
    field at fault. `shared`: for the annotations of one file, which mostly repeat each
    other's document, hash and times (JSON gives each its own copy): each such string is
    kept once (a quarter of 100,000 annotations' memory); tag names and coders are interned."""
    try:
        pos, quote, tags = obj["position"], obj["quote"], obj["tags"]
        start, end, exact = pos["start"], pos["end"], quote["exact"]
        ident, doc, sha = obj["id"], obj["doc"], obj["doc_sha256"]
    except (KeyError, TypeError, IndexError):
        return _checked_annotation(obj, shared)
    if not (
        type(obj) is dict
        and type(pos) is dict
        and type(quote) is dict
        and type(tags) is list
        and type(start) is int
        and type(end) is int
        and type(exact) is str
        and type(ident) is str
        and type(doc) is str
        and type(sha) is str
    ):
        return _checked_annotation(obj, shared)
    return _annotation(obj, ident, doc, sha, start, end, exact, quote, tags, shared)


def _check_tags_and_position(obj: dict[str, Any], tags: list, start: int, end: int) -> None:
    if not tags or not all(isinstance(t, str) and t for t in tags):
        raise FormatError(f"annotation {obj.get('id')!r}: tags must be a non-empty list of names")
    if not 0 <= start < end:
        raise FormatError(f"annotation {obj.get('id')!r}: bad position {start}:{end}")


def _checked_annotation(obj: dict[str, Any], shared: dict[str, str] | None = None) -> Annotation:
    pos = _req(obj, "position", dict)
    quote = _req(obj, "quote", dict)
    tags = _req(obj, "tags", list)
    start, end = _req(pos, "start", int), _req(pos, "end", int)
    return _annotation(
        obj,
        _req(obj, "id", str),
        _req(obj, "doc", str),
        _req(obj, "doc_sha256", str),
        start,
        end,
        _req(quote, "exact", str),
        quote,
        tags,
        shared,
    )


def _annotation(
    obj: dict[str, Any],
    ident: str,
    doc: str,
    sha: str,
    start: int,
    end: int,
    exact: str,
    quote: dict,
    tags: list,
    shared: dict[str, str] | None = None,
) -> Annotation:
    """The Annotation both parsers build once their fields are known to have the right types.

    Built as the frozen dataclasses' own `__init__` would (every field, nothing else: there is
    no `__post_init__`), but each field set through its slot's descriptor: opening a store
    builds three objects per annotation, and the field-by-field `object.__setattr__` of a
    frozen `__init__` was half the cost of parsing a file. Slots, not a `__dict__.update`: an
    instance dict filled that way shares no keys, and 100,000 annotations took 40 MiB more
    (tests/test_model.py checks the two ways give equal objects with the same attributes)."""
    _check_tags_and_position(obj, tags, start, end)
    creator = obj.get("creator", "") or ""
    created = obj.get("created", "") or ""
    modified = obj.get("modified", "") or ""
    if shared is not None:  # see annotation_from_json (tags are known to be names here)
        doc = shared.setdefault(doc, doc)
        sha = shared.setdefault(sha, sha)
        if type(created) is str:
            created = shared.setdefault(created, created)
        if type(modified) is str:
            modified = shared.setdefault(modified, modified)
        if type(creator) is str:
            creator = _intern(creator)
        tags = [_intern(t) for t in tags]
    position = _new(TextPositionSelector)
    _position_start(position, start)
    _position_end(position, end)
    selector = _new(TextQuoteSelector)
    _quote_exact(selector, exact)
    _quote_prefix(selector, quote.get("prefix", "") or "")
    _quote_suffix(selector, quote.get("suffix", "") or "")
    annotation = _new(Annotation)
    _set_id(annotation, ident)
    _set_doc(annotation, doc)
    _set_sha(annotation, sha)
    _set_position(annotation, position)
    _set_quote(annotation, selector)
    _set_tags(annotation, tuple(tags))
    _set_note(annotation, obj.get("note", "") or "")
    _set_creator(annotation, creator)
    _set_created(annotation, created)
    _set_modified(annotation, modified)
    return annotation


def _slot(cls: type, name: str):
    """The setter of a frozen slotted dataclass's field (its member descriptor's __set__)."""
    return cls.__dict__[name].__set__


_position_start, _position_end = (_slot(TextPositionSelector, n) for n in ("start", "end"))
_quote_exact, _quote_prefix, _quote_suffix = (_slot(TextQuoteSelector, n) for n in ("exact", "prefix", "suffix"))
_set_id, _set_doc, _set_sha, _set_position, _set_quote = (
    _slot(Annotation, n) for n in ("id", "doc", "doc_sha256", "position", "quote")
)
_set_tags, _set_note, _set_creator, _set_created, _set_modified = (
    _slot(Annotation, n) for n in ("tags", "note", "creator", "created", "modified")
)
_new = object.__new__


def tag_to_json(t: Tag) -> dict[str, Any]:
    return {"name": t.name, "color": t.color, "description": t.description}


def tag_from_json(obj: dict[str, Any]) -> Tag:
    return Tag(
        name=_req(obj, "name", str),
        color=_req(obj, "color", str),
        description=obj.get("description", "") or "",
    )


def attributes_to_json(a: DocumentAttributes) -> dict[str, Any]:
    return {
        "title": a.title,
        "date": a.date,
        "source": a.source,
        "attributes": dict(sorted(a.attributes.items())),
    }


def attributes_from_json(doc: str, obj: dict[str, Any] | None) -> DocumentAttributes:
    if obj is None:
        return DocumentAttributes(doc)
    if not isinstance(obj, dict):
        raise FormatError("attributes must be an object")
    extra = obj.get("attributes") or {}
    if not isinstance(extra, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in extra.items()):
        raise FormatError("attributes.attributes must map strings to strings")
    for key in ("title", "date", "source"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise FormatError(f"attributes.{key} must be a string or null")
    return DocumentAttributes(
        doc=doc,
        title=obj.get("title"),
        date=obj.get("date"),
        source=obj.get("source"),
        attributes=dict(extra),
    )


def is_valid_time(value: str) -> bool:
    return bool(_TIME_RE.match(value))
