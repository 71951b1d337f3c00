"""triage, awareness history, risk checklist and decisions

Revision ID: b7c41e2a9d10
Revises: 6de0be9fb4d9
Create Date: 2026-11-22 04:20:00

"""
import sqlalchemy as sa
from alembic import op

import breachdesk.types

revision = "b7c41e2a9d10"
down_revision = "6de0be9fb4d9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_data", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("security_breached", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("breach_types", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("not_breach_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("triaged_at", breachdesk.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("aware_at", breachdesk.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("checklist_confirmed_at", breachdesk.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("closed_at", breachdesk.types.UTCDateTime(), nullable=True))
    # The server defaults only fill existing rows; the application always writes these.
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.alter_column("breach_types", server_default=None)
        batch_op.alter_column("not_breach_reason", server_default=None)

    op.create_table(
        "awareness_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("aware_at", breachdesk.types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", breachdesk.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_awareness_record_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"],
            name=op.f("fk_awareness_record_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awareness_record")),
    )
    with op.batch_alter_table("awareness_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_awareness_record_incident_id"), ["incident_id"])

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("notify_ap", sa.Boolean(), nullable=False),
        sa.Column("inform_subjects", sa.Boolean(), nullable=False),
        sa.Column("public_communication", sa.Boolean(), nullable=False),
        sa.Column("ap_severity", sa.String(length=20), nullable=False),
        sa.Column("follows_recommendation", sa.Boolean(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("ruleset_version", sa.String(length=20), nullable=False),
        sa.Column("facts_snapshot", sa.JSON(), nullable=False),
        sa.Column("recommendation_snapshot", sa.JSON(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", breachdesk.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], name=op.f("fk_decision_decided_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_decision_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("incident_id", "version", name=op.f("uq_decision_incident_id_version")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_incident_id"), ["incident_id"])


def downgrade():
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_incident_id"))
    op.drop_table("decision")
    with op.batch_alter_table("awareness_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_awareness_record_incident_id"))
    op.drop_table("awareness_record")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        for column in (
            "closed_at", "checklist_confirmed_at", "facts", "aware_at", "triaged_at",
            "not_breach_reason", "breach_types", "security_breached", "personal_data",
        ):
            batch_op.drop_column(column)
