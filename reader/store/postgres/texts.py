"""The documents' content hashes on the server: a coder whose copy of a document differs is told.

The documents stay files on each coder's machine (each indexes their own copy), so two coders
can be looking at two different texts under one document id (an edited file, another
download) and their annotations would not land on the same words. The server keeps, per
document id, the SHA-256 of the text the first coder opened or tagged (`texts`, schema
version 4: who registered it, when); every later open or tag compares the coder's copy
with it. Only a lead may change a registered hash (row-level security), so one coder's
edited copy never silently becomes the project's reference.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownText:
    doc: str
    sha256: str
    coder: str
    at: str


def check(conn, doc: str, sha256: str) -> KnownText | None:
    """Register `sha256` as `doc`'s text if the server has none; the registered text when it
    differs from `sha256`, else None."""
    conn.execute("INSERT INTO texts (doc, sha256) VALUES (%s, %s) ON CONFLICT (doc) DO NOTHING", (doc, sha256))
    row = conn.execute("SELECT sha256, coder, to_char(at, 'YYYY-MM-DD') FROM texts WHERE doc = %s", (doc,)).fetchone()
    if row is None or row[0] == sha256:
        return None
    return KnownText(doc, row[0], row[1], row[2])


def copy_warning(store, doc: str, sha256: str) -> str | None:
    """Any store: the warning for a copy of `doc` that differs from the team's (only a shared
    server knows the team's; the JSON folder never warns)."""
    check_copy = getattr(store, "copy_warning", None)
    return check_copy(doc, sha256) if check_copy is not None else None


def warning(known: KnownText, sha256: str) -> str:
    return (
        f"your copy of {known.doc} differs from the one this project's server knows (its text "
        f"sha256 {known.sha256[:12]}…, registered by {known.coder} on {known.at}; yours "
        f"{sha256[:12]}…): annotations made on the two copies may not mark the same words; "
        "compare the files before tagging"
    )
