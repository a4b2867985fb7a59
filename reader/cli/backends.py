"""`reader store migrate` and `reader store copy`: the store's backends from the shell.

`migrate` brings a PostgreSQL database to this reader's schema (reader/store/postgres/schema.py;
on a folder it rewrites files of older format versions in the current one). `copy --to`
puts a project on a server or writes any store back to a folder (reader/store/copy.py).
Exit status: 0 done, 2 bad input (an address with a password), 3 the store or the target
refused or failed (nothing was written).
"""

from __future__ import annotations

import click

from reader.cli.common import EXIT_STORE, fail, open_store, path_options, paths_from
from reader.cli.output import say, shown


@click.group("store")
def store_group() -> None:
    """The annotation store's backends: migrate a database, copy a project between stores."""


@store_group.command("migrate")
@path_options
@click.pass_context
def migrate_command(ctx, corpus_dir, annotations_dir, index_dir) -> None:
    """Bring the store to this reader's format: a PostgreSQL database (`--store URL`) gets the
    schema migrations it lacks; a folder's files of older format versions are rewritten."""
    from reader.store.errors import StoreError
    from reader.store.postgres.address import AddressError, display

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    if not paths.store:
        store = open_store(paths)
        try:
            written = store.save()
        except StoreError as exc:
            fail(ctx, shown(exc), code=EXIT_STORE)
        say(f"{shown(paths.annotations)}: {written} file(s) rewritten in the current format")
        return
    from reader.store.postgres import connect
    from reader.store.postgres.schema import SCHEMA_VERSION, migrate

    try:
        with connect(paths.store) as conn:
            applied = migrate(conn)
    except AddressError as exc:
        fail(ctx, shown(exc))
    except StoreError as exc:
        fail(ctx, shown(exc), code=EXIT_STORE)
    except Exception as exc:  # psycopg's errors: the server refused a statement
        fail(
            ctx,
            f"migrating {shown(display(paths.store))} failed: {shown(exc)}; each migration is all or nothing",
            code=EXIT_STORE,
        )
    for step in applied:
        say(f"applied\t{step.version}\t{step.description}")
    say(
        f"{shown(display(paths.store))}: schema version {SCHEMA_VERSION}" + ("" if applied else " (already up to date)")
    )


@store_group.command("copy")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL|DIR",
    help="An empty PostgreSQL database or an empty (or new) annotations folder.",
)
@path_options
@click.pass_context
def copy_command(ctx, target, corpus_dir, annotations_dir, index_dir) -> None:
    """Copy every annotation, the codebook and the attributes of the store in use (`--store`,
    else the annotations folder) to an empty store: a folder gets exactly the files the JSON
    backend writes, a database is migrated first. Nothing is ever overwritten."""
    from reader.store.copy import copy_store
    from reader.store.errors import StoreError
    from reader.store.postgres.address import AddressError, check, is_postgres

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    try:
        if is_postgres(target):
            check(target)
        source = open_store(paths)
        report = copy_store(source, target)
    except AddressError as exc:
        fail(ctx, shown(exc))
    except StoreError as exc:
        fail(ctx, shown(exc), code=EXIT_STORE)
    say(
        f"copied {report.annotations} annotation(s) of {report.documents} document(s) and "
        f"{report.tags} tag(s) to {shown(report.target)}"
    )


@store_group.command("grant")
@click.argument("role")
@click.option(
    "--lead", is_flag=True, help="A lead: may also change the codebook's tags and anyone's annotations (the consensus)."
)
@path_options
@click.pass_context
def grant_command(ctx, role, lead, corpus_dir, annotations_dir, index_dir) -> None:
    """Let the database role ROLE code in this project (run by the tables' owner). The role
    itself (LOGIN, its password) is created by the server's admin; each coder is one role, and
    the server lets a coder change only their own annotations."""
    from reader.store.errors import StoreError
    from reader.store.postgres import connect
    from reader.store.postgres.address import display
    from reader.store.postgres.schema import grant, require_current

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    if not paths.store:
        fail(ctx, "grant needs a PostgreSQL store (--store postgresql://...): a folder's rights are the file system's")
    try:
        with connect(paths.store) as conn:  # type: ignore[arg-type]  # checked just above
            require_current(conn, display(paths.store))  # type: ignore[arg-type]
            grant(conn, role, lead=lead)
    except StoreError as exc:
        fail(ctx, shown(exc), code=EXIT_STORE)
    except Exception as exc:  # psycopg's: no such role, not the owner
        fail(ctx, f"the server refused: {shown(str(exc).splitlines()[0])}", code=EXIT_STORE)
    say(f"{shown(role)} may code in this project" + (" as a lead" if lead else ""))


@store_group.command("send")
@path_options
@click.pass_context
def send_command(ctx, corpus_dir, annotations_dir, index_dir) -> None:
    """Send the changes made while the PostgreSQL server could not be reached (kept in the
    user's state folder), in order. A change that someone else's change meanwhile conflicts
    with is not applied over it: it is set aside in a file (named), exit 3."""
    from reader.store.errors import StoreError
    from reader.store.postgres.offline import waiting_count

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    if not paths.store:
        fail(ctx, "send needs a PostgreSQL store (--store postgresql://...): a folder's changes are saved at once")
    store = open_store(paths)  # opening sends what waits (and says so on stderr)
    try:
        store.send_waiting()
    except StoreError as exc:
        fail(ctx, shown(exc), code=EXIT_STORE)
    done = store.sent
    left = store.waiting()
    say(
        f"{waiting_count(done.sent)} sent, {waiting_count(len(done.conflicts))} set aside; "
        f"{waiting_count(left)} waiting for the server"
    )
    if done.conflicts:
        ctx.exit(EXIT_STORE)


COMMANDS = [store_group]
