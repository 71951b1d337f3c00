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
the migration that created the index.
"""

# The statements below are built from the constant column names above, never from input.
# ruff: noqa: S608

from __future__ import annotations

from sqlalchemy import DDL, event

from .incident import Incident

#: The incident's columns that a register search looks in.
SEARCHED = (
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


#: The searched text as an SQL expression over ``incident`` (``prefix`` names the row:
#: ``new.`` in a trigger, nothing in a query).
def document_sql(prefix: str = "") -> str:
    return " || ' ' || ".join(f"coalesce({prefix}{column}, '')" for column in SEARCHED)


#: The table name, and the prefix of FTS5's own tables, which migrations' comparisons skip.
SEARCH_TABLE = "incident_search"

#: PostgreSQL: the searched text as a ``tsvector``. Punctuation inside a word becomes a space
#: first, so that PostgreSQL splits words where FTS5 does ("KRX-2026-0002" is the words krx,
#: 2026 and 0002, not krx, -2026 and -0002).
PG_EXPRESSION = (
    "to_tsvector('simple'::regconfig, "
    f"translate({document_sql('incident.')}, '-./:@_+,;', '         '))"
)
#: PostgreSQL: the stored column that holds it (not a model attribute: SQLite has none).
PG_COLUMN = "search_vector"
PG_VECTOR = f"incident.{PG_COLUMN}"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE}
        USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS incident_search_insert AFTER INSERT ON incident BEGIN
        INSERT INTO {SEARCH_TABLE}(rowid, body) VALUES (new.id, {document_sql("new.")});
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS incident_search_update
        AFTER UPDATE OF {", ".join(SEARCHED)} ON incident BEGIN
        DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id;
        INSERT INTO {SEARCH_TABLE}(rowid, body) VALUES (new.id, {document_sql("new.")});
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS incident_search_delete AFTER DELETE ON incident BEGIN
        DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id;
        END""",
    # Incidents that exist already (a migration on a filled database).
    f"""INSERT INTO {SEARCH_TABLE}(rowid, body)
        SELECT id, {document_sql()} FROM incident""",
]
SQLITE_DROP = [f"DROP TABLE IF EXISTS {SEARCH_TABLE}"]

#: The first PostgreSQL index (migration d3f1a7c2e8b4), kept as it was for that migration.
PG_EXPRESSION_INDEX_CREATE = [
    f"CREATE INDEX IF NOT EXISTS ix_incident_search ON incident USING gin ({PG_EXPRESSION})"
]
PG_EXPRESSION_INDEX_DROP = ["DROP INDEX IF EXISTS ix_incident_search"]
#: The stored column and its index (migration 9f3e6c1a2b7d, and new databases).
POSTGRESQL_CREATE = [
    f"""ALTER TABLE incident ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector
        GENERATED ALWAYS AS ({PG_EXPRESSION.replace("incident.", "")}) STORED""",
    f"CREATE INDEX IF NOT EXISTS ix_incident_search_vector ON incident USING gin ({PG_COLUMN})",
]
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
