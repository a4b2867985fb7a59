"""`reader export` and `reader import`: tagged snippets out to other tools, and back.

Registered into the main group by `reader/cli/root.py` (`COMMANDS`); both take the usual
`--corpus/--annotations/--index` options. Exit status: 0 success, 2 bad input (unknown format,
unwritable path, invalid query, unreadable import file, conflicts not resolved), 3 the store
refused or failed, or (export) some annotation files cannot be read and --skip-unreadable was
not given, or the index a --query searches cannot be used or read (a damaged one is rebuilt and
searched again first); 1 an import cancelled at its prompt. An export over unresolved merge conflicts
(reader/store/conflicts.py) writes each annotation's kept version, as the app shows it, and says
so on stderr; its status stays 0, as it was before conflicts could be resolved.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path

import click

from reader.cli.common import (
    EXIT_STORE,
    coder_option,
    coders_filter_option,
    fail,
    open_index,
    open_store,
    path_options,
    paths_from,
    require_complete,
    resolve_coder_or_fail,
    skip_unreadable_option,
)
from reader.cli.output import say, shown, write_export
from reader.export import FORMATS
from reader.export.spreadsheet import PROTECT_MODES


@click.command("export")
@click.option(
    "--format",
    "-f",
    "fmt",
    required=True,
    type=click.Choice(list(FORMATS)),
    help="md, csv, jsonl, html, w3c (JSON-LD) or qdpx (REFI-QDA).",
)
@click.option("--tag", "tags", multiple=True, help="Only annotations with this tag or one below it (repeatable: any).")
@click.option("--doc", "docs", multiple=True, help="Only this document (repeatable: any).")
@click.option("--query", default=None, help="Only documents matching this search query.")
@click.option(
    "--by",
    type=click.Choice(["tag", "doc"]),
    default="tag",
    show_default=True,
    help="Group md and html output by tag or by document.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: stdout; qdpx needs a file).",
)
@click.option(
    "--csv-protect",
    type=click.Choice(list(PROTECT_MODES)),
    default="formulas",
    show_default=True,
    help="CSV: put ' before cells a spreadsheet would evaluate (formulas), before every cell "
    "starting with = + - @ tab CR (all), or keep every cell exact (none).",
)
@click.option(
    "--bom/--no-bom",
    default=None,
    help="CSV: start with a UTF-8 byte-order mark so spreadsheets and QDA tools read UTF-8 "
    "[default: yes into a file, no into a pipe or terminal].",
)
@coders_filter_option
@skip_unreadable_option
@path_options
@click.pass_context
def export(
    ctx,
    fmt,
    tags,
    docs,
    query,
    by,
    output,
    csv_protect,
    bom,
    coders,
    skip_unreadable,
    corpus_dir,
    annotations_dir,
    index_dir,
):
    """Export tagged snippets. Filters combine: --tag, --doc and --query all apply.

    Prints the written path and the count on stderr.
    """
    from reader.export import ExportError, Filters
    from reader.export import export as run_export
    from reader.export.spreadsheet import CsvOptions
    from reader.store import StoreError

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    if fmt == "qdpx" and output is None:
        raise click.UsageError("--format qdpx writes a zip archive: give a file with -o FILE.qdpx")
    store = open_store(paths)
    left_out = require_complete(ctx, store, skip_unreadable, docs or None)
    unresolved = sum(n for doc, n in store.conflict_counts().items() if not docs or doc in docs)
    from reader.coder_view import for_coders

    store = for_coders(store, coders)
    filters = Filters(tags=tags, docs=docs, query=query)
    if bom is None:
        bom = output is not None or _stdout_is_file()
    index, guard = _query_index(paths) if filters.query else (None, None)
    try:
        result = run_export(
            fmt,
            filters,
            paths=paths,
            store=store,
            index=index,
            output=output,
            by=by,
            csv=CsvOptions(protect=csv_protect, bom=bom),
            guard=guard,
        )
    except ExportError as exc:
        fail(ctx, shown(exc))
    except StoreError as exc:
        fail(ctx, shown(exc), code=EXIT_STORE)
    if output is None:
        write_export(result.data)  # exact when redirected, sanitised on a terminal
    for line in result.skipped:
        say(f"reader: skipped {shown(line)}", err=True)
    where = shown(result.path) if result.path else "stdout"
    rows = f" in {result.rows} rows" if result.rows != result.count else ""
    incomplete = f"; incomplete: {len(left_out)} unreadable annotation file(s) left out" if left_out else ""
    say(f"{result.count - len(result.skipped)} annotation(s){rows} exported as {fmt} to {where}{incomplete}", err=True)
    if unresolved:
        say(
            f"reader: warning: {unresolved} unresolved merge conflict(s): each annotation's kept version was "
            "exported (see reader annotations --conflicts; reader resolve ID --version N)",
            err=True,
        )


def _query_index(paths):
    """The index a --query searches, opened as every command opens it (saying why it indexes
    first), and the guard its search runs through: a damaged index is rebuilt and searched again,
    and a second failure is a sentence and exit 3, as for `reader search`."""
    from reader.cli.indexing import search_repairing

    ix, _ = open_index(paths)
    return ix, lambda run: search_repairing(ix, paths, run)


def _stdout_is_file() -> bool:
    """Whether stdout is redirected into a regular file (`> out.csv`): a file someone will open,
    so it gets the BOM a file gets; a pipe or terminal (a script, a person) does not."""
    try:
        return stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--on-conflict",
    type=click.Choice(["ask", "skip", "add"]),
    default="ask",
    show_default=True,
    help="When the file tags a passage the store already tags differently: ask, skip "
    "those annotations, or add them as well.",
)
@coder_option
@path_options
@click.pass_context
def import_(ctx, file, on_conflict, coder, corpus_dir, annotations_dir, index_dir):
    """Import annotations from a REFI-QDA project (.qdpx) or W3C Web Annotation JSON-LD.

    Documents are matched by content, then by name; annotations already present are skipped.
    With conflicts and --on-conflict ask: prompts on a terminal, otherwise lists them, imports
    nothing and exits 2.
    """
    from index.corpus import CorpusError
    from reader.importer import ImportFileError, import_file
    from reader.store import StoreError

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    store = open_store(paths, resolve_coder_or_fail(ctx, coder))
    try:
        corpus = paths.open_corpus()
    except CorpusError as exc:
        fail(ctx, shown(exc))
    mode = None if on_conflict == "ask" else on_conflict
    try:
        report = import_file(file, store, corpus, on_conflict=mode)
        if not report.applied:
            for line in report.lines():
                say(shown(line), err=True)
            if not (sys.stdin.isatty() and sys.stderr.isatty()):
                fail(ctx, "conflicts: nothing imported; choose with --on-conflict skip|add")
            choice = click.prompt(
                "Import the others and skip the conflicting ones (skip), add them too (add), or cancel?",
                type=click.Choice(["skip", "add", "cancel"]),
                default="cancel",
                err=True,
            )
            if choice == "cancel":
                fail(ctx, "cancelled: nothing imported", code=1)
            report = import_file(file, store, corpus, on_conflict=choice)
    except ImportFileError as exc:
        fail(ctx, shown(exc))
    except StoreError as exc:
        fail(ctx, shown(exc), code=EXIT_STORE)
    for line in report.lines():
        say(shown(line), err=True)


COMMANDS = [export, import_]
