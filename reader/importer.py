"""Import annotations from a REFI-QDA project (`.qdpx`/`.qde`) or W3C Web Annotation JSON-LD.

`import_file(path, store, corpus, on_conflict=None) -> ImportReport`. No Textual here.

Matching a file's sources to corpus documents, by content first:
1. `sha256`: the shipped source's bytes hash like a corpus file's bytes.
2. `text`: the same text once both have LF line endings, no BOM and NFC (whitespace kept).
3. `similar`: a corpus document of about the same length whose text is at least 95% similar
   (rapidfuzz ratio on whitespace-collapsed text).
4. `name`: the document id our exports record (`reader document: <id>` in a TextSource's
   Description, `urn:reader:doc:<id>` in W3C), or a source named like a document (id, file
   name or stem).
5. W3C only (no text shipped): the one corpus document containing the quote with its context.
Sources that match nothing are listed in the report, with their annotation count.

Placing: REFI-QDA positions count code points of the source text with CRLF (and CR) counted
as one character (what ATLAS.ti does, and what our LF-only shipped texts give). When the corpus
text equals the source text (1, 2) positions are mapped exactly onto the corpus file's text
(re-inserting its CRs). Otherwise (3, 4, 5) and for W3C, each annotation is re-anchored with
`reader.anchoring.anchor` from its position and quote (exact, else the quote elsewhere, else
fuzzy); what cannot be placed is reported, never guessed.

Existing annotations (re-anchored in the current text) decide what is new:
- same document, span and tags (and the same note, or none imported): a duplicate, skipped,
  so importing an export of this store changes nothing;
- same span with other tags or another note: a conflict. With `on_conflict=None` nothing at
  all is written and the conflicts are reported (the CLI asks); `'skip'` imports the rest,
  `'add'` imports conflicting ones too, as extra annotations.
New codes become codebook tags with their colour and description (a tag that exists keeps
its own; a tag our export marks as not in the codebook, such as an implicit parent, is not
added); then every new annotation is added with one `add_many` (one undo step). Each keeps the
id, creator and times the file gives, and selections of one span that another tool wrote one per
code are merged (`reader.importer_refi`); what the file lacks the store fills in (a new id, the
importing user, now), and an id already in the store gets a new one.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal
from xml.etree import ElementTree as ET

from reader import importer_refi as refi
from reader.export.refi_names import code_segment, is_implicit_tag_guid
from reader.model import (
    CONTEXT_CHARS,
    Annotation,
    TextPositionSelector,
    TextQuoteSelector,
    normalise_color,
    validate_tag_name,
)
from reader.safe_text import UNSAFE

__all__ = ["ImportFileError", "ImportReport", "import_file", "parse_file"]

OnConflict = Literal["skip", "add"] | None
MAX_SOURCE_BYTES = 64 * 1024 * 1024
SIMILARITY = 95.0


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, not a format we know); message for users."""


# --- what a file holds --------------------------------------------------------------------------


@dataclass
class ParsedAnnotation:
    start: int | None
    end: int | None
    exact: str
    prefix: str
    suffix: str
    tags: tuple[str, ...]
    note: str = ""
    id: str | None = None  # what the file says (REFI-QDA, see reader.importer_refi); None: the store decides
    creator: str | None = None
    created: str | None = None
    modified: str | None = None


@dataclass
class ParsedSource:
    name: str
    text: str | None = None  # shipped text (REFI-QDA), LF line endings; None for W3C
    raw_sha256: str | None = None
    doc_hint: str | None = None
    annotations: list[ParsedAnnotation] = field(default_factory=list)


@dataclass
class ParsedCode:
    name: str  # hierarchical tag name
    color: str | None = None
    description: str = ""
    implicit: bool = False  # our export's mark of a tag not in the codebook itself


@dataclass
class ParsedFile:
    format: str  # "qdpx" | "w3c"
    codes: list[ParsedCode] = field(default_factory=list)
    sources: list[ParsedSource] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    merged: int = 0  # selections folded into another of the same span (one per code: QualCoder)


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    doc: str
    start: int
    end: int
    quote: str
    tags: tuple[str, ...]
    note: str
    existing: tuple[tuple[tuple[str, ...], str], ...]  # (tags, note) of annotations already there

    def __str__(self) -> str:
        quote = re.sub(r"\s+", " ", self.quote)
        quote = quote if len(quote) <= 40 else quote[:39] + "…"
        have = "; ".join(", ".join(t) + (f" (note: {n})" if n else "") for t, n in self.existing)
        new = ", ".join(self.tags) + (f" (note: {self.note})" if self.note else "")
        return f"{self.doc} {self.start}:{self.end} “{quote}”: file has {new}; store has {have}"


