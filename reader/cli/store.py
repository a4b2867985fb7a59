"""Annotation commands for scripts: `tag`, `annotations`, `tags`, `meta`.

Registered into the main group by `reader/cli/root.py` (`COMMANDS`). Each command takes the same
`--corpus/--annotations/--index` options as the others (the group's apply when not given).
Exit status: 0 success, 2 bad input (unknown document, quote not found or ambiguous, span out
of range: nothing written), 3 the store refused or failed (read-only or corrupt file, disk full)
or, for a listing, some annotation files cannot be read (unless --skip-unreadable: then the
listing says what it leaves out).
"""

from __future__ import annotations

import re

import click

from reader.store.postgres.texts import copy_warning
from reader.cli.common import (
    EXIT_STORE,
    coder_option,
    coders_filter_option,
    fail,
    load_document,
    open_store,
    path_options,
    paths_from,
    require_complete,
    resolve_coder_or_fail,
    say_left_out,
    skip_unreadable_option,
)
from reader.coder_view import for_coders
from reader.cli.output import say, say_json, shown
from reader.paths import Paths

QUOTE_CONTEXT = 30


def _try_load(paths: Paths, doc_id: str):
    from index.corpus import CorpusError, UnreadableDocument

    try:
        return paths.open_corpus().load(doc_id)
    except (UnreadableDocument, CorpusError):
        return None


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - QUOTE_CONTEXT) : start]
    after = text[end : end + QUOTE_CONTEXT]
    flat = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    return shown(f"…{flat(before)}[{flat(text[start:end])}]{flat(after)}…")


def _store_call(ctx: click.Context, call):
    from reader.store import StoreError

    try:
        return call()
    except StoreError as exc:
        fail(ctx, shown(exc), code=EXIT_STORE)
    except OSError as exc:  # the store's own errors say what was kept; this one did not
        fail(ctx, f"could not use the annotations folder: {shown(exc.strerror or exc)}", code=EXIT_STORE)


@click.command("tag")
@click.argument("doc")
@click.option("--quote", help="The exact text to tag (as it appears in the document).")
@click.option("--occurrence", type=click.IntRange(1), help="Which occurrence of --quote (1 = first).")
@click.option("--span", "span", metavar="START:END", help="Code-point offsets, end exclusive.")
@click.option("--tag", "tags", multiple=True, required=True, help="A tag (repeat for several).")
@click.option("--note", default="", help="A note for the annotation.")
@coder_option
@path_options
@click.pass_context
def tag(ctx, doc, quote, occurrence, span, tags, note, coder, corpus_dir, annotations_dir, index_dir):
    """Tag a passage of DOC, found by --quote or --span. Prints the new annotation's id.

    A quote that occurs more than once needs --occurrence N; without it the occurrences are
    listed with their context (exit 2).
    """
    from reader.anchoring import occurrences
    from reader.model import validate_tag_name

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    coder = resolve_coder_or_fail(ctx, coder)
    if (quote is None) == (span is None):
        fail(ctx, "give exactly one of --quote TEXT or --span START:END")
    if occurrence is not None and quote is None:
        fail(ctx, "--occurrence goes with --quote")
    try:
        for t in tags:
            validate_tag_name(t)
    except ValueError as exc:
        fail(ctx, shown(exc))
    document = load_document(ctx, paths, doc)
    text = document.text
    if span is not None:
        m = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", span)
        if not m:
            fail(ctx, f"--span {span!r}: expected START:END, e.g. 10:42")
        start, end = int(m.group(1)), int(m.group(2))
        if not 0 <= start < end <= len(text):
            fail(
                ctx,
                f"--span {start}:{end} is out of range: {shown(doc)} has {len(text)} characters "
                "(offsets are code points, end exclusive, start < end)",
            )
    else:
        if not quote:
            fail(ctx, "--quote is empty")
        found = occurrences(text, quote)
        if not found:
            fail(ctx, f"quote {quote!r} is not in {shown(doc)}")
        if occurrence is None and len(found) > 1:
            lines = [f"quote {quote!r} occurs {len(found)} times in {shown(doc)}; choose one with --occurrence N:"]
            for n, i in enumerate(found, 1):
                lines.append(f"  {n}: {i}:{i + len(quote)}  {_context(text, i, i + len(quote))}")
            fail(ctx, "\n".join(lines))
        if occurrence is not None and occurrence > len(found):
            fail(ctx, f"--occurrence {occurrence}: quote {quote!r} occurs {len(found)} time(s) in {shown(doc)}")
        start = found[(occurrence or 1) - 1]
        end = start + len(quote)
    store = open_store(paths, coder)
    differs = copy_warning(store, doc, document.sha256)
    if differs:
        say(f"reader: warning: {shown(differs)}", err=True)
    ann = _store_call(ctx, lambda: store.add(doc, text, document.sha256, start, end, tags, note))
    say(f"{ann.id}\t{shown(doc)}\t{ann.start}:{ann.end}\t{shown(', '.join(ann.tags))}")


