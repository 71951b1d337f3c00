"""The register's full-text index of incidents, kept in step by the database itself.

SQLite: an FTS5 table ``incident_search`` (one row per incident, rowid = incident id) filled
by triggers on ``incident``, so every write path (the app, the demo loader, a migration, a
restore) keeps it in step without the application having to remember. PostgreSQL: a stored
generated ``tsvector`` column (``search_vector``) with a GIN index, which PostgreSQL keeps in
step itself. (Until 2026-12 it was a GIN index on the expression alone; a broad search then
computed the expression again for every row it walked in date order, 35 µs each.)

Both index the same text (:data:`SEARCHED`) with the same word rules: words are split at
punctuation, compared in lower case, and a search word matches any word that starts with it
(see :func:`breachdesk.services.register_query.search_condition`). The same statements are run by
the migrations that made the index; a migration that changes what is searched builds it anew
from the new columns and keeps the statements of the columns before it for its downgrade (the
earlier migrations keep building what they built: :data:`SEARCHED_V1`).
"""

# The statements below are built from the constant column names above, never from input.
# ruff: noqa: S608

from __future__ import annotations

from sqlalchemy import DDL, event

from .incident import Incident

#: The incident's columns that a register search looks in until migration c8e2f4a61d93 (and
#: what the migrations before it build).
SEARCHED_V1 = (
    "reference",
    "title",
    "description",
    "discovery_how",
    "containment_details",
    "protection_details",
    "data_other",
    "subject_groups_other",
    "systems_other",
    "not_breach_reason",
    "controller_name",
)
#: Since migration c8e2f4a61d93: also the reference an imported entry had in the earlier
#: register (that migration builds the index from these, whatever is searched later).
SEARCHED_V2 = (*SEARCHED_V1, "source_reference")
#: The incident's columns that a register search looks in.
SEARCHED = SEARCHED_V2


#: The searched text as an SQL expression over ``incident`` (``prefix`` names the row:
#: ``new.`` in a trigger, nothing in a query).
def document_sql(prefix: str = "", columns: tuple[str, ...] = SEARCHED) -> str:
    return " || ' ' || ".join(f"coalesce({prefix}{column}, '')" for column in columns)


#: The table name, and the prefix of FTS5's own tables, which migrations' comparisons skip.
SEARCH_TABLE = "incident_search"
#: SQLite: the triggers that keep the FTS5 table in step.
SQLITE_TRIGGERS = ("incident_search_insert", "incident_search_update", "incident_search_delete")


def pg_expression(columns: tuple[str, ...] = SEARCHED) -> str:
    """PostgreSQL: the searched text as a ``tsvector``. Punctuation inside a word becomes a
    space first, so that PostgreSQL splits words where FTS5 does ("KRX-2026-0002" is the words
    krx, 2026 and 0002, not krx, -2026 and -0002)."""
    return (
        "to_tsvector('simple'::regconfig, "
        f"translate({document_sql('incident.', columns)}, '-./:@_+,;', '         '))"
    )


#: PostgreSQL: the stored column that holds it (not a model attribute: SQLite has none).
PG_COLUMN = "search_vector"
PG_VECTOR = f"incident.{PG_COLUMN}"


def sqlite_create(columns: tuple[str, ...] = SEARCHED) -> list[str]:
    """SQLite: the FTS5 table of ``columns``, its triggers, and its rows for the incidents
    that exist already (a migration on a filled database)."""
    return [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE}
            USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER IF NOT EXISTS incident_search_insert AFTER INSERT ON incident BEGIN
            INSERT INTO {SEARCH_TABLE}(rowid, body)
            VALUES (new.id, {document_sql("new.", columns)});
            END""",
        f"""CREATE TRIGGER IF NOT EXISTS incident_search_update
            AFTER UPDATE OF {", ".join(columns)} ON incident BEGIN
            DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id;
            INSERT INTO {SEARCH_TABLE}(rowid, body)
            VALUES (new.id, {document_sql("new.", columns)});
            END""",
        f"""CREATE TRIGGER IF NOT EXISTS incident_search_delete AFTER DELETE ON incident BEGIN
            DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id;
            END""",
        f"""INSERT INTO {SEARCH_TABLE}(rowid, body)
            SELECT id, {document_sql("", columns)} FROM incident""",
    ]


SQLITE_CREATE = sqlite_create()
SQLITE_CREATE_V1 = sqlite_create(SEARCHED_V1)
SQLITE_DROP = [f"DROP TABLE IF EXISTS {SEARCH_TABLE}"]
#: SQLite: the triggers and the table, for a migration that builds them anew.
SQLITE_DROP_ALL = [*(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS), *SQLITE_DROP]

#: The first PostgreSQL index (migration d3f1a7c2e8b4), kept as it was for that migration.
PG_EXPRESSION_INDEX_CREATE = [
    "CREATE INDEX IF NOT EXISTS ix_incident_search ON incident USING gin "
    f"({pg_expression(SEARCHED_V1)})"
]
PG_EXPRESSION_INDEX_DROP = ["DROP INDEX IF EXISTS ix_incident_search"]


def postgresql_create(columns: tuple[str, ...] = SEARCHED) -> list[str]:
    """PostgreSQL: the stored column of ``columns``' text and its GIN index."""
    expression = pg_expression(columns).replace("incident.", "")
    return [
        f"""ALTER TABLE incident ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector
            GENERATED ALWAYS AS ({expression}) STORED""",
        f"CREATE INDEX IF NOT EXISTS ix_incident_search_vector ON incident USING gin ({PG_COLUMN})",
    ]


#: The stored column and its index (new databases) ...
POSTGRESQL_CREATE = postgresql_create()
#: ... and as migration 9f3e6c1a2b7d first built them.
POSTGRESQL_CREATE_V1 = postgresql_create(SEARCHED_V1)
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS ix_incident_search_vector",
    f"ALTER TABLE incident DROP COLUMN IF EXISTS {PG_COLUMN}",
]


def is_search_object(name: str | None) -> bool:
    """Whether a database object belongs to the search index (not to the models), for
    Alembic's comparison of models and database."""
    return bool(name) and (
        name in ("ix_incident_search", "ix_incident_search_vector", PG_COLUMN)
        or str(name).startswith(SEARCH_TABLE)
    )


def include_object(_object: object, name: str | None, *_: object) -> bool:
    """Alembic's ``include_object`` hook: leave the search index out of comparisons."""
    return not is_search_object(name)


for _statement in SQLITE_CREATE:
    event.listen(Incident.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_DROP:
    event.listen(Incident.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_CREATE:
    event.listen(
        Incident.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