@dataclass(frozen=True)
class SourceMatch:
    name: str
    doc: str | None  # None: unmatched
    method: str  # sha256 | text | similar | name | quote | unmatched
    annotations: int


@dataclass
class ImportReport:
    path: Path
    format: str
    sources: list[SourceMatch] = field(default_factory=list)
    added: int = 0
    duplicates: int = 0
    approximate: int = 0  # placed by a fuzzy match: check them
    unplaced: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    conflicts_skipped: int = 0
    tags_created: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    merged: int = 0  # selections of the same span merged into one annotation with several tags
    applied: bool = True  # False: refused because of conflicts (nothing written)

    @property
    def unmatched(self) -> list[SourceMatch]:
        return [s for s in self.sources if s.doc is None]

    def lines(self) -> list[str]:
        out = []
        for s in self.sources:
            if s.doc is None:
                out.append(f"unmatched source “{s.name}” ({s.annotations} annotation(s)): no corpus document has its text or name")
            else:
                out.append(f"source “{s.name}” -> {s.doc} (by {s.method}, {s.annotations} annotation(s))")
        out += [f"not placed: {u}" for u in self.unplaced]
        out += [f"problem: {p}" for p in self.problems]
        if self.merged:
            out.append(f"{self.merged} selection(s) merged into annotations with several tags (the file "
                       "has one selection per code where reader has one annotation per passage)")
        if not self.applied:
            out.append(f"{len(self.conflicts)} conflict(s); nothing imported:")
            out += [f"  {c}" for c in self.conflicts]
            return out
        summary = f"{self.added} added, {self.duplicates} already present"
        if self.conflicts:
            summary += f", {len(self.conflicts)} conflicting ({self.conflicts_skipped} skipped)"
        if self.approximate:
            summary += f", {self.approximate} placed approximately (fuzzy: check them)"
        if self.tags_created:
            summary += f", {len(self.tags_created)} tag(s) created"
        out.append(summary)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


# --- parsing: REFI-QDA --------------------------------------------------------------------------


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el, name: str):
    return [c for c in el if _local(c.tag) == name]


def _child_text(el, name: str) -> str:
    found = _children(el, name)
    return (found[0].text or "") if found else ""


def lf(text: str) -> str:
    """CRLF and CR as LF; a leading BOM removed."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _clean_tag(name: str) -> str | None:
    name = UNSAFE.sub(" ", name)  # what a tag name refuses (control characters) -> a space
    parts = [p.strip() for p in name.split("/")]
    cleaned = "/".join(p for p in parts if p)
    try:
        return validate_tag_name(cleaned)
    except ValueError:
        return None


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


def _parse_qde(data: bytes, read_source, parsed: ParsedFile) -> None:
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
        tag = _clean_tag(name)
        if tag is None:
            parsed.problems.append(f"code {code_el.get('name')!r}: not usable as a tag name")
            return
        code_guid = (code_el.get("guid") or "").upper().strip("{}")
        guid_to_tag[code_guid] = tag
        parsed.codes.append(ParsedCode(tag, _color(code_el.get("color")), _child_text(code_el, "Description"),
                                       implicit=is_implicit_tag_guid(code_guid, tag)))
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
                    hint = line[len("reader document: "):].strip()
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
                    exact, prefix, suffix = t[start:end], t[max(0, start - CONTEXT_CHARS):start], t[end:end + CONTEXT_CHARS]
                elif source.text is not None:
                    parsed.problems.append(f"source “{name}”: selection {start}:{end} is outside its text")
                    continue
                who = refi.identity(sel, users)
                source.annotations.append(ParsedAnnotation(start, end, exact, prefix, suffix, tags, note_of(sel),
                                                           who.id, who.creator, who.created, who.modified))
            if not own:
                source.annotations, folded = refi.merge_same_span(source.annotations)
                parsed.merged += folded
            parsed.sources.append(source)


def _parse_qdpx(path: Path) -> ParsedFile:
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
            wanted = "sources/" + ref[len("internal://"):]
            name = by_lower.get(wanted.lower())
            if name is None:
                return None
            info = zf.getinfo(name)
            if info.file_size > MAX_SOURCE_BYTES:
                parsed.problems.append(f"{name}: larger than {MAX_SOURCE_BYTES // 2**20} MB, skipped")
                return None
            return zf.read(name)

        _parse_qde(zf.read(qde[0]), read_source, parsed)
    return parsed


# --- parsing: W3C -------------------------------------------------------------------------------


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


def _parse_w3c(path: Path) -> ParsedFile:
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
                tag = _clean_tag(value)
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
                ParsedAnnotation(start, end, exact, prefix, suffix, tuple(dict.fromkeys(tags)),
                                 "\n\n".join(notes), creator=_w3c_creator(item.get("creator")),
                                 created=_w3c_time(item.get("created")),
                                 modified=_w3c_time(item.get("modified")))
            )
            placed = True
            break
        if not placed:
            parsed.problems.append(f"{label}: no text quote selector on its target; not imported")
    parsed.sources = list(sources.values())
    return parsed


def parse_file(path: Path | str) -> ParsedFile:
    """Read a .qdpx/.qde or W3C JSON(-LD) file; raises ImportFileError."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    head = path.open("rb").read(4)
    if head.startswith(b"PK"):
        return _parse_qdpx(path)
    if path.suffix.lower() == ".qde" or head.startswith(b"<"):
        parsed = ParsedFile("qdpx")
        _parse_qde(path.read_bytes(), lambda ref: None, parsed)
        return parsed
    return _parse_w3c(path)