@click.command("annotations")  # type: ignore[no-redef]  # the name, not the __future__ import
@click.option("--doc", "doc_id", help="Only this document.")
@click.option("--tag", "tag_name", help="Only annotations with this tag (or a tag below it).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per annotation, per line.")
@click.option(
    "--conflicts",
    "conflicts",
    is_flag=True,
    help="Only the annotations a git merge found changed differently on two sides, with every version.",
)
@coders_filter_option
@skip_unreadable_option
@path_options
@click.pass_context
def annotations(
    ctx, doc_id, tag_name, as_json, coders, skip_unreadable, corpus_dir, annotations_dir, index_dir, conflicts=False
):
    """List annotations, re-anchored against each document's current text.

    Status: anchored (in place), moved (found elsewhere), fuzzy (approximate match: check it),
    orphan (not found: kept, start/end null). With --json: one object per line. An annotation
    file that cannot be read fails the command (exit 3) unless --skip-unreadable: then a line
    per such file says it is left out (with --json: {"left_out": path, "doc", "reason"}).
    """
    from reader.anchoring import Anchored, report, status_label

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    store = open_store(paths)
    left_out = [
        p for p in require_complete(ctx, store, skip_unreadable, [doc_id] if doc_id else None) if p.doc is not None
    ]
    if conflicts:
        from reader.cli.teams import print_conflicts

        print_conflicts(store, doc_id, as_json)
        return
    store = for_coders(store, coders)
    docs = [doc_id] if doc_id else store.documents()
    results: list[Anchored] = []
    gone: set[str] = set()  # documents whose file is gone (their annotations are orphans)
    covered: dict[str, str] = {}  # what each placed annotation's span covers in the text now
    for doc in docs:
        wanted = store.annotations(doc, tag_name)
        if not wanted:
            continue
        ids = {a.id for a in wanted}
        document = _try_load(paths, doc)
        if document is None:  # the document is gone: every annotation is an orphan
            results.extend(Anchored(a, "orphan", None, 0.0) for a in wanted)
            gone.add(doc)
            continue
        placed = [r for r in store.resolve(doc, document.text, document.sha256) if r.annotation.id in ids]
        covered.update((r.annotation.id, document.text[r.span.start : r.span.end]) for r in placed if r.span)
        results.extend(placed)
    for r in results:
        a = r.annotation
        row = {
            "id": a.id,
            "doc": a.doc,
            "start": r.span.start if r.span else None,
            "end": r.span.end if r.span else None,
            "quote": a.quote.exact,
            # what the span covers now: the quote itself unless the text changed under it
            "text": covered.get(a.id),
            "tags": list(a.tags),
            "note": a.note,
            "status": r.status,
            "creator": a.creator,
            "created": a.created,
            "modified": a.modified,
        }
        if as_json:
            say_json(row)
        else:
            where = f"{r.span.start}:{r.span.end}" if r.span else "-"
            status = status_label(r.status, a.doc in gone)
            now = row["text"]
            quoted = f"“{shown(_one_line(now if now is not None else a.quote.exact))}”"
            if now is not None and now != a.quote.exact:  # fuzzy: the text now, then as tagged
                quoted += f" (tagged: “{shown(_one_line(a.quote.exact))}”)"
            line = f"{shown(a.doc)}\t{where}\t{status}\t{shown(', '.join(a.tags))}\t{quoted}"
            say(line + (f"\t{shown(a.note)}" if a.note else ""))
    say_left_out(left_out, as_json)
    if not as_json:
        say(report(results))


