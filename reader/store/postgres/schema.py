"""The PostgreSQL store's schema, versioned, and the migrations that build it.

Why this shape:
- One database (or one schema, through libpq's `options=-csearch_path=...`) per project, like
  one annotations folder per corpus: no project column to forget in a query or a policy.
- `annotations` keeps each annotation's JSON record (the very object the JSON backend writes,
  `reader.model.annotation_to_json`) beside the columns the server must see: `doc` (to read a
  document's annotations), `creator` (row-level security) and `version` (bumped by every
  change: an edit made against an older version is refused, never applied over a newer one).
  Keeping the record whole means a field added to the model needs no migration here, and
  copying back to a folder is byte for byte what the JSON backend writes.
- `documents` holds what the JSON backend keeps beside a document's annotations: its attributes
  and the conflicts a git merge recorded.
- `changes` is the change log: one row per change (its sequence number, who, what, the
  documents it touched and whether it touched the codebook). Clients catch up from it (after
  start, after a disconnect: LISTEN/NOTIFY is not replayed) and every NOTIFY carries only the
  sequence number, well under NOTIFY's 8,000-byte limit. Since version 3 a change names the
  annotations it touched, so catching up reads those rows, not every row of their documents
  (a change logged without them, like a copy's, reloads its documents whole).
- Version 2, who may do what, enforced by the server (not only by this client): every coder
  connects as their own database role, listed in `team` (`reader store grant ROLE [--lead]`);
  row-level security lets a coder insert, change and delete only annotations whose `creator` is
  their role; a lead (`team.lead`) may change anyone's (the consensus) and the codebook's
  existing tags, which other coders may only add to (tagging creates new tags). The owner of
  the tables (who ran the migration) is not subject to the policies: the project's admin.
- Version 4, `texts`: each document's content hash as the first coder to open or tag it had
  it (reader/store/postgres/texts.py), so a coder whose copy differs is warned; anyone may
  register a document's hash, only a lead may change one.
- `reader_schema` records every migration applied. `MIGRATIONS[n-1]` builds version n from
  n-1; each runs in its own transaction under an advisory lock, so two `reader store migrate`
  at once apply each step once. A database at a newer version than this code is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.store.errors import StoreError

SCHEMA_LOCK = 7_242_018_001
"""Advisory lock key held while migrating."""
CHANGE_LOCK = 7_242_018_002
"""Advisory lock key: exclusive around every change, shared while a client loads."""
CHANNEL = "reader_changes"
"""The NOTIFY channel; the payload is the change's sequence number."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "annotations, documents, codebook and the change log",
        """
        CREATE TABLE documents (
            doc        text PRIMARY KEY,
            attributes jsonb NOT NULL DEFAULT '{}',
            conflicts  jsonb NOT NULL DEFAULT '[]',
            version    bigint NOT NULL DEFAULT 1
        );
        CREATE TABLE annotations (
            id      text PRIMARY KEY,
            doc     text NOT NULL,
            creator text NOT NULL,
            record  jsonb NOT NULL,
            version bigint NOT NULL DEFAULT 1
        );
        CREATE INDEX annotations_doc ON annotations (doc);
        CREATE TABLE codebook (
            name    text PRIMARY KEY,
            record  jsonb NOT NULL,
            version bigint NOT NULL DEFAULT 1
        );
        CREATE TABLE changes (
            seq         bigserial PRIMARY KEY,
            at          timestamptz NOT NULL DEFAULT now(),
            role        text NOT NULL DEFAULT current_user,
            coder       text NOT NULL,
            description text NOT NULL,
            docs        text[] NOT NULL,
            codebook    boolean NOT NULL
        );
    """,
    ),
    Migration(
        2,
        "coders as roles: row-level security, leads for the codebook and the consensus",
        """
        CREATE TABLE team (
            role text PRIMARY KEY,
            lead boolean NOT NULL DEFAULT false
        );
        CREATE FUNCTION reader_is_lead() RETURNS boolean LANGUAGE sql STABLE AS
            $$ SELECT EXISTS (SELECT 1 FROM team WHERE role = current_user AND lead) $$;
        ALTER TABLE annotations ENABLE ROW LEVEL SECURITY;
        CREATE POLICY read_all ON annotations FOR SELECT USING (true);
        CREATE POLICY add_own ON annotations FOR INSERT
            WITH CHECK (creator = current_user OR reader_is_lead());
        CREATE POLICY change_own ON annotations FOR UPDATE
            USING (creator = current_user OR reader_is_lead())
            WITH CHECK (creator = current_user OR reader_is_lead());
        CREATE POLICY delete_own ON annotations FOR DELETE
            USING (creator = current_user OR reader_is_lead());
        ALTER TABLE codebook ENABLE ROW LEVEL SECURITY;
        CREATE POLICY read_all ON codebook FOR SELECT USING (true);
        CREATE POLICY add_tags ON codebook FOR INSERT WITH CHECK (true);
        CREATE POLICY lead_changes ON codebook FOR UPDATE USING (reader_is_lead());
        CREATE POLICY lead_deletes ON codebook FOR DELETE USING (reader_is_lead());
        ALTER TABLE changes ENABLE ROW LEVEL SECURITY;
        CREATE POLICY read_all ON changes FOR SELECT USING (true);
        CREATE POLICY log_own ON changes FOR INSERT WITH CHECK (role = current_user);
    """,
    ),
    Migration(
        3,
        "the change log names the annotations each change touched",
        """
        ALTER TABLE changes ADD COLUMN annotations text[];
    """,
    ),
    Migration(
        4,
        "each document's content hash, so a coder whose copy differs is told",
        """
        CREATE TABLE texts (
            doc    text PRIMARY KEY,
            sha256 text NOT NULL,
            coder  text NOT NULL DEFAULT current_user,
            at     timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE texts ENABLE ROW LEVEL SECURITY;
        CREATE POLICY read_all ON texts FOR SELECT USING (true);
        CREATE POLICY register ON texts FOR INSERT WITH CHECK (coder = current_user);
        CREATE POLICY lead_changes ON texts FOR UPDATE USING (reader_is_lead());
        CREATE POLICY lead_deletes ON texts FOR DELETE USING (reader_is_lead());
        DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT role FROM team LOOP
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON texts TO %I', r.role);
            END LOOP;
        END $$;
    """,
    ),
    Migration(
        5,
        "the codebook's record of renames and merges (reader/store/renames.py)",
        """
        CREATE TABLE renames (
            entry  text PRIMARY KEY,
            record jsonb NOT NULL
        );
        ALTER TABLE renames ENABLE ROW LEVEL SECURITY;
        CREATE POLICY read_all ON renames FOR SELECT USING (true);
        CREATE POLICY lead_adds ON renames FOR INSERT WITH CHECK (reader_is_lead());
        CREATE POLICY lead_deletes ON renames FOR DELETE USING (reader_is_lead());
        DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT role FROM team LOOP
                EXECUTE format('GRANT SELECT, INSERT, DELETE ON renames TO %I', r.role);
            END LOOP;
        END $$;
    """,
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


class SchemaError(StoreError):
    """The database's schema is not the one this code uses (the message says what to do)."""


def grant(conn, role: str, lead: bool = False) -> None:
    """Let `role` code in this project (a lead: also change the codebook and anyone's
    annotations). The role itself (LOGIN, its password) is the server admin's to create."""
    from psycopg import sql

    who = sql.Identifier(role)
    with conn.transaction():
        conn.execute(
            "INSERT INTO team (role, lead) VALUES (%s, %s) ON CONFLICT (role) DO UPDATE SET lead = EXCLUDED.lead",
            (role, lead),
        )
        conn.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON annotations, documents, codebook, texts TO {}").format(who)
        )
        conn.execute(sql.SQL("GRANT SELECT, INSERT ON changes TO {}").format(who))
        conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE changes_seq_seq TO {}").format(who))
        conn.execute(sql.SQL("GRANT SELECT ON team, reader_schema TO {}").format(who))
        conn.execute(sql.SQL("GRANT SELECT, INSERT, DELETE ON renames TO {}").format(who))