# --- matching -----------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", lf(text))


def _collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", _norm(text)).strip()


class _CorpusView:
    """The corpus's documents read once: raw-bytes hash, decoded text (lazily)."""

    def __init__(self, corpus) -> None:
        from index.corpus import UnreadableDocument

        self.corpus = corpus
        self.docs: dict[str, tuple[str, str]] = {}  # id -> (text, document hash)
        files, _skipped = corpus.scan()
        for f in files:
            try:  # the one way to a document's text: PDFs and others are extracted
                self.docs[f.id] = corpus.read_text(f)
            except UnreadableDocument:
                continue
        self.by_sha = {sha: d for d, (_t, sha) in self.docs.items()}
        self._by_norm: dict[str, str] | None = None

    def by_norm(self) -> dict[str, str]:
        if self._by_norm is None:
            self._by_norm = {_norm(t): d for d, (t, _s) in sorted(self.docs.items(), reverse=True)}
        return self._by_norm

    def by_name(self, *names: str | None) -> str | None:
        for name in names:
            if not name:
                continue
            if name in self.docs:
                return name
            for doc in sorted(self.docs):
                p = PurePosixPath(doc)
                if name in (p.name, p.stem):
                    return doc
        return None

    def similar(self, text: str) -> str | None:
        from rapidfuzz import fuzz

        target = _collapsed(text)
        best = (0.0, None)
        for doc, (t, _s) in sorted(self.docs.items()):
            if abs(len(t) - len(text)) > 0.05 * max(len(t), len(text), 1):
                continue
            score = fuzz.ratio(target, _collapsed(t), score_cutoff=SIMILARITY)
            if score > best[0]:
                best = (score, doc)
        return best[1]

    def containing(self, a: ParsedAnnotation) -> str | None:
        for needle in (a.prefix + a.exact + a.suffix, a.exact):
            found = [d for d, (t, _s) in sorted(self.docs.items()) if needle in t]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return None
        return None


def _match(source: ParsedSource, view: _CorpusView) -> tuple[str | None, str]:
    if source.text is not None:
        if source.raw_sha256 in view.by_sha:
            return view.by_sha[source.raw_sha256], "sha256"
        doc = view.by_norm().get(_norm(source.text))
        if doc is not None:
            return doc, "text"
        doc = view.similar(source.text)
        if doc is not None:
            return doc, "similar"
    doc = view.by_name(source.doc_hint, source.name)
    if doc is not None:
        return doc, "name"
    if source.text is None:
        docs = {view.containing(a) for a in source.annotations}
        if len(docs) == 1 and None not in docs:
            return docs.pop(), "quote"
    return None, "unmatched"


def _from_lf(offset: int, crs: list[int]) -> int:
    """An offset of the LF text as an offset of the text with CRLFs (`crs`: LF-text offsets of
    the LFs that were CRLFs)."""
    from bisect import bisect_left

    return offset + bisect_left(crs, offset)


