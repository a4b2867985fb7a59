"""`reader store copy`: put a project on a PostgreSQL server, or write any store back to a folder.

No project is locked in: a copy to a folder is byte for byte what the JSON backend writes
(each document's file is the same `DocFile.serialise`, the codebook the same
`serialise_codebook`), so a project can leave the server at any time, and a folder that went to
the server and back compares equal with `diff -r`.

A copy never merges into or overwrites a project: the target must be empty (a folder with no
annotation files, a database with no reader rows). The source must be whole: a store with
files it cannot read is refused (copying it would leave their annotations behind silently).
Everything is written in one step: the folder's files through the journal (all or nothing),
the database's rows in one transaction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reader.store import AnnotationStore
from reader.store.errors import StoreError
from reader.store.files import write_files
from reader.store.folder import CODEBOOK
from reader.store.paths import DOCS, doc_path
from reader.store.postgres.address import display, is_postgres
from reader.store.records import DocFile, serialise_codebook


class CopyRefused(StoreError):
    """The copy would lose or overwrite annotations; nothing was written."""


@dataclass(frozen=True)
class CopyReport:
    target: str  # as shown to a person
    documents: int
    annotations: int
    tags: int


def copy_store(source: AnnotationStore, target: str | Path) -> CopyReport:
    """Copy everything in `source` to the empty store at `target` (folder or PostgreSQL URL)."""
    source.refresh()
    if source.problems:
        names = "; ".join(str(p) for p in source.problems)
        raise CopyRefused(
            f"the source has {len(source.problems)} unreadable part(s) ({names}); "
            "fix them first: a copy would leave their annotations behind"
        )
    files = _doc_files(source)
    codebook = {t.name: t for t in source.codebook()}
    if is_postgres(target):
        _to_database(str(target), files, codebook, source)
        shown = display(str(target))
    else:
        _to_folder(Path(target), files, codebook, source)
        shown = str(target)
    return CopyReport(shown, len(files), sum(len(f.annotations) for f in files), len(codebook))


def _doc_files(source: AnnotationStore) -> list[DocFile]:
    out = []
    for doc in source.documents():
        anns = {a.id: a for a in source.annotations(doc)}
        conflicts = tuple(source._conflicts_as_written(doc))  # with the record of renames, as written
        f = DocFile(doc, Path(doc), anns, source.attributes(doc), conflicts=conflicts)
        if not f.is_empty():
            out.append(f)
    return out


def _has_codebook_file(source: AnnotationStore) -> bool:
    """A JSON source's codebook file exists (even empty); any other source: it has tags."""
    if type(source) is AnnotationStore:
        return source.codebook_path.exists()
    return bool(source.codebook()) or bool(source._renames)


def _to_folder(folder: Path, files: list[DocFile], codebook, source: AnnotationStore) -> None:
    if folder.exists() and not folder.is_dir():
        raise CopyRefused(f"{folder} is not a folder")
    if (folder / CODEBOOK).exists() or _any_files(folder / DOCS):
        raise CopyRefused(f"{folder} already holds annotations; copy into an empty folder (nothing was written)")
    writes: list[tuple[Path, bytes | None]] = [(doc_path(folder, f.doc), f.serialise()) for f in files]
    if _has_codebook_file(source):
        writes.append((folder / CODEBOOK, serialise_codebook(codebook, source._renames)))
    if writes:
        folder.mkdir(parents=True, exist_ok=True)
        write_files(writes, folder)


def _any_files(folder: Path) -> bool:
    return folder.is_dir() and any(names for _d, _s, names in os.walk(folder))


def _to_database(address: str, files: list[DocFile], codebook, source: AnnotationStore) -> None:
    from reader.store.postgres import connect, rows
    from reader.store.postgres.schema import CHANGE_LOCK, CHANNEL, migrate

    with connect(address) as conn:
        migrate(conn)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
            used = conn.execute(
                "SELECT (SELECT count(*) FROM annotations) + (SELECT count(*) "
                "FROM documents) + (SELECT count(*) FROM codebook)"
            ).fetchone()[0]
            if used:
                raise CopyRefused(
                    f"{display(address)} already holds a project; copy into an empty database (nothing was written)"
                )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO documents (doc, attributes, conflicts) VALUES (%s, %s, %s)",
                    [(f.doc, *map(rows.json_value, rows.document_values(f))) for f in files],
                )
                cur.executemany(
                    "INSERT INTO annotations (id, doc, creator, record) VALUES (%s, %s, %s, %s)",
                    [
                        (a.id, f.doc, a.creator, rows.json_value(rows.annotation_record(a)))
                        for f in files
                        for a in f.annotations.values()
                    ],
                )
                cur.executemany(
                    "INSERT INTO codebook (name, record) VALUES (%s, %s)",
                    [(t.name, rows.json_value(rows.tag_record(t))) for t in codebook.values()],
                )
                cur.executemany(
                    "INSERT INTO renames (entry, record) VALUES (%s, %s)", rows.rename_rows(source._renames)
                )
            seq = conn.execute(
                "INSERT INTO changes (coder, description, docs, codebook) VALUES (%s, %s, %s, true) RETURNING seq",
                (source.creator, "copy of a project", [f.doc for f in files]),
            ).fetchone()[0]
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq)))
