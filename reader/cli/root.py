"""The `reader` command line: open the app, index, search, tag and list from scripts.

Every command takes `--corpus`, `--annotations` and `--index` so scripts and tests control every
path. Exit status: 0 success, 1 a search found nothing, 2 a usage error or bad input, 3 the
annotation store failed or cannot be read in full (see `reader --help`). `reader PATH` (a folder
as the first argument) opens the app on that folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from reader import logs
from reader.cli.common import EXIT_STORE, GROUP_PATHS, fail, open_index, path_options, paths_from, stdout_console
from reader.cli.output import say, say_json, shown
from reader.paths import Paths, default_annotations, default_corpus, default_index, user_data_dir
from reader.wording import plural

PATH_RULES = """\b
Where things live:
  corpus       default: the bundled seeds ({corpus})
  annotations  the repository's annotations/ for its seeds; otherwise
               {data}/annotations/<corpus name>-<hash of its path>
               (now: {annotations})
  index        a disposable cache per corpus under the user cache folder
               (now: {index})
Environment variables READER_CORPUS, READER_ANNOTATIONS and READER_INDEX
set the same defaults.

Exit status:
  0  success
  1  a search found nothing
  2  a usage error or bad input (nothing was written)
  3  the annotation store failed (a corrupt or read-only file, a full or
     read-only disk), or a listing or export would leave out annotation
     files it cannot read (add --skip-unreadable to get the rest)"""


def _path_rules() -> str:
    corpus = default_corpus()
    return PATH_RULES.format(
        corpus=corpus,
        data=user_data_dir(),
        annotations=default_annotations(corpus),
        index=default_index(corpus),
    )


def _looks_like_path(arg: str) -> bool:
    """True for an argument meant as a folder rather than a command (`/data`, `./x`, `~/y`)."""
    return "/" in arg or os.sep in arg or arg.startswith((".", "~"))


class ReaderGroup(click.Group):
    """A group whose first argument may be a corpus folder instead of a command: `reader PATH`."""

    def get_command(self, ctx: click.Context, cmd_name: str):
        _register_commands(cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register_commands()
        return super().list_commands(ctx)

    def _is_command(self, name: str) -> bool:
        if name in self.commands or name in COMMAND_HOMES:
            return True
        _register_commands()
        return name in self.commands

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and not self._is_command(args[0]):
            target = Path(args[0])
            if target.is_dir():
                args = ["--corpus", args[0], *args[1:]]
            elif target.exists():
                raise click.UsageError(f"{shown(args[0])} is a file: `reader FOLDER` opens a folder of documents", ctx)
            elif _looks_like_path(args[0]):
                raise click.UsageError(f"no such folder: {shown(args[0])}", ctx)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            if args and not self._is_command(args[0]):  # neither a command nor a folder
                exc.message = exc.message.rstrip(".") + " (and no folder of that name)."  # type: ignore[misc]
            raise

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        for line in _path_rules().splitlines():
            formatter.write(line + "\n")


def _print_version(ctx: click.Context, value: bool) -> None:
    """`reader --version`, as click's version_option says it (the version looked up only here)."""
    if not value or ctx.resilient_parsing:
        return
    from reader import __version__

    click.echo(f"reader, version {__version__}", color=ctx.color)
    ctx.exit()


@click.group(cls=ReaderGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@path_options
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx, value),
    help="Show the version and exit.",
)
@click.option(
    "--verbose",
    is_flag=True,
    help="Print what is logged (why a fast path fell back, a worker's failure) on stderr "
    "as well as in the log file; also READER_VERBOSE=1. Commands only: the app "
    "logs to the file.",
)
@click.pass_context
def main(ctx: click.Context, corpus_dir, annotations_dir, index_dir, verbose: bool) -> None:
    """A keyboard-driven terminal reader and annotator for text corpora.

    With no command, opens the app on the corpus (the bundled seeds by default);
    `reader PATH` opens it on any folder.
    """
    logs.setup()
    if ctx.invoked_subcommand is not None and (verbose or logs.verbose_wanted()):
        logs.to_stderr()
    ctx.meta[GROUP_PATHS] = {"corpus": corpus_dir, "annotations": annotations_dir, "index": index_dir}
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    if ctx.invoked_subcommand is None:
        _run_app(paths)


def _run_app(paths: Paths) -> None:
    try:
        from reader.app import create_app
    except ImportError as exc:  # pragma: no cover - only before the app exists
        raise click.ClickException(f"the app is not available: {exc}") from exc
    from reader.store.errors import StoreError

    try:
        app = create_app(paths)
    except StoreError as exc:  # the store's server refuses, its schema is old...
        fail(click.get_current_context(), shown(exc), code=EXIT_STORE)
    app.run()


@main.command("index")
@click.argument("corpus", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--rebuild",
    is_flag=True,
    help="Discard the index and build it afresh (an index made by an older version searches phrases more slowly).",
)
@path_options
@click.pass_context
def index_command(ctx, corpus, rebuild, corpus_dir, annotations_dir, index_dir) -> None:
    """Bring the index of CORPUS up to date and print a summary."""
    paths = paths_from(ctx, corpus or corpus_dir, annotations_dir, index_dir)
    started = time.perf_counter()
    ix, report = open_index(paths, quiet=False, rebuild=rebuild)
    elapsed = time.perf_counter() - started
    # Plain lines, never wrapped (a script or a log reads them whole at any width).
    if report.rebuilt_reason:
        say(f"Index rebuilt: {shown(report.rebuilt_reason)}")
    say(
        f"{report.indexed} indexed ({len(report.added)} added, {len(report.changed)} changed), "
        f"{len(report.removed)} removed, {report.unchanged} unchanged, "
        f"{len(report.skipped)} skipped in {elapsed:.2f} s"
    )
    for skipped in report.skipped:
        say(f"  skipped {shown(skipped.id)}: {shown(skipped.reason)}")
    say(f"index: {shown(paths.index)}")
    if not rebuild and ix.made_before_arrays():
        from reader.cli.indexing import REBUILD_HINT

        click.echo(f"reader: {REBUILD_HINT}", err=True)


