"""the register's search follows new and changed incidents again (SQLite)

On SQLite, migration d7b2f9a4c1e3 (the report form's key) recreated the incident table to add
a unique constraint, which dropped the register's search triggers: from then on the search
found no incident reported or changed after the upgrade (found by exploratory testing; the
test that compares migrations with the models ignores the search objects, so a test now
compares the triggers too). This builds the FTS5 table and its triggers anew from the
incidents that exist, so entries reported or changed since are found again. PostgreSQL keeps
its generated column through such a change: nothing to do there. The downgrade leaves the
triggers, which belong to the revision before as well.

Revision ID: e2a9c5d7f314
Revises: d7b2f9a4c1e3
Create Date: 2026-12-05 18:20:00.000000

"""
from alembic import op

from breachdesk.models.incident_search import SEARCHED_V2, SQLITE_DROP_ALL, sqlite_create


# revision identifiers, used by Alembic.
revision = 'e2a9c5d7f314'
down_revision = 'd7b2f9a4c1e3'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in (*SQLITE_DROP_ALL, *sqlite_create(SEARCHED_V2)):
            op.execute(statement)


def downgrade():
    pass