def current_version(conn) -> int:
    """The schema version of the connected database (0: reader's tables are not there)."""
    found = conn.execute("SELECT to_regclass('reader_schema') IS NOT NULL").fetchone()[0]
    if not found:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM reader_schema").fetchone()[0]


def migrate(conn) -> list[Migration]:
    """Apply the migrations the database lacks (each in its own transaction); the ones applied."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute("""CREATE TABLE IF NOT EXISTS reader_schema (
            version integer PRIMARY KEY, description text NOT NULL,
            applied timestamptz NOT NULL DEFAULT now())""")
    for step in MIGRATIONS:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            version = current_version(conn)
            if version > SCHEMA_VERSION:
                raise SchemaError(newer_message(version))
            if version >= step.version:
                continue
            conn.execute(step.sql)
            conn.execute(
                "INSERT INTO reader_schema (version, description) VALUES (%s, %s)", (step.version, step.description)
            )
            applied.append(step)
    return applied


def newer_message(version: int) -> str:
    return (
        f"the database's schema version {version} is newer than this version of reader "
        f"supports ({SCHEMA_VERSION}); upgrade reader"
    )


def require_current(conn, shown_address: str) -> None:
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaError(newer_message(version))
    if version < SCHEMA_VERSION:
        what = "has no reader tables yet" if version == 0 else f"has schema version {version}"
        raise SchemaError(
            f"the database {shown_address} {what} (this reader uses version "
            f"{SCHEMA_VERSION}); run `reader store migrate --store {shown_address}`"
        )
