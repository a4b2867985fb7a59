"""Opening the index for a command: up to date, never silently slow, never a traceback.

Every command that reads the index first brings it up to date, which on a new, changed, damaged
or interrupted index means reading the corpus (seconds to minutes). So the user is told: a line on
stderr saying what is being indexed and why (unless it is a small first build, which takes a
fraction of a second), and on a terminal the progress bar `reader index`
shows. Waiting for another process's update, or taking over the lock of a build that died, is
said as it happens. An index folder that cannot be written (read-only, not a folder) ends the
command with a sentence and exit status INDEX_FAILURE, not an OSError traceback.

A command that fails while reading the index (a damaged segment Whoosh cannot decode) finds a
damaged index too: it is said, the index is rebuilt, and the reading runs once more. If that fails
as well, rebuilding cannot help (a bug, or a corpus the index cannot take): the command ends with
a sentence saying so and what to do, exit status INDEX_FAILURE, the traceback in the log file.
Every command that reads the Whoosh index does so through `search_repairing`: `search`, `kwic`,
`similar`, `freq` (the corpus's words) and `export --query`. (`matrix` and `timeline` read only
the manifest, which is checked when the index is opened.) The reading given to it must be whole,
nothing printed yet: a lazy result is collected inside it, so a retry never repeats output.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import click

from reader.cli.common import EXIT_STORE, stderr_console
from reader.paths import Paths

ANNOUNCE_MIN_DOCS = 200
"""A first build of fewer documents is not announced (a fraction of a second); a rebuild for any
other reason (damaged, old schema, another corpus) always is."""

INDEX_FAILURE = EXIT_STORE
"""Exit status when the index cannot be written or read at all: an I/O failure, as for the store."""

T = TypeVar("T")


class IndexUnavailable(click.ClickException):
    """The index folder cannot be used (or searched, even rebuilt); printed as one `reader: ...`
    sentence, sanitised: it may quote a path or an error's text."""

    exit_code = INDEX_FAILURE

    def show(self, file=None) -> None:
        from reader.safe_text import sanitize

        click.echo(f"reader: {sanitize(self.message)}", err=True)


REBUILD_ASKED = "asked for with --rebuild"
REBUILD_HINT = (
    "this index was made by an earlier version: `reader index --rebuild` builds it again, "
    "and phrases of common words then search several times faster"
)


def open_index(paths: Paths, quiet: bool = True, rebuild: bool = False):
    """The corpus index, brought up to date first (cheap when nothing changed).

    `quiet=False` (`reader index`, which prints its own summary) shows only the progress bar;
    otherwise a line on stderr also says why a command is indexing before it can answer.
    `rebuild` (`reader index --rebuild`) discards the index and builds it afresh: how an index
    written by an older version gets what only a new build writes (the position arrays of
    index/position_arrays.py, which make phrases of common words fast).
    """
    from index.indexer import CorpusIndex

    ix = CorpusIndex(paths.corpus, paths.index)

    def build(progress, notice):
        if rebuild:
            return ix.rebuild(REBUILD_ASKED, progress=progress, notice=notice)
        return ix.update(progress=progress, notice=notice)

    report = _guarded(paths, build, ix, announce=quiet)
    return ix, report


def search_repairing(ix, paths: Paths, run: Callable[[], T], passes: tuple[type[Exception], ...] = ()) -> T:
    """`run()` (a reading of `ix`: a search, a concordance...); when reading the index fails,
    rebuild it, say so, run again. `run` must print nothing: it may run twice.

    Query errors are the user's and pass through, as do the `passes` exceptions (the caller's
    own failures, not the index's: `similar` on a document it cannot read). A
    second failure after the rebuild is not damage a rebuild can mend: it is logged with its
    traceback and raised as IndexUnavailable, a sentence that says so and what the user can do,
    never a traceback on the terminal.
    """
    from index.checking import describe
    from index.search import QueryError, close_searcher
    from reader.safe_text import sanitize

    passing: tuple[type[Exception], ...] = (QueryError, *passes)
    try:
        return run()
    except passing:
        raise
    except Exception as exc:  # Whoosh raises many kinds on damaged files
        reason = ix.damage_reason(exc)
        click.echo(f"reader: searching failed: {sanitize(reason)}; rebuilding the index", err=True)
        close_searcher(ix)
        _guarded(
            paths, lambda progress, notice: ix.rebuild(reason, progress=progress, notice=notice), ix, announce=False
        )
    try:
        return run()
    except passing:
        raise
    except Exception as exc:
        raise IndexUnavailable(_failed_again(paths, exc, describe(exc))) from None


def _failed_again(paths: Paths, exc: Exception, reason: str) -> str:
    """The sentence for a search that failed again on a freshly rebuilt index (`exc` is logged)."""
    from reader.logs import log_failure
    from reader.wording import search_failed_again

    return search_failed_again(reason, paths.index, log_failure("a search after rebuilding the index", exc, name="cli"))


def _guarded(paths: Paths, update, ix, announce: bool):
    """Run `update(progress, notice)` with the bar and notices; OSError becomes a sentence."""
    try:
        return _with_progress(update, ix, announce)
    except OSError as exc:
        what = exc.strerror or type(exc).__name__
        raise IndexUnavailable(
            f"cannot use the index folder {paths.index}: {what}. Choose a writable folder with --index or READER_INDEX."
        ) from None


def _with_progress(update, ix, announce: bool):
    """Run the update, saying what happens: notices, why it indexes, the bar on a terminal."""
    from index.formats.progress import page_progress
    from reader.safe_text import sanitize

    def run(say, show) -> object:
        told = False

        def progress(done: int, total: int, doc_id: str) -> None:
            nonlocal told
            from index.indexer import FIRST_BUILD

            if announce and not told:
                told = True
                why = ix.updating_reason()
                if total >= ANNOUNCE_MIN_DOCS or why not in (None, FIRST_BUILD):
                    say(f"indexing {total:,} document(s) first" + (f" ({why})" if why else ""))
            show(done, total, "")

        def pages(doc_id: str, done: int, total: int) -> None:  # a long PDF, page by page
            show(None, None, f"{doc_id}: page {done:,} of {total:,}")

        with page_progress(pages):
            return update(progress, say)

    if not sys.stderr.isatty():
        return run(
            lambda message: click.echo(f"reader: {sanitize(message)}", err=True), lambda done, total, pages: None
        )

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    def show(done: int | None, total: int | None, pages: str) -> None:
        if done is not None:
            bar.update(task, completed=done, total=total)
        bar.update(task, pages=sanitize(pages))

    with Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[pages]}", markup=False),
        transient=True,
        console=stderr_console(),
    ) as bar:
        task = bar.add_task("index", total=None, pages="")
        return run(  # printed above the bar, which stays at the bottom
            lambda message: bar.console.print(f"reader: {sanitize(message)}", markup=False),
            show,
        )
