"""Retention of breach data (issue 15): a retention period per organisation, and when an
incident's breach data and an attachment's file were erased; the audit trail's append-only
triggers allow an UPDATE of an event's content (actor_label, before, after) and nothing else,
so that retention can erase personal data from it (verification then requires a keyed
erasure event for every changed content, see breachdesk/domain/audit/erasure.py).

Plain ADD COLUMN, no batch mode: on SQLite a batch operation rebuilds the table and would drop
the incident table's search triggers. Organisations that exist get no period (NULL): nothing
is erased until an administrator chooses one; new organisations get 365 days from the model.

Revision ID: b7d2e4f6a913
Revises: ecd61c97bce4
Create Date: 2026-12-05 00:20:00

"""
from alembic import op
import sqlalchemy as sa
import breachdesk.types  # noqa: F401 - custom column types
from breachdesk.models import (
    APPEND_ONLY_POSTGRESQL,
    APPEND_ONLY_POSTGRESQL_V1,
    APPEND_ONLY_SQLITE,
    APPEND_ONLY_SQLITE_V1,
)


# revision identifiers, used by Alembic.
revision = 'b7d2e4f6a913'
down_revision = 'ecd61c97bce4'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('organisation', sa.Column('retention_days', sa.Integer(), nullable=True))
    op.add_column(
        'incident',
        sa.Column('data_erased_at', breachdesk.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        'attachment',
        sa.Column('erased_at', breachdesk.types.UTCDateTime(timezone=True), nullable=True),
    )
    _triggers(APPEND_ONLY_SQLITE, APPEND_ONLY_POSTGRESQL)


def _triggers(sqlite, postgresql):
    """Replace the append-only triggers (the function's trigger on PostgreSQL stays)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute(sqlite[0])
    elif dialect == "postgresql":
        op.execute(postgresql[0])  # CREATE OR REPLACE FUNCTION


def downgrade():
    _triggers(APPEND_ONLY_SQLITE_V1, APPEND_ONLY_POSTGRESQL_V1)
    op.drop_column('attachment', 'erased_at')
    op.drop_column('incident', 'data_erased_at')
    op.drop_column('organisation', 'retention_days')
