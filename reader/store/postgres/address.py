"""A store's address: a JSON folder, or a PostgreSQL connection URL, and how to show it.

`postgresql://USER@HOST/DB` (or `postgres://`, or `postgresql:///DB?host=/run/postgresql` for a
Unix socket) is handed to libpq as it is, so every libpq rule applies: the password comes from
`~/.pgpass`, `PGPASSWORD` or a service file (`?service=NAME`, `PGSERVICEFILE`), never from
reader. An address that carries a password itself is refused: it would end up in shell
histories, config files and messages. What reader prints is `display()`: no password, ever.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

SCHEMES = ("postgresql://", "postgres://")


class AddressError(ValueError):
    """A store address reader cannot use (the message says why)."""


def is_postgres(address: object) -> bool:
    return isinstance(address, str) and address.startswith(SCHEMES)


def check(address: str) -> str:
    """The address, or AddressError when it holds a password (in the URL or as a parameter)."""
    parts = urlsplit(address)
    params = {k.lower() for k, _v in parse_qsl(parts.query, keep_blank_values=True)}
    if parts.password is not None or "password" in params:
        raise AddressError(
            "the store address holds a password; leave it out and put it in ~/.pgpass, "
            "PGPASSWORD or a service file (reader never stores or prints passwords)"
        )
    return address


def display(address: str) -> str:
    """The address as shown to a person: user, host and database, without any password."""
    parts = urlsplit(address)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "password"]
    shown_query = "&".join(f"{k}={v}" for k, v in query)
    return f"postgresql://{user}{host}{parts.path}" + (f"?{shown_query}" if shown_query else "")


def database(address: str) -> str:
    """The database name in the address ('' when libpq's default applies)."""
    return urlsplit(address).path.lstrip("/")
