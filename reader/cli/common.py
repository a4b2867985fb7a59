"""What every `reader` command shares: the path options, resolving them, failing, opening things.

One module so the command modules (`store`, `export`, `compare`, `views`) and the
main group in `root` use the same code without importing each other.
"""

from __future__ import annotations

from pathlib import Path

import click

from reader.cli.output import say, say_json, shown
from reader.paths import Paths

EXIT_STORE = 3
"""Exit status of a command the annotation store failed: a file it cannot read (so the output
would be incomplete), a read-only or full disk. 1 stays "a search found nothing", 2 bad input."""

GROUP_PATHS = "reader.group_paths_given"
"""ctx.meta key: the path options given to the main group (None where not given)."""


STORE_GIVEN = "reader.store_given"
"""ctx.meta key: `--store` as given (to the group or the subcommand; the subcommand's wins)."""


def _remember_store(ctx: click.Context, _param, value):
    if value is not None:
        ctx.meta[STORE_GIVEN] = value
    return value


def path_options(func):
    """The path options (and `--store`), accepted by the group and by every subcommand."""
    func = click.option(
        "--store",
        "store",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_remember_store,
        metavar="URL|DIR",
        help="Where annotations are kept: a PostgreSQL database "
        "(postgresql://USER@HOST/DB; the password from ~/.pgpass, "
        "PGPASSWORD or a service file) or an annotations folder "
        "(default: READER_STORE, `store` in config.toml, the folder).",
    )(func)
    func = click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index cache folder for this corpus.",
    )(func)
    func = click.option(
        "--annotations",
        "annotations_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder where this corpus's annotations are saved.",
    )(func)
    func = click.option(
        "--corpus",
        "corpus_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Folder of documents (default: the bundled seeds).",
    )(func)
    return func


def paths_from(ctx: click.Context, corpus_dir, annotations_dir, index_dir) -> Paths:
    """The Paths for a command: its own options, else the group's, else the defaults.

    Only options actually given are inherited, so `reader --corpus X tag ...` and
    `reader tag --corpus X ...` both put X's annotations in X's default folder. The result is
    stored in ctx.obj.
    """
    given = {"corpus": corpus_dir, "annotations": annotations_dir, "index": index_dir}
    store = ctx.meta.get(STORE_GIVEN)
    inherited = ctx.meta.get(GROUP_PATHS)
    parent = ctx.find_object(Paths)
    if inherited is not None:
        given = {k: v if v is not None else inherited.get(k) for k, v in given.items()}
    elif parent is not None and store is None and all(v is None for v in given.values()):
        return parent  # a caller (a test's group) set the Paths itself
    paths = Paths.resolve(**given, store=store)
    ctx.obj = paths
    return paths


def fail(ctx: click.Context, message: str, code: int = 2):
    """Print `reader: message` on stderr and exit (2: bad input, nothing written).

    Untrusted values in `message` should be `output.shown`; the message is sanitised anyway."""
    say(f"reader: {message}", err=True)
    ctx.exit(code)


def coder_option(func):
    """`--coder NAME`: who makes this change (else READER_CODER, the config, the user name)."""
    return click.option(
        "--coder",
        "coder",
        default=None,
        metavar="NAME",
        help="Who makes this change (default: READER_CODER, `coder` in config.toml, or your user name).",
    )(func)


def coders_filter_option(func):
    """`--coder NAME` on a reading command: only that coder's annotations (repeatable)."""
    return click.option(
        "--coder",
        "coders",
        multiple=True,
        metavar="NAME",
        help="Only the annotations of this coder (repeat for several; default: everyone's).",
    )(func)


def resolve_coder_or_fail(ctx: click.Context, given: str | None) -> str:
    """The coder's name, or exit 2 saying what is wrong with the setting."""
    from reader.coders import CoderError, resolve_coder

    try:
        return resolve_coder(given).name
    except CoderError as exc:
        fail(ctx, str(exc))
        raise  # fail() exits; this keeps type checkers content


