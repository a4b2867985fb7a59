"""The analytic views as commands: `kwic`, `matrix`, `cooccur`, `freq`, `timeline`.

Registered into the main group by `reader/cli/root.py` (`COMMANDS`). Each takes the usual
`--corpus/--annotations/--index` options and prints a Rich table (or bar chart) for people,
`--json` or `--csv` for scripts. Corpus text, titles and tag names only ever reach the terminal
as `rich.text.Text` built from `output.shown` strings: never as markup, never raw.

`--json` prints JSON Lines (one object per record) except for `matrix`, whose table with its
totals is one JSON object. `--csv` prints a header row then the records: exact when redirected,
each cell sanitised when stdout is a terminal (see `reader.cli.output`).
Exit status: 0 success, 1 `kwic` found nothing, 2 a usage error or a query that cannot run, 3 the
index cannot be used or read (`kwic` and `freq` rebuild a damaged one and read it again:
reader/cli/indexing.py) or a view would leave out unreadable annotation files.
"""

from __future__ import annotations

import click

from reader.cli.common import (
    coders_filter_option,
    fail,
    open_index,
    open_store,
    path_options,
    paths_from,
    require_complete,
    say_left_out,
    skip_unreadable_option,
    stdout_console,
)
from reader.cli.output import csv_rows, say, say_json, shown


BAR_WIDTH = 40