def _place(source: ParsedSource, method: str, text: str, report: ImportReport):
    """(start, end, tags, note, approximate) of each placeable annotation in `text`."""
    from reader.anchoring import anchor

    exact_map = None
    if method in ("sha256", "text") and source.text is not None and lf(text) == source.text:
        # positions in the LF text: put back the CRs of the corpus file's CRLFs
        crs, shift = [], 0
        for m in re.finditer("\r\n", text):
            crs.append(m.start() - shift)
            shift += 1
        exact_map = crs
    for a in source.annotations:
        if exact_map is not None and a.start is not None:
            s, e = _from_lf(a.start, exact_map), _from_lf(a.end, exact_map)
            if text[s:e] == a.exact or lf(text[s:e]) == a.exact:
                yield s, e, a, False
                continue
        start = a.start if a.start is not None else 0
        end = a.end if a.end is not None else start + len(a.exact)
        probe = Annotation("import", "", "", TextPositionSelector(start, max(end, start + 1)),
                           TextQuoteSelector(a.exact, a.prefix, a.suffix), a.tags)
        placed = anchor(probe, text)
        if placed.span is None:
            quote = re.sub(r"\s+", " ", a.exact)[:40]
            report.unplaced.append(f"“{quote}” ({', '.join(a.tags)}) from “{source.name}”")
            continue
        yield placed.span.start, placed.span.end, a, placed.status == "fuzzy"


# --- importing ----------------------------------------------------------------------------------


def import_file(path: Path | str, store, corpus, on_conflict: OnConflict = None) -> ImportReport:
    """Import `path` into `store`, matching its sources to `corpus` documents (see the module
    docstring). Raises ImportFileError for a file that cannot be read; StoreError from the store."""
    from reader.store import NewAnnotation

    if on_conflict not in (None, "skip", "add"):
        raise ValueError(f"on_conflict must be None, 'skip' or 'add', not {on_conflict!r}")
    parsed = parse_file(path)
    report = ImportReport(Path(path), parsed.format, problems=list(parsed.problems), merged=parsed.merged)
    view = _CorpusView(corpus)

    new: list[NewAnnotation] = []
    conflicting: list[NewAnnotation] = []
    ids_taken = {a.id for a in store.annotations()}
    for source in parsed.sources:
        doc, method = _match(source, view)
        report.sources.append(SourceMatch(source.name, doc, method, len(source.annotations)))
        if doc is None:
            continue
        text, sha = view.docs[doc]
        existing: dict[tuple[int, int], list[tuple[frozenset, str, tuple]]] = {}
        for r in store.resolve(doc, text, sha):
            if r.span is not None:
                existing.setdefault((r.span.start, r.span.end), []).append(
                    (frozenset(r.annotation.tags), r.annotation.note, r.annotation.tags))
        seen: set[tuple] = set()
        for s, e, a, approximate in _place(source, method, text, report):
            key = (s, e, frozenset(a.tags), a.note)
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            there = existing.get((s, e), [])
            if any(tags == frozenset(a.tags) and (note == a.note or not a.note) for tags, note, _t in there):
                report.duplicates += 1
                continue
            keep_id = a.id if a.id is not None and a.id not in ids_taken else None
            ids_taken.add(keep_id)
            item = NewAnnotation(doc, text, sha, s, e, a.tags, a.note, keep_id, a.creator, a.created, a.modified)
            report.approximate += approximate
            if there:
                report.conflicts.append(Conflict(doc, s, e, text[s:e], a.tags, a.note,
                                                 tuple((t, n) for _f, n, t in there)))
                conflicting.append(item)
            else:
                new.append(item)

    if report.conflicts and on_conflict is None:
        report.applied = False
        return report
    if on_conflict == "add":
        new += conflicting
    else:
        report.conflicts_skipped = len(conflicting)

    known = {t.name for t in store.tags()}
    codes = []
    for code in parsed.codes:
        if code.name not in known and not code.implicit:
            codes.append(_code_tag(code))
            known.add(code.name)
            report.tags_created.append(code.name)
    for item in new:
        for t in item.tags:
            if t not in known:
                known.add(t)
                report.tags_created.append(t)
    if new or codes:  # one change: a crash keeps all of the import or none of it
        store.add_many(new, description=f"import {len(new)} annotation(s) from {Path(path).name}",
                       codebook=codes)
    report.added = len(new)
    return report


def _code_tag(code):
    """A codebook entry for an imported code (its colour checked, or the palette's)."""
    from reader.model import Tag, normalise_color, palette_color

    try:
        color = normalise_color(code.color) if code.color else palette_color(code.name)
    except ValueError:
        color = palette_color(code.name)
    return Tag(code.name, color, code.description or "")
