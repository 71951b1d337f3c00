"""the register: full-text search, the latest decision's outcome, data kinds, sort indexes

Adds what the register's filters and sort orders read: ``incident.decided_outcome`` (filled
from each incident's latest decision), ``incident.data_kinds`` (filled from its data
categories, with the same function the model uses), an index per sort order, and the full-text
index of :mod:`breachdesk.models.incident_search` (an FTS5 table with triggers on SQLite, a GIN
index on PostgreSQL), filled from the incidents that exist.

Revision ID: d3f1a7c2e8b4
Revises: ba05abdafd04
Create Date: 2026-12-04 16:40:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa

from breachdesk.domain.register import data_kinds
from breachdesk.models.incident_search import (
    PG_EXPRESSION_INDEX_CREATE,
    PG_EXPRESSION_INDEX_DROP,
    SQLITE_CREATE_V1,
    SQLITE_DROP,
)


# revision identifiers, used by Alembic.
revision = 'd3f1a7c2e8b4'
down_revision = 'ba05abdafd04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_outcome', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('data_kinds', sa.String(length=120), server_default='', nullable=False))
        batch_op.create_index('ix_incident_reported', ['reported_at', 'id'], unique=False)
        batch_op.create_index('ix_incident_discovered', ['discovered_at', 'id'], unique=False)
        batch_op.create_index('ix_incident_reference', ['reference', 'id'], unique=False)

    op.execute(
        """UPDATE incident SET decided_outcome = (
               SELECT d.outcome FROM decision d WHERE d.incident_id = incident.id
               ORDER BY d.version DESC LIMIT 1)"""
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, data_categories FROM incident")).all()
    for incident_id, categories in rows:
        if isinstance(categories, str):
            categories = json.loads(categories)
        kinds = data_kinds(categories or [])
        if kinds:
            bind.execute(
                sa.text("UPDATE incident SET data_kinds = :kinds WHERE id = :id"),
                {"kinds": kinds, "id": incident_id},
            )
    for statement in SQLITE_CREATE_V1 if bind.dialect.name == 'sqlite' else PG_EXPRESSION_INDEX_CREATE:
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in ('insert', 'update', 'delete'):
            op.execute(f'DROP TRIGGER IF EXISTS incident_search_{name}')
        for statement in SQLITE_DROP:
            op.execute(statement)
    else:
        for statement in PG_EXPRESSION_INDEX_DROP:
            op.execute(statement)
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_reference')
        batch_op.drop_index('ix_incident_discovered')
        batch_op.drop_index('ix_incident_reported')
    if bind.dialect.name == 'sqlite':
        # In place (SQLite 3.35+): batch mode would rebuild the table others refer to.
        op.execute('ALTER TABLE incident DROP COLUMN data_kinds')
        op.execute('ALTER TABLE incident DROP COLUMN decided_outcome')
        return
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_column('data_kinds')
        batch_op.drop_column('decided_outcome')
