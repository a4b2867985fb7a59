"""`parse_file` (any format we read) and `import_file`: a file's annotations into the store,
as new annotations and codebook tags in one undo step, duplicates skipped and conflicts
reported (no Textual, no rich). The rules are the package docstring's.
"""

from __future__ import annotations

from pathlib import Path

from reader.importer.matching import CorpusView, match_source, place
from reader.importer.parsed import ImportFileError, OnConflict, ParsedFile
from reader.importer.qde import parse_qde, parse_qdpx
from reader.importer.report import Conflict, ImportReport, SourceMatch
from reader.importer.w3c import parse_w3c


def parse_file(path: Path | str) -> ParsedFile:
    """Read a .qdpx/.qde or W3C JSON(-LD) file; raises ImportFileError."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    head = path.open("rb").read(4)
    if head.startswith(b"PK"):
        return parse_qdpx(path)
    if path.suffix.lower() == ".qde" or head.startswith(b"<"):
        parsed = ParsedFile("qdpx")
        parse_qde(path.read_bytes(), lambda ref: None, parsed)
        return parsed
    return parse_w3c(path)


def import_file(path: Path | str, store, corpus, on_conflict: OnConflict = None) -> ImportReport:
    """Import `path` into `store`, matching its sources to `corpus` documents (see the module
    docstring). Raises ImportFileError for a file that cannot be read; StoreError from the store."""
    from reader.store import NewAnnotation

    if on_conflict not in (None, "skip", "add"):
        raise ValueError(f"on_conflict must be None, 'skip' or 'add', not {on_conflict!r}")
    parsed = parse_file(path)
    report = ImportReport(Path(path), parsed.format, problems=list(parsed.problems), merged=parsed.merged)
    view = CorpusView(corpus)

    new: list[NewAnnotation] = []
    conflicting: list[NewAnnotation] = []
    ids_taken = {a.id for a in store.annotations()}
    for source in parsed.sources:
        doc, method = match_source(source, view)
        report.sources.append(SourceMatch(source.name, doc, method, len(source.annotations)))
        if doc is None:
            continue
        text, sha = view.docs[doc]
        existing: dict[tuple[int, int], list[tuple[frozenset, str, tuple]]] = {}
        for r in store.resolve(doc, text, sha):
            if r.span is not None:
                existing.setdefault((r.span.start, r.span.end), []).append(
                    (frozenset(r.annotation.tags), r.annotation.note, r.annotation.tags)
                )
        seen: set[tuple] = set()
        for s, e, a, approximate in place(source, method, text, report):
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
                report.conflicts.append(
                    Conflict(doc, s, e, text[s:e], a.tags, a.note, tuple((t, n) for _f, n, t in there))
                )
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
        store.add_many(new, description=f"import {len(new)} annotation(s) from {Path(path).name}", codebook=codes)
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