def open_store(paths: Paths, coder: str | None = None, *, warn: bool = True):
    """The annotation store, with each unreadable file reported on stderr (`warn`: now, which
    reads every file; else the caller says the problems it finds with `warn_problems`).

    `coder` names who makes the changes made through it (None: the default rule). A store
    that cannot be opened (a server that refuses, an old schema) ends the command: exit 3, or
    2 for an address reader cannot use."""
    from reader.store.backends import open_store as open_backend
    from reader.store.errors import StoreError
    from reader.store.postgres.address import AddressError

    ctx = click.get_current_context()
    if paths.store and coder is not None and _coder_is_only_the_user_name(ctx, coder):
        coder = None  # on a server, a coder set nowhere is the database role (its rights)
    try:
        store = open_backend(paths, creator=coder)
    except AddressError as exc:
        fail(ctx, shown(exc))
    except StoreError as exc:
        fail(ctx, shown(exc), code=EXIT_STORE)
    if warn:
        warn_problems(store.problems)
    for notice in getattr(store, "take_notices", list)():  # changes kept locally, sent on opening
        say(f"reader: {shown(notice)}", err=True)
    return store


def warn_problems(problems) -> None:
    """Each unreadable file of the store, on stderr."""
    for problem in problems:
        say(f"reader: warning: {shown(problem)}", err=True)


def _coder_is_only_the_user_name(ctx: click.Context, coder: str) -> bool:
    """No `--coder`, READER_CODER or config set `coder`: it is the system user name."""
    from reader.coders import CoderError, resolve_coder

    if ctx.params.get("coder") is not None:
        return False
    try:
        found = resolve_coder()
    except CoderError:
        return False
    return found.name == coder and found.source == "the system user name"


def skip_unreadable_option(func):
    """`--skip-unreadable`: go on when some annotation files cannot be read."""
    return click.option(
        "--skip-unreadable",
        is_flag=True,
        help="When some annotation files cannot be read, print the rest and say in the output "
        "what is left out (without it the command fails with exit status 3).",
    )(func)


def require_complete(ctx: click.Context, store, skip: bool, docs=None, problems=None) -> list:
    """The store's unreadable files that the output would leave out (those of `docs` only, when
    given). Without `skip`, any of them ends the command: exit 3, saying which and how to go on.
    `problems`: the store's problems as the caller found them (default: every file read)."""
    found = store.problems if problems is None else problems
    missing = [p for p in found if docs is None or p.doc is None or p.doc in docs]
    if missing and not skip:
        names = "; ".join(f"{shown(p.path)}: {shown(p.reason)}" for p in missing)
        fail(
            ctx,
            f"{len(missing)} annotation file(s) cannot be read ({names}), so the output "
            "would be incomplete; fix the file(s), or pass --skip-unreadable to get the rest",
            code=EXIT_STORE,
        )
    return missing


def say_left_out(left_out, as_json: bool = False) -> None:
    """After a command run with --skip-unreadable: one line per file it left out, in the output
    itself (with --json one object per file: {"left_out": path, "doc", "reason"})."""
    for p in left_out:
        if as_json:
            say_json({"left_out": str(p.path), "doc": p.doc, "reason": p.reason})
        else:
            what = f"the annotations of {shown(p.doc)}" if p.doc else "the codebook's colours and descriptions"
            say(f"left out: {what} ({shown(p.path)}: {shown(p.reason)})")


def load_document(ctx: click.Context, paths: Paths, doc_id: str):
    """A document of the corpus, or exit 2 saying why it cannot be read."""
    from index.corpus import CorpusError, UnreadableDocument

    try:
        return paths.open_corpus().load(doc_id)
    except UnreadableDocument as exc:
        fail(ctx, f"unknown or unreadable document {doc_id!r}: {shown(exc.reason)}")
    except CorpusError as exc:
        fail(ctx, shown(exc))


def open_index(paths: Paths, quiet: bool = True, rebuild: bool = False):
    """Open the corpus index, bringing it up to date first, or building it afresh with
    `rebuild` (reader/cli/indexing.py says how)."""
    from reader.cli.indexing import open_index as open_up_to_date

    return open_up_to_date(paths, quiet=quiet, rebuild=rebuild)


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def stdout_console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)