def _output_options(func):
    func = click.option("--csv", "as_csv", is_flag=True, help="Comma-separated values, with a header.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="JSON (one object per line).")(func)
    return func


def _check_output(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        fail(ctx, "choose one of --json and --csv")


def _store(ctx: click.Context, paths, skip: bool, coders=()):
    """The store (as `coders` see it, when named), and what its unreadable files leave out of a
    view (exit 3 unless `skip`)."""
    from reader.coder_view import for_coders

    store = open_store(paths)
    return for_coders(store, coders), require_complete(ctx, store, skip)


def _index(paths):

    return open_index(paths)[0]


def _text(value, style: str = ""):
    from rich.text import Text

    return Text(shown(value), style=style)


def _jsonl(rows) -> None:
    for row in rows:
        say_json(row)


def _table(*columns: str, **kwargs):
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, **kwargs)
    for name in columns:
        table.add_column(_text(name))
    return table


# --- kwic ----------------------------------------------------------------------------------------


@click.command("kwic")
@click.argument("query")
@click.option(
    "--width", default=40, show_default=True, type=click.IntRange(0, 1000), help="Characters of context either side."
)
@click.option(
    "--sort",
    "sort",
    type=click.Choice(["doc", "left", "right"]),
    default="doc",
    show_default=True,
    help="By document and position, or by the word left/right of the match.",
)
@_output_options
@path_options
@click.pass_context
def kwic(ctx, query, width, sort, as_json, as_csv, corpus_dir, annotations_dir, index_dir):
    """Concordance: every match of QUERY as one line, left context | match | right context.

    QUERY uses the search syntax (AND OR NOT "phrases" field:term * ~). Exits 1 when nothing
    matches.
    """
    from index.search import QueryError
    from reader.analytics.kwic import concordance_stream, sort_lines
    from reader.cli.indexing import search_repairing

    _check_output(ctx, as_json, as_csv)
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    ix = _index(paths)

    def read():  # the whole stream, before anything is printed: a retry starts afresh
        stream = concordance_stream(ix, query, width)
        return stream, [line for doc in stream for line in doc]

    try:
        stream, found = search_repairing(ix, paths, read)
    except QueryError as exc:
        fail(ctx, f"invalid query: {exc}")
    lines = sort_lines(found, sort)
    for note in stream.notes:
        say(f"note: {note}", err=True)
    if not lines:
        say("No matches.", err=True)
        ctx.exit(1)
    fields = ("doc_id", "title", "start", "end", "left", "match", "right")
    if as_json:
        _jsonl(
            {
                "doc": l.doc_id,
                "title": l.title,
                "start": l.start,
                "end": l.end,
                "left": l.left,
                "match": l.match,
                "right": l.right,
                "exact": l.exact,
                "variant_of": list(l.variant_of),
            }
            for l in lines
        )
        return
    if as_csv:
        csv_rows(["doc", *fields[1:]], ([getattr(l, f) for f in fields] for l in lines))
        return
    console = stdout_console()
    doc_width = min(24, max(len(f"{l.doc_id}:{l.start}") for l in lines))
    match_width = max(5, min(30, max(len(l.match) for l in lines)))
    side = max(4, (console.width - doc_width - match_width - 12) // 2)
    table = _table(
        "document",
        "left",
        "match",
        "right",
        title=_text(f"{len(lines)} matches in {len({l.doc_id for l in lines})} documents"),
    )
    for column, size in zip(table.columns, (doc_width, side, match_width, side)):
        column.width = size
        column.no_wrap = True
        column.overflow = "ellipsis"
    table.columns[1].justify = "right"
    for l in lines:
        where = f"{l.doc_id}:{l.start}"
        if len(where) > doc_width:
            where = "…" + where[-(doc_width - 1) :]  # keep the distinctive end and the offset
        table.add_row(_text(where, "dim"), _text(l.left[-side:]), _text(l.match, "bold reverse"), _text(l.right[:side]))
    console.print(table)


# --- matrix --------------------------------------------------------------------------------------


@click.command("matrix")
@click.option(
    "--by",
    "by",
    type=click.Choice(["doc", "attribute", "coder"]),
    default="doc",
    show_default=True,
    help="Rows: documents, the values of attribute NAME (source, date, title, outlet...), or coders.",
)
@click.argument("name", required=False)
@click.option(
    "--measure",
    type=click.Choice(["passages", "characters"]),
    default="passages",
    show_default=True,
    help="Count tagged passages, or the characters they cover.",
)
@_output_options
@coders_filter_option
@skip_unreadable_option
@path_options
@click.pass_context
def matrix(ctx, by, name, measure, as_json, as_csv, coders, skip_unreadable, corpus_dir, annotations_dir, index_dir):
    """Code matrix: documents (or `--by attribute NAME`) by tags, with totals.

    A passage with two tags counts in both columns; row, column and grand totals count each
    passage once (or each covered character once).
    """
    from reader.analytics.matrix import code_matrix

    _check_output(ctx, as_json, as_csv)
    if by == "attribute" and not name:
        fail(ctx, "--by attribute needs a NAME, e.g. --by attribute source")
    if by in ("doc", "coder") and name:
        fail(ctx, f"unexpected argument {name!r} (did you mean --by attribute {name}?)")
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    store, left_out = _store(ctx, paths, skip_unreadable, coders)
    grouping = ("attribute", name) if by == "attribute" else by
    m = code_matrix(store, _index(paths).documents(), grouping, measure)
    if as_json:
        say_json(
            {
                "by": m.by,
                "measure": m.measure,
                "columns": list(m.columns),
                "rows": [
                    {
                        "row": r,
                        "label": m.row_labels.get(r, r),
                        "cells": {t: m.cell(r, t) for t in m.columns if m.cell(r, t)},
                        "total": m.row_totals[r],
                    }
                    for r in m.rows
                ],
                "column_totals": m.column_totals,
                "grand_total": m.grand_total,
            }
        )
        return
    if as_csv:
        csv_rows(
            [m.by, *m.columns, "total"],
            [
                *([r, *(m.cell(r, t) for t in m.columns), m.row_totals[r]] for r in m.rows),
                ["total", *(m.column_totals[t] for t in m.columns), m.grand_total],
            ],
        )
        return
    if not m.rows:
        say("No annotations yet.", err=True)
        say_left_out(left_out)
        return
    table = _table(m.by, *m.columns, "total", show_footer=True, title=_text(f"{m.measure} by {m.by} and tag"))
    for column in table.columns[1:]:
        column.justify = "right"
    table.columns[0].footer = _text("total", "bold")
    for i, t in enumerate(m.columns, 1):
        table.columns[i].footer = _text(m.column_totals[t], "bold")
    table.columns[-1].footer = _text(m.grand_total, "bold")
    for r in m.rows:
        table.add_row(
            _text(r),
            *(_text(m.cell(r, t) or "·", "" if m.cell(r, t) else "dim") for t in m.columns),
            _text(m.row_totals[r], "bold"),
        )
    stdout_console().print(table)
    say_left_out(left_out)


# --- cooccur -------------------------------------------------------------------------------------


@click.command("cooccur")
@click.option(
    "--mode",
    type=click.Choice(["overlap", "paragraph"]),
    default="overlap",
    show_default=True,
    help="Tags on overlapping passages, or in the same paragraph.",
)
@_output_options
@coders_filter_option
@skip_unreadable_option
@path_options
@click.pass_context
def cooccur(ctx, mode, as_json, as_csv, coders, skip_unreadable, corpus_dir, annotations_dir, index_dir):
    """Pairs of tags that co-occur, most frequent first."""
    from index.corpus import CorpusError
    from reader.analytics.cooccur import final_cooccurrence

    _check_output(ctx, as_json, as_csv)
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    store, left_out = _store(ctx, paths, skip_unreadable, coders)
    try:
        corpus = paths.open_corpus() if mode == "paragraph" else None
    except CorpusError as exc:
        fail(ctx, shown(exc))
    last = final_cooccurrence(store, corpus, mode)
    for doc in last.unreadable:
        say(f"reader: warning: {shown(doc)} could not be read; left out", err=True)
    pairs = last.pairs
    if as_json:
        _jsonl(
            {
                "tag_a": p.tag_a,
                "tag_b": p.tag_b,
                "count": p.count,
                "occurrences": [
                    {"doc": o.doc_id, "start": o.start, "end": o.end, "annotations": list(o.annotation_ids)}
                    for o in p.occurrences
                ],
            }
            for p in pairs
        )
        return
    if as_csv:
        csv_rows(
            ["tag_a", "tag_b", "count", "documents"],
            ([p.tag_a, p.tag_b, p.count, len({o.doc_id for o in p.occurrences})] for p in pairs),
        )
        return
    if not pairs:
        say("No tags co-occur.", err=True)
        say_left_out(left_out)
        return
    table = _table(
        "tag",
        "tag",
        "count",
        "documents",
        title=_text("overlapping passages" if mode == "overlap" else "same paragraph"),
    )
    table.columns[2].justify = table.columns[3].justify = "right"
    for p in pairs:
        table.add_row(
            _text(p.tag_a), _text(p.tag_b), _text(p.count, "bold"), _text(len({o.doc_id for o in p.occurrences}))
        )
    stdout_console().print(table)
    say_left_out(left_out)


# --- freq ----------------------------------------------------------------------------------------


def _bars(title: str, rows: list[tuple[str, int]]) -> None:
    table = _table("", "count", "", title=_text(title))
    table.columns[1].justify = "right"
    top = max((n for _, n in rows), default=0) or 1
    for label, n in rows:
        cells = n * BAR_WIDTH / top
        bar = "█" * int(cells) + ("▌" if cells - int(cells) >= 0.5 else "")
        table.add_row(_text(label), _text(n), _text(bar or "▏", "cyan"))
    stdout_console().print(table)


@click.command("freq")
@click.option("--tag", "tag_name", help="Words of the passages under this tag (and tags below it).")
@click.option("--tags", "of_tags", is_flag=True, help="Count passages per tag instead of words.")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(1, 100_000), help="How many terms.")
@_output_options
@skip_unreadable_option
@path_options
@click.pass_context
def freq(ctx, tag_name, of_tags, limit, as_json, as_csv, skip_unreadable, corpus_dir, annotations_dir, index_dir):
    """Most frequent words of the corpus (or of the passages under --tag), stop words left out.

    With --tags: how many passages carry each tag. Words are grouped by stem (`force`, `forces`)
    and shown as the corpus writes them.
    """
    from reader.analytics.frequencies import passage_terms, tag_counts, term_frequencies

    _check_output(ctx, as_json, as_csv)
    if of_tags and tag_name:
        fail(ctx, "choose one of --tag and --tags")
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    store, left_out = _store(ctx, paths, skip_unreadable) if (of_tags or tag_name) else (None, [])
    if of_tags:
        counts = tag_counts(store)[:limit]
        if as_json:
            _jsonl({"tag": c.tag, "count": c.count, "documents": c.documents} for c in counts)
        elif as_csv:
            csv_rows(["tag", "count", "documents"], ([c.tag, c.count, c.documents] for c in counts))
        else:
            _bars("passages per tag", [(c.tag, c.count) for c in counts])
            say_left_out(left_out)
        return
    if tag_name:
        terms = passage_terms(store, tag_name, limit)
        if not terms:
            say(f"No passages under tag {tag_name!r}.", err=True)
    else:
        from reader.cli.indexing import search_repairing

        ix = _index(paths)
        terms = search_repairing(ix, paths, lambda: term_frequencies(ix, limit=limit))
    if as_json:
        _jsonl({"term": t.term, "count": t.count} for t in terms)
    elif as_csv:
        csv_rows(["term", "count"], ([t.term, t.count] for t in terms))
    elif terms:
        _bars(
            f"most frequent words under {tag_name}" if tag_name else "most frequent words",
            [(t.term, t.count) for t in terms],
        )
        say_left_out(left_out)


# --- timeline ------------------------------------------------------------------------------------


@click.command("timeline")
@click.option(
    "--by",
    "granularity",
    type=click.Choice(["day", "month", "year"]),
    default="day",
    show_default=True,
    help="Group dates by day, month or year.",
)
@_output_options
@skip_unreadable_option
@path_options
@click.pass_context
def timeline(ctx, granularity, as_json, as_csv, skip_unreadable, corpus_dir, annotations_dir, index_dir):
    """Documents by date (the date override, else the date the text states), oldest first."""
    from reader.analytics.frequencies import timeline as compute_timeline

    _check_output(ctx, as_json, as_csv)
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    store, left_out = _store(ctx, paths, skip_unreadable)
    meta = _index(paths).documents()
    entries = compute_timeline(meta, store, granularity)
    dated = sum(len(e.doc_ids) for e in entries)
    if dated < len(meta):
        say(
            f"{len(meta) - dated} of {len(meta)} documents have no date"
            + (f" precise to the {granularity}" if granularity != "year" else ""),
            err=True,
        )
    if as_json:
        _jsonl({"date": e.date, "count": len(e.doc_ids), "docs": list(e.doc_ids)} for e in entries)
    elif as_csv:
        csv_rows(["date", "count", "docs"], ([e.date, len(e.doc_ids), " ".join(e.doc_ids)] for e in entries))
    elif entries:
        _bars(f"documents per {granularity}", [(e.date, len(e.doc_ids)) for e in entries])
        say_left_out(left_out)


COMMANDS = [kwic, matrix, cooccur, freq, timeline]
