"""index the reports per reporting link and moment (the link's daily cap)

Revision ID: b7e3f1a2c9d4
Revises: c4a9e2f71b36
Create Date: 2026-12-05 05:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e3f1a2c9d4'
down_revision = 'c4a9e2f71b36'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(
            'ix_incident_link_reported', ['reporting_link_id', 'reported_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_link_reported')