def _one_line(quote: str) -> str:
    """A quote on one line of at most 60 characters."""
    quote = re.sub(r"\s+", " ", quote)
    return quote if len(quote) <= 60 else quote[:59] + "…"


@click.command("tags")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per tag, per line.")
@coders_filter_option
@skip_unreadable_option
@path_options
@click.pass_context
def tags(ctx, as_json, coders, skip_unreadable, corpus_dir, annotations_dir, index_dir):
    """The codebook: every tag with its colour, description and how many annotations carry it.

    An unreadable annotation file (counts would be short) or codebook fails the command (exit 3)
    unless --skip-unreadable: then a line per such file says it is left out."""
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    store = open_store(paths)
    left_out = require_complete(ctx, store, skip_unreadable)
    counts = for_coders(store, coders).tag_counts()
    for t in store.tags():
        row = {"name": t.name, "color": t.color, "description": t.description, "count": counts.get(t.name, 0)}
        if as_json:
            say_json(row)
        else:
            say(
                f"{row['count']:>6}  {shown(t.name)}  {shown(t.color)}"
                + (f"  {shown(t.description)}" if t.description else "")
            )
    say_left_out(left_out, as_json)


@click.command("meta")
@click.argument("doc")
@click.option("--title", help="Override the title (\"\" removes the override).")
@click.option("--date", help="Override the date (\"\" removes the override).")
@click.option("--source", help="Override the source (\"\" removes the override).")
@click.option(
    "--set",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set an attribute, e.g. outlet=Newsweek (KEY= removes it). Repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@path_options
@click.pass_context
def meta(ctx, doc, title, date, source, pairs, as_json, corpus_dir, annotations_dir, index_dir):
    """Show or override a document's title, date, source and free attributes."""
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    document = load_document(ctx, paths, doc)
    attrs: dict[str, str | None] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(ctx, f"--set {pair!r}: expected KEY=VALUE")
        if key.strip() in ("title", "date", "source"):
            fail(ctx, f"--set {key.strip()}: use --{key.strip()}")
        attrs[key.strip()] = value if value != "" else None
    store = open_store(paths)
    overrides = {
        name: (value if value != "" else None)
        for name, value in (("title", title), ("date", date), ("source", source))
        if value is not None
    }
    if overrides or attrs:
        current = _store_call(ctx, lambda: store.set_attributes(doc, **overrides, **attrs))
    else:
        current = store.attributes(doc)
    own = document.meta
    row = {
        "doc": doc,
        "title": current.title if current.title is not None else own.title,
        "date": current.date if current.date is not None else own.date,
        "source": current.source if current.source is not None else own.source,
        "overridden": sorted(k for k in ("title", "date", "source") if getattr(current, k) is not None),
        "attributes": current.attributes,
    }
    if own.duration:  # what the format states and no one overrides: a transcript's length
        row["duration"] = own.duration
    if own.ocr_pages:  # pages without a text layer, read by Tesseract
        row["ocr_pages"] = list(own.ocr_pages)
    if as_json:
        say_json(row, sort_keys=True)
        return
    for key in ("title", "date", "source"):
        mark = " (override)" if key in row["overridden"] else ""
        say(f"{key}: {shown(row[key]) if row[key] is not None else '-'}{mark}")
    if own.duration:
        say(f"duration: {own.duration}")
    if own.ocr_pages:
        say(f"OCR (Tesseract): {shown('p. ' + ', '.join(own.ocr_pages))}")
    for key, value in current.attributes.items():
        say(f"{shown(key)}: {shown(value)}")


COMMANDS = [tag, annotations, tags, meta]
