"""Which store a command or the app works on: the JSON folder (the default) or a PostgreSQL
database, chosen by `Paths.store` (`--store`, READER_STORE, `store = "..."` in config.toml).

Both backends are an `AnnotationStore` (the PostgreSQL one a subclass whose lower half is the
server: reader/store/postgres/), so every service, the CLI and the app use one API and one set
of rules whatever the backend. Everything that opens a store comes here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reader.store import AnnotationStore
from reader.store.postgres.address import is_postgres

if TYPE_CHECKING:
    from reader.paths import Paths


def open_address(address: str | Path, creator: str | None = None, summary: Path | None = None) -> AnnotationStore:
    """The store at `address`: a PostgreSQL URL, else an annotations folder (`summary`: where
    the folder's summaries are kept, reader/store/summary.py; a server store has none)."""
    if is_postgres(address):
        from reader.store.postgres import PostgresStore

        return PostgresStore(str(address), creator=creator)
    return AnnotationStore(Path(address), creator=creator, summary=summary)


def open_store(paths: "Paths", creator: str | None = None, summary: Path | None = None) -> AnnotationStore:
    """The store `paths` names (its PostgreSQL address, else its annotations folder)."""
    return open_address(paths.store or paths.annotations, creator=creator, summary=summary)


def describe(paths: "Paths") -> str:
    """The store in use as shown to a person (never with a password)."""
    if paths.store:
        from reader.store.postgres.address import display

        return display(paths.store)
    return str(paths.annotations)