@main.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 10_000), help="How many hits to print.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Result page.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit, per line.")
@path_options
@click.pass_context
def search_command(ctx, query, limit, page, as_json, corpus_dir, annotations_dir, index_dir) -> None:
    """Search the corpus with Whoosh's query language (AND OR NOT "phrases" field:term * ~).

    Exits 1 when nothing matches.
    """
    from index.search import QueryError, search

    from reader.cli.indexing import search_repairing

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    ix, _ = open_index(paths)
    try:
        results = search_repairing(ix, paths, lambda: search(ix, query, page=page, pagelen=limit))
    except QueryError as exc:
        fail(ctx, f"invalid query: {exc}")
    if as_json:
        for hit in results.hits:
            say_json(
                {
                    "id": hit.doc_id,
                    "title": hit.title,
                    "score": round(hit.score, 6),
                    "spans": [[s.start, s.end] for s in hit.spans],
                    "snippet": hit.snippet,
                    "snippet_spans": [[s.start, s.end] for s in hit.snippet_spans],
                    "matches": [unit.as_json() for unit in hit.units],
                }
            )
    else:
        _print_hits(results)
    for note in results.notes:
        say(f"note: {note}", err=True)
    did_you_mean = f" Did you mean: {', '.join(map(shown, results.suggestions))}?" if results.suggestions else ""
    if results.total == 0:
        say(f"No matches.{did_you_mean}", err=True)
        ctx.exit(1)
    if did_you_mean:
        say(did_you_mean.strip(), err=True)


def _print_hits(results) -> None:
    from rich.text import Text

    out = stdout_console()
    first = (results.page - 1) * results.pagelen
    out.print(Text(f"{plural(results.total, 'hit')} ({results.seconds * 1000:.0f} ms)", style="bold"))
    for n, hit in enumerate(results.hits, start=first + 1):
        line = Text(f"{n:>3}. ")
        line.append(shown(hit.title), style="bold")
        line.append(f"  {shown(hit.doc_id)}  score {hit.score:.2f}", style="dim")
        out.print(line)
        snippet = Text("     ")
        cursor = 0
        for span in hit.snippet_spans:
            snippet.append(shown(hit.snippet[cursor : span.start]))
            snippet.append(shown(hit.snippet[span.start : span.end]), style="bold reverse")
            cursor = span.end
        snippet.append(shown(hit.snippet[cursor:]))
        out.print(snippet)


@main.command("where")
@path_options
@click.pass_context
def where_command(ctx, corpus_dir, annotations_dir, index_dir) -> None:
    """Print the corpus, annotations and index folders in use, and who codes."""
    from reader.coders import CoderError, resolve_coder

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    say(f"corpus\t{shown(paths.corpus)}\nannotations\t{shown(paths.annotations)}\nindex\t{shown(paths.index)}")
    if paths.store:
        from reader.store.backends import describe

        say(f"store\t{shown(describe(paths))}")
    try:
        coder = resolve_coder()
        say(f"coder\t{shown(coder.name)}\t(from {shown(coder.source)})")
    except CoderError as exc:
        say(f"coder\t?\t({shown(exc)})")


# Command modules, each exporting COMMANDS: the store's, export's, alignment's, the views'.
# They are imported when needed (issue 17: importing them all was a tenth of a first `reader
# agree`): a command's own module when it is run, every one for the help, a completion or a
# name that is no command's. COMMAND_HOMES says where each command lives (tests/test_cli.py
# checks it against the modules' COMMANDS); a command missing from it still works, found
# by importing every module.
COMMAND_MODULES = (
    "reader.cli.store",
    "reader.cli.export",
    "reader.cli.compare",
    "reader.cli.views",
    "reader.cli.agree",
    "reader.cli.teams",
    "reader.cli.backends",
)
COMMAND_HOMES = {
    **dict.fromkeys(("tag", "annotations", "tags", "meta"), "reader.cli.store"),
    **dict.fromkeys(("export", "import"), "reader.cli.export"),
    **dict.fromkeys(("compare", "similar"), "reader.cli.compare"),
    **dict.fromkeys(("kwic", "matrix", "cooccur", "freq", "timeline"), "reader.cli.views"),
    **dict.fromkeys(("agree", "disagreements"), "reader.cli.agree"),
    **dict.fromkeys(("git-setup", "git-resolve", "log", "resolve"), "reader.cli.teams"),
    "store": "reader.cli.backends",
}
_registered: set[str] = set()  # the command modules whose COMMANDS are in `main`


def _register_commands(name: str | None = None) -> None:
    """Add to `main` the commands of the module of command `name` (when it is one of
    COMMAND_HOMES and not already there), else of every module not added yet."""
    import importlib

    if name is not None and name in main.commands:
        return
    home = COMMAND_HOMES.get(name) if name is not None else None
    for module_name in (home,) if home is not None else COMMAND_MODULES:
        if module_name in _registered:
            continue
        _registered.add(module_name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # that feature's module is not part of this build
                continue
            raise
        for command in module.COMMANDS:
            main.add_command(command)
