"""Side-by-side reading from scripts: `compare` (align two documents) and `similar` (passages
like one passage, elsewhere in the corpus). Registered by `reader/cli/root.py` through `COMMANDS`.

Exit status: 0 success, 1 `similar` found nothing, 2 bad input (unknown document, bad span), 3
the index cannot be used or read (`similar` rebuilds a damaged one and reads it again).
Offsets are code points into each document's text, end exclusive, as everywhere in reader.
"""

from __future__ import annotations

import re

import click

from reader.cli.common import fail, load_document, open_index, path_options, paths_from
from reader.cli.output import say, say_json, shown


HEAD_CHARS = 48


def _head(text: str, start: int, end: int, width: int = HEAD_CHARS) -> str:
    """The first words of a passage on one line, cut to `width` characters."""
    flat = re.sub(r"\s+", " ", text[start : min(end, start + width * 2)]).strip()
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@click.command("compare")
@click.argument("doc_a")
@click.argument("doc_b")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per pair, per line.")
@path_options
@click.pass_context
def compare(ctx, doc_a, doc_b, as_json, corpus_dir, annotations_dir, index_dir):
    """Align DOC_A with DOC_B passage by passage and print the pairs in reading order.

    A passage is a paragraph, or a sentence where paragraphs do not correspond. A passage with
    no counterpart (boilerplate, an added section) is printed with "-" on the other side;
    "~" marks a pair found out of order. With --json, each line has a_start, a_end, b_start,
    b_end (null on the side of an unpaired passage), score (0-1), kind and in_order.
    """
    from reader.align import align

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    a = load_document(ctx, paths, doc_a)
    b = load_document(ctx, paths, doc_b)
    alignment = align(a, b)
    if as_json:
        for p in alignment.pairs:
            say_json(
                {
                    "a_start": p.a.start if p.a else None,
                    "a_end": p.a.end if p.a else None,
                    "b_start": p.b.start if p.b else None,
                    "b_end": p.b.end if p.b else None,
                    "score": round(p.score, 4),
                    "kind": p.kind,
                    "in_order": p.in_order,
                }
            )
        return
    width = HEAD_CHARS
    say(f"{'A':<{width + 14}}  {'B':<{width + 14}}  score")
    for p in alignment.pairs:
        left = f"{p.a.start:>5}:{p.a.end:<6} {_head(a.text, p.a.start, p.a.end)}" if p.a else "-"
        right = f"{p.b.start:>5}:{p.b.end:<6} {_head(b.text, p.b.start, p.b.end)}" if p.b else "-"
        mark = "" if p.in_order else " ~"
        kind = "" if p.kind == "paragraph" else " (sentence)"
        score = f"{p.score:.2f}{mark}{kind}" if p.a and p.b else ""
        say(f"{shown(left):<{width + 14}}  {shown(right):<{width + 14}}  {score}")
    paired = alignment.paired
    only_a = sum(1 for p in alignment.pairs if p.b is None)
    only_b = sum(1 for p in alignment.pairs if p.a is None)
    moved = sum(1 for p in paired if not p.in_order)
    say(
        f"{len(paired)} pairs ({moved} out of order), {only_a} passages only in A, "
        f"{only_b} only in B; aligned in {alignment.seconds * 1000:.0f} ms"
    )


@click.command("similar")
@click.argument("doc")
@click.option(
    "--span",
    "span",
    required=True,
    metavar="START:END",
    help="The passage: code-point offsets into DOC, end exclusive.",
)
@click.option(
    "--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="How many passages to print."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per passage, per line.")
@path_options
@click.pass_context
def similar(ctx, doc, span, limit, as_json, corpus_dir, annotations_dir, index_dir):
    """Passages of other documents most like DOC's passage START:END (the same claim reported
    elsewhere), best first. Exits 1 when none is similar enough.
    """
    from index.corpus import UnreadableDocument
    from index.document import Span
    from reader.align import similar_passages
    from reader.cli.indexing import search_repairing

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    document = load_document(ctx, paths, doc)
    m = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", span)
    if not m:
        fail(ctx, f"--span {span!r}: expected START:END, e.g. 10:42")
    start, end = int(m.group(1)), int(m.group(2))
    if not 0 <= start < end <= len(document.text):
        fail(
            ctx,
            f"--span {start}:{end} is out of range: {shown(doc)} has {len(document.text)} "
            "characters (offsets are code points, end exclusive, start < end)",
        )
    ix, _ = open_index(paths)
    try:
        found = search_repairing(
            ix, paths, lambda: similar_passages(ix, doc, Span(start, end), limit=limit), passes=(UnreadableDocument,)
        )
    except UnreadableDocument as exc:
        fail(ctx, f"unknown or unreadable document {doc!r}: {shown(exc.reason)}")
    texts: dict[str, str] = {}
    for s in found:
        if s.doc_id not in texts:
            texts[s.doc_id] = ix.load(s.doc_id).text
        text = texts[s.doc_id]
        if as_json:
            say_json(
                {
                    "doc": s.doc_id,
                    "start": s.span.start,
                    "end": s.span.end,
                    "score": round(s.score, 4),
                    "text": _head(text, s.span.start, s.span.end, 200),
                }
            )
        else:
            say(
                shown(
                    f"{s.score:.2f}  {s.doc_id}  {s.span.start}:{s.span.end}  "
                    f"{_head(text, s.span.start, s.span.end, 80)}"
                )
            )
    if not found:
        say("No similar passages.", err=True)
        ctx.exit(1)


COMMANDS = [compare, similar]
