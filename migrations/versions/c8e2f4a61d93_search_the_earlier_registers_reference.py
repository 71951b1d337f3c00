"""the register's search also finds the reference an entry had in an earlier register

An entry imported from a register kept before breachdesk keeps the reference it had there
(``incident.source_reference``, "Uw eigen kenmerk" in the file); the search now looks in it
too (:data:`breachdesk.models.incident_search.SEARCHED_V2`). SQLite: the FTS5 table and its
triggers are made again from the new columns and filled from the incidents that exist.
PostgreSQL: a generated column's expression cannot be changed in place (before PostgreSQL
17), so the stored ``search_vector`` column and its GIN index are dropped and added again,
which rewrites the incident table once (about 11 s for 100,000 incidents, see 9f3e6c1a2b7d).
The downgrade builds the index of the columns before (``SEARCHED_V1``) the same way.

Revision ID: c8e2f4a61d93
Revises: b7e3f1a2c9d4
Create Date: 2026-12-05 06:30:00.000000

"""
from alembic import op

from breachdesk.models.incident_search import (
    POSTGRESQL_DROP,
    SEARCHED_V1,
    SEARCHED_V2,
    SQLITE_DROP_ALL,
    postgresql_create,
    sqlite_create,
)


# revision identifiers, used by Alembic.
revision = 'c8e2f4a61d93'
down_revision = 'b7e3f1a2c9d4'
branch_labels = None
depends_on = None


def _build(columns):
    if op.get_bind().dialect.name == 'sqlite':
        statements = (*SQLITE_DROP_ALL, *sqlite_create(columns))
    else:
        statements = (*POSTGRESQL_DROP, *postgresql_create(columns))
    for statement in statements:
        op.execute(statement)


def upgrade():
    _build(SEARCHED_V2)


def downgrade():
    _build(SEARCHED_V1)
