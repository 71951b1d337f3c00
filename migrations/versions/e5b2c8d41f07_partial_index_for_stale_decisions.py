"""a partial index for the top bar's count of decisions out of date

With the planner statistics the scheduler now keeps (see breachdesk.sqlite.refresh_statistics),
SQLite estimated the (organisation, state) index as too wide for this count and read every
incident; an index of only the stale rows keeps the count cheap at any size.

Revision ID: e5b2c8d41f07
Revises: 771d5c0b89bd
Create Date: 2026-12-04 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b2c8d41f07'
down_revision = '771d5c0b89bd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(
            'ix_incident_stale',
            ['organisation_id', 'state'],
            unique=False,
            sqlite_where=sa.text('decision_stale = 1'),
            postgresql_where=sa.text('decision_stale = true'),
        )


def downgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_stale')
