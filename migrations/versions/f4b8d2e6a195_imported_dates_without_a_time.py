"""which moments of an imported entry are a date without a time of day

An earlier register often gives dates alone ("21-10-2026"). They were stored as the start of
that day and shown as "21-10-2026 00:00": a time the register never gave, and one the AP
would read as the moment of awareness (found by exploratory testing). The new column
``incident.dates_only`` names the moments that are a date alone (``discovered_at``,
``aware_at``, ``submitted_at`` of the imported filing, ``closed_at``); the register, its
exports and the evidence pack then show the date alone. Entries imported before stay as they
were: the file that would say which dates had no time is not kept. The column is added in
place (no table rebuild, which on SQLite would drop the search triggers again).

Revision ID: f4b8d2e6a195
Revises: e2a9c5d7f314
Create Date: 2026-12-05 21:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f4b8d2e6a195'
down_revision = 'e2a9c5d7f314'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'incident',
        sa.Column('dates_only', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade():
    op.drop_column('incident', 'dates_only')
