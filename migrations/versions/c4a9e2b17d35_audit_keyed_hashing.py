"""audit: keyed hashing (hash_version, key_id, content_digest on audit_event)

Revision ID: c4a9e2b17d35
Revises: 1cd4e3832a8f
Create Date: 2026-12-03 12:00:00.000000

Events already written keep hash version 1 (the server default) and stay verifiable with
the plain SHA-256 they were written with; new events are version 2 (HMAC-SHA256).

No batch mode for audit_event: on SQLite a batch operation rebuilds the table and would drop
its append-only triggers. Plain ADD COLUMN (and DROP COLUMN, SQLite 3.35+) keep them.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c4a9e2b17d35"
down_revision = "1cd4e3832a8f"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "audit_event",
        sa.Column("hash_version", sa.Integer(), server_default="1", nullable=False),
    )
    op.add_column("audit_event", sa.Column("key_id", sa.String(length=32), nullable=True))
    op.add_column(
        "audit_event", sa.Column("content_digest", sa.String(length=64), nullable=True)
    )


def downgrade():
    # Without these columns version 2 events can never be verified again: refuse rather
    # than silently make the trail unverifiable.
    keyed = op.get_bind().execute(
        sa.text("SELECT COUNT(*) FROM audit_event WHERE hash_version <> 1")
    ).scalar()
    if keyed:
        raise RuntimeError(
            f"{keyed} audit events are sealed with keyed hashing (version 2); downgrading "
            "would drop the columns they are verified with"
        )
    op.drop_column("audit_event", "content_digest")
    op.drop_column("audit_event", "key_id")
    op.drop_column("audit_event", "hash_version")
